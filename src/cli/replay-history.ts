/**
 * What `sheriff replay` keeps beside the windows, so that old logs are judged as
 * the daemon judges live ones:
 * - the failures and logins, in a store of its own (a temporary file, removed at
 *   the end), searched every six hours of the logs' time and at their end by the
 *   long-horizon detector (persistent attackers, credential stuffing). The daemon
 *   searches hourly; over windows of days, six hours finds the same attackers at a
 *   fraction of the searches (each reads the whole window);
 * - who is an admin: an address of `response.admins`, or one a user logged in
 *   from within the day before (the daemon's guardrails never ban the source of
 *   a live login session). Findings on them are marked, never silently dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LongHorizonDetector } from '../detect/long-horizon.js';
import type { JailSettings } from '../detect/jail.js';
import type { AuthEvent, Finding, Millis } from '../domain.js';
import { BoundedMap } from '../filters/bounded-map.js';
import { CidrSet } from '../net/cidr.js';
import { parseIp } from '../net/ip.js';
import { openStore, toEventRecord, type EventRecord, type Store } from '../store/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How often, in the logs' time, the long-horizon search runs. */
const EVERY = 6 * HOUR;
/** Events inserted per transaction. */
const BATCH = 5000;
/** Addresses whose last login is remembered (the oldest are forgotten beyond). */
const MAX_LOGINS = 100_000;

/** Why a finding's address would never be banned by the daemon: an admin's. */
export type AdminMark = 'configured' | 'logged-in';

/** The days-long searches' own store, in a temporary directory. */
interface Search {
  dir: string;
  store: Store;
  detector: LongHorizonDetector;
}

export class ReplayHistory {
  /** Null unless asked for: then no store is opened at all. */
  private readonly search: Search | null = null;
  private readonly admins: CidrSet;
  private readonly logins = new BoundedMap<string, Millis>(MAX_LOGINS);
  private batch: EventRecord[] = [];
  /** When (log time) the long-horizon search last ran, or null before the first event. */
  private ranAt: Millis | null = null;

  /**
   * `longHorizon` (`replay --long-horizon`): keep the events and run the days-long
   * searches. Each search reads its whole window, so on big logs this costs minutes:
   * the admin asks for it.
   */
  constructor(jails: readonly JailSettings[], admins: readonly string[], longHorizon: boolean) {
    if (longHorizon) {
      const dir = mkdtempSync(join(tmpdir(), 'sheriff-replay-'));
      const store = openStore(join(dir, 'replay.db'));
      this.search = { dir, store, detector: new LongHorizonDetector(jails, store.failureHistory) };
    }
    this.admins = new CidrSet(admins);
  }

  /** A failure or login the pipeline read (other lines are not kept). */
  event(e: AuthEvent, jail: string): void {
    if (e.ip === null || e.time === null || (e.result !== 'fail' && e.result !== 'success')) return;
    if (e.result === 'success') this.logins.set(e.ip, e.time);
    if (this.search === null) return;
    const record = toEventRecord(e, { jail, source: null, line: '', readAt: e.time });
    if (record !== null) this.batch.push(record);
    if (this.batch.length >= BATCH) this.flush();
    this.ranAt ??= Math.floor(e.time / EVERY) * EVERY;
  }

  /** A window's finding: stored, so the long-horizon search does not report the address again. */
  finding(f: Finding): void {
    this.search?.store.findings.insert(f, f.last);
  }

  /** The daemon would never ban this finding's address: why, or null. */
  adminMark(f: Finding): AdminMark | null {
    const bare = f.scope === 'address' ? parseIp(f.ip) : null;
    if (bare !== null && this.admins.match(bare) !== null) return 'configured';
    const login = this.logins.touch(f.ip);
    // A login before the failures began, within a day: the address of someone at work.
    if (login !== undefined && login < f.first && login >= f.first - DAY) return 'logged-in';
    return null;
  }

  /** Runs the long-horizon search every six hours of the logs' time up to `until` (the latest event read). */
  async runUntil(until: Millis): Promise<Finding[]> {
    const search = this.search;
    if (search === null || !search.detector.enabled || this.ranAt === null) return [];
    this.flush();
    const out: Finding[] = [];
    while (this.ranAt + EVERY <= until) {
      this.ranAt += EVERY;
      for (const f of await search.detector.run(this.ranAt)) {
        search.store.findings.insert(f, this.ranAt);
        out.push(f);
      }
    }
    return out;
  }

  /** The last run, at the end of the logs: what the next run would have found. */
  async finish(last: Millis): Promise<Finding[]> {
    const hourly = await this.runUntil(last);
    const search = this.search;
    if (search === null || !search.detector.enabled || this.ranAt === null || this.ranAt >= last)
      return hourly;
    this.ranAt = last;
    const final = await search.detector.run(last);
    for (const f of final) search.store.findings.insert(f, last);
    return [...hourly, ...final];
  }

  close(): void {
    if (this.search === null) return;
    this.search.store.close();
    rmSync(this.search.dir, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.search?.store.events.insertMany(this.batch);
    this.batch = [];
  }
}
