/**
 * HTTP hardening for the console: a strict Content-Security-Policy (no inline
 * script or style, no framing), the usual companion headers, and the checks
 * every state-changing request must pass: a same-origin Origin (or
 * Sec-Fetch-Site) and the session's CSRF token in a header.
 */
import type { FastifyRequest } from 'fastify';
import { csrfMatches, type Session } from './login-sessions.js';

export const CSRF_HEADER = 'x-csrf-token';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(tls: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
  if (tls) h['strict-transport-security'] = 'max-age=31536000';
  return h;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(req: FastifyRequest): boolean {
  return !SAFE_METHODS.has(req.method);
}

/**
 * Whether the request comes from a page of this server. A browser always sends
 * Origin on a cross-origin POST; when it is absent, Sec-Fetch-Site must not say
 * cross-site. Non-browser clients (curl) pass here and still need the CSRF token.
 */
export function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return false;
    try {
      return new URL(origin).host === req.host;
    } catch {
      return false;
    }
  }
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** Why a state change must be refused (403), or null: it needs a same origin and the session's CSRF token. */
export function stateChangeRefusal(req: FastifyRequest, session: Session): string | null {
  if (!sameOrigin(req)) return 'cross-origin request refused';
  if (!csrfMatches(session, req.headers[CSRF_HEADER])) return 'missing or wrong CSRF token';
  return null;
}
