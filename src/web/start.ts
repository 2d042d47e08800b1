/**
 * The console as `sheriff watch` runs it: the password (configured, or
 * generated once and shown once), TLS files, its own store connection, an
 * `Approvals` that lets web.user decide on channel 'web', and the daemon's
 * analyst. A console that cannot start is logged and left out: detection and
 * bans never depend on it.
 */
import { readFileSync } from 'node:fs';
import type { SheriffConfig } from '../config/schema.js';
import type { Finding } from '../domain.js';
import type { Translate } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Analyst } from '../agent/analyst.js';
import { currentStatus } from '../incidents/status.js';
import { TrustedProvider } from '../intel/trusted.js';
import { configuredApprovals } from '../respond/approvals.js';
import { configuredGuardrails } from '../respond/guardrails.js';
import type { ReportService } from '../report/service.js';
import type { ResponseAlert } from '../respond/responder.js';
import type { SourceHealth } from '../sources/source.js';
import { openStore, type EventRecord, type Store } from '../store/index.js';
import { loadPasswordHash } from './password.js';
import type { WebModules } from './modules.js';
import { isLoopback } from './hosts.js';
import { WebServer } from './server.js';

export interface WebConsoleOptions {
  config: SheriffConfig;
  storePath: string;
  health: () => SourceHealth[];
  logger: Logger;
  t: Translate;
  /** Where a generated password is shown, once. */
  out: { write(text: string): unknown };
  /** The daemon's analyst (it starts after the console): null until then. */
  analyst: () => Analyst | null;
  /** The daemon's report service, for today's report on demand: null until it starts. */
  reports: () => Pick<ReportService, 'preview'> | null;
}

export class WebConsole {
  private server: WebServer | null = null;
  private store: Store | null = null;
  private ready: Promise<void> = Promise.resolve();

  /** Forwards to the server once it listens; before that (or without one) nothing is kept. */
  readonly observer = {
    event: (r: EventRecord) => this.server?.observer.event(r),
    finding: (f: Finding, id: number | null) => this.server?.observer.finding(f, id),
    response: (a: ResponseAlert) => this.server?.observer.response(a),
    llmUsage: (u: { input: number; output: number }) => this.server?.observer.llmUsage(u),
  };

  /** Nothing listens yet: the daemon starts first (it needs `observer`), then `start()`. */
  constructor(private readonly o: WebConsoleOptions) {}

  /** Starts listening in the background; a failure is logged and leaves the console out. */
  start(): void {
    const o = this.o;
    this.ready = this.listen(o).catch((err: unknown) => {
      this.store?.close();
      this.store = null;
      o.logger.error(
        { event: 'web_failed', err },
        o.t('web.start.failed', { error: (err as Error).message }),
      );
    });
  }

  /** The console's address once it listens (null when it did not start). */
  async url(): Promise<string | null> {
    await this.ready;
    return this.server?.url ?? null;
  }

  private async listen(o: WebConsoleOptions): Promise<void> {
    const web = o.config.web;
    const password = await loadPasswordHash(web.passwordHash, o.storePath);
    const tls =
      web.tls === undefined
        ? undefined
        : { cert: readFileSync(web.tls.cert), key: readFileSync(web.tls.key) };
    this.store = openStore(o.storePath);
    const approvals = configuredApprovals(this.store, o.config, { logger: o.logger });
    const trusted = new TrustedProvider(o.config.trusted);
    this.server = await WebServer.start({
      config: web,
      passwordHash: password.hash,
      tls,
      deps: {
        store: this.store,
        approvals,
        guardrails: configuredGuardrails(o.config),
        health: o.health,
        internal: (ip) => trusted.isInternal(ip),
        clock: Date.now,
        logger: o.logger,
        ...this.modules(o, this.store),
      },
    });
    const exposed = !isLoopback(web.host) && web.host !== 'localhost';
    if (exposed && tls === undefined && !web.trustProxy)
      o.logger.warn(
        { event: 'web_exposed', host: web.host },
        o.t('web.start.exposed', { host: web.host }),
      );
    o.logger.info(
      { event: 'web_listening', url: this.server.url },
      o.t('web.start.listening', { url: this.server.url }),
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

  /** Incidents and reports through the console's own store connection; the daemon's analyst. */
  private modules(o: WebConsoleOptions, store: Store): WebModules {
    const analyst = () => {
      const a = o.analyst();
      if (a === null) throw new Error('the analyst is not ready yet');
      return a;
    };
    return {
      status: () => currentStatus(store.activity, Date.now()),
      incidents: store.incidents,
      reports: store.reports,
      todayReport: () => {
        const r = o.reports();
        if (r === null) throw new Error('the report service is not ready yet');
        return r.preview();
      },
      analyst: {
        ask: (request) => analyst().ask(request),
        get mode() {
          return o.analyst()?.mode ?? 'command';
        },
        get model() {
          return o.analyst()?.model ?? null;
        },
      },
    };
  }

  async close(): Promise<void> {
    await this.ready;
    await this.server?.close();
    this.server = null;
    this.store?.close();
    this.store = null;
  }
}
