/**
 * The hub's records of its sensors: each host's last status, the outbox seq
 * stored from it last, and what it confirmed of each decision. `ingestMany`
 * stores sensors' outbox rows with their identities (host, epoch, seq) in one
 * transaction, so a row JetStream delivers twice (the hub stopped before its
 * ack) is stored once, and a row it delivers late (after newer ones, once its
 * ack wait ran out) is stored all the same.
 *
 * Events keep the sensor's name in `source` ("<host>:<source>"): the records
 * tables stay the single host's, and a per-host view is a prefix of one column.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Finding, Millis } from '../domain.js';
import { checkEventRecord, EventStore, type EventRecord } from './events.js';
import { FindingStore } from './findings.js';
import type { Async } from './api.js';
import { asyncOf } from './index.js';

export interface HostStatusReport {
  version: string;
  lagMs: number;
  outbox: number;
  errors: string[];
  groups: string[];
  at: Millis;
}

export interface HostRow {
  name: string;
  lastSeen: Millis;
  version: string | null;
  lagMs: number | null;
  outbox: number | null;
  errors: string[];
  groups: string[];
  statusAt: Millis | null;
  /** Messages from it that failed their schema. */
  rejected: number;
  /** Decisions it last confirmed as applied. */
  bansApplied: number;
}

export interface Confirmed {
  decision: string;
  host: string;
  outcome: string;
  reason: string | null;
  at: Millis;
}

export interface IngestBatch {
  events?: readonly EventRecord[];
  findings?: readonly { finding: Finding; createdAt: Millis }[];
}

/** One outbox row of a sensor. */
export interface IngestRow {
  host: string;
  epoch: string;
  seq: number;
  batch: IngestBatch;
}

/** A row no store can ever take (an invalid event in it): storing it again fails again. */
export class InvalidRowError extends Error {
  override name = 'InvalidRowError';
}

/**
 * What became of one row of `ingestMany`: the stored findings' ids, null for
 * a row stored before, or why it cannot be stored.
 */
export type IngestResult = number[] | null | InvalidRowError;

/**
 * Checks every row before any is stored, so that one bad row of a batch costs
 * only itself: the results so far (an InvalidRowError for each bad row), and
 * the good rows with their events named by their sensor, in order.
 */
export function checkIngestRows(
  rows: readonly IngestRow[],
  check: (e: EventRecord) => void = checkEventRecord,
): { results: (IngestResult | undefined)[]; good: { at: number; row: IngestRow }[] } {
  const results: (IngestResult | undefined)[] = [];
  const good: { at: number; row: IngestRow }[] = [];
  rows.forEach((row, at) => {
    try {
      const events = (row.batch.events ?? []).map((e) => {
        check(e);
        return { ...e, source: sensorSource(row.host, e.source) };
      });
      good.push({ at, row: { ...row, batch: { ...row.batch, events } } });
      results.push(undefined);
    } catch (err) {
      results.push(new InvalidRowError((err as Error).message, { cause: err }));
    }
  });
  return { results, good };
}

/** A host's seq in one epoch of its outbox. */
export interface EpochSeq {
  epoch: string | null;
  seq: number;
}

/**
 * The row counts as stored without its identity: a hub before the identities
 * were kept (migration 10 / PostgreSQL 4) knew only each host's last seq, its
 * floor, and may still be sent the rows up to it again.
 */
export function belowFloor(row: IngestRow, floor: EpochSeq | undefined): boolean {
  return floor !== undefined && floor.epoch === row.epoch && row.seq <= floor.seq;
}

/** Moves a host's last seq by a stored row: the highest of its epoch; a new epoch starts over. */
export function moveLast(last: Map<string, EpochSeq>, row: IngestRow): void {
  const known = last.get(row.host);
  const seq = known?.epoch === row.epoch ? Math.max(known.seq, row.seq) : row.seq;
  last.set(row.host, { epoch: row.epoch, seq });
}

/** The source column of an event a sensor sent: the sensor's name first. */
export function sensorSource(host: string, source: string | null): string {
  return `${host}:${source ?? ''}`;
}

/** The sensor's name in the source of an event stored at the hub (null for none). */
export function sensorOf(source: string | null): string | null {
  const i = source?.indexOf(':') ?? -1;
  return i > 0 ? source!.slice(0, i) : null;
}

/** A fleet_hosts row with its count of applied confirmations, as both stores read it. */
export interface HostDbRow {
  name: string;
  last_seen: number;
  version: string | null;
  lag_ms: number | null;
  outbox: number | null;
  errors: string;
  groups: string;
  status_at: number | null;
  rejected: number;
  bans_applied: number;
}

export function hostFromRow(r: HostDbRow): HostRow {
  return {
    name: r.name,
    lastSeen: r.last_seen,
    version: r.version,
    lagMs: r.lag_ms,
    outbox: r.outbox,
    errors: JSON.parse(r.errors) as string[],
    groups: JSON.parse(r.groups) as string[],
    statusAt: r.status_at,
    rejected: r.rejected,
    bansApplied: r.bans_applied,
  };
}

export class HostStore {
  private readonly events: EventStore;
  private readonly findings: FindingStore;
  private readonly floorStmt: Statement<[string], EpochSeq>;
  private readonly identityStmt: Statement<[string, string, number, number]>;
  private readonly seenStmt: Statement<[string, number, string, number]>;
  private readonly statusStmt: Statement<
    [string, number, string, number, number, string, string, number]
  >;
  private readonly rejectStmt: Statement<[string, number]>;
  private readonly confirmStmt: Statement<[string, string, string, string | null, number]>;
  private readonly listStmt: Statement<[], HostDbRow>;
  private readonly confirmedStmt: Statement<[string], Confirmed>;
  private readonly ingestTx: Transaction<
    (good: readonly { at: number; row: IngestRow }[], now: Millis) => Map<number, number[]>
  >;

