/** Helpers for the store tests: a manual clock and timers, sample rows. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Finding, Millis } from '../domain.js';
import type { RecordStore } from './api.js';
import type { EventRecord } from './events.js';
import type { Scheduler } from './writer.js';

export const T0: Millis = Date.UTC(2026, 10, 25, 7, 0, 0);

/** Timers that fire only when the test advances the clock. */
export class ManualScheduler implements Scheduler {
  private seq = 0;
  private readonly timers = new Map<number, { due: Millis; fn: () => void }>();

  constructor(public time: Millis = T0) {}

  now(): Millis {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { due: this.time + ms, fn });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Pending timers' delays from now, soonest first. */
  pending(): Millis[] {
    return [...this.timers.values()].map((t) => t.due - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock forward and fires the timers then due, but not the ones they set. */
  tick(ms: Millis = 0): void {
    this.time += ms;
    const due = [...this.timers]
      .filter(([, t]) => t.due <= this.time)
      .sort((a, b) => a[1].due - b[1].due);
    for (const [id, t] of due) {
      if (!this.timers.delete(id)) continue; // cleared by an earlier one
      t.fn();
    }
  }

  /** Moves the clock forward, firing due timers in order (including ones they set). */
  advance(ms: Millis): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { due: Millis; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].due <= end && (next === undefined || entry[1].due < next[1].due)) next = entry;
      }
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].due);
      next[1].fn();
    }
    this.time = end;
  }
}

export function sampleEvent(over: Partial<EventRecord> = {}): EventRecord {
  return {
    time: T0,
    jail: 'sshd',
    filter: 'sshd',
    rule: 'failed',
    result: 'fail',
    ip: '203.0.113.5',
    host: '203.0.113.5',
    user: 'root',
    attempts: 1,
    source: 'file:/var/log/auth.log',
    line: 'Nov 25 07:00:00 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2',
    ...over,
  };
}

export function sampleFinding(over: Partial<Finding> = {}): Finding {
  return {
    kind: 'bruteforce',
    jail: 'sshd',
    scope: 'address',
    ip: '203.0.113.5',
    count: 5,
    first: T0,
    last: T0 + 4000,
    users: ['root', 'admin'],
    ...over,
  };
}

/**
 * `records` as a remote database answers: every call settles a turn of the
 * event loop later, so callers interleave between a read and their write as
 * they would against PostgreSQL.
 */
export function remote(records: RecordStore): RecordStore {
  const later = (o: object): object =>
    Object.fromEntries(
      Object.entries(o).map(([name, v]: [string, unknown]) => [
        name,
        typeof v === 'function'
          ? async (...args: unknown[]) => {
              await nextTurn();
              return (v as (...a: unknown[]) => unknown).apply(o, args);
            }
          : typeof v === 'object' && v !== null
            ? later(v)
            : v,
      ]),
    );
  return later(records) as RecordStore;
}
