/**
 * Scanners: connections that ended before naming a user (detect/probes.ts says
 * which lines those are). They are far too many to store one by one, and one
 * by one they say little; summed per jail, address and ten-minute bucket they
 * show who scans, how hard and when, in one row per scanning address and bucket.
 *
 * The daemon's hot path only adds to a map in memory (ScanAggregator); the
 * StoreWriter writes the sums in its transactions, as it writes the cursors of
 * the lines they came from. The map is bounded: beyond MAX_PENDING_SCANS keys
 * waiting for a flush, connections of further addresses are counted as dropped
 * (a flood of that many distinct scanners in 200 ms says what it has to say).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';
import type { WriterPart } from './writer.js';

/** The bucket every scan row sums: ten minutes of event time. */
export const SCAN_BUCKET_MS = 10 * 60_000;
/** Keys (jail, address, bucket) waiting for a flush at most. */
export const MAX_PENDING_SCANS = 20_000;

export function scanBucket(time: Millis): Millis {
  return Math.floor(time / SCAN_BUCKET_MS) * SCAN_BUCKET_MS;
}

/** One address's scanning over a span, summed over its buckets. */
export interface ScanSummary {
  ip: string;
  /** Connections that never tried to log in. */
  connections: number;
  /** Ten-minute buckets with at least one of them. */
  buckets: number;
  first: Millis;
  last: Millis;
  jails: string[];
  /** The filter rule of the latest connection (what the scanner did, e.g. no-identification). */
  rule: string | null;
}

export interface ScanTotals {
  connections: number;
  addresses: number;
}

interface SummaryRow {
  ip: string;
  connections: number;
  buckets: number;
  first: number;
  last: number;
  jails: string;
  rule: string | null;
}

interface Pending {
  jail: string;
  ip: string;
  bucket: Millis;
  connections: number;
  first: Millis;
  last: Millis;
  rule: string | null;
}

/** Read side: what the incidents, the web console and the analyst ask about scanners. */
export class ScanStore {
  private readonly topStmt: Statement<[number, number, number], SummaryRow>;
  private readonly addressStmt: Statement<[string, number, number], SummaryRow>;
  private readonly totalsStmt: Statement<
    [number, number],
    { connections: number | null; addresses: number }
  >;
  private readonly busyStmt: Statement<[number, number, number, number], SummaryRow>;
  private readonly pruneStmt: Statement<[number]>;

  constructor(db: Database) {
    const summary = `SELECT ip, SUM(connections) AS connections, COUNT(*) AS buckets,
        MIN(first_seen) AS first, MAX(last_seen) AS last,
        json_group_array(DISTINCT jail) AS jails,
        (SELECT rule FROM scans AS l WHERE l.ip = s.ip ORDER BY bucket DESC LIMIT 1) AS rule
      FROM scans AS s`;
    this.topStmt = db.prepare(
      `${summary} WHERE bucket >= ? AND bucket < ? GROUP BY ip
       ORDER BY connections DESC, ip LIMIT ?`,
    );
    this.addressStmt = db.prepare(
      `${summary} WHERE ip = ? AND bucket >= ? AND bucket < ? GROUP BY ip`,
    );
    this.totalsStmt = db.prepare(
      `SELECT SUM(connections) AS connections, COUNT(DISTINCT ip) AS addresses
       FROM scans WHERE bucket >= ? AND bucket < ?`,
    );
    this.busyStmt = db.prepare(
      // SUM, not the alias: in HAVING, SQLite reads `connections` as one row's column.
      `${summary} WHERE bucket >= ? AND bucket < ? GROUP BY ip HAVING SUM(connections) >= ?
       ORDER BY connections DESC, ip LIMIT ?`,
    );
    this.pruneStmt = db.prepare('DELETE FROM scans WHERE bucket < ?');
  }

  /** The addresses that scanned most between `since` and `until`, most connections first. */
  top(since: Millis, until: Millis, limit: number): ScanSummary[] {
    return this.topStmt.all(bucketFloor(since), until, limit).map(summaryOf);
  }

