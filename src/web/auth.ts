/**
 * Logging in and out. One account (web.user) with a scrypt-hashed password;
 * a session lives in an httpOnly, SameSite=Strict cookie (Secure over TLS).
 * Failed logins slow down their own address only (see login-throttle.ts), so
 * a stranger can never lock the admin out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptedLang, translator } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { SessionView } from './contract.js';
import type { LoginThrottle } from './login-throttle.js';
import { verifyPassword } from './password.js';
import { sameOrigin, stateChangeRefusal } from './security.js';
import type { Session, Sessions } from './login-sessions.js';

export const SESSION_COOKIE = 'sheriff_session';

export interface AuthOptions {
  sessions: Sessions;
  user: string;
  passwordHash: string;
  secureCookie: boolean;
  throttle: LoginThrottle;
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
  const session = (req: FastifyRequest) => o.sessions.get(req.cookies[SESSION_COOKIE]);
  const view = (s: Session): SessionView => ({ user: s.user, csrf: s.csrf });

  app.post('/api/login', async (req, reply) => {
    if (!sameOrigin(req)) return reply.code(403).send({ error: 'cross-origin request refused' });
    // While its address waits, a try is refused unchecked, the right password too: answering
    // it would tell a guesser at once that a guess was right, and the delay would slow nothing.
    const waitMs = o.throttle.attempt(req.ip);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      const t = translator(acceptedLang(req.headers['accept-language']));
      return reply
        .code(429)
        .header('retry-after', seconds)
        .send({ error: t('web.login.limited', { seconds }) });
    }
    const body = req.body as { user?: unknown; password?: unknown } | null;
    const user = typeof body?.user === 'string' ? body.user : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    // The hash is checked whatever the user name, so timing does not tell which was wrong.
    const ok = (await verifyPassword(password, o.passwordHash)) && user === o.user;
    if (!ok) {
      const waitS = Math.ceil(o.throttle.waiting(req.ip) / 1000);
      o.logger.warn({ event: 'web_login_failed', ip: req.ip, waitS }, 'console login failed');
      return reply.code(401).send({ error: 'wrong user or password' });
    }
    o.throttle.succeeded(req.ip);
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
