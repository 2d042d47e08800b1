/**
 * The console as `sheriff watch` runs it: the password (configured, or
 * generated once and shown once), TLS files, and the daemon's own parts: its
 * store connection, its `Approvals` (which lets web.user decide on channel
 * 'web'), its guardrails and its analyst. A console that cannot start is
 * logged and left out: detection and bans never depend on it.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Finding, Millis } from '../domain.js';
import type { Translate } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Analyst } from '../agent/analyst.js';
import { currentStatus } from '../incidents/status.js';
import type { Approvals } from '../respond/approvals.js';
import type { Guardrails } from '../respond/guardrails.js';
import type { ReportService } from '../report/service.js';
import type { ResponseAlert } from '../respond/responder.js';
import type { SourceHealth } from '../sources/source.js';
import type { EventRecord, Store } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import type { WebConfig } from './config.js';
import { loadPasswordHash } from './password.js';
import { incidentHosts } from '../fleet/cross-host.js';
import type { WebModules } from './modules.js';
import { isLoopback } from './hosts.js';
import type { WebServer } from './server.js';

export interface WebConsoleOptions {
  config: WebConfig;
  /** The store's file: a generated password's hash is kept beside it. */
  storePath: string;
  store: Store;
  records: RecordStore;
  approvals: Approvals;
  /** What a ban approved on the console meets at once. */
  guardrails: Guardrails;
  analyst: Analyst;
  health: () => SourceHealth[];
  clock: () => Millis;
  logger: Logger;
  t: Translate;
  /** Where a generated password is shown, once. */
  out: { write(text: string): unknown };
  /** The daemon's report service, for today's report on demand. */
  reports: Pick<ReportService, 'preview'>;
  /** Trusted and internal addresses, never listed as attackers. */
  internal: (ip: string) => boolean;
  /** At the fleet's hub: its hosts (the hosts page, the host filters). */
  hosts?: WebModules['hosts'];
  /** The daemon is the fleet's hub: incidents show the attacker on each host. */
  hub?: boolean;
}

/**
 * The console listens from the start, but its routes (Fastify, the API, /metrics)
 * load with the first request: a daemon whose console nobody opens never holds them.
 */
export class WebConsole {
  private listening: Server | null = null;
  private url_: string | null = null;
  private routes: Promise<WebServer> | null = null;
  private server: WebServer | null = null;
  private ready: Promise<void> = Promise.resolve();
  /** The analyst's tokens before the routes were loaded, for /metrics. */
  private tokens = { input: 0, output: 0 };

  /** Forwards to the routes once loaded; before that nobody watches the live feed. */
  readonly observer = {
    event: (r: EventRecord) => this.server?.observer.event(r),
    finding: (f: Finding, id: number | null) => this.server?.observer.finding(f, id),
    response: (a: ResponseAlert) => this.server?.observer.response(a),
    llmUsage: (u: { input: number; output: number }) => {
      if (this.server !== null) this.server.observer.llmUsage(u);
      else {
        this.tokens.input += u.input;
        this.tokens.output += u.output;
      }
    },
  };

  /** Nothing listens yet: `start()` does, once the daemon runs. */
  constructor(private readonly o: WebConsoleOptions) {}

  /** Starts listening in the background; a failure is logged and leaves the console out. */
  start(): void {
    const o = this.o;
    this.ready = this.listen(o).catch((err: unknown) => {
      o.logger.error(
        { event: 'web_failed', err },
        o.t('web.start.failed', { error: (err as Error).message }),
      );
    });
  }

  /** The console's address once it listens (null when it did not start). */
  async url(): Promise<string | null> {
    await this.ready;
    return this.url_;
  }

  private async listen(o: WebConsoleOptions): Promise<void> {
    const web = o.config;
    const password = await loadPasswordHash(web.passwordHash, o.storePath);
    const tls =
      web.tls === undefined
        ? undefined
        : { cert: readFileSync(web.tls.cert), key: readFileSync(web.tls.key) };
    // Not an ES import: building node:http's namespace reads its lazy WebSocket and
    // EventSource exports, which load undici: some 16 MiB of an idle daemon's RSS.
    const server =
      tls === undefined
        ? process.getBuiltinModule('node:http').createServer()
        : process.getBuiltinModule('node:https').createServer(tls);
    // Requests that come while the routes load wait for them, in order.
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.routes ??= this.loadRoutes(o, server, password.hash, tls);
      this.routes.then(
        (routes) => routes.handler!(req, res),
        () => {
          res.statusCode = 503;
          res.end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(web.port, web.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.listening = server;
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : web.port;
    const host = web.host.includes(':') ? `[${web.host}]` : web.host;
    this.url_ = `${tls ? 'https' : 'http'}://${host}:${port}`;
    const exposed = !isLoopback(web.host) && web.host !== 'localhost';
    if (exposed && tls === undefined && !web.trustProxy)
      o.logger.warn(
        { event: 'web_exposed', host: web.host },
        o.t('web.start.exposed', { host: web.host }),
      );
    o.logger.info(
      { event: 'web_listening', url: this.url_ },
      o.t('web.start.listening', { url: this.url_ }),
    );
    if (password.generated !== null)
      o.out.write(
        o.t('web.start.password', {
          user: web.user,
          file: password.file ?? '',
          password: password.generated,
        }) + '\n',
      );
  }

  /** The console's routes on `server` (first request); a failure is logged, and answered 503. */
  private async loadRoutes(
    o: WebConsoleOptions,
    server: Server,
    passwordHash: string,
    tls: { cert: Buffer; key: Buffer } | undefined,
  ): Promise<WebServer> {
    try {
      const { WebServer } = await import('./server.js');
      const routes = await WebServer.start({
        config: o.config,
        passwordHash,
        tls,
        listening: server,
        deps: {
          store: o.store,
          records: o.records,
          approvals: o.approvals,
          guardrails: o.guardrails,
          health: o.health,
          internal: o.internal,
          clock: o.clock,
          logger: o.logger,
          ...this.modules(o),
        },
      });
      if (this.tokens.input + this.tokens.output > 0) routes.observer.llmUsage(this.tokens);
      this.server = routes;
      return routes;
    } catch (err) {
      o.logger.error(
        { event: 'web_failed', err },
        o.t('web.start.failed', { error: (err as Error).message }),
      );
      throw err;
    }
  }

  /** Incidents and reports from the daemon's store; the daemon's analyst; the hub's hosts. */
  private modules(o: WebConsoleOptions): WebModules {
    return {
      ...(o.hosts === undefined ? {} : { hosts: o.hosts }),
      status: () => currentStatus(o.records.activity, o.clock()),
      incidents: o.records.incidents,
      reports: o.records.reports,
      todayReport: () => o.reports.preview(),
      analyst: o.analyst,
      ...(o.hub === true ? { incidentHosts: (i) => incidentHosts(o.records.activity, i) } : {}),
    };
  }

  /** Stops listening; the store is the daemon's, closed by it. */
  async close(): Promise<void> {
    await this.ready;
    await this.routes?.then((r) => r.close()).catch(() => {});
    this.server = null;
    const server = this.listening;
    this.listening = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
