/**
 * The hub's records of its sensors on PostgreSQL: the same semantics as
 * store/hosts.ts (store/hosts-contract.ts runs one suite against both).
 * Sensors' outbox rows are stored with their identities in one transaction;
 * the hosts' rows are locked first, so two hubs (or two deliveries at once)
 * storing the same row store it once.
 */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import type { Async } from '../api.js';
import { checkEventRecord } from '../events.js';
import {
  belowFloor,
  checkIngestRows,
  hostFromRow,
  moveLast,
  onlyResult,
  type Confirmed,
  type EpochSeq,
  type HostDbRow,
  type HostRow,
  type HostStatusReport,
  type HostStore,
  type IngestBatch,
  type IngestResult,
  type IngestRow,
} from '../hosts.js';
import { json, ms, query, rows, transaction } from './db.js';
import { inPartitions, insertEventRows } from './events.js';
import { dayOf, partitionName, type Partitions } from './partitions.js';
import { insertFindingRow } from './records.js';

export class PgHostStore implements Async<HostStore> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly partitions: Partitions,
  ) {}

  /**
   * Stores one outbox row of `host` unless it was stored already (the same
   * host, epoch and seq). The stored findings' ids, or
   * null for a row stored before; throws for a row that cannot be stored.
   */
  async ingest(
    host: string,
    epoch: string,
    seq: number,
    batch: IngestBatch,
    now: Millis,
  ): Promise<number[] | null> {
    return onlyResult(await this.ingestMany([{ host, epoch, seq, batch }], now));
  }

  /**
   * Stores sensors' outbox rows in one transaction (store/hosts.ts says
   * what is stored). Each host's row is locked first, in name order, and the
   * rows' identities inserted under the lock, so two hubs (or two deliveries
   * at once) storing the same row store it once and two batches never wait on
   * each other in a cycle.
   */
  async ingestMany(sent: readonly IngestRow[], now: Millis): Promise<IngestResult[]> {
    const { results, good } = checkIngestRows(sent, (e) => {
      checkEventRecord(e);
      // A day no partition can be named for would fail the whole batch later.
      partitionName(dayOf(e.time));
    });
    const stored =
      good.length === 0
        ? new Map<number, number[]>()
        : await inPartitions(
            this.partitions,
            good.flatMap(({ row }) => row.batch.events ?? []),
            () => transaction(this.pool, (c) => this.store(c, good, now)),
          );
    return results.map((r, at) => r ?? stored.get(at) ?? null);
  }

  private async store(
    c: pg.PoolClient,
    good: readonly { at: number; row: IngestRow }[],
    now: Millis,
  ): Promise<Map<number, number[]>> {
    const names = [...new Set(good.map(({ row }) => row.host))].sort();
    // The no-op update takes the row lock of a host another transaction is
    // adding or storing, then reads its seqs as that one left them.
    const known = await rows<{
      name: string;
      epoch: string | null;
      last_seq: number;
      floor_epoch: string | null;
      floor_seq: number;
    }>(
      c,
      `INSERT INTO fleet_hosts AS h (name, last_seen) SELECT unnest($1::text[]), $2
       ON CONFLICT (name) DO UPDATE SET last_seen = h.last_seen
       RETURNING name, epoch, last_seq, floor_epoch, floor_seq`,
      [names, ms('now', now)],
    );
    const last = new Map<string, EpochSeq>(
      known.map((k) => [k.name, { epoch: k.epoch, seq: k.last_seq }]),
    );
    const floors = new Map(known.map((k) => [k.name, { epoch: k.floor_epoch, seq: k.floor_seq }]));
    const candidates = good.filter(({ row }) => !belowFloor(row, floors.get(row.host)));
    const stored = new Map<number, number[]>();
    if (candidates.length === 0) return stored;
    // A row is new iff its identity is inserted: a redelivery (or a copy in this batch) is not.
    const inserted = await rows<{ host: string; epoch: string; seq: number }>(
      c,
      `INSERT INTO fleet_ingested (host, epoch, seq, at)
       SELECT u.host, u.epoch, u.seq, $4
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(host, epoch, seq)
       ON CONFLICT DO NOTHING RETURNING host, epoch, seq`,
      [
        candidates.map(({ row }) => row.host),
        candidates.map(({ row }) => row.epoch),
        candidates.map(({ row }) => row.seq),
        ms('now', now),
      ],
    );
    const identity = (r: { host: string; epoch: string; seq: number }) =>
      JSON.stringify([r.host, r.epoch, r.seq]);
    const fresh = new Set(inserted.map(identity));
    // The first copy of a new identity is the one stored.
    const taken = candidates.filter(({ row }) => fresh.delete(identity(row)));
    if (taken.length === 0) return stored;
    for (const { row } of taken) moveLast(last, row);
    const moved = [...new Set(taken.map(({ row }) => row.host))];
    await query(
      c,
      `UPDATE fleet_hosts AS h SET last_seen = GREATEST(h.last_seen, $4),
         epoch = u.epoch, last_seq = u.seq
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(name, epoch, seq)
       WHERE h.name = u.name`,
      [
        moved,
        moved.map((h) => last.get(h)!.epoch),
        moved.map((h) => last.get(h)!.seq),
        ms('now', now),
      ],
    );
    const events = taken.flatMap(({ row }) => row.batch.events ?? []);
    if (events.length > 0) await insertEventRows(c, events, false);
    for (const { at, row } of taken) {
      const ids: number[] = [];
      for (const f of row.batch.findings ?? [])
        ids.push(await insertFindingRow(c, { ...f.finding, hosts: [row.host] }, f.createdAt));
      stored.set(at, ids);
    }
    return stored;
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
