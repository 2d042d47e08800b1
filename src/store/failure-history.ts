/**
 * Days of failures summed per address in SQL, for the long-horizon detector
 * (detect/long-horizon.ts): the rows stay in SQLite, only the few addresses
 * over the thresholds come back. IPv6 addresses are summed per prefix (the
 * jail's `ipv6Prefix`), so an attacker rotating through a /64 is one group;
 * a group of one address is reported as that address.
 *
 * On a big store the search takes seconds: the daemon runs it on a thread of
 * its own (OffThreadFailureHistory) so that its event loop never waits on it.
 */
import type { Database, Statement } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import type { FailureGroupQuery, Millis } from '../domain.js';
import { parseIp, prefixOf } from '../net/ip.js';

const DAY_MS = 86_400_000;

export interface FailureGroupRow {
  /** The address, or the IPv6 prefix (CIDR) when several of its addresses took part. */
  ip: string;
  failures: number;
  days: number;
  users: number;
  /** The first `maxNames` of the accounts tried, in order. */
  userNames: string[];
  first: Millis;
  last: Millis;
}

export class FailureHistoryStore {
  private readonly groupsStmt: Statement<unknown[], FailureGroupRow & { userList: string }>;
  private readonly reportedStmt: Statement<unknown[], { one: number }>;

  constructor(db: Database) {
    // The group of an address: itself, or for IPv6 its prefix of `bits` (0: itself).
    db.function('sheriff_group', { deterministic: true }, (ip: unknown, bits: unknown) => {
      if (typeof ip !== 'string' || typeof bits !== 'number' || bits === 0 || !ip.includes(':'))
        return ip;
      const parsed = parseIp(ip);
      return parsed === null ? ip : prefixOf(parsed, bits);
    });
    // A failure counts only on an account that did not log in from the same address in the window:
    // a typo before one's own login is not an attack.
    this.groupsStmt = db.prepare(
      `SELECT CASE WHEN COUNT(DISTINCT ip) = 1 THEN MIN(ip) ELSE grp END AS ip,
              SUM(attempts) AS failures, COUNT(DISTINCT time / ${DAY_MS}) AS days,
              COUNT(DISTINCT user) AS users, MIN(time) AS first, MAX(time) AS last,
              json_group_array(DISTINCT user) AS userList
       FROM (SELECT *, sheriff_group(ip, @bits) AS grp FROM events) AS f
       WHERE f.result = 'fail' AND f.time >= @since AND f.time <= @until
         AND f.jail = @jail AND f.ip IS NOT NULL
         AND NOT EXISTS (
           -- By address: the planner, without statistics, would scan every success per failure.
           SELECT 1 FROM events AS s INDEXED BY events_ip_time
           WHERE s.ip = f.ip AND s.time >= @since AND s.result = 'success' AND s.user = f.user
         )
       GROUP BY grp
       HAVING failures >= @minFailures AND users >= @minUsers AND days >= @minDays
       ORDER BY failures DESC, ip
       LIMIT @limit`,
    );
    this.reportedStmt = db.prepare(
      'SELECT 1 AS one FROM findings WHERE ip = ? AND created_at >= ? LIMIT 1',
    );
  }

  failureGroups(q: FailureGroupQuery): FailureGroupRow[] {
    const { ipv6Prefix, maxNames, ...rest } = q;
    const rows = this.groupsStmt.all({
      ...rest,
      bits: ipv6Prefix,
      since: Math.floor(q.since),
      until: Math.floor(q.until),
    });
    return rows.map(({ userList, ...g }) => ({ ...g, userNames: names(userList, maxNames) }));
  }

  reported(ip: string, since: Millis): boolean {
    return this.reportedStmt.get(ip, Math.floor(since)) !== undefined;
  }
}

function names(json: string, max: number): string[] {
  const list: unknown = JSON.parse(json);
  if (!Array.isArray(list)) return [];
  return list
    .filter((u): u is string => typeof u === 'string')
    .sort()
    .slice(0, max);
}

/**
 * The failure history the daemon reads: the search runs in a worker thread on a
 * read-only connection of its own (WAL lets it read while the daemon writes), so
 * however many failures the window holds, the event loop is not blocked. The
 * worker starts with the first search and lives until `close()`. A store in
 * memory has no file to share: searched on the calling thread.
 */
export class OffThreadFailureHistory {
  private worker: Worker | null = null;
  private readonly waiting = new Map<
    number,
    { resolve: (rows: FailureGroupRow[]) => void; reject: (err: Error) => void }
  >();
  private next = 0;

  constructor(
    private readonly history: FailureHistoryStore,
    /** The store's file, or null for a store in memory. */
    private readonly path: string | null,
  ) {}

  failureGroups(q: FailureGroupQuery): Promise<FailureGroupRow[]> {
    if (this.path === null) return Promise.resolve(this.history.failureGroups(q));
    const worker = (this.worker ??= this.start(this.path));
    const id = ++this.next;
    // Held only while a search runs: an idle worker never keeps the process alive.
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, query: q });
    });
  }

  reported(ip: string, since: Millis): boolean {
    return this.history.reported(ip, since);
  }

  /** Ends the worker; searches still running are rejected. */
  close(): void {
    const w = this.worker;
    this.worker = null;
    if (w !== null) void w.terminate();
    this.fail(new Error('the store was closed'));
  }

  private start(path: string): Worker {
    const worker = new Worker(new URL('./failure-history-worker.js', import.meta.url), {
      workerData: { path },
      execArgv: [], // the process's flags (--test…) are not the worker's
    });
    worker.unref();
    worker.on('message', (m: { id: number; rows?: FailureGroupRow[]; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      if (m.rows !== undefined) w.resolve(m.rows);
      else w.reject(new Error(m.error ?? 'the failure history search failed'));
    });
    const gone = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      this.fail(err);
    };
    worker.on('error', gone);
    worker.on('exit', (code) =>
      gone(new Error(`the failure history search stopped (exit code ${code})`)),
    );
    return worker;
  }

  private fail(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
