/**
 * Runs the daemon that compose.ts builds: sources → parse → filters → detect →
 * (findings) → the alert bus and the responder, with the store written beside
 * the hot path in batches; incidents, intel, the daily report and the analyst
 * hang off it in follow-up.ts. `start` builds and starts it, `stop` ends it.
 */
import type { Stop } from '../clock.js';
import { LongHorizonDetector } from '../detect/long-horizon.js';
import { Pipeline, type Jail } from '../detect/pipeline.js';
import { isProbe } from '../detect/probes.js';
import type { AuthEvent, Finding, Millis } from '../domain.js';
import { findingText } from '../notify/format.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import type { SourceHealth } from '../sources/source.js';
import { authEventOf, toEventRecord, type EventRecord } from '../store/events.js';
import {
  composeDaemon,
  type DaemonOptions,
  type DaemonParts,
  type RunningDaemon,
} from './compose.js';
import type { FollowUp } from './follow-up.js';
import type { WatchedSource } from './watched-sources.js';

/** How often `sheriff status` data is published. */
const STATUS_EVERY_MS = 5000;
/** How often the stored days of failures are searched for persistent attackers and stuffing. */
const LONG_HORIZON_EVERY_MS = 3_600_000;

/** What `sheriff status` shows per jail. */
interface JailCounts {
  fail: number;
  success: number;
  findings: number;
  /** Lines whose address could be read in two places and was not settled (counted without one). */
  ambiguous: number;
}

/** Hours of failure history replayed into the windows at start, so a restart forgets no attacker. */
function warmWindow(jails: readonly Jail[]): number {
  return Math.max(
    ...jails.map((j) =>
      Math.max(j.settings.findtime, j.settings.slow?.findtime ?? 0, j.settings.compromise.window),
    ),
  );
}

export class Daemon implements RunningDaemon {
  private readonly abort = new AbortController();
  private readonly tasks: Promise<void>[] = [];
  private readonly timers: Stop[] = [];
  private readonly startedAt: Millis;
  private readonly counts = new Map<string, JailCounts>();
  private stopped = false;
  /** Findings announced and not stored yet (see alert()). */
  private readonly unbooked: { finding: Finding; storedId: number | undefined }[] = [];
  private bookTimer: NodeJS.Timeout | null = null;
  /** Incidents, intel, the daily report and the analyst. */
  readonly followUp: FollowUp;

  private constructor(private readonly p: DaemonParts) {
    this.startedAt = p.clock.now();
    this.followUp = p.followUp;
  }

  get parts(): DaemonParts {
    return this.p;
  }

  /** Builds every part (compose.ts), then starts them; throws with nothing started. */
  static start(opts: DaemonOptions): Daemon {
    const daemon = new Daemon(composeDaemon(opts));
    daemon.begin();
    return daemon;
  }

  private begin(): void {
    const { logger: log, clock, responder, followUp, notify } = this.p;
    followUp.start();
    notify
      ?.start()
      .catch((err: unknown) =>
        log.error({ event: 'notify_start_failed', err }, 'Telegram could not be started'),
      );
    this.warmUp();
    const fw = this.p.firewall;
    const started = {
      event: 'daemon_started',
      store: this.p.storePath,
      jails: this.p.jails.map((j) => j.settings.name),
    };
    if (fw.enforcing) log.info({ ...started, firewall: fw.kind }, 'Sheriff is watching');
    else
      log.warn(
        { ...started, firewall: fw.kind, enforcing: false, missing: fw.missing },
        'Sheriff is watching, but NOTHING WILL BE BLOCKED: the firewall is not enforcing bans (see sheriff status)',
      );
    for (const watched of this.p.sources.all) this.read(watched);
    this.timers.push(
      clock.every(STATUS_EVERY_MS, () => void this.publishStatus()),
      clock.every(3_600_000, () => this.prune()),
      // Approved actions run within a second of the decision, whichever channel made it.
      clock.every(1000, () => responder.tick()),
      clock.every(this.p.config.response.reconcileInterval, () => responder.reconcile()),
    );
    const longHorizon = new LongHorizonDetector(
      this.p.jails.map((j) => j.settings),
      this.p.store.failureHistory,
    );
    if (longHorizon.enabled)
      this.timers.push(
        clock.every(LONG_HORIZON_EVERY_MS, () => this.searchLongHorizon(longHorizon)),
      );
    void this.p.approvalsUpgraded
      .catch((err: unknown) =>
        log.error(
          { event: 'approvals_upgrade_failed', err },
          'old approvals could not be upgraded',
        ),
      )
      .then(() => responder.reconcile())
      .then(() => responder.tick());
    void this.publishStatus();
    this.p.web?.start();
    this.p.fleet?.start(this);
  }