  /** Addresses with at least `min` such connections between `since` and `until`. */
  busy(since: Millis, until: Millis, min: number, limit: number): ScanSummary[] {
    return this.busyStmt.all(bucketFloor(since), until, min, limit).map(summaryOf);
  }

  /** One address's scanning between `since` and `until`, or null when it made no such connection. */
  forAddress(ip: string, since: Millis, until: Millis): ScanSummary | null {
    const row = this.addressStmt.get(ip, bucketFloor(since), until);
    return row === undefined ? null : summaryOf(row);
  }

  totals(since: Millis, until: Millis): ScanTotals {
    const r = this.totalsStmt.get(bucketFloor(since), until)!;
    return { connections: r.connections ?? 0, addresses: r.addresses };
  }

  /** Removes the buckets that ended before `before`; returns how many. */
  prune(before: Millis): number {
    return this.pruneStmt.run(bucketFloor(before) - SCAN_BUCKET_MS + 1).changes;
  }
}

/** The bucket holding `time`: a span starting inside a bucket includes it. */
function bucketFloor(time: Millis): number {
  return scanBucket(Math.floor(time));
}

function summaryOf(r: SummaryRow): ScanSummary {
  const jails: unknown = JSON.parse(r.jails);
  return {
    ip: r.ip,
    connections: r.connections,
    buckets: r.buckets,
    first: r.first,
    last: r.last,
    jails: Array.isArray(jails) ? jails.filter((j): j is string => typeof j === 'string') : [],
    rule: r.rule,
  };
}

/** The hot path's side: sums connections in memory; the StoreWriter writes them. */
export class ScanAggregator implements WriterPart {
  private pending = new Map<string, Pending>();
  /** Written by a transaction that has not committed yet (or failed: then written again). */
  private inflight: Map<string, Pending> | null = null;
  private droppedCount = 0;
  private readonly upsertStmt: Statement<Pending>;

  constructor(
    db: Database,
    private readonly maxPending = MAX_PENDING_SCANS,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO scans (jail, ip, bucket, connections, first_seen, last_seen, rule)
       VALUES (@jail, @ip, @bucket, @connections, @first, @last, @rule)
       ON CONFLICT (ip, bucket, jail) DO UPDATE SET
         connections = connections + excluded.connections,
         first_seen = MIN(first_seen, excluded.first_seen),
         last_seen = MAX(last_seen, excluded.last_seen),
         rule = CASE WHEN excluded.last_seen >= last_seen THEN excluded.rule ELSE rule END`,
    );
  }

  /** Connections not summed because too many addresses waited for a flush. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** One connection of `ip` that never tried to log in, at event time `time`. */
  add(jail: string, ip: string, time: Millis, rule: string | null): void {
    const bucket = scanBucket(time);
    const key = `${jail}\0${ip}\0${bucket}`;
    const p = this.pending.get(key);
    if (p !== undefined) {
      p.connections++;
      if (time < p.first) p.first = time;
      if (time >= p.last) {
        p.last = time;
        p.rule = rule;
      }
      return;
    }
    if (this.pending.size >= this.maxPending) {
      this.droppedCount++;
      return;
    }
    this.pending.set(key, { jail, ip, bucket, connections: 1, first: time, last: time, rule });
  }

  get dirty(): boolean {
    return this.pending.size > 0;
  }

  write(): void {
    if (this.inflight !== null) {
      // The last transaction failed: its sums are written again, with what came since.
      for (const [key, old] of this.inflight) {
        const p = this.pending.get(key);
        if (p === undefined) this.pending.set(key, old);
        else merge(p, old);
      }
    }
    this.inflight = this.pending;
    this.pending = new Map();
    for (const p of this.inflight.values()) this.upsertStmt.run(roundTimes(p));
  }

  written(): void {
    this.inflight = null;
  }
}

function merge(into: Pending, older: Pending): void {
  into.connections += older.connections;
  into.first = Math.min(into.first, older.first);
  if (older.last > into.last) {
    into.last = older.last;
    into.rule = older.rule;
  }
}

function roundTimes(p: Pending): Pending {
  return { ...p, first: Math.floor(p.first), last: Math.floor(p.last) };
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { summaryOf as scanSummaryFromRow };
