/**
 * The composition root: every part of the daemon, built from config in order
 * before anything starts — sources, store, writer, jails, approvals,
 * guardrails, responder, follow-up, notifications, the web console — each
 * handed the parts it uses. Nothing is bound late: alerts travel over a bus
 * created first, which producers publish on (the pipeline's findings, the
 * responder, the circuit breaker, follow-up's status and report) and listeners
 * subscribe to as they are built (notifiers, follow-up, the web console).
 * daemon.ts then runs the parts. Only app/ and cli/ wire modules.
 */
import { createRequire } from 'node:module';
import { Bus } from '../bus.js';
import { systemClock, type Clock } from '../clock.js';
import { jailSettings } from './jail-settings.js';
import { storePath } from '../config/paths.js';
import type { SheriffConfig } from './config.js';
import { buildJail, type Jail } from '../detect/pipeline.js';
import type { Finding } from '../domain.js';
import { CONNECTION_IDLE_MS } from '../filters/engine.js';
import { filterRegistry } from '../filters/registry.js';
import type { Translate } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { notifyConfigured } from '../notify/config.js';
import { isResponseAlert, type Alert, type Notifier } from '../notify/notifier.js';
import type { NotifyService } from '../notify/service.js';
import type * as NotifyServiceModule from '../notify/service.js';
import { configuredApprovals, type Approvals } from '../respond/approvals.js';
import { CircuitBreaker } from '../respond/breaker.js';
import type { FirewallChoice } from '../respond/firewall/choose-backend.js';
import type { ConnectionKiller, Firewall } from '../respond/firewall/firewall.js';
import { configuredGuardrails, type Guardrails } from '../respond/guardrails.js';
import { Responder, type JailResponse } from '../respond/responder.js';
import { TimeZone } from '../parse/zone.js';
import type { HostStore } from '../store/hosts.js';
import { openStore, type Async, type RecordStore, type Store } from '../store/index.js';
import { ConnectionAddresses } from '../store/connections.js';
import { ScanAggregator } from '../store/scans.js';
import type { SourceWarning } from '../sources/auto.js';
import type { EventRecord } from '../store/events.js';
import { StoreWriter, type WriterPart } from '../store/writer.js';
import type { WebConsole } from '../web/start.js';
import type * as WebConsoleModule from '../web/start.js';
import { FollowUp } from './follow-up.js';
import { NO_TELEMETRY, type Telemetry } from './telemetry.js';
import { WatchedSources } from './watched-sources.js';

const DAY = 86_400_000;

/**
 * A feature's modules (Telegram's grammy, the web console's fastify, …) load only
 * when the configuration asks for the feature: an idle daemon holds less memory and
 * starts sooner. `require` of an ES module is synchronous, so composing stays so.
 */
const require = createRequire(import.meta.url);

export interface DaemonOptions {
  config: SheriffConfig;
  logger: Logger;
  t: Translate;
  /** Notifiers besides Telegram and webhooks (notify:), e.g. the terminal; each gets every alert. */
  notifiers: Notifier[];
  /** The sources to read (already chosen: configured or automatic). */
  sources: SheriffConfig['sources'];
  /** Why the automatic choice reads nothing (yet), for `sheriff status`. */
  sourceWarning?: SourceWarning | null;
  /** Time and timers; default the system's. */
  clock?: Clock;
  /** The firewall backend (dry-run when Sheriff may not or cannot change the firewall). */
  firewall: Firewall & Partial<ConnectionKiller>;
  /** Why that backend, and whether it blocks (for `sheriff status`); default: from its id. */
  firewallChoice?: FirewallStatus;
  /** The environment credentials are read from (tests). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Live observers of what the pipeline classifies and finds (tests; the web console is one). */
  observer?: DaemonObserver;
  /**
   * Serve the web console (when `web.enabled`), showing a generated password on `out`.
   * Without it there is no console (`sheriff demo`, tests).
   */
  webConsole?: { out: { write(text: string): unknown } };
  /** Where the analyst's and each finding's spans go (agent.telemetry, started); default none. */
  telemetry?: Telemetry;
  /** The fleet's sensor or hub, run with the daemon (app/fleet.ts). */
  fleet?: DaemonExtension;
  /**
   * Where the records live (events, findings, incidents, approvals, audit,
   * bans, reports): the hub's PostgreSQL (app/hub-database.ts). Default: the
   * local store's. The daemon closes it when it stops.
   */
  records?: RecordStore;
}

