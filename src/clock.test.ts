/**
 * The clocks: the manual one runs what falls due, in time order, each at its
 * own time, and cron runs where croner puts them in the zone (09:00 Seoul);
 * the system one's schedule agrees with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextCronRun, systemClock } from './clock.js';
import { ManualClock } from './testing/manual-clock.js';

const T0 = Date.UTC(2026, 10, 25, 7, 0, 0); // 16:00 in Seoul

describe('ManualClock', () => {
  it('advance runs due timers in time order, each at its own time, repeating ones again', async () => {
    const clock = new ManualClock(T0);
    const runs: string[] = [];
    const at = (name: string) => () => void runs.push(`${name}@${clock.now() - T0}`);
    clock.every(1000, at('1s'));
    clock.after(2500, at('once'));
    clock.every(5000, at('5s'));
    const stopped = clock.every(700, at('stopped'));
    stopped.stop();
    await clock.advance(999);
    assert.deepEqual(runs, []);
    await clock.advance(5001);
    assert.deepEqual(runs, [
      '1s@1000',
      '1s@2000',
      'once@2500',
      '1s@3000',
      '1s@4000',
      // Due together: in the order they were set.
      '1s@5000',
      '5s@5000',
      '1s@6000',
    ]);
    assert.equal(clock.now(), T0 + 6000);
  });

  it('awaits each run before the next, so a test sees its work done', async () => {
    const clock = new ManualClock(T0);
    const done: number[] = [];
    clock.every(1000, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      done.push(clock.now() - T0);
    });
    await clock.advance(2000);
    assert.deepEqual(done, [1000, 2000]);
  });

  it('a timer stopped by an earlier one in the same advance does not run', async () => {
    const clock = new ManualClock(T0);
    const runs: string[] = [];
    const later = clock.after(2000, () => void runs.push('later'));
    clock.after(1000, () => {
      runs.push('first');
      later.stop();
    });
    await clock.advance(3000);
    assert.deepEqual(runs, ['first']);
    assert.equal(clock.pending, 0);
  });

  it('cron fires at 09:00 in the zone, every day, and not after stop', async () => {
    const clock = new ManualClock(T0);
    const fired: number[] = [];
    const job = clock.cron('0 9 * * *', 'Asia/Seoul', () => void fired.push(clock.now()));
    const nine = Date.UTC(2026, 10, 26, 0, 0, 0); // 09:00 on the 26th in Seoul
    assert.equal(job.nextRun(), nine);
    await clock.advanceTo(nine - 1);
    assert.deepEqual(fired, []);
    await clock.advance(2 * 86_400_000);
    assert.deepEqual(fired, [nine, nine + 86_400_000]);
    assert.equal(job.nextRun(), nine + 2 * 86_400_000);
    job.stop();
    assert.equal(job.nextRun(), null);
    await clock.advance(2 * 86_400_000);
    assert.equal(fired.length, 2);
  });
});

describe('systemClock', () => {
  it('schedules cron where croner and the manual clock do, and stops', () => {
    const job = systemClock.cron('0 9 * * *', 'Asia/Seoul', () => {});
    try {
      assert.equal(job.nextRun(), nextCronRun('0 9 * * *', 'Asia/Seoul', Date.now()));
    } finally {
      job.stop();
    }
    assert.equal(job.nextRun(), null);
  });

  it('runs a tick and a wait on real time', async () => {
    const runs: string[] = [];
    let tick: { stop(): void } | undefined;
    await new Promise<void>((resolve) => {
      tick = systemClock.every(5, () => void runs.push('tick'));
      systemClock.after(20, () => {
        runs.push('after');
        resolve();
      });
    });
    tick?.stop();
    assert.ok(runs.includes('tick'));
    assert.ok(runs.includes('after'));
  });
});
