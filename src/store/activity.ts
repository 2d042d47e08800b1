/**
 * Read-only summaries of the events, bans and incidents tables: what the status
 * level (incidents/status.ts, through StatusSource) and the daily report read.
 * Every query is bounded by time and, where it returns rows, by a limit.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis, Severity, Verdict, IncidentKind } from '../domain.js';

export interface AttackerSummary {
  ip: string;
  /** Failed attempts. */
  failures: number;
  /** Log lines those attempts were read from. */
  lines: number;
  /** Distinct user names tried. */
  users: number;
  first: Millis;
  last: Millis;
}

export interface LoginRecord {
  id: number;
  time: Millis;
  jail: string;
  ip: string | null;
  host: string | null;
  user: string | null;
}

/** Successful logins of one user from one address. */
export interface LoginGroup {
  user: string | null;
  ip: string | null;
  host: string | null;
  count: number;
  first: Millis;
  last: Millis;
}

/** One fleet host's share of an attacker's activity (at the hub). */
export interface HostActivity {
  host: string;
  /** Failed attempts. */
  failures: number;
  /** Successful logins. */
  successes: number;
  first: Millis;
  last: Millis;
}

interface ActiveRow {
  id: number;
  attacker: string;
  kinds: string;
  verdict: string | null;
  severity: string | null;
}

export class ActivityQueries {
  private readonly failuresStmt: Statement<[number, number], { n: number | null }>;
  private readonly attackersStmt: Statement<[number, number], { n: number }>;
  private readonly topStmt: Statement<[number, number], AttackerSummary>;
  private readonly loginsStmt: Statement<[number, number, number], LoginRecord>;
  private readonly loginGroupsStmt: Statement<[number, number, number], LoginGroup>;
  private readonly loginCountStmt: Statement<[number, number], { n: number }>;
  private readonly seenStmt: Statement<[string, string, number], { n: number }>;
  private readonly bansStmt: Statement<[number, number], { n: number; dry: number | null }>;
  private readonly activeStmt: Statement<[], ActiveRow>;
  private readonly countsStmt: Statement<
    [string, number, number],
    { failures: number | null; successes: number | null }
  >;
  private readonly byHostStmt: Statement<[string, number, number], HostActivity>;
  private readonly likeStmt: Statement<[string, number, number, number], { ip: string }>;
  private readonly findingsStmt: Statement<[number, number], { n: number }>;
  private readonly pendingStmt: Statement<[number], { n: number }>;
  private readonly perMinuteStmt: Statement<[number], { m: number; n: number }>;