/** What runs beside the daemon's own parts (the fleet's sensor or hub): built before them, started after, stopped before the store closes. */
export interface DaemonExtension {
  /** More state written in every flush of the store writer. */
  writerParts?(store: Store): WriterPart[];
  /** The fleet's hosts (the hub's: in its database, or beside the local store's records). */
  hosts?(store: Store): Async<HostStore>;
  observer?: DaemonObserver;
  start(daemon: RunningDaemon): void;
  stop(): Promise<void>;
}

/** What an extension may use of the running daemon. */
export interface RunningDaemon {
  readonly parts: DaemonParts;
  /** A finding made elsewhere and stored already (a sensor's, at the hub), seen on `hosts`. */
  found(finding: Finding, id: number, hosts: readonly string[]): void;
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
  /** A line of this jail read with its address in two places and not settled: counted without one. */
  ambiguous?(jail: string): void;
}

/** The firewall in the daemon's published status. */
export type FirewallStatus = Pick<FirewallChoice, 'enforcing' | 'missing'> & {
  /** The backend; 'fleet' at the hub, whose bans are decisions the sensors apply. */
  kind: Firewall['id'];
};

/** Tokens an LLM call of the analyst used. */
export interface LlmUsage {
  input: number;
  output: number;
}

/** Every part of a daemon, built and wired, nothing started. */
export interface DaemonParts {
  config: SheriffConfig;
  logger: Logger;
  t: Translate;
  clock: Clock;
  /** Every alert, to every notifier, follow-up and the web console. */
  alerts: Bus<Alert>;
  sources: WatchedSources;
  storePath: string;
  /** The local store: the daemon's own state (positions, lock, outbox), and the records unless `records` is elsewhere. */
  store: Store;
  /** The records every consumer reads and writes: the local store's, or the hub's database. */
  records: RecordStore;
  /** The fleet's hosts at a hub (null elsewhere), where `records` are. */
  hosts: Async<HostStore> | null;
  writer: StoreWriter;
  /** Scanners' connections, summed in memory and written with the writer's flushes. */
  scans: ScanAggregator;
  jails: Jail[];
  approvals: Approvals;
  /** Approvals signed by an older Sheriff, upgraded (only the daemon writes the store): before any tick. */
  approvalsUpgraded: Promise<number>;
  guardrails: Guardrails;
  responder: Responder;
  followUp: FollowUp;
  notify: NotifyService | null;
  web: WebConsole | null;
  observers: DaemonObserver[];
  firewall: FirewallStatus;
  sourceWarning: SourceWarning | null;
  /** Flushed and stopped with the daemon. */
  telemetry: Telemetry;
  fleet: DaemonExtension | null;
}

/**
 * Builds every part; throws what keeps one from working (a credential, an
 * intel file, a source's settings), with nothing started and nothing left open.
 */
