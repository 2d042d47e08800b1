import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AddressSlab, type SlabOwner } from './slab.js';

/** Records what the slab tells its owner. */
class Owner implements SlabOwner {
  capacity = 0;
  evicted: number[] = [];
  grow(capacity: number): void {
    assert.ok(capacity > this.capacity, 'the slab only grows');
    this.capacity = capacity;
  }
  evict(slot: number): void {
    this.evicted.push(slot);
  }
}

/** Keys as the slab takes them, from a small number so that they repeat. */
function key(n: number): [number, number, number, number, number] {
  // Some keys differ in one word only, some in the tag only: every word must count.
  return [n % 3 === 0 ? 6 : 4, n >>> 2, n % 7, n & 1 ? 0xffffffff : 0, n % 5];
}

describe('AddressSlab', () => {
  it('keeps the most recently used keys, in exact LRU order, through growth and eviction', () => {
    fc.assert(
      fc.property(
        // Small caps evict all the time; large ones grow the table past its first size.
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 3000 })),
        fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 6000, size: 'max' }),
        (max, ops) => {
          const owner = new Owner();
          const slab = new AddressSlab(max, owner);
          // The model: a Map's insertion order, oldest first.
          const model = new Map<number, number>();
          let evictions = 0;
          for (const n of ops) {
            const k = key(n);
            let slot = slab.find(...k);
            assert.equal(slot !== -1, model.has(n), `key ${n} found iff the model has it`);
            if (slot !== -1) {
              assert.equal(slot, model.get(n));
              slab.touch(slot);
              model.delete(n);
            } else {
              if (model.size === max) {
                const [oldest, oldSlot] = model.entries().next().value!;
                model.delete(oldest);
                evictions++;
                slot = slab.insert(...k);
                assert.equal(slot, oldSlot, 'the least recently used slot is reused');
                assert.equal(owner.evicted.at(-1), slot);
              } else slot = slab.insert(...k);
              assert.deepEqual([...slab.key(slot)], k);
            }
            model.set(n, slot);
          }
          assert.equal(slab.size, model.size);
          assert.equal(slab.evictions, evictions);
          assert.equal(owner.evicted.length, evictions);
          assert.ok(owner.capacity >= slab.size && owner.capacity <= max);
          assert.deepEqual([...slab.slots()], [...model.values()].reverse());
          for (const [n, slot] of model) assert.equal(slab.find(...key(n)), slot);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps exact LRU order when keys are also removed, and reuses their slots first', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 3000 })),
        fc.array(fc.record({ n: fc.integer({ min: 0, max: 4000 }), remove: fc.boolean() }), {
          minLength: 1,
          maxLength: 6000,
          size: 'max',
        }),
        withRemovals,
      ),
      { numRuns: 40 },
    );
  });

  it('stays exact when removals move the entries of a small, crowded table', () => {
    // Few keys, a tiny cap and many removals: the table's entries shift back often, also the
    // next one to evict, between evictions.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.record({ n: fc.integer({ min: 0, max: 40 }), remove: fc.boolean() }), {
          minLength: 1,
          maxLength: 3000,
          size: 'max',
        }),
        withRemovals,
      ),
      { numRuns: 200 },
    );
  });

  it('starts small and grows only as keys arrive', () => {
    const owner = new Owner();
    const slab = new AddressSlab(100_000, owner);
    assert.ok(owner.capacity < 100_000);
    for (let i = 0; i < 5000; i++) slab.insert(4, i, 0, 0, 0);
    assert.ok(owner.capacity >= 5000 && owner.capacity < 100_000);
    assert.equal(slab.evictions, 0);
    for (let i = 0; i < 5000; i++) assert.equal(slab.find(4, i, 0, 0, 0), i);
  });
});

/** Random inserts, touches and removals against a model of exact LRU order. */
function withRemovals(max: number, ops: { n: number; remove: boolean }[]): void {
  const owner = new Owner();
  const slab = new AddressSlab(max, owner);
  const model = new Map<number, number>();
  let evictions = 0;
  for (const { n, remove } of ops) {
    const k = key(n);
    let slot = slab.find(...k);
    assert.equal(slot !== -1, model.has(n), `key ${n} found iff the model has it`);
    if (remove) {
      if (slot !== -1) {
        slab.remove(slot);
        model.delete(n);
        assert.equal(slab.find(...k), -1, 'a removed key is not found');
      }
      continue;
    }
    if (slot !== -1) {
      slab.touch(slot);
      model.delete(n);
    } else {
      const inUse = new Set(model.values());
      if (model.size === max) {
        const [oldest, oldSlot] = model.entries().next().value!;
        model.delete(oldest);
        inUse.delete(oldSlot);
        evictions++;
      }
      slot = slab.insert(...k);
      assert.ok(!inUse.has(slot), 'a new key never takes a slot in use');
      assert.ok(slot < max);
    }
    model.set(n, slot);
  }
  assert.equal(slab.size, model.size);
  assert.equal(slab.evictions, evictions);
  assert.deepEqual([...slab.slots()], [...model.values()].reverse());
  for (const [n, slot] of model) assert.equal(slab.find(...key(n)), slot);
}
