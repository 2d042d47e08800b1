/** Summaries of events, bans and incidents, and the scanners, on PostgreSQL: twins of store/activity.ts and store/scans.ts. */
import type pg from 'pg';
import type { IncidentKind, Millis, Severity, Verdict } from '../../domain.js';
import {
  parseKinds,
  type ActivityQueries,
  type AttackerSummary,
  type HostActivity,
  type LoginGroup,
  type LoginRecord,
} from '../activity.js';
import type { Async } from '../api.js';
import {
  SCAN_BUCKET_MS,
  scanBucket,
  scanSummaryFromRow,
  type ScanStore,
  type ScanSummary,
  type ScanTotals,
} from '../scans.js';
import { changes, row, rows } from './db.js';

const floor = Math.floor;

export class PgActivityQueries implements Async<ActivityQueries> {
  constructor(private readonly pool: pg.Pool) {}

  async failuresBetween(from: Millis, to: Millis): Promise<number> {
    const r = await row<{ n: number | null }>(
      this.pool,
      "SELECT sum(attempts) AS n FROM events WHERE result = 'fail' AND time >= $1 AND time < $2",
      [floor(from), floor(to)],
    );
    return r?.n ?? 0;
  }

  async failuresPerMinute(since: Millis): Promise<{ m: number; n: number }[]> {
    return rows<{ m: number; n: number }>(
      this.pool,
      `SELECT time / 60000 AS m, sum(attempts) AS n FROM events
       WHERE result = 'fail' AND time >= $1 GROUP BY m ORDER BY m`,
      [floor(since)],
    );
  }

  async findingsBetween(from: Millis, to: Millis): Promise<number> {
    return this.count('findings WHERE created_at >= $1 AND created_at < $2', [
      floor(from),
      floor(to),
    ]);
  }

  async pendingApprovals(now: Millis): Promise<number> {
    return this.count("approvals WHERE status = 'pending' AND expires_at > $1", [floor(now)]);
  }

  async countsFor(
    ips: readonly string[],
    from: Millis,
    to: Millis,
  ): Promise<{ failures: number; successes: number }> {
    if (ips.length === 0) return { failures: 0, successes: 0 };
    const r = await row<{ failures: number | null; successes: number }>(
      this.pool,
      `SELECT sum(CASE result WHEN 'fail' THEN attempts ELSE 0 END) AS failures,
              count(*) FILTER (WHERE result = 'success') AS successes
       FROM events WHERE ip = ANY($1::text[]) AND time >= $2 AND time < $3`,
      [ips, floor(from), floor(to)],
    );
    return { failures: r?.failures ?? 0, successes: r?.successes ?? 0 };
  }

  async activityByHost(ips: readonly string[], from: Millis, to: Millis): Promise<HostActivity[]> {
    if (ips.length === 0) return [];
    // At the hub every event's source is "<host>:<source>" (hosts.ts sensorSource).
    const found = await rows<HostActivity>(
      this.pool,
      `SELECT split_part(source, ':', 1) AS host,
              sum(CASE result WHEN 'fail' THEN attempts ELSE 0 END) AS failures,
              count(*) FILTER (WHERE result = 'success') AS successes,
              min(time) AS first, max(time) AS last
       FROM events WHERE ip = ANY($1::text[]) AND time >= $2 AND time < $3
         AND strpos(source, ':') > 1
       GROUP BY 1 ORDER BY 1`,
      [ips, floor(from), floor(to)],
    );
    return found.sort((a, b) => a.host.localeCompare(b.host));
  }

  async distinctAttackers(from: Millis, to: Millis): Promise<number> {
    const r = await row<{ n: number }>(
      this.pool,
      `SELECT count(DISTINCT ip) AS n FROM events
       WHERE result = 'fail' AND ip IS NOT NULL AND time >= $1 AND time < $2`,
      [floor(from), floor(to)],
    );
    return r?.n ?? 0;
  }

