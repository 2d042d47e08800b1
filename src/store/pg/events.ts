/**
 * The events table on PostgreSQL: the same queries as store/events.ts, and a
 * bulk insert for the hub (one statement per batch, the rows as arrays).
 */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import type { Async } from '../api.js';
import {
  checkEventRecord,
  DEFAULT_QUERY_LIMIT,
  MAX_QUERY_LIMIT,
  type EventQuery,
  type EventRecord,
  type EventStore,
  type StoredEvent,
} from '../events.js';
import { ms, row, rows, type Queryable } from './db.js';
import type { Partitions } from './partitions.js';

const COLUMNS = 'id, time, jail, filter, rule, result, ip, host, "user", attempts, source, line';

/** SQLSTATE of a row no partition takes: another hub's retention dropped one this store knew. */
const NO_PARTITION = '23514';

export class PgEventStore implements Async<EventStore> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly partitions: Partitions,
  ) {}

  async insert(event: EventRecord): Promise<number> {
    checkEventRecord(event);
    const [id] = await this.write([event], true);
    return id!;
  }

  /**
   * Inserts the events in one statement (atomic: all or none); the hub's
   * ingest. Rows go in as one array per column, so a batch of any size is
   * eleven parameters.
   */
  async insertMany(events: readonly EventRecord[]): Promise<void> {
    for (const e of events) checkEventRecord(e);
    if (events.length > 0) await this.write(events, false);
  }

  private write(events: readonly EventRecord[], returning: boolean): Promise<number[]> {
    return inPartitions(this.partitions, events, () =>
      insertEventRows(this.pool, events, returning),
    );
  }

  /** Events matching every given criterion, newest first. */
  async queryEvents(q: EventQuery = {}): Promise<StoredEvent[]> {
    const limit = q.limit ?? DEFAULT_QUERY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, not ${limit}`);
    }
    // The SQL text only ever comes from these fixed fragments; values are bound.
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.ip !== undefined) add((p) => `ip = ${p}`, q.ip);
    if (q.network !== undefined) add((p) => `sheriff_inet(ip) <<= ${p}::inet`, q.network.text);
    if (q.user !== undefined) add((p) => `"user" = ${p}`, q.user);
    if (q.kind !== undefined) add((p) => `result = ${p}`, q.kind);
    if (q.jail !== undefined) add((p) => `jail = ${p}`, q.jail);
    if (q.sensor !== undefined) add((p) => `starts_with(source, ${p})`, `${q.sensor}:`);
    if (q.since !== undefined) add((p) => `time >= ${p}`, ms('since', q.since));
    if (q.until !== undefined) add((p) => `time < ${p}`, ms('until', q.until));
    params.push(limit);
    return rows<StoredEvent>(
      this.pool,
      `SELECT ${COLUMNS} FROM events` +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ` ORDER BY time DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Failures at or after `since`, oldest first. */
  async recentFailures(since: Millis): Promise<StoredEvent[]> {
    return rows<StoredEvent>(
      this.pool,
      `SELECT ${COLUMNS} FROM events WHERE result = 'fail' AND time >= $1 ORDER BY time, id`,
      [ms('since', since)],
    );
  }

  /** The same rows, read at once (a hub does not warm a host's windows from them). */
  async iterateRecentFailures(since: Millis): Promise<IterableIterator<StoredEvent>> {
    return (await this.recentFailures(since)).values();
  }

  async count(): Promise<number> {
    return (await row<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM events'))?.n ?? 0;
  }
}

/**
 * Runs `write` (which inserts `events`) once their days have partitions, and
 * once more when a partition this store knew of was dropped meanwhile.
 */
export async function inPartitions<T>(
  partitions: Partitions,
  events: readonly EventRecord[],
  write: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await partitions.ensure(events.map((e) => e.time));
    try {
      return await write();
    } catch (err) {
      if (attempt > 1 || (err as { code?: string }).code !== NO_PARTITION) throw err;
      partitions.forget();
    }
  }
}

/**
 * Inserts checked events on `db` (the pool, or a transaction's client: the
 * hub stores a sensor's rows with its seq) in one statement, their ids when
 * `returning`. Their days' partitions must exist (Partitions.ensure, before
 * the transaction: DDL would hold its locks to the end of it).
 */
export async function insertEventRows(
  db: Queryable,
  events: readonly EventRecord[],
  returning: boolean,
): Promise<number[]> {
  const params = [
    events.map((e) => e.time),
    events.map((e) => e.jail),
    events.map((e) => e.filter),
    events.map((e) => e.rule),
    events.map((e) => e.result),
    events.map((e) => e.ip),
    events.map((e) => e.host),
    events.map((e) => e.user),
    events.map((e) => e.attempts),
    events.map((e) => e.source),
    events.map((e) => e.line),
  ];
  const found = await rows<{ id: number }>(
    db,
    `INSERT INTO events (time, jail, filter, rule, result, ip, host, "user", attempts, source, line)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[])${returning ? ' RETURNING id' : ''}`,
    params,
  );
  return found.map((r) => r.id);
}
