/**
 * The composition root: builds the pipeline from config and runs it.
 * sources → parse → filters → detect → (findings) → notifiers and responder,
 * with the store written beside the hot path in batches; incidents, intel, the
 * daily report and the analyst hang off it in follow-up.ts. Only these files and
 * cli/ wire modules.
 */
import { FollowUp } from './follow-up.js';
import type { SheriffConfig } from '../config/schema.js';
import { jailSettings } from '../config/load.js';
import { storePath } from '../config/paths.js';
import { buildJail, Pipeline, type Jail } from '../detect/pipeline.js';
import type { AuthEvent, Finding, Millis } from '../domain.js';
import { CONNECTION_IDLE_MS } from '../filters/engine.js';
import type { Translate } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { findingText } from '../notify/format.js';
import type { Alert, Notifier } from '../notify/notifier.js';
import { NotifyService } from '../notify/service.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { configuredApprovals, type Approvals } from '../respond/approvals.js';
import { CircuitBreaker } from '../respond/breaker.js';
import type { ConnectionKiller, Firewall } from '../respond/firewall/firewall.js';
import type { FirewallChoice } from '../respond/firewall/choose-backend.js';
import { configuredGuardrails } from '../respond/guardrails.js';
import { Responder, type JailResponse, type ResponseAlert } from '../respond/responder.js';
import type { SourceWarning } from '../sources/auto.js';
import { createSource } from '../sources/registry.js';
import type { Source, SourceHealth } from '../sources/source.js';
import { openStore, type Store } from '../store/index.js';
import { ConnectionAddresses } from '../store/connections.js';
import { toEventRecord, type EventRecord } from '../store/events.js';
import { StoreWriter } from '../store/writer.js';

const DAY = 86_400_000;

export interface DaemonOptions {
  config: SheriffConfig;
  logger: Logger;
  t: Translate;
  notifiers: Notifier[];
  /** The sources to read (already chosen: configured or automatic). */
  sources: SheriffConfig['sources'];
  /** Why the automatic choice reads nothing (yet), for `sheriff status`. */
  sourceWarning?: SourceWarning | null;
  clock?: () => Millis;
  /** How often `sheriff status` data is published. */
  statusEveryMs?: number;
  /** The firewall backend (dry-run when Sheriff may not or cannot change the firewall). */
  firewall: Firewall & Partial<ConnectionKiller>;
  /** Why that backend, and whether it blocks (for `sheriff status`); default: from its id. */
  firewallChoice?: FirewallStatus;
  /** Response alerts (approvals to decide, bans, refusals) for the notifiers. */
  onResponse?: (alert: ResponseAlert) => void;
  /** The environment credentials are read from (tests). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Live observers of what the pipeline classifies and finds (the web console's feed and metrics). */
  observer?: DaemonObserver;
}

/**
 * What the daemon reports as it happens. Called on the hot path: implementations
 * MUST return quickly (queue, count) and MUST NOT throw.
 */
export interface DaemonObserver {
  /** An event handed to the store writer (stored with its batch shortly after). */
  event?(record: EventRecord): void;
  /** A finding, with its store id (null when it could not be stored). */
  finding?(finding: Finding, id: number | null): void;
  /** Tokens an LLM call of the analyst used. */
  llmUsage?(usage: { input: number; output: number }): void;
  /** A line of this jail read with its address in two places and not settled: counted without one. */
  ambiguous?(jail: string): void;
}

/** What `sheriff status` shows per jail. */
interface JailCounts {
  fail: number;
  success: number;
  findings: number;
  /** Lines whose address could be read in two places and was not settled (counted without one). */
  ambiguous: number;
}

/** The firewall in the daemon's published status. */
export type FirewallStatus = Pick<FirewallChoice, 'kind' | 'enforcing' | 'missing'>;

