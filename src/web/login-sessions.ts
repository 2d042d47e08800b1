/**
 * Console sessions, in memory: a random id in an httpOnly cookie, and per
 * session a CSRF token the page sends back in a header on every state change.
 * A restart logs everyone out, which is the safe default. Bounded: the oldest
 * session is dropped beyond `max`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Millis } from '../domain.js';

export interface Session {
  id: string;
  user: string;
  csrf: string;
  createdAt: Millis;
  seenAt: Millis;
}

export interface SessionOptions {
  clock: () => Millis;
  /** Absolute lifetime. Default 12 h. */
  ttlMs?: number;
  /** Logged out after this long without a request. Default 2 h. */
  idleMs?: number;
  max?: number;
}

const token = () => randomBytes(32).toString('base64url');

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly ttlMs: number;
  private readonly idleMs: number;
  private readonly max: number;

  constructor(private readonly o: SessionOptions) {
    this.ttlMs = o.ttlMs ?? 12 * 3_600_000;
    this.idleMs = o.idleMs ?? 2 * 3_600_000;
    this.max = o.max ?? 1000;
  }

  create(user: string): Session {
    const now = this.o.clock();
    const s: Session = { id: token(), user, csrf: token(), createdAt: now, seenAt: now };
    this.byId.set(s.id, s);
    // Map order is insertion order: the first key is the oldest session.
    while (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value!);
    return s;
  }

  /** The live session for a cookie value, touched; null when unknown or expired. */
  get(id: string | undefined): Session | null {
    if (id === undefined) return null;
    const s = this.byId.get(id);
    if (s === undefined) return null;
    const now = this.o.clock();
    if (now - s.createdAt >= this.ttlMs || now - s.seenAt >= this.idleMs) {
      this.byId.delete(id);
      return null;
    }
    s.seenAt = now;
    return s;
  }

  destroy(id: string): void {
    this.byId.delete(id);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
