/**
 * Event retention: delete events older than `maxAge`, then the oldest beyond
 * `maxEvents`. Deletes run in chunks of `chunkSize` rows, each its own short
 * transaction, so a huge backlog never holds the write lock for long; the
 * async form also yields to the event loop between chunks so the daemon's
 * batching writer (same process, same connection) gets to flush in between.
 *
 * The same pass forgets the hub's identities of stored sensor rows
 * (fleet_ingested, store/hosts.ts) once JetStream can no longer redeliver them.
 */
import type { Database, Statement } from 'better-sqlite3';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Millis } from '../domain.js';

export interface RetentionPolicy {
  /** Events older than this (by event time) go. Null or undefined: no age limit. */
  maxAge?: Millis | null;
  /** At most this many events are kept, the newest. Null or undefined: no count limit. */
  maxEvents?: number | null;
}

export interface RetentionOptions {
  /** Rows per delete transaction. Default 2000. */
  chunkSize?: number;
}

export interface RetentionResult {
  byAge: number;
  byCount: number;
  removed: number;
  /** Delete transactions run. */
  chunks: number;
}

export const DEFAULT_RETENTION_CHUNK = 2000;

/**
 * How long the hub remembers a stored row's identity: the SHERIFF_HOSTS
 * stream's max age (7 days, fleet/connect.ts), past which JetStream holds no
 * copy to redeliver, and a day for the clocks of the hub and nats-server.
 * Each host's and epoch's highest seq is kept longer, always: the one row a
 * sensor may publish again after any outage (it awaits that row's ack before
 * sending the next, fleet/publisher.ts).
 */
export const INGESTED_KEEP_MS = 8 * 86_400_000;

/**
 * Deletes up to `limit` identities stored before `before` that are not their
 * host's and epoch's highest (both stores; the arguments are placeholders).
 */
export function deleteStaleIngested(before: string, limit: string): string {
  return `DELETE FROM fleet_ingested WHERE (host, epoch, seq) IN (
    SELECT i.host, i.epoch, i.seq FROM fleet_ingested i
    WHERE i.at < ${before} AND i.seq < (SELECT max(m.seq) FROM fleet_ingested m
                                        WHERE m.host = i.host AND m.epoch = i.epoch)
    LIMIT ${limit})`;
}

/**
 * The checked policy: rows per chunk, and the event time before which events
 * go (null: no age limit). Throws a RangeError for a policy that makes no sense.
 */
export function retentionPlan(
  policy: RetentionPolicy,
  now: Millis,
  options: RetentionOptions,
): { chunk: number; cutoff: number | null } {
  const chunk = options.chunkSize ?? DEFAULT_RETENTION_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new RangeError(`chunkSize must be a positive integer, not ${chunk}`);
  }
  const { maxAge, maxEvents } = policy;
  if (maxAge != null && !(maxAge >= 0)) throw new RangeError(`maxAge must be ≥ 0, not ${maxAge}`);
  if (maxEvents != null && !(Number.isInteger(maxEvents) && maxEvents >= 0)) {
    throw new RangeError(`maxEvents must be an integer ≥ 0, not ${maxEvents}`);
  }
  return { chunk, cutoff: maxAge == null ? null : Math.floor(now - maxAge) };
}

/** One prepared pruning job; `step()` deletes at most one chunk. */
class Pruner {
  private readonly ingestedStmt: Statement<[number, number]>;
  private ingestedDone = false;
  private readonly ingestedBefore: number;
  private readonly byAgeStmt: Statement<[number, number]>;
  private readonly oldestStmt: Statement<[number]>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly chunk: number;
  private readonly cutoff: number | null;
  private excess: number | null = null;
  readonly result: RetentionResult = { byAge: 0, byCount: 0, removed: 0, chunks: 0 };

  constructor(
    db: Database,
    private readonly policy: RetentionPolicy,
    now: Millis,
    options: RetentionOptions,
  ) {
    ({ chunk: this.chunk, cutoff: this.cutoff } = retentionPlan(policy, now, options));
    this.ingestedBefore = Math.floor(now - INGESTED_KEEP_MS);
    this.ingestedStmt = db.prepare(deleteStaleIngested('?', '?'));
    // Both use the (time) index, whose entries are ordered by (time, rowid).
    this.byAgeStmt = db.prepare(
      `DELETE FROM events WHERE id IN
         (SELECT id FROM events WHERE time < ? ORDER BY time, id LIMIT ?)`,
    );
    this.oldestStmt = db.prepare(
      'DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY time, id LIMIT ?)',
    );
    this.countStmt = db.prepare('SELECT count(*) AS n FROM events');
  }

  /** Deletes one chunk; false when there is nothing left to do. */
  step(): boolean {
    if (!this.ingestedDone) {
      if (this.ingestedStmt.run(this.ingestedBefore, this.chunk).changes === this.chunk)
        return true;
      this.ingestedDone = true;
    }
    if (this.cutoff !== null) {
      const n = this.byAgeStmt.run(this.cutoff, this.chunk).changes;
      this.count(n, 'byAge');
      if (n === this.chunk) return true;
      if (n > 0 && this.policy.maxEvents == null) return false;
    }
    if (this.policy.maxEvents == null) return false;
    // Counted once, after the age pass: events the writer adds meanwhile are
    // left for the next run rather than chased.
    this.excess ??= Math.max(0, (this.countStmt.get()?.n ?? 0) - this.policy.maxEvents);
    if (this.excess === 0) return false;
    const n = this.oldestStmt.run(Math.min(this.chunk, this.excess)).changes;
    this.count(n, 'byCount');
    this.excess = n === 0 ? 0 : this.excess - n;
    return this.excess > 0;
  }

  private count(n: number, key: 'byAge' | 'byCount'): void {
    if (n === 0) return;
    this.result[key] += n;
    this.result.removed += n;
    this.result.chunks++;
  }
}

/** Prunes synchronously (CLI, tests): the lock is released between chunks, the event loop is not. */
export function pruneEventsSync(
  db: Database,
  policy: RetentionPolicy,
  now: Millis,
  options: RetentionOptions = {},
): RetentionResult {
  const p = new Pruner(db, policy, now, options);
  while (p.step());
  return p.result;
}

/** Prunes, yielding to the event loop between chunks (the daemon). */
export async function pruneEvents(
  db: Database,
  policy: RetentionPolicy,
  now: Millis,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const p = new Pruner(db, policy, now, options);
  while (p.step()) await yieldToLoop();
  return p.result;
}