  constructor(db: Database) {
    this.countsStmt = db.prepare(
      `SELECT sum(CASE result WHEN 'fail' THEN attempts ELSE 0 END) AS failures,
              sum(result = 'success') AS successes
       FROM events WHERE ip = ? AND time >= ? AND time < ?`,
    );
    // At the hub every event's source is "<host>:<source>" (hosts.ts sensorSource).
    this.byHostStmt = db.prepare(
      `SELECT substr(source, 1, instr(source, ':') - 1) AS host,
              sum(CASE result WHEN 'fail' THEN attempts ELSE 0 END) AS failures,
              sum(result = 'success') AS successes, min(time) AS first, max(time) AS last
       FROM events WHERE ip = ? AND time >= ? AND time < ? AND instr(source, ':') > 1
       GROUP BY 1`,
    );
    this.likeStmt = db.prepare(
      `SELECT DISTINCT ip FROM events
       WHERE ip LIKE ? AND time >= ? AND time < ? AND ip IS NOT NULL LIMIT ?`,
    );
    this.findingsStmt = db.prepare(
      'SELECT count(*) AS n FROM findings WHERE created_at >= ? AND created_at < ?',
    );
    this.pendingStmt = db.prepare(
      `SELECT count(*) AS n FROM approvals WHERE status = 'pending' AND expires_at > ?`,
    );
    this.perMinuteStmt = db.prepare(
      // An integer literal: a bound JS number would be a REAL and the division not whole minutes.
      `SELECT time / 60000 AS m, sum(attempts) AS n FROM events
       WHERE result = 'fail' AND time >= ? GROUP BY m ORDER BY m`,
    );
    this.failuresStmt = db.prepare(
      "SELECT sum(attempts) AS n FROM events WHERE result = 'fail' AND time >= ? AND time < ?",
    );
    this.attackersStmt = db.prepare(
      `SELECT count(DISTINCT ip) AS n FROM events
       WHERE result = 'fail' AND ip IS NOT NULL AND time >= ? AND time < ?`,
    );
    this.topStmt = db.prepare(
      `SELECT ip, sum(attempts) AS failures, count(*) AS lines, count(DISTINCT user) AS users,
              min(time) AS first, max(time) AS last
       FROM events WHERE result = 'fail' AND ip IS NOT NULL AND time >= ? AND time < ?
       GROUP BY ip ORDER BY failures DESC, last DESC, ip`,
    );
    this.loginsStmt = db.prepare(
      `SELECT id, time, jail, ip, host, user FROM events
       WHERE result = 'success' AND time >= ? AND time < ? ORDER BY time, id LIMIT ?`,
    );
    this.loginGroupsStmt = db.prepare(
      `SELECT user, ip, host, count(*) AS count, min(time) AS first, max(time) AS last
       FROM events WHERE result = 'success' AND time >= ? AND time < ?
       GROUP BY user, ip, host ORDER BY first, user, ip LIMIT ?`,
    );
    this.loginCountStmt = db.prepare(
      "SELECT count(*) AS n FROM events WHERE result = 'success' AND time >= ? AND time < ?",
    );
    this.seenStmt = db.prepare(
      `SELECT count(*) AS n FROM events
       WHERE result = 'success' AND user = ? AND ip = ? AND time < ? LIMIT 1`,
    );
    this.bansStmt = db.prepare(
      `SELECT count(*) AS n, sum(firewall = 'dry-run') AS dry FROM bans
       WHERE applied_at IS NOT NULL AND created_at >= ? AND created_at < ?`,
    );
    this.activeStmt = db.prepare(
      `SELECT id, attacker, kinds, verdict, severity FROM incidents
       WHERE state IN ('open', 'triaged') ORDER BY id LIMIT 10000`,
    );
  }

  /** Failed attempts with event time in [from, to). */
  failuresBetween(from: Millis, to: Millis): number {
    return this.failuresStmt.get(Math.floor(from), Math.floor(to))?.n ?? 0;
  }

  /** Failed attempts per minute of event time from `since` on: minute numbers (ms / 60000) with their sums, oldest first; minutes without any left out. */
  failuresPerMinute(since: Millis): { m: number; n: number }[] {
    return this.perMinuteStmt.all(Math.floor(since));
  }

  /** Findings stored in [from, to). */
  findingsBetween(from: Millis, to: Millis): number {
    return this.findingsStmt.get(Math.floor(from), Math.floor(to))?.n ?? 0;
  }

  /** Approvals waiting for a decision that have not expired at `now`. */
  pendingApprovals(now: Millis): number {
    return this.pendingStmt.get(Math.floor(now))?.n ?? 0;
  }

  /** Failed attempts and successful logins of these addresses with event time in [from, to). */
  countsFor(
    ips: readonly string[],
    from: Millis,
    to: Millis,
  ): { failures: number; successes: number } {
    let failures = 0;
    let successes = 0;
    for (const ip of ips) {
      const r = this.countsStmt.get(ip, Math.floor(from), Math.floor(to));
      failures += r?.failures ?? 0;
      successes += r?.successes ?? 0;
    }
    return { failures, successes };
  }

