/**
 * Logging in and out. One account (web.user) with a scrypt-hashed password;
 * a session lives in an httpOnly, SameSite=Strict cookie (Secure over TLS).
 * Failed logins are limited per address and for everyone together, so
 * neither one host nor a botnet can guess passwords at speed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import { verifyPassword } from './password.js';
import { sameOrigin, stateChangeRefusal } from './security.js';
import type { Session, Sessions } from './sessions.js';

export const SESSION_COOKIE = 'sheriff_session';

export interface AuthOptions {
  sessions: Sessions;
  user: string;
  passwordHash: string;
  secureCookie: boolean;
  limits: { perAddress: number; global: number; windowMs: number };
  logger: Logger;
}

export interface Auth {
  session(req: FastifyRequest): Session | null;
  /** preHandler for the API: 401 without a session, 403 for a state change without CSRF proof. */
  guard(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
}

const sessionOf = new WeakMap<FastifyRequest, Session>();

/** The session the guard admitted the request with. */
export function requestSession(req: FastifyRequest): Session {
  const s = sessionOf.get(req);
  if (s === undefined) throw new Error('route is not behind the auth guard');
  return s;
}

export function registerAuth(app: FastifyInstance, o: AuthOptions): Auth {
  const perAddress = app.createRateLimit({
    max: o.limits.perAddress,
    timeWindow: o.limits.windowMs,
  });
  const everyone = app.createRateLimit({
    max: o.limits.global,
    timeWindow: o.limits.windowMs,
    keyGenerator: () => 'everyone',
  });
  const session = (req: FastifyRequest) => o.sessions.get(req.cookies[SESSION_COOKIE]);
  const view = (s: Session) => ({ user: s.user, csrf: s.csrf });

  app.post('/api/login', async (req, reply) => {
    if (!sameOrigin(req)) return reply.code(403).send({ error: 'cross-origin request refused' });
    // Only failures count; once `max` failed within the window, every attempt is refused.
    for (const limit of [perAddress, everyone]) {
      const r = await limit(req, { increment: false });
      if (!r.isAllowed && r.remaining === 0) {
        o.logger.warn(
          { event: 'web_login_limited', ip: req.ip },
          'too many console login attempts',
        );
        return reply
          .code(429)
          .header('retry-after', r.ttlInSeconds)
          .send({ error: 'too many login attempts; try again later' });
      }
    }
    const body = req.body as { user?: unknown; password?: unknown } | null;
    const user = typeof body?.user === 'string' ? body.user : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    // The hash is checked whatever the user name, so timing does not tell which was wrong.
    const ok = (await verifyPassword(password, o.passwordHash)) && user === o.user;
    if (!ok) {
      await Promise.all([perAddress(req), everyone(req)]);
      o.logger.warn({ event: 'web_login_failed', ip: req.ip }, 'console login failed');
      return reply.code(401).send({ error: 'wrong user or password' });
    }
    const s = o.sessions.create(user);
    o.logger.info({ event: 'web_login', ip: req.ip, user }, 'console login');
    return reply
      .setCookie(SESSION_COOKIE, s.id, {
        httpOnly: true,
        sameSite: 'strict',
        secure: o.secureCookie,
        path: '/',
      })
      .send(view(s));
  });

  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const s = session(req);
    if (s === null) return reply.code(401).send({ error: 'login required' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const refusal = stateChangeRefusal(req, s);
      if (refusal !== null) {
        o.logger.warn({ event: 'web_csrf_refused', ip: req.ip, url: req.url }, refusal);
        return reply.code(403).send({ error: refusal });
      }
    }
    sessionOf.set(req, s);
    return undefined;
  };

  app.get('/api/session', { preHandler: guard }, (req) => view(requestSession(req)));
  app.post('/api/logout', { preHandler: guard }, (req, reply) => {
    o.sessions.destroy(requestSession(req).id);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).send({ ok: true });
  });

  return { session, guard };
}