  /** The addresses with the most failures in [from, to), never an `internal` one (read page by page until `limit` are kept). */
  async topAttackers(
    from: Millis,
    to: Millis,
    internal: (ip: string) => boolean,
    limit = 10,
  ): Promise<AttackerSummary[]> {
    const top: AttackerSummary[] = [];
    if (limit <= 0) return top;
    const page = Math.max(2 * limit, 50);
    for (let offset = 0; ; offset += page) {
      const found = await rows<AttackerSummary>(
        this.pool,
        `SELECT ip, sum(attempts) AS failures, count(*) AS lines, count(DISTINCT "user") AS users,
                min(time) AS "first", max(time) AS "last"
         FROM events WHERE result = 'fail' AND ip IS NOT NULL AND time >= $1 AND time < $2
         GROUP BY ip ORDER BY failures DESC, "last" DESC, ip LIMIT $3 OFFSET $4`,
        [floor(from), floor(to), page, offset],
      );
      for (const a of found) {
        if (internal(a.ip)) continue;
        top.push(a);
        if (top.length >= limit) return top;
      }
      if (found.length < page) return top;
    }
  }

  async logins(from: Millis, to: Millis, limit = 1000): Promise<LoginRecord[]> {
    return rows<LoginRecord>(
      this.pool,
      `SELECT id, time, jail, ip, host, "user" FROM events
       WHERE result = 'success' AND time >= $1 AND time < $2 ORDER BY time, id LIMIT $3`,
      [floor(from), floor(to), limit],
    );
  }

  async loginGroups(from: Millis, to: Millis, limit = 200): Promise<LoginGroup[]> {
    // NULLS FIRST: SQLite's order for a missing user or address.
    return rows<LoginGroup>(
      this.pool,
      `SELECT "user", ip, host, count(*) AS count, min(time) AS "first", max(time) AS "last"
       FROM events WHERE result = 'success' AND time >= $1 AND time < $2
       GROUP BY "user", ip, host ORDER BY "first", "user" NULLS FIRST, ip NULLS FIRST LIMIT $3`,
      [floor(from), floor(to), limit],
    );
  }

  async loginCount(from: Millis, to: Millis): Promise<number> {
    return this.count("events WHERE result = 'success' AND time >= $1 AND time < $2", [
      floor(from),
      floor(to),
    ]);
  }

  async loggedInBefore(user: string, ip: string, before: Millis): Promise<boolean> {
    const r = await row<{ seen: boolean }>(
      this.pool,
      `SELECT EXISTS (SELECT 1 FROM events
         WHERE result = 'success' AND "user" = $1 AND ip = $2 AND time < $3) AS seen`,
      [user, ip, floor(before)],
    );
    return r?.seen === true;
  }

  async bansBetween(from: Millis, to: Millis): Promise<{ applied: number; dryRun: number }> {
    const r = await row<{ n: number; dry: number }>(
      this.pool,
      `SELECT count(*) AS n, count(*) FILTER (WHERE firewall = 'dry-run') AS dry FROM bans
       WHERE applied_at IS NOT NULL AND created_at >= $1 AND created_at < $2`,
      [floor(from), floor(to)],
    );
    return { applied: r?.n ?? 0, dryRun: r?.dry ?? 0 };
  }

  /** As SQLite's LIKE: case-insensitive for ASCII, no escape character. */
  async addressesLike(pattern: string, from: Millis, to: Millis, limit = 256): Promise<string[]> {
    const found = await rows<{ ip: string }>(
      this.pool,
      `SELECT DISTINCT ip FROM events
       WHERE ip ILIKE $1 ESCAPE '' AND time >= $2 AND time < $3 AND ip IS NOT NULL LIMIT $4`,
      [pattern, floor(from), floor(to), limit],
    );
    return found.map((r) => r.ip);
  }

