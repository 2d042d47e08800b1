/**
 * The StoreWriter's in-memory queue: batches in arrival order, a size cap that
 * drops the oldest queued events, and the bookkeeping that keeps cursors honest.
 *
 * Cursor rule. A stored cursor means "every event and finding this source
 * produced up to here is in the store". So when the cap drops anything a
 * batch of source S produced, S is PINNED for the rest of this writer's life:
 * that batch and every later batch of S still have their events and findings
 * written, but their cursors are not, and S's stored cursor stays at the last
 * one whose batch was written whole. After a restart S resumes from there and
 * reads the dropped lines again, so nothing is lost; the price is that the
 * lines S read after the drop, which were stored, are read and stored a second
 * time. We choose duplicates over holes: a hole in a security record is silent
 * and permanent, a duplicate is visible and bounded by the queue. Drops only
 * happen when the store has been unwritable long enough to fill the queue, so
 * the writer reports them (see `pinnedSources`) and the operator can restart.
 *
 * Cap rule. `maxQueue` bounds queued events plus findings. Events go first,
 * oldest first; findings (rare, and the conclusions that matter) go only when
 * no event is left to drop.
 */
import type { Finding, Millis } from '../domain.js';
import type { EventRecord } from './events.js';

export interface QueuedFinding {
  finding: Finding;
  createdAt: Millis;
}

export interface QueueEntry {
  readonly sourceId: string;
  /** Cursor after the lines of this batch (and of cursor-only batches merged into it). */
  cursor: string | null;
  events: readonly EventRecord[];
  findings: readonly QueuedFinding[];
  /** False once the source is pinned at or before this entry: write its rows, not its cursor. */
  storeCursor: boolean;
  /** Nothing left to write (rows dropped, cursor pinned): skipped, and removed by compaction. */
  dead?: boolean;
}

export class WriteQueue {
  private entries: QueueEntry[] = [];
  /** Each source's newest queued entry, for merging cursor-only batches into. */
  private readonly latest = new Map<string, QueueEntry>();
  private readonly pinned = new Set<string>();
  /** Entries before this index hold no events (where the next event drop starts looking). */
  private dropHint = 0;
  private empties = 0;
  events = 0;
  findings = 0;
  droppedEvents = 0;
  droppedFindings = 0;

  constructor(private readonly maxQueue: number) {}

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  pinnedSources(): string[] {
    return [...this.pinned].sort();
  }

  push(
    sourceId: string,
    cursor: string | null,
    events: readonly EventRecord[],
    findings: readonly QueuedFinding[],
  ): void {
    const last = this.latest.get(sourceId);
    if (events.length === 0 && findings.length === 0) {
      if (cursor === null) return;
      if (last !== undefined) {
        // The lines since `last` produced nothing: its rows plus this cursor
        // are exactly what the store must hold to resume here.
        last.cursor = cursor;
        return;
      }
    }
    const entry: QueueEntry = {
      sourceId,
      cursor,
      events,
      findings,
      storeCursor: !this.pinned.has(sourceId),
    };
    this.entries.push(entry);
    this.latest.set(sourceId, entry);
    this.events += events.length;
    this.findings += findings.length;
    this.enforceCap();
  }

  /** The oldest entries holding at least `maxEvents` events (at least one entry), still queued. */
  peek(maxEvents: number): QueueEntry[] {
    let n = 0;
    let events = 0;
    while (n < this.entries.length && (n === 0 || events < maxEvents)) {
      events += this.entries[n]!.events.length;
      n++;
    }
    return this.entries.slice(0, n);
  }

  /** Forgets the first `n` entries: they were written. */
  shift(n: number): void {
    for (const e of this.entries.splice(0, n)) {
      this.events -= e.events.length;
      this.findings -= e.findings.length;
      if (this.latest.get(e.sourceId) === e) this.latest.delete(e.sourceId);
      if (e.dead === true) this.empties--;
    }
    this.dropHint = Math.max(0, this.dropHint - n);
  }

  private enforceCap(): void {
    let over = this.events + this.findings - this.maxQueue;
    if (over <= 0) return;
    while (over > 0 && this.events > 0) {
      while (this.entries[this.dropHint]!.events.length === 0) this.dropHint++;
      const i = this.dropHint;
      const e = this.entries[i]!;
      const k = Math.min(over, e.events.length);
      e.events = e.events.slice(k);
      this.events -= k;
      this.droppedEvents += k;
      over -= k;
      this.pin(i);
    }
    for (let i = 0; over > 0 && i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.findings.length === 0) continue;
      const k = Math.min(over, e.findings.length);
      e.findings = e.findings.slice(k);
      this.findings -= k;
      this.droppedFindings += k;
      over -= k;
      this.pin(i);
    }
    this.compact();
  }

  /** Entry `i` lost rows: neither its cursor nor any later one of its source may be stored. */
  private pin(i: number): void {
    const source = this.entries[i]!.sourceId;
    this.pinned.add(source);
    // Per source, storeCursor runs true…true false…false in queue order: stop at the first false.
    for (let j = i; j < this.entries.length; j++) {
      const e = this.entries[j]!;
      if (e.sourceId !== source) continue;
      if (!e.storeCursor) break;
      e.storeCursor = false;
      this.markIfDead(e);
    }
    this.markIfDead(this.entries[i]!);
  }

  private markIfDead(e: QueueEntry): void {
    if (e.dead !== true && !e.storeCursor && e.events.length === 0 && e.findings.length === 0) {
      e.dead = true;
      this.empties++;
    }
  }

  /** Drops entries left with nothing to write, once they are a good share of the queue. */
  private compact(): void {
    if (this.empties < 1024 || this.empties * 2 < this.entries.length) return;
    for (const e of this.entries) {
      if (e.dead === true && this.latest.get(e.sourceId) === e) this.latest.delete(e.sourceId);
    }
    this.entries = this.entries.filter((e) => e.dead !== true);
    this.dropHint = 0;
    this.empties = 0;
  }
}