  /**
   * At the fleet's hub: what these addresses did on each host in [from, to),
   * by host name. Events with no sensor's name (a single host's own) are not in it.
   */
  activityByHost(ips: readonly string[], from: Millis, to: Millis): HostActivity[] {
    const by = new Map<string, HostActivity>();
    for (const ip of ips)
      for (const r of this.byHostStmt.all(ip, Math.floor(from), Math.floor(to))) {
        const seen = by.get(r.host);
        if (seen === undefined) by.set(r.host, r);
        else
          by.set(r.host, {
            host: r.host,
            failures: seen.failures + r.failures,
            successes: seen.successes + r.successes,
            first: Math.min(seen.first, r.first),
            last: Math.max(seen.last, r.last),
          });
      }
    return [...by.values()].sort((a, b) => a.host.localeCompare(b.host));
  }

  /** Distinct addresses that failed in [from, to). */
  distinctAttackers(from: Millis, to: Millis): number {
    return this.attackersStmt.get(Math.floor(from), Math.floor(to))?.n ?? 0;
  }

  /**
   * The addresses with the most failures in [from, to), the dashboard's and the
   * daily report's "top attackers": never one that `internal` says is trusted or
   * internal (an admin's typo from the office is not an attacker). Rows are read
   * until `limit` are kept, so trusted addresses leave no hole in the list.
   */
  topAttackers(
    from: Millis,
    to: Millis,
    internal: (ip: string) => boolean,
    limit = 10,
  ): AttackerSummary[] {
    const top: AttackerSummary[] = [];
    if (limit <= 0) return top;
    for (const a of this.topStmt.iterate(Math.floor(from), Math.floor(to))) {
      if (internal(a.ip)) continue;
      top.push(a);
      if (top.length >= limit) break;
    }
    return top;
  }

  /** Successful logins in [from, to), oldest first. */
  logins(from: Millis, to: Millis, limit = 1000): LoginRecord[] {
    return this.loginsStmt.all(Math.floor(from), Math.floor(to), limit);
  }

  /** Successful logins in [from, to), one row per user and address, earliest first. */
  loginGroups(from: Millis, to: Millis, limit = 200): LoginGroup[] {
    return this.loginGroupsStmt.all(Math.floor(from), Math.floor(to), limit);
  }

  /** How many successful logins there were in [from, to). */
  loginCount(from: Millis, to: Millis): number {
    return this.loginCountStmt.get(Math.floor(from), Math.floor(to))?.n ?? 0;
  }

  /** Whether `user` logged in from `ip` before `before`. */
  loggedInBefore(user: string, ip: string, before: Millis): boolean {
    return (this.seenStmt.get(user, ip, Math.floor(before))?.n ?? 0) > 0;
  }

  /** Bans applied that were decided in [from, to), and how many of them a dry-run firewall "applied". */
  bansBetween(from: Millis, to: Millis): { applied: number; dryRun: number } {
    const r = this.bansStmt.get(Math.floor(from), Math.floor(to));
    return { applied: r?.n ?? 0, dryRun: r?.dry ?? 0 };
  }

  /** Distinct addresses matching a LIKE pattern with events in [from, to) (IPv6 prefix members). */
  addressesLike(pattern: string, from: Millis, to: Millis, limit = 256): string[] {
    return this.likeStmt.all(pattern, Math.floor(from), Math.floor(to), limit).map((r) => r.ip);
  }

  /** Open and triaged incidents, in the shape computeStatus reads. */
  activeIncidents(): {
    id: number;
    attacker: string;
    kinds: IncidentKind[];
    verdict: Verdict | null;
    severity: Severity | null;
  }[] {
    return this.activeStmt.all().map((r) => ({
      id: r.id,
      attacker: r.attacker,
      kinds: parseKinds(r.kinds),
      verdict: r.verdict as Verdict | null,
      severity: r.severity as Severity | null,
    }));
  }
}

function parseKinds(json: string): IncidentKind[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? (v.filter((x) => typeof x === 'string') as IncidentKind[]) : [];
  } catch {
    return [];
  }
}

/** The incidents.kinds parser, shared with the PostgreSQL store (store/pg/). */
export { parseKinds };
