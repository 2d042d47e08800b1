/**
 * The events table's partitions: one per UTC day of event time, named
 * `events_YYYYMMDD` from the date alone (nothing a row says reaches the name
 * but its day number). They are created as rows arrive, with the next day's
 * ahead, so the hub does not wait on DDL at midnight; retention drops whole
 * old days (retention.ts).
 */
import type pg from 'pg';
import { rows, transaction, type Queryable } from './db.js';

export const DAY_MS = 86_400_000;

/** A day partition: its day number (days since the epoch) and table name. */
export interface DayPartition {
  day: number;
  name: string;
}

const NAME = /^events_(\d{4})(\d\d)(\d\d)$/;
/** 9999-12-31, the last day a partition can be named for. */
const LAST_DAY = Date.UTC(9999, 11, 31) / DAY_MS;

export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

export function partitionName(day: number): string {
  const date = new Date(day * DAY_MS);
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10);
  const name = `events_${iso.replaceAll('-', '')}`;
  if (!NAME.test(name)) {
    throw new RangeError(`event time outside years 0000-9999 (day ${day}): no partition for it`);
  }
  return name;
}

function dayOfName(name: string): number | null {
  const m = NAME.exec(name);
  return m === null ? null : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** Every day partition of the events table, oldest first. */
export async function listPartitions(db: Queryable): Promise<DayPartition[]> {
  const found = await rows<{ name: string }>(
    db,
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass`,
  );
  return found
    .flatMap(({ name }) => {
      const day = dayOfName(name);
      return day === null ? [] : [{ day, name }];
    })
    .sort((a, b) => a.day - b.day);
}

/** Any fixed number: the key of the lock partition DDL takes, so two hubs never race on it. */
const PARTITION_LOCK = 0x5348_5250; // "SHRP"

/** The days the store knows to have a partition, and creates the missing ones. */
export class Partitions {
  private readonly known = new Set<number>();

  constructor(private readonly pool: pg.Pool) {}

  /** Makes sure every day of `times` (and the day after the newest) has its partition. */
  async ensure(times: Iterable<number>): Promise<void> {
    const missing = new Set<number>();
    let newest: number | null = null;
    for (const t of times) {
      const day = dayOf(t);
      if (!this.known.has(day)) missing.add(day);
      if (newest === null || day > newest) newest = day;
    }
    if (newest !== null && newest < LAST_DAY && !this.known.has(newest + 1))
      missing.add(newest + 1);
    if (missing.size === 0) return;
    await transaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const day of missing) {
        // Identifiers cannot be parameters: the name is built from the day number only.
        const name = partitionName(day);
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events
           FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
        );
      }
    });
    for (const day of missing) this.known.add(day);
  }

  /** Forgets what it knew: a partition was dropped (here, or by another hub's retention). */
  forget(day?: number): void {
    if (day === undefined) this.known.clear();
    else this.known.delete(day);
  }
}
