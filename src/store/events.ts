/**
 * The events table: every classified line, with the raw line it came from.
 * Query values are always bound parameters; the raw line is attacker text and
 * is only ever stored and returned as data.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { AuthEvent, Millis } from '../domain.js';
import { CidrSet, type Cidr } from '../net/cidr.js';
import { parseIp } from '../net/ip.js';

export type EventResult = 'fail' | 'success' | 'nofail';

/** One event as written. */
export interface EventRecord {
  /** Event time (epoch ms); the time the line was read when it carried none. */
  time: Millis;
  jail: string;
  filter: string;
  rule: string | null;
  result: EventResult;
  ip: string | null;
  host: string | null;
  user: string | null;
  attempts: number;
  /** Id of the source the line came from. */
  source: string | null;
  /** The raw line. */
  line: string;
}

/** One event as read back. */
export interface StoredEvent extends EventRecord {
  id: number;
}

export interface EventQuery {
  /** Canonical address (see net/ip.ts). */
  ip?: string;
  /** Addresses inside this network (an IPv6 /64 incident's subject, an IPv4 /24). */
  network?: Cidr;
  user?: string;
  /** Inclusive lower bound on event time. */
  since?: Millis;
  /** Exclusive upper bound on event time. */
  until?: Millis;
  kind?: EventResult;
  jail?: string;
  /** Only those a fleet host sent (at the hub, whose events' source is "<host>:<source>"). */
  sensor?: string;
  /** Default 100, at most 10000. */
  limit?: number;
}

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;

/** A stored event as detection and incidents read a classified line (replayed from the store). */
export function authEventOf(e: EventRecord): AuthEvent {
  return {
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
}

/** The record to store for a classified line, or null when the line is not an event. */
export function toEventRecord(
  event: AuthEvent,
  where: { jail: string; source: string | null; line: string; readAt: Millis },
): EventRecord | null {
  if (event.result === 'none') return null;
  return {
    time: event.time ?? where.readAt,
    jail: where.jail,
    filter: event.filter,
    rule: event.rule,
    result: event.result,
    ip: event.ip,
    host: event.host,
    user: event.user,
    attempts: event.attempts,
    source: where.source,
    line: where.line,
  };
}

const RESULTS: ReadonlySet<string> = new Set(['fail', 'success', 'nofail']);

/** Throws a TypeError for a record the table would reject, so a bad one never reaches a write. */
export function checkEventRecord(e: EventRecord): void {
  const bad = (what: string) => new TypeError(`invalid event record: ${what}`);
  if (!Number.isSafeInteger(e.time)) throw bad(`time ${String(e.time)}`);
  if (!RESULTS.has(e.result)) throw bad(`result ${String(e.result)}`);
  if (!Number.isSafeInteger(e.attempts)) throw bad(`attempts ${String(e.attempts)}`);
  for (const k of ['jail', 'filter', 'line'] as const) {
    if (typeof e[k] !== 'string') throw bad(`${k} is not a string`);
  }
  for (const k of ['rule', 'ip', 'host', 'user', 'source'] as const) {
    if (e[k] !== null && typeof e[k] !== 'string') throw bad(`${k} is not a string or null`);
  }
}

const COLUMNS = 'id, time, jail, filter, rule, result, ip, host, user, attempts, source, line';

export class EventStore {
  private readonly insertStmt: Statement<[EventRecord]>;
  private readonly failuresStmt: Statement<[Millis], StoredEvent>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly queries = new Map<string, Statement<unknown[], StoredEvent>>();

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO events (time, jail, filter, rule, result, ip, host, user, attempts, source, line)
       VALUES (@time, @jail, @filter, @rule, @result, @ip, @host, @user, @attempts, @source, @line)`,
    );
    this.failuresStmt = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE result = 'fail' AND time >= ? ORDER BY time, id`,
    );
    this.countStmt = db.prepare('SELECT count(*) AS n FROM events');
    db.function('ip_in_network', { deterministic: true }, inNetwork);
  }

  /** Inserts one event; returns its id. Runs in the caller's transaction when there is one. */
  insert(event: EventRecord): number {
    return Number(this.insertStmt.run(event).lastInsertRowid);
  }

  /** Inserts events in one transaction (or in the caller's). */
  insertMany(events: readonly EventRecord[]): void {
    this.db.transaction(() => {
      for (const e of events) this.insertStmt.run(e);
    })();
  }

  /** Events matching every given criterion, newest first. */
  queryEvents(q: EventQuery = {}): StoredEvent[] {
    const limit = q.limit ?? DEFAULT_QUERY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, not ${limit}`);
    }
    // The SQL text only ever comes from these fixed fragments; values are bound.
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (q.ip !== undefined) add('ip = ?', q.ip);
    if (q.network !== undefined) add('ip_in_network(ip, ?)', q.network.text);
    if (q.user !== undefined) add('user = ?', q.user);
    if (q.kind !== undefined) add('result = ?', q.kind);
    if (q.jail !== undefined) add('jail = ?', q.jail);
    if (q.sensor !== undefined) add('instr(source, ?) = 1', `${q.sensor}:`);
    if (q.since !== undefined) add('time >= ?', checkTime('since', q.since));
    if (q.until !== undefined) add('time < ?', checkTime('until', q.until));
    const sql =
      `SELECT ${COLUMNS} FROM events` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY time DESC, id DESC LIMIT ?';
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], StoredEvent>(sql);
      this.queries.set(sql, stmt);
    }
    return stmt.all(...params, limit);
  }

  /** Failures at or after `since`, oldest first: what the daemon replays to warm its windows. */
  recentFailures(since: Millis): StoredEvent[] {
    return this.failuresStmt.all(checkTime('since', since));
  }

  /**
   * The same rows one at a time, for windows too long to hold at once. The
   * connection cannot write until the iteration ends (or is abandoned with `return`).
   */
  iterateRecentFailures(since: Millis): IterableIterator<StoredEvent> {
    return this.failuresStmt.iterate(checkTime('since', since));
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}

function checkTime(name: string, t: Millis): Millis {
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a finite time in ms, not ${t}`);
  return Math.floor(t);
}

/** The last network asked about, compiled once per query rather than once a row. */
let lastNetwork: { text: string; set: CidrSet } | null = null;

/** SQL `ip_in_network(ip, cidr)`: 1 when the stored address is inside the network. */
function inNetwork(ip: unknown, cidr: unknown): number {
  if (typeof ip !== 'string' || typeof cidr !== 'string') return 0;
  if (lastNetwork?.text !== cidr) lastNetwork = { text: cidr, set: new CidrSet([cidr]) };
  const parsed = parseIp(ip);
  return parsed !== null && lastNetwork.set.match(parsed) !== null ? 1 : 0;
}
