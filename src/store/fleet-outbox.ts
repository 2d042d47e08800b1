/**
 * A sensor's fleet outbox: its events and findings waiting for JetStream to
 * acknowledge them, in seq order. Rows are written in the StoreWriter's flush
 * transaction (fleet/outbox.ts) and deleted one by one as acks arrive, so a
 * sensor that cannot reach NATS keeps them across restarts.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';
import { StatusStore } from './status.js';

const EPOCH_KEY = 'fleet.outbox-epoch';

export type FleetOutboxKind = 'events' | 'findings';

export interface FleetOutboxRow {
  seq: number;
  kind: FleetOutboxKind;
  /** The JSON array as stored: published as it is, never parsed again. */
  payload: string;
  createdAt: Millis;
}

export class FleetOutboxStore {
  private readonly insertStmt: Statement<[string, string, number]>;
  private readonly oldestStmt: Statement<
    [number, number],
    { seq: number; kind: string; payload: string; created_at: number }
  >;
  private readonly removeStmt: Statement<[number]>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly trimStmt: Statement<[number]>;
  /** Made once per store: seqs restart with a new store, its epoch tells them apart. */
  readonly epoch: string;

  constructor(db: Database) {
    const status = new StatusStore(db);
    const known = status.get(EPOCH_KEY)?.value;
    if (typeof known === 'string') this.epoch = known;
    else {
      this.epoch = randomBytes(8).toString('hex');
      status.put(EPOCH_KEY, this.epoch, Date.now());
    }
    this.insertStmt = db.prepare(
      'INSERT INTO fleet_outbox (kind, payload, created_at) VALUES (?, ?, ?)',
    );
    this.oldestStmt = db.prepare(
      'SELECT seq, kind, payload, created_at FROM fleet_outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.removeStmt = db.prepare('DELETE FROM fleet_outbox WHERE seq = ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM fleet_outbox');
    // The oldest rows beyond the newest `max`.
    this.trimStmt = db.prepare(
      'DELETE FROM fleet_outbox WHERE seq <= (SELECT seq FROM fleet_outbox ORDER BY seq DESC LIMIT 1 OFFSET ?)',
    );
  }

  /** Queues a row; returns its seq. Runs in the caller's transaction when there is one. */
  append(kind: FleetOutboxKind, payload: readonly unknown[], now: Millis): number {
    return Number(
      this.insertStmt.run(kind, JSON.stringify(payload), Math.floor(now)).lastInsertRowid,
    );
  }

  /** The oldest rows after `afterSeq`, in order. */
  oldest(limit: number, afterSeq = 0): FleetOutboxRow[] {
    return this.oldestStmt.all(afterSeq, limit).map((r) => ({
      seq: r.seq,
      kind: r.kind as FleetOutboxKind,
      payload: r.payload,
      createdAt: r.created_at,
    }));
  }

  /** JetStream has the row. */
  remove(seq: number): void {
    this.removeStmt.run(seq);
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  /** Keeps the newest `max` rows; returns how many older ones were dropped. */
  trim(max: number): number {
    return this.trimStmt.run(max).changes;
  }
}