  /** Replays recent failures from the store into the windows; findings they complete were already sent. */
  private warmUp(): void {
    const { clock, jails, store, logger } = this.p;
    const since = clock.now() - warmWindow(jails);
    const byName = new Map(jails.map((j) => [j.settings.name, j]));
    let n = 0;
    for (const e of store.events.recentFailures(since)) {
      const jail = byName.get(e.jail);
      if (jail === undefined) continue;
      jail.tracker.observe(authEventOf(e), e.time);
      n++;
    }
    if (n > 0)
      logger.info(
        { event: 'windows_restored', events: n },
        'recent failures restored from the store',
      );
  }

  private read({ source, jails: only, failures }: WatchedSource): void {
    const { clock, logger, observers, responder, followUp, writer, store, scans } = this.p;
    const jails =
      only === undefined
        ? this.p.jails
        : this.p.jails.filter((j) => only.includes(j.settings.name));
    const parser = new LineParser({
      zone: TimeZone.of(this.p.config.timezone),
      reference: clock.now,
    });
    let events: EventRecord[] = [];
    let line = '';
    const handle = (event: AuthEvent, jail: Jail, text: string): void => {
      const c = this.jailCounts(jail.settings.name);
      if (event.ambiguous) {
        c.ambiguous++;
        for (const o of observers) o.ambiguous?.(jail.settings.name);
      }
      if (event.result === 'fail') {
        c.fail += event.attempts;
        if (event.ip !== null) responder.onFailure(event.ip, event.time ?? clock.now());
      } else if (event.result === 'success') c.success++;
      if (event.result === 'nofail') {
        // A scanner: summed per address and ten minutes, not stored line by line.
        if (isProbe(event, jail.probes)) {
          scans.add(jail.settings.name, event.ip!, event.time ?? clock.now(), event.rule);
          followUp.onEvent(event, jail.settings.name);
        }
        return;
      }
      const record = toEventRecord(event, {
        jail: jail.settings.name,
        source: source.id,
        line: text,
        readAt: clock.now(),
      });
      if (record !== null) {
        events.push(record);
        for (const o of observers) o.event?.(record);
        followUp.onEvent(event, jail.settings.name);
      }
    };
    const failed = (err: unknown, what: string) => {
      failures.errors++;
      failures.lastError = `${what}: ${(err as Error)?.message ?? String(err)}`;
      // The first one with its stack, for a bug report; the rest are counted in status and /metrics.
      if (failures.errors === 1)
        logger.error({ event: 'line_failed', source: source.id, err }, what);
    };
    // A line's events are handled once the line is through the pipeline, or, when it completes
    // a finding, right after the finding is announced and before it is stored: the alert goes
    // out first, the bookkeeping (counts, observers, incidents) keeps its order.
    const held: [AuthEvent, Jail, string][] = [];
    const handleHeld = (): void => {
      try {
        for (const [event, jail, text] of held) handle(event, jail, text);
      } catch (err) {
        failed(err, 'a line could not be processed');
      } finally {
        held.length = 0;
      }
    };
    const pipeline = new Pipeline(
      jails,
      parser,
      clock.now,
      (finding) => this.alert(finding, undefined, handleHeld),
      (event, jail) => void held.push([event, jail, line]),
    );
    const task = (async () => {
      const cursor = store.positions.get(source.id);
      let ready = false;
      for await (const batch of source.lines(cursor, this.abort.signal)) {
        if (!ready) {
          // A source's first batch says where it starts: from here on no line is missed.
          ready = true;
          logger.info(
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
          handleHeld();
        }
        writer.add({ sourceId: source.id, cursor: batch.cursor, events });
        events = [];
      }
    })().catch((err: unknown) => {
      failures.errors++;
      failures.lastError = `the source stopped: ${(err as Error)?.message ?? String(err)}`;
      logger.error({ event: 'source_failed', source: source.id, err }, 'a source stopped');
    });
    this.tasks.push(task);
  }

  /** Alerts what the stored days of failures show and no window saw. */
  private async searchLongHorizon(detector: LongHorizonDetector): Promise<void> {
    let findings: Finding[];
    try {
      findings = await detector.run(this.p.clock.now());
    } catch (err) {
      this.p.logger.warn({ event: 'long_horizon_failed', err }, 'could not search stored failures');
      return;
    }
    if (this.stopped) return;
    for (const f of findings) this.alert(f);
  }

  private jailCounts(name: string) {
    let c = this.counts.get(name);
    if (c === undefined) {
      c = { fail: 0, success: 0, findings: 0, ambiguous: 0 };
      this.counts.set(name, c);
    }
    return c;
  }

  found(finding: Finding, id: number, hosts: readonly string[]): void {
    this.alert({ ...finding, hosts }, id);
  }

  /**
   * A finding is available the moment it is logged and published to the notifiers ("alert
   * queued"); `announced` runs right after that (the events of the line that completed it).
   * Storing it, asking for approval and its incident come a moment later (book()).
   */
  private alert(finding: Finding, storedId?: number, announced?: () => void): void {
    const { logger } = this.p;
    this.jailCounts(finding.jail).findings++;
    logger.warn(
      {
        event: 'finding',
        ...(finding.hosts === undefined ? {} : { hosts: finding.hosts }),
        kind: finding.kind,
        jail: finding.jail,
        scope: finding.scope,
        ip: finding.ip,
        count: finding.count,
        first: finding.first,
        last: finding.last,
      },
      findingText(finding, this.p.t),
    );
    this.p.alerts.publish({ type: 'finding', finding });
    announced?.();
    this.unbooked.push({ finding, storedId });
    // A real 1 ms timer, not setImmediate: the process sleeps in between, so whoever reads the
    // alert (journald on the other end of stderr, the notifier's request) runs before the
    // commits and the incident's writes, which took 1-6 ms of CPU right after every finding
    // and on a busy small machine held the reader off the CPU (bench/latency.ts).
    if (this.stopped) this.book();
    else this.bookTimer ??= setTimeout(() => this.book(), 1);
  }

  /** Stores the findings announced since the last call, in order, and hands them on. */
  private book(): void {
    const { store, clock, observers, followUp, responder, logger } = this.p;
    if (this.bookTimer !== null) clearTimeout(this.bookTimer);
    this.bookTimer = null;
    for (const { finding, storedId } of this.unbooked.splice(0)) {
      // Findings are rare: each stored at once, so an approval can name its evidence.
      let id: number | null = storedId ?? null;
      if (storedId === undefined)
        try {
          id = store.findings.insert(finding, clock.now());
        } catch (err) {
          logger.error({ event: 'finding_not_stored', err }, 'a finding could not be stored');
        }
      // On a timer, a throw would end the process: one finding's bug must not lose the others.
      try {
        for (const o of observers) o.finding?.(finding, id);
        followUp.onFinding(finding, id);
        responder.onFinding(finding, id);
      } catch (err) {
        logger.error(
          { event: 'finding_failed', ip: finding.ip, err },
          'a finding could not be handed on',
        );
      }
    }
  }

  /** Each source's health, with the lines the daemon could not process counted as its errors. */
  health(): SourceHealth[] {
    return this.p.sources.health();
  }

  /** Errors each source had counted when last published: a new one is logged. */
  private readonly loggedErrors = new Map<string, number>();

  /** Logs each source's new errors (a rotated rest not found, an unreadable file…). */
  private logSourceErrors(health: SourceHealth[]): void {
    for (const h of health) {
      if (h.errors <= (this.loggedErrors.get(h.id) ?? 0)) continue;
      this.loggedErrors.set(h.id, h.errors);
      this.p.logger.error(
        { event: 'source_error', source: h.id, errors: h.errors, lastError: h.lastError },
        'a source reported an error',
      );
    }
  }

  /** Published with the records (the hub's database, when it has one), where `status` and the console read it. */
  private publishStatus(): Promise<void> {
    const { store, records, jails, writer, clock } = this.p;
    const now = clock.now();
    const sources = this.health();
    this.logSourceErrors(sources);
    return records.status
      .put(
        'daemon',
        {
          pid: process.pid,
          startedAt: this.startedAt,
          sources,
          jails: Object.fromEntries(this.counts),
          tracked: Object.fromEntries(jails.map((j) => [j.settings.name, j.tracker.stats()])),
          writer: writer.stats(),
          scansDropped: this.p.scans.dropped,
          storeBytes: store.sizeBytes(),
          firewall: this.p.firewall,
          sourceWarning: this.p.sourceWarning ?? null,
        },
        now,
      )
      .catch((err: unknown) =>
        this.p.logger.warn({ event: 'status_not_published', err }, 'could not publish status'),
      );
  }

  private prune(): Promise<void> {
    const { maxAge, maxEvents } = this.p.config.store.retention;
    const log = this.p.logger;
    const now = this.p.clock.now();
    try {
      // Scanner sums are small (one row per address and ten minutes): pruned by age at once.
      this.p.store.scans.prune(now - maxAge);
    } catch (err) {
      log.warn({ event: 'prune_failed', err }, 'could not remove old scanner counts');
    }
    return this.p.records
      .prune({ maxAge, maxEvents }, now)
      .then((r) => {
        if (r.removed > 0) log.info({ event: 'events_pruned', ...r }, 'old events removed');
      })
      .catch((err: unknown) =>
        log.warn({ event: 'prune_failed', err }, 'could not remove old events'),
      );
  }

  /** Stops reading and deciding, carries out what was decided, writes everything queued, closes the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) t.stop();
    await this.p.web?.close();
    await Promise.allSettled(this.tasks);
    this.book();
    await this.p.responder.tick();
    await this.p.followUp.stop();
    await this.p.notify?.stop();
    await this.p.fleet?.stop();
    await this.publishStatus();
    const result = this.p.writer.close();
    this.p.store.close();
    if (this.p.records !== this.p.store.records) await this.p.records.close();
    await this.p.telemetry.shutdown();
    this.p.logger.info({ event: 'daemon_stopped', ...result }, 'Sheriff stopped');
  }
}
