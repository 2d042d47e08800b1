/**
 * The soak (npm run soak), short: 20 rotations of every kind and 5 kill -9s of
 * a real `sheriff watch`, then every numbered line is stored exactly once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { soak } from './soak.js';

describe('soak (short)', () => {
  it('stores every line exactly once across 20 rotations and 5 kill -9s', async () => {
    const r = await soak({ rotations: 20, kills: 5, rate: 2000, seed: 7 });
    assert.equal(r.rotations, 20);
    assert.equal(r.kills, 5);
    assert.ok(r.written > 10_000, `${r.written} lines written`);
    assert.deepEqual(
      { lost: r.lost, duplicated: r.duplicated, stored: r.stored, errors: r.sourceErrors },
      { lost: 0, duplicated: 0, stored: r.written, errors: 0 },
    );
  });
});
