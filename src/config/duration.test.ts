import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DurationError, formatDuration, parseDuration } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const W = 7 * D;

describe('parseDuration', () => {
  const cases: [string | number, number][] = [
    ['90s', 90 * S],
    ['10m', 10 * M],
    ['1h30m', H + 30 * M],
    ['2d', 2 * D],
    ['1w', W],
    ['600', 600 * S],
    ['0', 0],
    ['0s', 0],
    ['250ms', 250],
    ['1m30s', 90 * S],
    ['1m500ms', M + 500],
    ['1w2d3h4m5s6ms', W + 2 * D + 3 * H + 4 * M + 5 * S + 6],
    ['30m1h', H + 30 * M], // any order adds up
    ['010m', 10 * M],
    [' 10m ', 10 * M],
    ['\t90s\n', 90 * S],
    [600, 600 * S],
    [0, 0],
    [1.5, 1500],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${want} ms`, () => assert.equal(parseDuration(input), want));
  }

  it('says what it expected, quoting what it got', () => {
    assert.throws(() => parseDuration('ten'), {
      message: 'expected a duration like 10m, got "ten"',
    });
    assert.throws(() => parseDuration('ten'), DurationError);
  });

  const bad = [
    '',
    '   ',
    'ten',
    'm',
    '10x',
    '10M',
    '10 m',
    '10m5',
    '5 10m',
    'm10',
    '-5m',
    '+5m',
    '1.5h',
    '1e3',
    '0x10',
    '10min',
    '10mm',
    '1h30',
    '1h,30m',
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseDuration(input),
        (e: unknown) => {
          assert.ok(e instanceof DurationError);
          assert.equal(e.message, `expected a duration like 10m, got ${JSON.stringify(input)}`);
          return true;
        },
      );
    });
  }

  for (const input of [-1, NaN, Infinity, -Infinity]) {
    it(`rejects the number ${input}`, () => {
      assert.throws(() => parseDuration(input), {
        message: `expected a duration like 10m, got ${input}`,
      });
    });
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ms'],
    [999, '999ms'],
    [S, '1s'],
    [1500, '1s500ms'],
    [90 * S, '1m30s'],
    [10 * M, '10m'],
    [H + 30 * M, '1h30m'],
    [D, '1d'],
    [2 * D + 1, '2d1ms'],
    [W, '1w'],
    [2 * W, '2w'],
    [8 * D, '8d'],
    [90 * D, '90d'],
    [D + H + M + S + 1, '1d1h1m1s1ms'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms → ${want}`, () => assert.equal(formatDuration(ms), want));
  }

  it('round-trips through parseDuration', () => {
    const values = [
      ...cases.map(([ms]) => ms),
      7,
      59 * S,
      61 * M,
      23 * H + 59 * M + 59 * S + 999,
      W + 1,
      52 * W,
      365 * D,
      3 * W + 6 * D + 23 * H,
    ];
    for (const ms of values) assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
  });

  it('gives back a canonical spelling unchanged', () => {
    for (const text of ['1m30s', '10m', '1h30m', '2d', '1w', '1s500ms', '12h', '3d4h']) {
      assert.equal(formatDuration(parseDuration(text)), text);
    }
  });
});
