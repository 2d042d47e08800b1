/**
 * Event retention on PostgreSQL, by partition: days wholly older than the
 * cutoff (or wholly within the excess over maxEvents) are detached and
 * dropped, one transaction each; only the boundary day is deleted from row by
 * row, in chunks. Same policy and result as store/retention.ts; a dropped day
 * counts as one chunk. The same pass forgets the hub's identities of stored
 * sensor rows (store/retention.ts says which).
 */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import {
  deleteStaleIngested,
  INGESTED_KEEP_MS,
  retentionPlan,
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionResult,
} from '../retention.js';
import { changes, row, transaction } from './db.js';
import { DAY_MS, listPartitions, type DayPartition, type Partitions } from './partitions.js';

export async function prunePgEvents(
  pool: pg.Pool,
  partitions: Partitions,
  policy: RetentionPolicy,
  now: Millis,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const { chunk, cutoff } = retentionPlan(policy, now, options);
  for (let n = chunk; n === chunk;) {
    n = await changes(pool, deleteStaleIngested('$1', '$2'), [
      Math.floor(now - INGESTED_KEEP_MS),
      chunk,
    ]);
  }
  const result: RetentionResult = { byAge: 0, byCount: 0, removed: 0, chunks: 0 };
  const count = (n: number, key: 'byAge' | 'byCount') => {
    if (n === 0) return;
    result[key] += n;
    result.removed += n;
    result.chunks++;
  };
  const drop = async (p: DayPartition) => {
    const n = await transaction(pool, async (c) => {
      // Detaching locks the parent before the day, in the order inserts take them.
      await c.query(`ALTER TABLE events DETACH PARTITION ${p.name}`);
      const r = await row<{ n: number }>(c, `SELECT count(*) AS n FROM ${p.name}`);
      await c.query(`DROP TABLE ${p.name}`);
      return r?.n ?? 0;
    });
    partitions.forget(p.day);
    return n;
  };
  /** Deletes up to `limit` of the day's oldest rows (before `before`, when given). */
  const deleteOldest = (p: DayPartition, limit: number, before: number | null) =>
    changes(
      pool,
      `DELETE FROM ${p.name} WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM ${p.name} WHERE time < $1 ORDER BY time, id LIMIT $2))`,
      [before ?? Number.MAX_SAFE_INTEGER, limit],
    );

  if (cutoff !== null) {
    for (const p of await listPartitions(pool)) {
      if ((p.day + 1) * DAY_MS <= cutoff) {
        count(await drop(p), 'byAge');
        continue;
      }
      if (p.day * DAY_MS < cutoff) {
        for (let n = chunk; n === chunk;) {
          n = await deleteOldest(p, chunk, cutoff);
          count(n, 'byAge');
        }
      }
      break;
    }
  }

  if (policy.maxEvents != null) {
    // Counted once, after the age pass: events ingested meanwhile are left for the next run.
    const total = (await row<{ n: number }>(pool, 'SELECT count(*) AS n FROM events'))?.n ?? 0;
    let excess = Math.max(0, total - policy.maxEvents);
    for (const p of await listPartitions(pool)) {
      if (excess === 0) break;
      const size = (await row<{ n: number }>(pool, `SELECT count(*) AS n FROM ${p.name}`))?.n ?? 0;
      if (size <= excess) {
        const n = await drop(p);
        count(n, 'byCount');
        excess = Math.max(0, excess - n);
        continue;
      }
      while (excess > 0) {
        const n = await deleteOldest(p, Math.min(chunk, excess), null);
        count(n, 'byCount');
        excess = n === 0 ? 0 : excess - n;
      }
    }
  }
  return result;
}
