/**
 * A file read after another thread read the one before starts from that one's
 * last minutes (replay-tail.ts): which lines those are.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONNECTION_IDLE_MS } from '../filters/engine.js';
import { recentFrom } from './replay-tail.js';

const MIN = 60_000;
const SPAN = 2 * CONNECTION_IDLE_MS;

describe('the last minutes of the file before', () => {
  it('begin at the first line within twice the idle time of the last time, read from the end', () => {
    // Times as numbers in the text; "-" has none.
    const lines = [
      '0',
      String(5 * MIN),
      '-',
      String(100 * MIN - SPAN),
      '-',
      String(100 * MIN),
      '-',
    ];
    const read: string[] = [];
    const from = recentFrom(lines, (l) => {
      read.push(l);
      return l === '-' ? null : Number(l);
    });
    assert.equal(from, 2, 'from the line after the last one older than the span');
    assert.deepEqual(read, [
      '-',
      String(100 * MIN),
      '-',
      String(100 * MIN - SPAN),
      '-',
      String(5 * MIN),
    ]);
  });

  it('are every line when none is older than the span, or none has a time', () => {
    assert.equal(recentFrom(['1', '2', '3'], Number), 0);
    assert.equal(
      recentFrom(['a', 'b'], () => null),
      0,
    );
    assert.equal(recentFrom([], Number), 0);
  });

  it('keep a line whose time steps back within the span', () => {
    // A rotation's lines a little out of order: the earlier time is still within reach.
    const lines = [String(0), String(50 * MIN), String(50 * MIN - 3 * MIN), String(50 * MIN + MIN)];
    assert.equal(recentFrom(lines, Number), 1);
  });
});
