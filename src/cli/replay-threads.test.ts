/**
 * How many threads `sheriff replay` reads several files with (replay-parallel.ts):
 * as many as asked for; by default one per core, but a thread more only for as
 * much to read as pays for its start.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { parallelThreads } from './replay-parallel.js';

const MiB = 2 ** 20;
const four = ['a.log', 'b.log', 'c.log', 'd.log'];

describe('replay threads', () => {
  it('are as many as asked for, at most one per file', () => {
    assert.equal(parallelThreads(four, [1, 1, 1, 1], false, 2), 2);
    assert.equal(parallelThreads(four, [1, 1, 1, 1], false, 9), 4);
    assert.equal(parallelThreads(four, [1, 1, 1, 1], false, 1), 0);
  });

  it('by default: none for little to read, else up to one per core', () => {
    assert.equal(parallelThreads(four, [5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB], false), 0);
    const big = [100 * MiB, 100 * MiB, 100 * MiB, 100 * MiB];
    const cores = availableParallelism();
    assert.equal(parallelThreads(four, big, false), cores < 2 ? 0 : Math.min(4, cores));
  });

  it('none for one file, stdin, or the long-horizon search', () => {
    assert.equal(parallelThreads(['a.log'], [100 * MiB], false, 2), 0);
    assert.equal(parallelThreads(['a.log', '-'], [100 * MiB, 0], false, 2), 0);
    assert.equal(parallelThreads(four, [100 * MiB, 1, 1, 1], true, 2), 0);
  });
});
