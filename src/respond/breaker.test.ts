import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0 } from '../store/testing.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';

const MIN = 60_000;

function make(options: { maxPerMinute?: number; coolDownMs?: number } = {}) {
  const clock = { now: T0 };
  const trips: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    ...options,
    clock: () => clock.now,
    onTrip: (s) => trips.push(s),
  });
  return { clock, trips, breaker };
}

describe('CircuitBreaker', () => {
  it('trips at the N+1th automatic ban within a minute, and fires onTrip once per trip', () => {
    const { clock, trips, breaker } = make(); // default 30 per minute
    for (let i = 0; i < 30; i++) {
      assert.equal(breaker.allowAutomatic(), true, `ban ${i + 1}`);
      clock.now += 1000;
    }
    assert.equal(breaker.state().tripped, false);
    assert.equal(breaker.state().recent, 30);
    assert.equal(breaker.allowAutomatic(), false); // the 31st, 30 s after the first
    assert.equal(breaker.tripped, true);
    assert.equal(trips.length, 1);
    assert.deepEqual(trips[0], {
      tripped: true,
      trippedAt: T0 + 30_000,
      resumesAt: T0 + 30_000 + 10 * MIN,
      recent: 30,
      maxPerMinute: 30,
      coolDownMs: 10 * MIN,
      trips: 1,
    });
    // Still tripped after the window slid past the burst; no second onTrip.
    clock.now += 2 * MIN;
    assert.equal(breaker.allowAutomatic(), false);
    assert.equal(breaker.allowAutomatic(), false);
    assert.equal(trips.length, 1);
  });

  it('does not trip when the same number of bans is spread out', () => {
    const { clock, trips, breaker } = make({ maxPerMinute: 30 });
    // 30 a minute, evenly, for ten minutes: 300 bans.
    for (let i = 0; i < 300; i++) {
      assert.equal(breaker.allowAutomatic(), true, `ban ${i + 1}`);
      clock.now += 2000;
    }
    assert.equal(trips.length, 0);
    // A window boundary: a ban exactly 60 s old no longer counts.
    const b = make({ maxPerMinute: 2 });
    assert.ok(b.breaker.allowAutomatic());
    b.clock.now += 59_999;
    assert.ok(b.breaker.allowAutomatic());
    b.clock.now += 1;
    assert.ok(b.breaker.allowAutomatic());
    assert.equal(b.breaker.allowAutomatic(), false);
  });

  it('an admin reset resumes automatic bans at once; the next trip fires onTrip again', () => {
    const { clock, trips, breaker } = make({ maxPerMinute: 3 });
    for (let i = 0; i < 3; i++) assert.ok(breaker.allowAutomatic());
    assert.equal(breaker.allowAutomatic(), false);
    clock.now += 1000;
    breaker.reset();
    assert.equal(breaker.state().tripped, false);
    assert.equal(breaker.state().recent, 0);
    for (let i = 0; i < 3; i++) assert.ok(breaker.allowAutomatic());
    assert.equal(breaker.allowAutomatic(), false);
    assert.deepEqual(
      trips.map((t) => [t.trippedAt, t.trips]),
      [
        [T0, 1],
        [T0 + 1000, 2],
      ],
    );
  });

  it('resumes by itself after the cool-down', () => {
    const { clock, trips, breaker } = make({ maxPerMinute: 1, coolDownMs: 10 * MIN });
    assert.ok(breaker.allowAutomatic());
    assert.equal(breaker.allowAutomatic(), false);
    clock.now += 10 * MIN - 1;
    assert.equal(breaker.allowAutomatic(), false);
    assert.equal(breaker.state().resumesAt, T0 + 10 * MIN);
    clock.now += 1;
    assert.equal(breaker.state().tripped, false);
    assert.ok(breaker.allowAutomatic());
    assert.equal(trips.length, 1);
  });

  it('an onTrip that throws does not break the breaker', () => {
    const breaker = new CircuitBreaker({
      maxPerMinute: 1,
      clock: () => T0,
      onTrip: () => {
        throw new Error('alert failed');
      },
    });
    assert.ok(breaker.allowAutomatic());
    assert.equal(breaker.allowAutomatic(), false);
    assert.equal(breaker.tripped, true);
  });

  it('rejects nonsense settings', () => {
    assert.throws(() => new CircuitBreaker({ maxPerMinute: 0 }), RangeError);
    assert.throws(() => new CircuitBreaker({ maxPerMinute: 1.5 }), RangeError);
    assert.throws(() => new CircuitBreaker({ coolDownMs: 0 }), RangeError);
  });
});