  async activeIncidents(): Promise<
    {
      id: number;
      attacker: string;
      kinds: IncidentKind[];
      verdict: Verdict | null;
      severity: Severity | null;
    }[]
  > {
    const found = await rows<{
      id: number;
      attacker: string;
      kinds: string;
      verdict: string | null;
      severity: string | null;
    }>(
      this.pool,
      `SELECT id, attacker, kinds, verdict, severity FROM incidents
       WHERE state IN ('open', 'triaged') ORDER BY id LIMIT 10000`,
    );
    return found.map((r) => ({
      id: r.id,
      attacker: r.attacker,
      kinds: parseKinds(r.kinds),
      verdict: r.verdict as Verdict | null,
      severity: r.severity as Severity | null,
    }));
  }

  private async count(from: string, params: unknown[]): Promise<number> {
    return (
      (await row<{ n: number }>(this.pool, `SELECT count(*) AS n FROM ${from}`, params))?.n ?? 0
    );
  }
}

type SummaryRow = Parameters<typeof scanSummaryFromRow>[0];

/** One address's scanning, summed over its buckets (see store/scans.ts). */
const SUMMARY = `SELECT ip, sum(connections) AS connections, count(*) AS buckets,
    min(first_seen) AS "first", max(last_seen) AS "last",
    json_agg(DISTINCT jail)::text AS jails,
    (SELECT rule FROM scans AS l WHERE l.ip = s.ip ORDER BY bucket DESC LIMIT 1) AS rule
  FROM scans AS s`;

/** The bucket holding `time`: a span starting inside a bucket includes it. */
const bucketFloor = (time: Millis) => scanBucket(floor(time));

export class PgScanStore implements Async<ScanStore> {
  constructor(private readonly pool: pg.Pool) {}

  async top(since: Millis, until: Millis, limit: number): Promise<ScanSummary[]> {
    const found = await rows<SummaryRow>(
      this.pool,
      `${SUMMARY} WHERE bucket >= $1 AND bucket < $2 GROUP BY ip
       ORDER BY connections DESC, ip LIMIT $3`,
      [bucketFloor(since), Math.ceil(until), limit],
    );
    return found.map(scanSummaryFromRow);
  }

  async busy(since: Millis, until: Millis, min: number, limit: number): Promise<ScanSummary[]> {
    const found = await rows<SummaryRow>(
      this.pool,
      `${SUMMARY} WHERE bucket >= $1 AND bucket < $2 GROUP BY ip HAVING sum(connections) >= $3
       ORDER BY connections DESC, ip LIMIT $4`,
      [bucketFloor(since), Math.ceil(until), Math.ceil(min), limit],
    );
    return found.map(scanSummaryFromRow);
  }

  async forAddress(ip: string, since: Millis, until: Millis): Promise<ScanSummary | null> {
    const r = await row<SummaryRow>(
      this.pool,
      `${SUMMARY} WHERE ip = $1 AND bucket >= $2 AND bucket < $3 GROUP BY ip`,
      [ip, bucketFloor(since), Math.ceil(until)],
    );
    return r === undefined ? null : scanSummaryFromRow(r);
  }

  async totals(since: Millis, until: Millis): Promise<ScanTotals> {
    const r = await row<{ connections: number | null; addresses: number }>(
      this.pool,
      `SELECT sum(connections) AS connections, count(DISTINCT ip) AS addresses
       FROM scans WHERE bucket >= $1 AND bucket < $2`,
      [bucketFloor(since), Math.ceil(until)],
    );
    return { connections: r?.connections ?? 0, addresses: r?.addresses ?? 0 };
  }

  /** Removes the buckets that ended before `before`; returns how many. */
  async prune(before: Millis): Promise<number> {
    return changes(this.pool, 'DELETE FROM scans WHERE bucket < $1', [
      bucketFloor(before) - SCAN_BUCKET_MS + 1,
    ]);
  }
}
