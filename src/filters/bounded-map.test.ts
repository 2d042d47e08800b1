import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('never holds more than its cap and counts what it evicts', () => {
    const m = new BoundedMap<number, number>(1000);
    for (let i = 0; i < 100_000; i++) {
      m.set(i, i);
      assert.ok(m.size <= 1000);
    }
    assert.equal(m.evictions + m.size, 100_000);
  });

  it('keeps entries that are touched, evicts the ones that are not', () => {
    const m = new BoundedMap<string, number>(4);
    m.set('hot', 1);
    for (let i = 0; i < 50; i++) {
      m.set(`cold${i}`, i);
      assert.equal(m.touch('hot'), 1);
    }
    assert.equal(m.peek('cold0'), undefined);
    assert.equal(m.peek('cold49'), 49);
  });

  it('set overwrites, delete removes from either generation', () => {
    const m = new BoundedMap<string, number>(4);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3); // 'a' and 'b' are now old
    m.set('a', 10);
    assert.equal(m.peek('a'), 10);
    assert.equal(m.delete('b'), true);
    assert.equal(m.peek('b'), undefined);
    assert.equal(m.delete('zz'), false);
  });
});