export function composeDaemon(opts: DaemonOptions): DaemonParts {
  const { config, logger: log } = opts;
  const clock = opts.clock ?? systemClock;
  const telemetry = opts.telemetry ?? NO_TELEMETRY;
  const alerts = new Bus<Alert>('alert', log);
  const llmUsage = new Bus<LlmUsage>('llm-usage', log);
  for (const n of opts.notifiers) subscribeNotifier(alerts, n, log);
  const sources = new WatchedSources(opts.sources, clock);
  const path = storePath(config.store);
  // Records from elsewhere are the daemon's to close: also when composing fails.
  const closeRecords = () => void opts.records?.close().catch(() => undefined);
  let store: Store;
  try {
    store = openStore(path);
  } catch (err) {
    closeRecords();
    throw err;
  }
  const records = opts.records ?? store.records;
  const opened: { close(): unknown }[] = [store, { close: closeRecords }];
  try {
    // What the filters learn about connections' addresses is written with the cursors.
    const addresses = new ConnectionAddresses(store.db);
    const scans = new ScanAggregator(store.db);
    const writer = new StoreWriter(store, {
      parts: [addresses, scans, ...(opts.fleet?.writerParts?.(store) ?? [])],
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
    opened.unshift(writer);
    const filters = filterRegistry(config.filters.dir);
    const jails = jailSettings(config, filters).map((settings) => {
      const jail = buildJail(settings, {
        journal: addresses.journal(settings.name),
        filters,
        times: { zone: TimeZone.of(config.timezone), reference: clock.now },
      });
      jail.classifier.restore(addresses.load(settings.name, CONNECTION_IDLE_MS));
      return jail;
    });
    const approvals = configuredApprovals(records, config, { logger: log });
    const approvalsUpgraded = approvals.upgradeLegacy(clock.now());
    // Handled where it is awaited (daemon.ts); here only so a throw below leaves no stray rejection.
    approvalsUpgraded.catch(() => undefined);
    const guardrails = daemonGuardrails(
      config,
      opts.sources.length > 0 ? store : null,
      clock,
      alerts,
      log,
    );
    const responder = buildResponder(
      opts,
      records,
      clock,
      approvals,
      guardrails,
      alerts,
      telemetry,
    );
    const followUp = new FollowUp({
      config,
      store: records,
      approvals,
      clock,
      logger: log,
      publish: alerts.publish,
      flushEvents: () => writer.flush(),
      onLlmUsage: (input, output) => llmUsage.publish({ input, output }),
      tracer: telemetry.tracer('sheriff.agent'),
      ...(opts.env === undefined ? {} : { env: opts.env }),
    });
    alerts.subscribe('follow-up', (a) => followUp.onAlert(a));
    const notify = notifyConfigured(config.notify)
      ? new (require('../notify/service.js') as typeof NotifyServiceModule).NotifyService({
          config: config.notify,
          language: config.language,
          ...(config.timezone === undefined ? {} : { timezone: config.timezone }),
          store,
          records,
          approvals,
          guardrails,
          defaultBantime: config.response.bantime,
          clock: clock.now,
          logger: log,
          hooks: followUp.botHooks,
          ...(opts.env === undefined ? {} : { env: opts.env }),
        })
      : null;
    if (notify !== null) subscribeNotifier(alerts, notify.notifier, log);
    const fleetHosts = opts.fleet?.hosts?.(store) ?? null;
    const web =
      opts.webConsole !== undefined && config.web.enabled
        ? new (require('../web/start.js') as typeof WebConsoleModule).WebConsole({
            config: config.web,
            storePath: path,
            store,
            records,
            approvals,
            guardrails,
            analyst: followUp.analyst,
            reports: followUp.reports,
            internal: (ip) => followUp.intel.trusted.isInternal(ip),
            ...(fleetHosts === null ? {} : { hosts: fleetHosts }),
            hub: config.hub !== undefined,
            health: () => sources.health(),
            clock: clock.now,
            logger: log,
            t: opts.t,
            out: opts.webConsole.out,
          })
        : null;
    if (web !== null) {
      alerts.subscribe('web', (a) => {
        if (isResponseAlert(a)) web.observer.response(a);
      });
      llmUsage.subscribe('web', web.observer.llmUsage);
    }
    return {
      config,
      logger: log,
      t: opts.t,
      clock,
      alerts,
      sources,
      storePath: path,
      store,
      records,
      hosts: fleetHosts,
      writer,
      scans,
      jails,
      approvals,
      approvalsUpgraded,
      guardrails,
      responder,
      followUp,
      notify,
      web,
      observers: [opts.observer, web?.observer, opts.fleet?.observer].filter(
        (o) => o !== undefined,
      ),
      firewall: firewallStatus(opts),
      sourceWarning: opts.sourceWarning ?? null,
      telemetry,
      fleet: opts.fleet ?? null,
    };
  } catch (err) {
    // Nothing has started yet: what was opened is closed (the writer first, then the store).
    for (const o of opened) o.close();
    throw err;
  }
}

/** Every alert to `notifier`; a delivery it gives up on is logged, never thrown. */
function subscribeNotifier(alerts: Bus<Alert>, notifier: Notifier, log: Logger): void {
  alerts.subscribe(`notifier:${notifier.id}`, (alert) =>
    notifier
      .send(alert)
      .catch((err: unknown) =>
        log.error(
          { event: 'notify_failed', notifier: notifier.id, err },
          'an alert could not be delivered',
        ),
      ),
  );
}

/**
 * The guardrails with the circuit breaker, whose trip is an alert. `logins`:
 * the store of a daemon reading this machine's own auth log; null at one
 * reading none (the hub, whose events are its hosts'), which cannot know who
 * logged in here and so counts every SSH connection a session.
 */
function daemonGuardrails(
  config: SheriffConfig,
  logins: Store | null,
  clock: Clock,
  alerts: Bus<Alert>,
  log: Logger,
): Guardrails {
  const r = config.response;
  const breaker = new CircuitBreaker({
    maxPerMinute: r.maxBansPerMinute,
    coolDownMs: r.breakerCooldown,
    clock: clock.now,
    onTrip: (state) => {
      log.error(
        { event: 'breaker_tripped', ...state },
        'too many bans in a minute: automatic bans are stopped',
      );
      alerts.publish({ type: 'breaker', state });
    },
  });
  return configuredGuardrails(config, {
    breaker,
    // For connections whose sshd process an unprivileged daemon cannot see: a login from
    // the address within a day makes it a session (never banned); attempts alone do not.
    ...(logins === null
      ? {}
      : {
          loggedIn: (ip: string) =>
            logins.events.queryEvents({ ip, kind: 'success', since: clock.now() - DAY, limit: 1 })
              .length > 0,
        }),
  });
}

function buildResponder(
  opts: DaemonOptions,
  records: RecordStore,
  clock: Clock,
  approvals: Approvals,
  guardrails: Guardrails,
  alerts: Bus<Alert>,
  telemetry: Telemetry,
): Responder {
  const r = opts.config.response;
  const log = opts.logger;
  const jails = new Map<string, JailResponse>(
    Object.entries(opts.config.jails).map(([name, j]) => [
      name,
      { policy: j.policy, bantime: j.bantime ?? r.bantime, findtime: j.findtime },
    ]),
  );
  return new Responder({
    store: records,
    approvals,
    guardrails,
    firewall: opts.firewall,
    jails,
    settings: {
      increment: r.increment,
      recidive: r.recidive === false ? null : r.recidive,
      killConnections: r.killConnections,
      admins: r.admins,
      managementPorts: r.managementPorts,
      isolateRevertAfter: r.isolateRevertAfter,
    },
    clock: clock.now,
    logger: log,
    tracer: telemetry.tracer('sheriff.respond'),
    alert: (a) => {
      // At the hub a ban is a published decision, in force nowhere yet: the
      // sensors' confirmations tell where it holds (the fleet-ban alert).
      if (a.type === 'banned' && a.ban.firewall === 'fleet') return;
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
      alerts.publish(a);
    },
  });
}

/** The firewall as `sheriff status` shows it. */
function firewallStatus(opts: DaemonOptions): FirewallStatus {
  const c = opts.firewallChoice;
  return c === undefined
    ? { kind: opts.firewall.id, enforcing: opts.firewall.id !== 'dry-run', missing: [] }
    : { kind: c.kind, enforcing: c.enforcing, missing: c.missing };
}
