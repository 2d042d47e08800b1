/**
 * Time, injected: what time it is, ticks, one-shot waits and cron schedules.
 * The daemon and everything it builds take a Clock, so tests (with
 * testing/manual-clock.ts) move time forward instead of waiting for it. Modules
 * that only read the time keep taking `() => Millis`: pass `clock.now`.
 */
import { Cron } from 'croner';
import type { Millis } from './domain.js';

/** Stops a tick, a wait or a schedule; stopping twice is harmless. */
export interface Stop {
  stop(): void;
}

/** A cron schedule: when it runs next (null when stopped or never again). */
export interface Schedule extends Stop {
  nextRun(): Millis | null;
}

/**
 * A callback a timer runs. It MUST NOT reject (catch and log inside): the
 * real clock does not wait for it; the manual clock awaits it, so a test that
 * advances time sees its work done.
 */
export type Tick = () => void | Promise<void>;

export interface Clock {
  /** A property, so that `clock.now` can be handed to what wants `() => Millis`. */
  readonly now: () => Millis;
  /** Runs `fn` every `ms`, first after `ms`; never keeps the process alive. */
  every(ms: number, fn: Tick): Stop;
  /**
   * Runs `fn` once after `ms`. It keeps the process alive while pending, as a
   * plain timer does: a daemon waiting on nothing else (a file source between
   * polls) must not exit.
   */
  after(ms: number, fn: Tick): Stop;
  /**
   * Runs `fn` on the cron expression `expr` in the IANA zone `timezone` (undefined:
   * the machine's own); a run is skipped while the previous one has not finished.
   * Never keeps the process alive. Throws for an invalid expression or zone.
   */
  cron(expr: string, timezone: string | undefined, fn: Tick): Schedule;
}

/** The machine's time: Date.now, Node timers, croner. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(() => void fn(), ms).unref();
    return { stop: () => clearInterval(timer) };
  },
  after(ms, fn) {
    const timer = setTimeout(() => void fn(), ms);
    return { stop: () => clearTimeout(timer) };
  },
  cron(expr, timezone, fn) {
    // Awaited, so that `protect` skips a run while the last one lasts.
    const job = new Cron(expr, { ...zoned(timezone), protect: true, unref: true }, async () => {
      await fn();
    });
    return { stop: () => job.stop(), nextRun: () => job.nextRun()?.getTime() ?? null };
  },
};

/**
 * croner's zone option: none for the machine's own zone, which croner then reads
 * through Date rather than Intl (whose zone data costs a daemon some 6 MB to load).
 */
const zoned = (timezone: string | undefined) => (timezone === undefined ? {} : { timezone });

/** When `expr` in `timezone` (undefined: the machine's) next runs after `from`, or null (croner's own computation). */
export function nextCronRun(
  expr: string,
  timezone: string | undefined,
  from: Millis,
): Millis | null {
  return (
    new Cron(expr, { ...zoned(timezone), paused: true }).nextRun(new Date(from))?.getTime() ?? null
  );
}