/** Hours of failure history replayed into the windows at start, so a restart forgets no attacker. */
function warmWindow(jails: readonly Jail[]): number {
  return Math.max(
    ...jails.map((j) =>
      Math.max(j.settings.findtime, j.settings.slow?.findtime ?? 0, j.settings.compromise.window),
    ),
  );
}

export class Daemon {
  private readonly abort = new AbortController();
  private readonly tasks: Promise<void>[] = [];
  private readonly sources: Source[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startedAt: Millis;
  private readonly counts = new Map<string, JailCounts>();
  /** Lines whose processing threw, and sources that failed, by source id: counted, never fatal. */
  private readonly failures = new Map<string, { errors: number; lastError: string | null }>();
  private stopped = false;
  /** opts.notifiers plus Telegram and webhooks (notify:); every alert goes to each. */
  private notifiers: readonly Notifier[] = [];
  private notify: NotifyService | null = null;
  /** Incidents, intel, the daily report and the analyst. */
  followUp!: FollowUp;

  private constructor(
    private readonly opts: DaemonOptions,
    private readonly store: Store,
    private readonly writer: StoreWriter,
    private readonly jails: Jail[],
    private readonly clock: () => Millis,
    private readonly responder: Responder,
  ) {
    this.startedAt = clock();
  }

  static start(opts: DaemonOptions): Daemon {
    const clock = opts.clock ?? Date.now;
    const log = opts.logger;
    const path = storePath(opts.config);
    const store = openStore(path);
    // What the filters learn about connections' addresses is written with the cursors.
    const addresses = new ConnectionAddresses(store.db);
    const writer = new StoreWriter(store, {
      parts: [addresses],
      onError: (err, info) =>
        log.error(
          {
            event: 'store_write_failed',
            err,
            kind: info.kind,
            retryInMs: info.retryInMs,
            queued: info.queuedEvents,
          },
          'the store cannot be written; detection goes on and writes are retried',
        ),
      onRecover: (info) =>
        log.warn({ event: 'store_recovered', ...info }, 'the store can be written again'),
    });
    const jails = jailSettings(opts.config).map((settings) => {
      const jail = buildJail(settings, addresses.journal(settings.name));
      jail.classifier.restore(addresses.load(settings.name, CONNECTION_IDLE_MS));
      return jail;
    });
    const approvals = configuredApprovals(store, opts.config, { logger: log });
    approvals.upgradeLegacy(Date.now()); // only the daemon writes the store
    // Alerts reach notifiers that exist only further down: bound late.
    let notifiers: readonly Notifier[] = opts.notifiers;
    let daemon: Daemon | null = null;
    let followUp: FollowUp;
    let notify: NotifyService | null;
    try {
      followUp = new FollowUp({
        config: opts.config,
        store,
        approvals,
        clock,
        logger: log,
        broadcast: (alert) => broadcast(notifiers, log, alert),
        flushEvents: () => daemon?.writer.flush(),
        onLlmUsage: (input, output) => opts.observer?.llmUsage?.({ input, output }),
        ...(opts.env === undefined ? {} : { env: opts.env }),
      });
      notify = NotifyService.configured(opts.config.notify)
        ? new NotifyService({
            config: opts.config.notify,
            language: opts.config.language,
            ...(opts.config.timezone === undefined ? {} : { timezone: opts.config.timezone }),
            store,
            approvals,
            defaultBantime: opts.config.response.bantime,
            clock,
            logger: log,
            hooks: followUp.botHooks,
            ...(opts.env === undefined ? {} : { env: opts.env }),
          })
        : null;
    } catch (err) {
      // A credential or intel file that does not work: nothing has started yet.
      writer.close();
      store.close();
      throw err;
    }
    if (notify !== null) notifiers = [...opts.notifiers, notify.notifier];
    const responder = Daemon.responder(opts, store, clock, approvals, notifiers, followUp);
    daemon = new Daemon(opts, store, writer, jails, clock, responder);
    daemon.notifiers = notifiers;
    daemon.notify = notify;
    daemon.followUp = followUp;
    followUp.start();
    notify
      ?.start()
      .catch((err: unknown) =>
        log.error({ event: 'notify_start_failed', err }, 'Telegram could not be started'),
      );
    daemon.warmUp();
    const fw = daemon.firewallStatus();
    const started = {
      event: 'daemon_started',
      store: path,
      jails: jails.map((j) => j.settings.name),
    };
    if (fw.enforcing) log.info({ ...started, firewall: fw.kind }, 'Sheriff is watching');
    else
      log.warn(
        { ...started, firewall: fw.kind, enforcing: false, missing: fw.missing },
        'Sheriff is watching, but NOTHING WILL BE BLOCKED: the firewall is not enforcing bans (see sheriff status)',
      );
    for (const cfg of opts.sources) daemon.run(createSource(cfg), cfg.jails);
    const every = opts.statusEveryMs ?? 5000;
    daemon.timers.push(setInterval(() => daemon.publishStatus(), every).unref());
    daemon.timers.push(setInterval(() => daemon.prune(), 3_600_000).unref());
    // Approved actions run within a second of the decision, whichever channel made it.
    daemon.timers.push(setInterval(() => void responder.tick(), 1000).unref());
    daemon.timers.push(
      setInterval(() => void responder.reconcile(), opts.config.response.reconcileInterval).unref(),
    );
    void responder.reconcile().then(() => responder.tick());
    daemon.publishStatus();
    return daemon;
  }

  private static responder(
    opts: DaemonOptions,
    store: Store,
    clock: () => Millis,
    approvals: Approvals,
    notifiers: readonly Notifier[],
    followUp: FollowUp,
  ): Responder {
    const r = opts.config.response;
    const log = opts.logger;
    const breaker = new CircuitBreaker({
      maxPerMinute: r.maxBansPerMinute,
      coolDownMs: r.breakerCooldown,
      clock,
      onTrip: (state) => {
        log.error(
          { event: 'breaker_tripped', ...state },
          'too many bans in a minute: automatic bans are stopped',
        );
        broadcast(notifiers, log, { type: 'breaker', state });
      },
    });
    const guardrails = configuredGuardrails(opts.config, {
      breaker,
      // For connections whose sshd process an unprivileged daemon cannot see: a login from
      // the address within a day makes it a session (never banned); attempts alone do not.
      loggedIn: (ip) =>
        store.events.queryEvents({ ip, kind: 'success', since: clock() - DAY, limit: 1 }).length >
        0,
    });
    const jails = new Map<string, JailResponse>(
      Object.entries(opts.config.jails).map(([name, j]) => [
        name,
        { policy: j.policy, bantime: j.bantime ?? r.bantime, findtime: j.findtime },
      ]),
    );
    return new Responder({
      store,
      approvals,
      guardrails,
      firewall: opts.firewall,
      jails,
      settings: {
        increment: r.increment,
        killConnections: r.killConnections,
        admins: r.admins,
        managementPorts: r.managementPorts,
        isolateRevertAfter: r.isolateRevertAfter,
      },
      clock,
      logger: log,
      alert: (a) => {
        if (a.type === 'approval')
          log.warn(
            {
              event: 'approval_requested',
              approval: a.approval.id,
              cidr: a.approval.target?.cidr,
              expiresAt: a.approval.expiresAt,
            },
            `approval needed: sheriff approve ${a.approval.id}`,
          );
        broadcast(notifiers, log, a);
        followUp.onResponse(a);
        opts.onResponse?.(a);
      },
    });
  }

  /** Replays recent failures from the store into the windows; findings they complete were already sent. */
  private warmUp(): void {
    const since = this.clock() - warmWindow(this.jails);
    const byName = new Map(this.jails.map((j) => [j.settings.name, j]));
    let n = 0;
    for (const e of this.store.events.recentFailures(since)) {
      const jail = byName.get(e.jail);
      if (jail === undefined) continue;
      const event: AuthEvent = {
        time: e.time,
        filter: e.filter,
        rule: e.rule,
        result: e.result,
        host: e.host,
        ip: e.ip,
        user: e.user,
        users: null,
        attempts: e.attempts,
        accepted: e.result === 'success',
      };
      jail.tracker.observe(event, e.time);
      n++;
    }
    if (n > 0)
      this.opts.logger.info(
        { event: 'windows_restored', events: n },
        'recent failures restored from the store',
      );
  }

  private run(source: Source, only: string[] | undefined): void {
    this.sources.push(source);
    const jails =
      only === undefined ? this.jails : this.jails.filter((j) => only.includes(j.settings.name));
    const parser = new LineParser({
      zone: TimeZone.of(this.opts.config.timezone),
      reference: this.clock,
    });
    let events: EventRecord[] = [];
    let line = '';
    const pipeline = new Pipeline(
      jails,
      parser,
      this.clock,
      (finding) => this.alert(finding),
      (event, jail) => {
        const c = this.jailCounts(jail.settings.name);
        if (event.ambiguous) {
          c.ambiguous++;
          this.opts.observer?.ambiguous?.(jail.settings.name);
        }
        if (event.result === 'fail') {
          c.fail += event.attempts;
          if (event.ip !== null) this.responder.onFailure(event.ip, event.time ?? this.clock());
        } else if (event.result === 'success') c.success++;
        if (event.result === 'nofail') return;
        const record = toEventRecord(event, {
          jail: jail.settings.name,
          source: source.id,
          line,
          readAt: this.clock(),
        });
        if (record !== null) {
          events.push(record);
          this.opts.observer?.event?.(record);
          this.followUp.onEvent(event, jail.settings.name);
        }
      },
    );
    const failures = { errors: 0, lastError: null as string | null };
    this.failures.set(source.id, failures);
    const failed = (err: unknown, what: string) => {
      failures.errors++;
      failures.lastError = `${what}: ${(err as Error)?.message ?? String(err)}`;
      // The first one with its stack, for a bug report; the rest are counted in status and /metrics.
      if (failures.errors === 1)
        this.opts.logger.error({ event: 'line_failed', source: source.id, err }, what);
    };
    const task = (async () => {
      const cursor = this.store.positions.get(source.id);
      let ready = false;
      for await (const batch of source.lines(cursor, this.abort.signal)) {
        if (!ready) {
          // A source's first batch says where it starts: from here on no line is missed.
          ready = true;
          this.opts.logger.info(
            { event: 'source_ready', source: source.id, position: source.health().position },
            'reading',
          );
        }
        for (const text of batch.lines) {
          line = text;
          // One line that trips a bug must not stop this source, nor the others.
          try {
            pipeline.line(text);
          } catch (err) {
            failed(err, 'a line could not be processed');
          }
        }
        this.writer.add({ sourceId: source.id, cursor: batch.cursor, events });
        events = [];
      }
    })().catch((err: unknown) => {
      failures.errors++;
      failures.lastError = `the source stopped: ${(err as Error)?.message ?? String(err)}`;
      this.opts.logger.error(
        { event: 'source_failed', source: source.id, err },
        'a source stopped',
      );
    });
    this.tasks.push(task);
  }

  private jailCounts(name: string) {
    let c = this.counts.get(name);
    if (c === undefined) {
      c = { fail: 0, success: 0, findings: 0, ambiguous: 0 };
      this.counts.set(name, c);
    }
    return c;
  }

  /** A finding is available the moment it is logged and handed to the notifiers ("alert queued"). */
  private alert(finding: Finding): void {
    this.jailCounts(finding.jail).findings++;
    this.opts.logger.warn(
      {
        event: 'finding',
        kind: finding.kind,
        jail: finding.jail,
        scope: finding.scope,
        ip: finding.ip,
        count: finding.count,
        first: finding.first,
        last: finding.last,
      },
      findingText(finding, this.opts.t),
    );
    broadcast(this.notifiers, this.opts.logger, { type: 'finding', finding });
    // Announced first (the alert is queued): storing and asking for approval come after.
    // Findings are rare: stored at once, so an approval can name its evidence.
    let id: number | null = null;
    try {
      id = this.store.findings.insert(finding, this.clock());
    } catch (err) {
      this.opts.logger.error({ event: 'finding_not_stored', err }, 'a finding could not be stored');
    }
    this.opts.observer?.finding?.(finding, id);
    this.followUp.onFinding(finding, id);
    this.responder.onFinding(finding, id);
  }

  /** The firewall as `sheriff status` shows it. */
  firewallStatus(): FirewallStatus {
    const c = this.opts.firewallChoice;
    return c === undefined
      ? { kind: this.opts.firewall.id, enforcing: this.opts.firewall.id !== 'dry-run', missing: [] }
      : { kind: c.kind, enforcing: c.enforcing, missing: c.missing };
  }

  /** Each source's health, with the lines the daemon could not process counted as its errors. */
  health(): SourceHealth[] {
    return this.sources.map((s) => {
      const h = s.health();
      const f = this.failures.get(s.id);
      if (f === undefined || f.errors === 0) return h;
      return { ...h, errors: h.errors + f.errors, lastError: f.lastError ?? h.lastError };
    });
  }

  /** Errors each source had counted when last published: a new one is logged. */
  private readonly loggedErrors = new Map<string, number>();

  /** Logs each source's new errors (a rotated rest not found, an unreadable file…). */
  private logSourceErrors(health: SourceHealth[]): void {
    for (const h of health) {
      if (h.errors <= (this.loggedErrors.get(h.id) ?? 0)) continue;
      this.loggedErrors.set(h.id, h.errors);
      this.opts.logger.error(
        { event: 'source_error', source: h.id, errors: h.errors, lastError: h.lastError },
        'a source reported an error',
      );
    }
  }

  private publishStatus(): void {
    const now = this.clock();
    const sources = this.health();
    this.logSourceErrors(sources);
    try {
      this.store.status.put(
        'daemon',
        {
          pid: process.pid,
          startedAt: this.startedAt,
          sources,
          jails: Object.fromEntries(this.counts),
          tracked: Object.fromEntries(this.jails.map((j) => [j.settings.name, j.tracker.stats()])),
          writer: this.writer.stats(),
          storeBytes: this.store.sizeBytes(),
          firewall: this.firewallStatus(),
          sourceWarning: this.opts.sourceWarning ?? null,
        },
        now,
      );
    } catch (err) {
      this.opts.logger.warn({ event: 'status_not_published', err }, 'could not publish status');
    }
  }

  private prune(): void {
    const { maxAge, maxEvents } = this.opts.config.store.retention;
    this.store
      .prune({ maxAge, maxEvents }, this.clock())
      .then((r) => {
        if (r.removed > 0)
          this.opts.logger.info({ event: 'events_pruned', ...r }, 'old events removed');
      })
      .catch((err: unknown) =>
        this.opts.logger.warn({ event: 'prune_failed', err }, 'could not remove old events'),
      );
  }

  /** Stops reading, writes everything queued, closes the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled(this.tasks);
    await this.responder.tick();
    await this.followUp.stop();
    await this.notify?.stop();
    this.publishStatus();
    const result = this.writer.close();
    this.store.close();
    this.opts.logger.info({ event: 'daemon_stopped', ...result }, 'Sheriff stopped');
  }
}

/** Every alert to every notifier; a notifier's failure is logged, never thrown. */
function broadcast(notifiers: readonly Notifier[], log: Logger, alert: Alert): void {
  for (const n of notifiers) {
    n.send(alert).catch((err: unknown) =>
      log.error({ event: 'notify_failed', notifier: n.id, err }, 'an alert could not be delivered'),
    );
  }
}