  constructor(db: Database) {
    this.events = new EventStore(db);
    this.findings = new FindingStore(db);
    this.floorStmt = db.prepare(
      'SELECT floor_epoch AS epoch, floor_seq AS seq FROM fleet_hosts WHERE name = ?',
    );
    this.identityStmt = db.prepare(
      'INSERT OR IGNORE INTO fleet_ingested (host, epoch, seq, at) VALUES (?, ?, ?, ?)',
    );
    // As moveLast: the highest seq of the epoch, a new epoch starts over.
    this.seenStmt = db.prepare(
      `INSERT INTO fleet_hosts (name, last_seen, epoch, last_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen),
         epoch = excluded.epoch,
         last_seq = CASE WHEN epoch IS excluded.epoch THEN max(last_seq, excluded.last_seq)
                    ELSE excluded.last_seq END`,
    );
    this.statusStmt = db.prepare(
      `INSERT INTO fleet_hosts (name, last_seen, version, lag_ms, outbox, errors, groups, status_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen),
         version = excluded.version, lag_ms = excluded.lag_ms, outbox = excluded.outbox,
         errors = excluded.errors, groups = excluded.groups, status_at = excluded.status_at`,
    );
    this.rejectStmt = db.prepare(
      `INSERT INTO fleet_hosts (name, last_seen, rejected) VALUES (?, ?, 1)
       ON CONFLICT (name) DO UPDATE SET rejected = rejected + 1`,
    );
    this.confirmStmt = db.prepare(
      `INSERT INTO fleet_confirmations (decision, host, outcome, reason, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (decision, host) DO UPDATE SET outcome = excluded.outcome,
         reason = excluded.reason, at = excluded.at WHERE excluded.at >= at`,
    );
    this.listStmt = db.prepare(
      `SELECT h.name, h.last_seen, h.version, h.lag_ms, h.outbox, h.errors, h.groups, h.status_at,
         h.rejected, (SELECT count(*) FROM fleet_confirmations c
                      WHERE c.host = h.name AND c.outcome = 'applied') AS bans_applied
       FROM fleet_hosts h ORDER BY h.name`,
    );
    this.confirmedStmt = db.prepare(
      'SELECT decision, host, outcome, reason, at FROM fleet_confirmations WHERE decision = ? ORDER BY host',
    );
    this.ingestTx = db.transaction((good, now) => {
      const floors = new Map<string, EpochSeq | undefined>();
      const stored = new Map<number, number[]>();
      for (const { at, row } of good) {
        if (!floors.has(row.host)) floors.set(row.host, this.floorStmt.get(row.host));
        if (belowFloor(row, floors.get(row.host))) continue;
        // A row is new iff its identity is: a redelivery (or a copy in this batch) is ignored.
        if (this.identityStmt.run(row.host, row.epoch, row.seq, Math.floor(now)).changes === 0)
          continue;
        for (const e of row.batch.events ?? []) this.events.insert(e);
        const ids = (row.batch.findings ?? []).map((f) =>
          this.findings.insert({ ...f.finding, hosts: [row.host] }, f.createdAt),
        );
        this.seenStmt.run(row.host, Math.floor(now), row.epoch, row.seq);
        stored.set(at, ids);
      }
      return stored;
    });
  }

  /**
   * Stores one outbox row of `host` unless it was stored already (the same
   * host, epoch and seq). The stored findings' ids, or
   * null for a row stored before; throws for a row that cannot be stored.
   */
  ingest(
    host: string,
    epoch: string,
    seq: number,
    batch: IngestBatch,
    now: Millis,
  ): number[] | null {
    return onlyResult(this.ingestMany([{ host, epoch, seq, batch }], now));
  }

  /**
   * Stores sensors' outbox rows, several hosts' at once, in one transaction:
   * each host's in the order given, each unless stored already (a row given
   * twice is stored once). A row with an invalid event is left out (its
   * result says why) and the others are stored; a failure of the store itself
   * throws, and nothing is stored.
   */
  ingestMany(rows: readonly IngestRow[], now: Millis): IngestResult[] {
    const { results, good } = checkIngestRows(rows);
    const stored =
      good.length === 0 ? new Map<number, number[]>() : this.ingestTx.immediate(good, now);
    return results.map((r, at) => r ?? stored.get(at) ?? null);
  }

  status(host: string, s: HostStatusReport, now: Millis): void {
    this.statusStmt.run(
      host,
      Math.floor(now),
      s.version,
      s.lagMs,
      s.outbox,
      JSON.stringify(s.errors),
      JSON.stringify(s.groups),
      s.at,
    );
  }

  /** A message from `host` failed its schema. */
  rejected(host: string, now: Millis): void {
    this.rejectStmt.run(host, Math.floor(now));
  }

  confirm(c: Confirmed): void {
    this.confirmStmt.run(c.decision, c.host, c.outcome, c.reason, Math.floor(c.at));
  }

  /** What each host last confirmed of `decision`. */
  confirmations(decision: string): Confirmed[] {
    return this.confirmedStmt.all(decision);
  }

  list(): HostRow[] {
    return this.listStmt.all().map(hostFromRow);
  }
}

/** `ingest`'s result from `ingestMany`'s of one row: an invalid row throws. */
export function onlyResult(results: readonly IngestResult[]): number[] | null {
  const r = results[0]!;
  if (r instanceof InvalidRowError) throw r;
  return r;
}

/** The SQLite hosts store behind the asynchronous interface the hub uses (PostgreSQL's is another). */
export function asyncHosts(h: HostStore): Async<HostStore> {
  return asyncOf(h);
}
