/**
 * StoreWriter: keeps the store off the detection hot path. `add()` only
 * queues; a timer writes the queue in one transaction per flush that inserts
 * the events and findings and moves every affected source's cursor, so after
 * kill -9 a source's stored cursor and its stored events always agree.
 *
 * When a write fails (disk full, read-only, I/O error, locked), the
 * transaction rolls back, so nothing already stored is touched and nothing
 * half-written remains; the queue is kept and retried with capped exponential
 * backoff. `onError` fires once when an outage starts, `onRecover` once when
 * it ends. The queue is bounded: see writer-queue.ts for what is dropped and
 * why a source whose rows were dropped stops having its cursor stored.
 */
import type { Database, Transaction } from 'better-sqlite3';
import type { Finding, Millis } from '../domain.js';
import { checkEventRecord, type EventRecord, type EventStore } from './events.js';
import { checkFinding, type FindingStore } from './findings.js';
import type { PositionStore } from './positions.js';
import { WriteQueue, type QueueEntry } from './writer-queue.js';

/** Clock and timers, injectable so tests never sleep. */
export interface Scheduler {
  now(): Millis;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Real timers, unref'd: the writer never keeps a process alive (call `close()` to flush). */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the writer needs from the store (a `Store` is one). */
export interface WriterTarget {
  readonly db: Database;
  readonly events: EventStore;
  readonly findings: FindingStore;
  readonly positions: PositionStore;
}

/**
 * More state written in every flush's transaction, so that it is exactly as
 * durable as the cursors written with it (the connection addresses the filters
 * learned, store/connections.ts).
 */
export interface WriterPart {
  /** Something waits to be written: a flush is due even with no batch queued. */
  readonly dirty: boolean;
  /** Writes what waits, inside the transaction. */
  write(now: Millis): void;
  /** The transaction committed. When it failed, the next `write` writes it all again. */
  written(): void;
}

/** What one source batch produced. */
export interface WriteBatch {
  sourceId: string;
  /** The source's cursor after the batch's lines, or null for sources that cannot resume. */
  cursor: string | null;
  events?: readonly EventRecord[];
  findings?: readonly Finding[];
}

export type FailureKind = 'full' | 'readonly' | 'io' | 'busy' | 'corrupt' | 'other';

export interface WriteFailure {
  kind: FailureKind;
  /** SQLite (extended) error code, e.g. SQLITE_FULL, or null. */
  code: string | null;
  /** When the outage began. */
  since: Millis;
  retryInMs: number;
  queuedEvents: number;
}

export interface WriteRecovery {
  since: Millis;
  outageMs: number;
  /** Failed attempts during the outage. */
  failures: number;
  /** Dropped by the queue cap during the outage. */
  droppedEvents: number;
  droppedFindings: number;
  /** Sources whose cursor is pinned (see writer-queue.ts): a restart re-reads from their stored cursor. */
  pinnedSources: string[];
}

export interface StoreWriterOptions {
  /** Flush this long after the first queued batch. Default 200 ms. */
  flushMs?: number;
  /** Flush as soon as this many events are queued; also the most one transaction writes. Default 1000. */
  maxBatch?: number;
  /** Most events + findings held in memory; beyond it the oldest events are dropped. Default 200 000. */
  maxQueue?: number;
  /** Retry delays double from backoffMinMs up to backoffMaxMs. Defaults 1 s and 30 s. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  scheduler?: Scheduler;
  parts?: readonly WriterPart[];
  onError?: (err: unknown, info: WriteFailure) => void;
  onRecover?: (info: WriteRecovery) => void;
}

export interface WriterStats {
  queuedEvents: number;
  queuedFindings: number;
  writtenEvents: number;
  writtenFindings: number;
  /** Committed write transactions. */
  transactions: number;
  droppedEvents: number;
  droppedFindings: number;
  /** Failed write attempts, all outages together. */
  failures: number;
  /** The current outage, or null when writes succeed. */
  outage: { since: Millis; kind: FailureKind; code: string | null; failures: number } | null;
  pinnedSources: string[];
}

export interface CloseResult {
  /** Everything queued was written. */
  flushed: boolean;
  /** Events not written: their cursors were not stored either, so their sources re-read them on the next start. */
  unwrittenEvents: number;
}

export class StoreWriter {
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly backoffMin: number;
  private readonly backoffMax: number;
  private readonly scheduler: Scheduler;
  private readonly queue: WriteQueue;
  private readonly parts: readonly WriterPart[];
  private readonly writeTx: Transaction<(entries: QueueEntry[], now: Millis) => void>;
  private timer: unknown = null;
  private timerDue = 0;
  private closed = false;
  private outage: (NonNullable<WriterStats['outage']> & { dropped: [number, number] }) | null =
    null;
  private readonly counts = { writtenEvents: 0, writtenFindings: 0, transactions: 0, failures: 0 };

  constructor(
    target: WriterTarget,
    private readonly options: StoreWriterOptions = {},
  ) {
    this.flushMs = positive('flushMs', options.flushMs ?? 200, true);
    this.maxBatch = positive('maxBatch', options.maxBatch ?? 1000);
    this.backoffMin = positive('backoffMinMs', options.backoffMinMs ?? 1000);
    this.backoffMax = Math.max(this.backoffMin, options.backoffMaxMs ?? 30_000);
    this.scheduler = options.scheduler ?? systemScheduler;
    this.queue = new WriteQueue(positive('maxQueue', options.maxQueue ?? 200_000));
    this.parts = options.parts ?? [];
    this.writeTx = target.db.transaction((entries: QueueEntry[], now: Millis) => {
      const cursors = new Map<string, string>();
      for (const e of entries) {
        for (const ev of e.events) target.events.insert(ev);
        for (const f of e.findings) target.findings.insert(f.finding, f.createdAt);
        if (e.storeCursor && e.cursor !== null) cursors.set(e.sourceId, e.cursor);
      }
      for (const [source, cursor] of cursors) target.positions.set(source, cursor, now);
      for (const part of this.parts) part.write(now);
    });
  }

