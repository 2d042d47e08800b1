/**
 * The web console's HTTP server (Fastify): the page and its scripts, the JSON
 * API under /api, the live feed (SSE), /metrics and /healthz. It reads the
 * store through the daemon's connection and decides approvals through the same
 * `Approvals.decide` as the CLI and Telegram, as channel 'web'; the daemon's
 * responder carries decisions out.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Finding, Millis } from '../domain.js';
import { acceptedLang, translator } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Approvals } from '../respond/approvals.js';
import type { Guardrails } from '../respond/guardrails.js';
import type { ResponseAlert } from '../respond/responder.js';
import type { SourceHealth } from '../sources/source.js';
import { readCounts } from '../store/counts.js';
import type { EventRecord, Store } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import { registerApi } from './api.js';
import type { WebModules } from './modules.js';
import { registerAuth } from './auth.js';
import type { WebConfig } from './config.js';
import { FAVICON_SVG } from './favicon.js';
import { hostChecker, isLoopback } from './hosts.js';
import { LiveHub } from './live.js';
import { LoginThrottle, type ThrottleOptions } from './login-throttle.js';
import { WebMetrics } from './metrics.js';
import { pageHtml } from './page.js';
import { DashboardQueries } from './queries.js';
import { securityHeaders } from './security.js';
import { Sessions } from './login-sessions.js';
import { STYLE } from './style.js';

export interface WebDeps extends WebModules {
  /** This host's own: the dashboard's queries, the counts, the size on disk. */
  store: Store;
  records: RecordStore;
  approvals: Approvals;
  guardrails: Guardrails;
  health: () => SourceHealth[];
  /** Trusted and internal addresses (intel/trusted.ts): never shown as attackers. */
  internal: (ip: string) => boolean;
  clock: () => Millis;
  logger: Logger;
}

export interface WebServerOptions {
  config: WebConfig;
  passwordHash: string;
  tls?: { cert: Buffer; key: Buffer };
  deps: WebDeps;
  /** Login throttling; the clock is the deps' one. */
  login?: Omit<ThrottleOptions, 'clock'>;
  /**
   * A server already listening (with `tls`, an HTTPS one): the console answers
   * through `handler` the requests it is given, rather than listening itself.
   */
  listening?: Server;
}

/** What the console does with one request on a server it did not open. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the daemon feeds the console with, live (see DaemonObserver). */
export interface WebObserver {
  event(e: EventRecord): void;
  finding(f: Finding, id: number | null): void;
  response(a: ResponseAlert): void;
  llmUsage(u: { input: number; output: number }): void;
}

/** A route with a JSON schema is a mistake here (see `schemaController`): said at start. */
const noSchemas = () => () => {
  throw new Error('the web console declares no JSON schemas: requests are checked with zod');
};

// From dist/web/ as from the bundle in dist/bundle/ (packaging/bundle.ts).
const uiDir = fileURLToPath(new URL('../web/ui/', import.meta.url));
const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

export class WebServer {
  readonly observer: WebObserver;

  private constructor(
    private readonly app: FastifyInstance,
    private readonly live: LiveHub,
    metrics: WebMetrics,
    readonly url: string,
    /** The handler of a server given as `listening` (null when it listens itself). */
    readonly handler: RequestHandler | null,
  ) {
    this.observer = {
      event: (e) => live.event(e),
      finding: (f, id) => live.finding(f, id),
      response: (a) => live.response(a),
      llmUsage: (u) => metrics.llmTokens(u),
    };
  }

  static async start(o: WebServerOptions): Promise<WebServer> {
    const { deps, config } = o;
    const tls = o.tls !== undefined;
    let handler: RequestHandler | null = null;
    const app = Fastify({
      logger: false,
      // The one proxy in front: the client is the address it saw, the last X-Forwarded-For
      // entry; earlier entries are whatever the client wrote.
      trustProxy: config.trustProxy ? (_addr: string, hop: number) => hop === 0 : false,
      bodyLimit: 64 * 1024,
      // Requests are checked with zod (parse.ts) and no route has a JSON schema: without
      // these, Fastify loads Ajv and fast-json-stringify (some 300 modules) for nothing.
      schemaController: {
        compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas },
      },
      ...(o.listening
        ? {
            serverFactory: (h: RequestHandler) => {
              handler = h;
              return o.listening!;
            },
          }
        : o.tls
          ? { https: { cert: o.tls.cert, key: o.tls.key } }
          : {}),
    }) as unknown as FastifyInstance;
    const queries = new DashboardQueries(deps.records);
    const live = new LiveHub();
    const throttle = new LoginThrottle({ ...o.login, clock: deps.clock });
    const metrics = new WebMetrics({
      counts: () => readCounts(deps.records, deps.clock()),
      storeBytes: () => deps.store.sizeBytes(),
      health: deps.health,
      loginAddresses: () => throttle.tracked,
    });
    const sessions = new Sessions({ clock: deps.clock });
    const headers = securityHeaders(tls);
    // Known once listening (port 0 picks one); until then nothing is served.
    let namesThisConsole: (host: string) => boolean = () => false;

    app.addHook('onRequest', async (req, reply) => {
      if (namesThisConsole(req.host)) return;
      const t = translator(acceptedLang(req.headers['accept-language']));
      return reply
        .code(421)
        .type('text/plain; charset=utf-8')
        .send(t('web.host.refused', { host: JSON.stringify(req.host.slice(0, 255)) }) + '\n');
    });
    app.addHook('onSend', async (req, reply, payload) => {
      void reply.headers(headers);
      if (req.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
      return payload;
    });
    app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      const code = err.statusCode ?? 500;
      if (code >= 500) deps.logger.error({ event: 'web_error', err }, 'web request failed');
      return reply.code(code).send({ error: code >= 500 ? 'internal error' : err.message });
    });
    await app.register(fastifyCookie);
    await app.register(fastifyStatic, { root: uiDir, prefix: '/ui/' });

    app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(pageHtml()));
    app.get('/app.css', (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLE));
    app.get('/favicon.svg', (_req, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(FAVICON_SVG),
    );
    app.get('/vendor/uplot.js', (_req, reply) => reply.sendFile('uPlot.iife.min.js', uplotDir));
    app.get('/vendor/uplot.css', (_req, reply) => reply.sendFile('uPlot.min.css', uplotDir));
    app.get('/healthz', () => {
      const sources = deps.health();
      return {
        ok: true,
        sources: sources.length,
        errors: sources.filter((s) => s.lastError).length,
      };
    });

    const auth = registerAuth(app, {
      sessions,
      user: config.user,
      passwordHash: o.passwordHash,
      secureCookie: tls || config.trustProxy,
      throttle,
      logger: deps.logger,
    });
    app.get('/metrics', async (req, reply) => {
      // Scrapers on this host need no session; from elsewhere, only a logged-in user sees it.
      if (!isLoopback(req.ip) && auth.session(req) === null)
        return reply.code(401).send({ error: 'login required' });
      return reply.type(metrics.registry.contentType).send(await metrics.text());
    });
    registerApi(app, { ...deps, queries, live, auth });

    if (o.listening) await app.ready();
    else await app.listen({ host: config.host, port: config.port });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
    namesThisConsole = hostChecker({ host: config.host, port, tls, hostnames: config.hostnames });
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
    return new WebServer(app, live, metrics, url, handler);
  }

  async close(): Promise<void> {
    this.live.close();
    await this.app.close();
  }
}
