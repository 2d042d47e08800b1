/**
 * The hub's records of its sensors on PostgreSQL: the same semantics as
 * store/hosts.ts (store/hosts-contract.ts runs one suite against both). A
 * sensor's outbox row is stored with its seq in one transaction; the seq is
 * claimed first, by an upsert that takes the host's row lock, so two hubs (or
 * two deliveries at once) storing the same row store it once.
 */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import type { Async } from '../api.js';
import { checkEventRecord } from '../events.js';
import {
  hostFromRow,
  sensorSource,
  type Confirmed,
  type HostDbRow,
  type HostRow,
  type HostStatusReport,
  type HostStore,
  type IngestBatch,
} from '../hosts.js';
import { json, ms, query, rows, transaction } from './db.js';
import { inPartitions, insertEventRows } from './events.js';
import type { Partitions } from './partitions.js';
import { insertFindingRow } from './records.js';

export class PgHostStore implements Async<HostStore> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly partitions: Partitions,
  ) {}

  /**
   * Stores one outbox row of `host` unless it was stored already (its seq is
   * not past the last one of the same epoch). The stored findings' ids, or
   * null for a row stored before.
   */
  async ingest(
    host: string,
    epoch: string,
    seq: number,
    batch: IngestBatch,
    now: Millis,
  ): Promise<number[] | null> {
    const events = (batch.events ?? []).map((e) => {
      checkEventRecord(e);
      return { ...e, source: sensorSource(host, e.source) };
    });
    return inPartitions(this.partitions, events, () =>
      transaction(this.pool, async (c) => {
        // Moves the seq only past the last stored one (or into a new epoch);
        // no row back means this one was stored before.
        const claimed = await query(
          c,
          `INSERT INTO fleet_hosts AS h (name, last_seen, epoch, last_seq) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO UPDATE SET last_seen = GREATEST(h.last_seen, excluded.last_seen),
             epoch = excluded.epoch, last_seq = excluded.last_seq
           WHERE h.epoch IS DISTINCT FROM excluded.epoch OR h.last_seq < excluded.last_seq
           RETURNING 1`,
          [host, ms('now', now), epoch, seq],
        );
        if (claimed.rowCount === 0) return null;
        if (events.length > 0) await insertEventRows(c, events, false);
        const ids: number[] = [];
        for (const f of batch.findings ?? [])
          ids.push(await insertFindingRow(c, { ...f.finding, hosts: [host] }, f.createdAt));
        return ids;
      }),
    );
  }

  async status(host: string, s: HostStatusReport, now: Millis): Promise<void> {
    await query(
      this.pool,
      `INSERT INTO fleet_hosts AS h (name, last_seen, version, lag_ms, outbox, errors, groups, status_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET last_seen = GREATEST(h.last_seen, excluded.last_seen),
         version = excluded.version, lag_ms = excluded.lag_ms, outbox = excluded.outbox,
         errors = excluded.errors, groups = excluded.groups, status_at = excluded.status_at`,
      [
        host,
        ms('now', now),
        s.version,
        s.lagMs,
        s.outbox,
        json(s.errors),
        json(s.groups),
        ms('at', s.at),
      ],
    );
  }

  /** A message from `host` failed its schema. */
  async rejected(host: string, now: Millis): Promise<void> {
    await query(
      this.pool,
      `INSERT INTO fleet_hosts AS h (name, last_seen, rejected) VALUES ($1, $2, 1)
       ON CONFLICT (name) DO UPDATE SET rejected = h.rejected + 1`,
      [host, ms('now', now)],
    );
  }

  async confirm(c: Confirmed): Promise<void> {
    await query(
      this.pool,
      `INSERT INTO fleet_confirmations AS c (decision, host, outcome, reason, at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (decision, host) DO UPDATE SET outcome = excluded.outcome,
         reason = excluded.reason, at = excluded.at WHERE excluded.at >= c.at`,
      [c.decision, c.host, c.outcome, c.reason, ms('at', c.at)],
    );
  }

  /** What each host last confirmed of `decision`. */
  async confirmations(decision: string): Promise<Confirmed[]> {
    return rows<Confirmed>(
      this.pool,
      `SELECT decision, host, outcome, reason, at FROM fleet_confirmations
       WHERE decision = $1 ORDER BY host`,
      [decision],
    );
  }

  async list(): Promise<HostRow[]> {
    const found = await rows<HostDbRow>(
      this.pool,
      `SELECT h.name, h.last_seen, h.version, h.lag_ms, h.outbox, h.errors, h.groups, h.status_at,
         h.rejected, (SELECT count(*) FROM fleet_confirmations c
                      WHERE c.host = h.name AND c.outcome = 'applied') AS bans_applied
       FROM fleet_hosts h ORDER BY h.name`,
    );
    return found.map(hostFromRow);
  }
}
