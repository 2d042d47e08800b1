/**
 * The notification outbox: messages waiting to be sent, in order per target.
 * Rows are never handed out twice at once because one delivery worker (in the
 * daemon) drains the table; `markDelivered` is the single statement that says a
 * message was sent.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export type OutboxState = 'queued' | 'delivered' | 'failed';

export interface OutboxMessage {
  id: number;
  channel: string;
  target: string;
  payload: unknown;
  state: OutboxState;
  attempts: number;
  createdAt: Millis;
  nextAttemptAt: Millis;
  doneAt: Millis | null;
  lastError: string | null;
  result: unknown;
}

interface OutboxRow {
  id: number;
  channel: string;
  target: string;
  payload: string;
  state: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  done_at: number | null;
  last_error: string | null;
  result: string | null;
}

const COLUMNS =
  'id, channel, target, payload, state, attempts, created_at, next_attempt_at, done_at, last_error, result';
/** Errors are stored cut short: they may quote a remote server's answer. */
const MAX_ERROR = 500;

export class OutboxStore {
  private readonly insertStmt: Statement<[string, string, string, number, number]>;
  private readonly queuedStmt: Statement<[string, number], OutboxRow>;
  private readonly getStmt: Statement<[number], OutboxRow>;
  private readonly deliveredStmt: Statement<[number, string | null, number]>;
  private readonly retryStmt: Statement<[number, string, number]>;
  private readonly failedStmt: Statement<[number, string, number]>;
  private readonly countsStmt: Statement<[], { state: string; n: number }>;
  private readonly pruneStmt: Statement<[number]>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (channel, target, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`,
    );
    this.queuedStmt = db.prepare(
      `SELECT ${COLUMNS} FROM outbox WHERE channel = ? AND state = 'queued' ORDER BY id LIMIT ?`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`);
    this.deliveredStmt = db.prepare(
      `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, done_at = ?, result = ?, last_error = NULL
       WHERE id = ? AND state = 'queued'`,
    );
    this.retryStmt = db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
       WHERE id = ? AND state = 'queued'`,
    );
    this.failedStmt = db.prepare(
      `UPDATE outbox SET state = 'failed', attempts = attempts + 1, done_at = ?, last_error = ?
       WHERE id = ? AND state = 'queued'`,
    );
    this.countsStmt = db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state');
    this.pruneStmt = db.prepare(`DELETE FROM outbox WHERE state != 'queued' AND done_at < ?`);
  }

  /** Queues a message; returns its id. */
  enqueue(channel: string, target: string, payload: unknown, now: Millis): number {
    const json = JSON.stringify(payload);
    if (json === undefined) throw new TypeError('outbox payload is not JSON-serialisable');
    const at = Math.floor(now);
    return Number(this.insertStmt.run(channel, target, json, at, at).lastInsertRowid);
  }

  /** The oldest queued messages of a channel (due or not), in order. */
  queued(channel: string, limit = 500): OutboxMessage[] {
    return this.queuedStmt.all(channel, limit).map(toMessage);
  }

  get(id: number): OutboxMessage | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : toMessage(row);
  }

  markDelivered(id: number, now: Millis, result: unknown = null): boolean {
    const json = result === null || result === undefined ? null : JSON.stringify(result);
    return this.deliveredStmt.run(Math.floor(now), json, id).changes === 1;
  }

  /** One more failed attempt; try again at `nextAt`. */
  reschedule(id: number, nextAt: Millis, error: string): boolean {
    return this.retryStmt.run(Math.floor(nextAt), error.slice(0, MAX_ERROR), id).changes === 1;
  }

  /** Gives up on a message (a permanent error); it stays in the table with why. */
  markFailed(id: number, now: Millis, error: string): boolean {
    return this.failedStmt.run(Math.floor(now), error.slice(0, MAX_ERROR), id).changes === 1;
  }

  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { queued: 0, delivered: 0, failed: 0 };
    for (const r of this.countsStmt.all()) out[r.state as OutboxState] = r.n;
    return out;
  }

  /** Forgets delivered and failed messages finished before `before`; returns how many. */
  prune(before: Millis): number {
    return this.pruneStmt.run(Math.floor(before)).changes;
  }
}

function toMessage(r: OutboxRow): OutboxMessage {
  return {
    id: r.id,
    channel: r.channel,
    target: r.target,
    payload: JSON.parse(r.payload) as unknown,
    state: r.state as OutboxState,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    doneAt: r.done_at,
    lastError: r.last_error,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
  };
}
