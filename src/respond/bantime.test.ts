import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bantimeFor, WEEK_MS } from './bantime.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('bantimeFor', () => {
  it('doubles per earlier ban by default, capped at one week', () => {
    const table: [number, number][] = [
      [0, 10 * MIN],
      [1, 20 * MIN],
      [2, 40 * MIN],
      [3, 80 * MIN],
      [4, 160 * MIN],
      [8, 2560 * MIN],
      [9, 5120 * MIN],
      [10, WEEK_MS], // 10240 min would be past the week
      [11, WEEK_MS],
      [5000, WEEK_MS], // 2^5000 is Infinity: still the cap
    ];
    for (const [offence, expected] of table) {
      assert.equal(bantimeFor(10 * MIN, offence), expected, `offence ${offence}`);
    }
    assert.equal(WEEK_MS, 7 * DAY);
  });

  it('takes a factor, a maximum and a permanent threshold', () => {
    const table: [number, number, Parameters<typeof bantimeFor>[2], number | null][] = [
      [HOUR, 0, { factor: 3 }, HOUR],
      [HOUR, 1, { factor: 3 }, 3 * HOUR],
      [HOUR, 2, { factor: 3 }, 9 * HOUR],
      [HOUR, 3, { factor: 3 }, 27 * HOUR],
      [HOUR, 4, { factor: 3 }, 81 * HOUR],
      [HOUR, 5, { factor: 3 }, WEEK_MS],
      [HOUR, 7, { factor: 1 }, HOUR],
      [HOUR, 4, { max: DAY }, 16 * HOUR],
      [HOUR, 5, { max: DAY }, DAY],
      [2 * DAY, 0, { max: DAY }, DAY], // the cap applies to the first ban too
      [HOUR, 2, { permanentAfter: 3 }, 4 * HOUR],
      [HOUR, 3, { permanentAfter: 3 }, null],
      [HOUR, 9, { permanentAfter: 3 }, null],
      [HOUR, 0, { permanentAfter: 0 }, null],
      [1500, 1, { factor: 1.5 }, 2250],
      [1000, 1, { factor: 1.0005 }, 1001], // rounded to whole ms
    ];
    for (const [base, offence, opts, expected] of table) {
      assert.equal(
        bantimeFor(base, offence, opts),
        expected,
        JSON.stringify([base, offence, opts]),
      );
    }
  });

  it('rejects nonsense', () => {
    assert.throws(() => bantimeFor(0, 0), RangeError);
    assert.throws(() => bantimeFor(HOUR, -1), RangeError);
    assert.throws(() => bantimeFor(HOUR, 1.5), RangeError);
    assert.throws(() => bantimeFor(HOUR, 0, { factor: 0.5 }), RangeError);
    assert.throws(() => bantimeFor(HOUR, 0, { max: 0 }), RangeError);
    assert.throws(() => bantimeFor(HOUR, 0, { permanentAfter: -1 }), RangeError);
  });
});
