/**
 * The console as `sheriff watch` runs it: the password (configured, or
 * generated once and shown once), TLS files, and the daemon's own parts: its
 * store connection, its `Approvals` (which lets web.user decide on channel
 * 'web'), its guardrails and its analyst. A console that cannot start is
 * logged and left out: detection and bans never depend on it.
 */
import { readFileSync } from 'node:fs';
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
import type { WebModules } from './modules.js';
import { isLoopback } from './hosts.js';
import { WebServer } from './server.js';

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
}

export class WebConsole {
  private server: WebServer | null = null;
  private ready: Promise<void> = Promise.resolve();

  /** Forwards to the server once it listens; before that (or without one) nothing is kept. */
  readonly observer = {
    event: (r: EventRecord) => this.server?.observer.event(r),
    finding: (f: Finding, id: number | null) => this.server?.observer.finding(f, id),
    response: (a: ResponseAlert) => this.server?.observer.response(a),
    llmUsage: (u: { input: number; output: number }) => this.server?.observer.llmUsage(u),
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
    return this.server?.url ?? null;
  }

  private async listen(o: WebConsoleOptions): Promise<void> {
    const web = o.config;
    const password = await loadPasswordHash(web.passwordHash, o.storePath);
    const tls =
      web.tls === undefined
        ? undefined
        : { cert: readFileSync(web.tls.cert), key: readFileSync(web.tls.key) };
    this.server = await WebServer.start({
      config: web,
      passwordHash: password.hash,
      tls,
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

  /** Incidents and reports from the daemon's store; the daemon's analyst. */
  private modules(o: WebConsoleOptions): WebModules {
    return {
      status: () => currentStatus(o.records.activity, o.clock()),
      incidents: o.records.incidents,
      reports: o.records.reports,
      todayReport: () => o.reports.preview(),
      analyst: o.analyst,
    };
  }

  /** Stops listening; the store is the daemon's, closed by it. */
  async close(): Promise<void> {
    await this.ready;
    await this.server?.close();
    this.server = null;
  }
}