  /**
   * Queues what one source batch produced. Synchronous and cheap; throws a
   * TypeError for a malformed record (a bug), never for a store problem.
   * The arrays are kept, not copied: do not change them afterwards.
   */
  add(batch: WriteBatch): void {
    if (this.closed) throw new Error('StoreWriter.add after close');
    const events = batch.events ?? [];
    const findings = batch.findings ?? [];
    events.forEach(checkEventRecord);
    findings.forEach(checkFinding);
    const now = this.scheduler.now();
    this.queue.push(
      batch.sourceId,
      batch.cursor,
      events,
      findings.map((finding) => ({ finding, createdAt: now })),
    );
    if (this.outage !== null || !this.due) return; // the retry timer is set
    this.schedule(this.queue.events >= this.maxBatch ? 0 : this.flushMs);
  }

  /** Writes everything queued now. False when a write failed (the queue is kept, a retry set). */
  flush(): boolean {
    while (this.due) {
      if (!this.writeChunk()) return false;
    }
    return true;
  }

  /** Batches are queued, or a part has something to write. */
  private get due(): boolean {
    return !this.queue.isEmpty || this.parts.some((p) => p.dirty);
  }

  /** Flushes synchronously and stops the timers. Call before closing the store. */
  close(): CloseResult {
    if (!this.closed) {
      this.closed = true;
      this.flush();
      this.cancelTimer();
    }
    return { flushed: this.queue.isEmpty, unwrittenEvents: this.queue.events };
  }

  stats(): WriterStats {
    const o = this.outage;
    return {
      queuedEvents: this.queue.events,
      queuedFindings: this.queue.findings,
      ...this.counts,
      droppedEvents: this.queue.droppedEvents,
      droppedFindings: this.queue.droppedFindings,
      outage: o && { since: o.since, kind: o.kind, code: o.code, failures: o.failures },
      pinnedSources: this.queue.pinnedSources(),
    };
  }

  private onTimer(): void {
    this.timer = null;
    if (!this.due || !this.writeChunk()) return;
    // More than one transaction's worth was queued (after an outage): carry
    // on at once, but let the event loop run in between.
    if (this.due) this.schedule(0);
  }

  /** One transaction of at most about maxBatch events. */
  private writeChunk(): boolean {
    const entries = this.queue.peek(this.maxBatch);
    const now = this.scheduler.now();
    try {
      this.writeTx.immediate(entries, now);
    } catch (err) {
      this.failed(err, now);
      return false;
    }
    let events = 0;
    let findings = 0;
    for (const e of entries) {
      events += e.events.length;
      findings += e.findings.length;
    }
    this.queue.shift(entries.length);
    for (const part of this.parts) part.written();
    this.counts.writtenEvents += events;
    this.counts.writtenFindings += findings;
    this.counts.transactions++;
    if (this.outage !== null) this.recovered(now);
    return true;
  }

  private failed(err: unknown, now: Millis): void {
    this.counts.failures++;
    const code = errorCode(err);
    const first = this.outage === null;
    this.outage ??= {
      since: now,
      kind: failureKind(code),
      code,
      failures: 0,
      dropped: [this.queue.droppedEvents, this.queue.droppedFindings],
    };
    const o = this.outage;
    o.failures++;
    const retryInMs = Math.min(
      this.backoffMax,
      this.backoffMin * 2 ** Math.min(o.failures - 1, 30),
    );
    if (!this.closed) this.schedule(retryInMs, true);
    if (first) {
      this.options.onError?.(err, {
        kind: o.kind,
        code,
        since: o.since,
        retryInMs,
        queuedEvents: this.queue.events,
      });
    }
  }

  private recovered(now: Millis): void {
    const o = this.outage!;
    this.outage = null;
    this.cancelTimer();
    if (this.due && !this.closed) this.schedule(0);
    this.options.onRecover?.({
      since: o.since,
      outageMs: now - o.since,
      failures: o.failures,
      droppedEvents: this.queue.droppedEvents - o.dropped[0],
      droppedFindings: this.queue.droppedFindings - o.dropped[1],
      pinnedSources: this.queue.pinnedSources(),
    });
  }

  /** Makes sure a flush happens within `ms` (or exactly at `ms`, when `replace`). */
  private schedule(ms: number, replace = false): void {
    const due = this.scheduler.now() + ms;
    if (this.timer !== null) {
      if (!replace && this.timerDue <= due) return;
      this.cancelTimer();
    }
    this.timerDue = due;
    this.timer = this.scheduler.setTimer(() => this.onTimer(), ms);
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.scheduler.clearTimer(this.timer);
    this.timer = null;
  }
}

function positive(name: string, v: number, zeroOk = false): number {
  if (!Number.isFinite(v) || v < (zeroOk ? 0 : 1)) {
    throw new RangeError(`StoreWriter ${name} must be ${zeroOk ? '≥ 0' : '≥ 1'}, not ${v}`);
  }
  return v;
}

function errorCode(err: unknown): string | null {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return null;
}

export function failureKind(code: string | null): FailureKind {
  if (code === null) return 'other';
  if (code.startsWith('SQLITE_FULL')) return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'readonly';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'io';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  return 'other';
}
