/**
 * A Clock whose time moves only when a test says so: `advance(ms)` runs the
 * ticks, waits and cron runs that fall due, in time order (in the order they
 * were set when due together), each at its own time, awaiting each one.
 * Cron times are croner's, as the real clock's are.
 */
import { nextCronRun, type Clock, type Schedule, type Stop, type Tick } from '../clock.js';
import type { Millis } from '../domain.js';

interface Timer {
  due: Millis;
  /** Order of setting: of timers due at the same time, the one set first runs first. */
  seq: number;
  fn: Tick;
  /** When it runs next after running at `due`, or null for once. */
  next: (due: Millis) => Millis | null;
  stopped: boolean;
}

export class ManualClock implements Clock {
  private time: Millis;
  private seq = 0;
  private readonly timers = new Set<Timer>();

  constructor(start: Millis = Date.now()) {
    this.time = start;
  }

  readonly now = (): Millis => this.time;

  every(ms: number, fn: Tick): Stop {
    if (!(ms > 0)) throw new RangeError(`every: expected a positive interval, got ${ms}`);
    return this.add(this.time + ms, fn, (due) => due + ms);
  }

  after(ms: number, fn: Tick): Stop {
    return this.add(this.time + Math.max(0, ms), fn, () => null);
  }

  cron(expr: string, timezone: string | undefined, fn: Tick): Schedule {
    const first = nextCronRun(expr, timezone, this.time);
    if (first === null) return { stop: () => {}, nextRun: () => null };
    const timer = this.timer(first, fn, (due) => nextCronRun(expr, timezone, due));
    return {
      stop: () => this.drop(timer),
      nextRun: () => (timer.stopped ? null : timer.due),
    };
  }

  /** Timers still set. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running what falls due on the way. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance: expected ms ≥ 0, got ${ms}`);
    await this.advanceTo(this.time + ms);
  }

  /** Moves time forward to `end`, running what falls due on the way, each at its time. */
  async advanceTo(end: Millis): Promise<void> {
    for (let t = this.nextDue(end); t !== null; t = this.nextDue(end)) {
      this.time = t.due;
      const next = t.next(t.due);
      if (next === null) this.drop(t);
      await t.fn();
      if (next !== null && !t.stopped) t.due = next;
    }
    this.time = Math.max(this.time, end);
  }

  private nextDue(end: Millis): Timer | null {
    let first: Timer | null = null;
    for (const t of this.timers)
      if (
        t.due <= end &&
        (first === null || t.due < first.due || (t.due === first.due && t.seq < first.seq))
      )
        first = t;
    return first;
  }

  private add(due: Millis, fn: Tick, next: (due: Millis) => Millis | null): Stop {
    const timer = this.timer(due, fn, next);
    return { stop: () => this.drop(timer) };
  }

  private timer(due: Millis, fn: Tick, next: (due: Millis) => Millis | null): Timer {
    const timer: Timer = { due, seq: this.seq++, fn, next, stopped: false };
    this.timers.add(timer);
    return timer;
  }

  private drop(timer: Timer): void {
    timer.stopped = true;
    this.timers.delete(timer);
  }
}
