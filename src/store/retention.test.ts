import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Store } from './index.js';
import { sampleEvent as ev, T0 } from './testing.js';

const DAY = 86_400_000;
const root = mkdtempSync(join(tmpdir(), 'sheriff-store-retention-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A store with one event per day, days 0..count-1, inserted in a shuffled order. */
function storeWithDays(count: number): Store {
  const s = Store.open(join(root, `r${++n}.db`));
  const days = Array.from({ length: count }, (_, d) => d);
  days.sort((a, b) => ((a * 7919) % count) - ((b * 7919) % count));
  s.events.insertMany(days.map((d) => ev({ time: T0 + d * DAY, line: `day ${d}` })));
  return s;
}

const remainingDays = (s: Store) =>
  s.events
    .queryEvents({ limit: 10_000 })
    .map((e) => (e.time - T0) / DAY)
    .sort((a, b) => a - b);

describe('retention', () => {
  it('deletes events older than maxAge, by event time', () => {
    const s = storeWithDays(10);
    const now = T0 + 9 * DAY;
    const r = s.pruneSync({ maxAge: 3 * DAY }, now);
    assert.deepEqual(r, { byAge: 6, byCount: 0, removed: 6, chunks: 1 });
    assert.deepEqual(remainingDays(s), [6, 7, 8, 9]);
    assert.deepEqual(s.pruneSync({ maxAge: 3 * DAY }, now), {
      byAge: 0,
      byCount: 0,
      removed: 0,
      chunks: 0,
    });
    s.close();
  });

  it('keeps only the newest maxEvents, deleting the oldest first', () => {
    const s = storeWithDays(10);
    const r = s.pruneSync({ maxEvents: 4 }, T0);
    assert.deepEqual(r, { byAge: 0, byCount: 6, removed: 6, chunks: 1 });
    assert.deepEqual(remainingDays(s), [6, 7, 8, 9]);
    s.close();
  });

  it('applies age then count, in bounded chunks', () => {
    const s = storeWithDays(25);
    const now = T0 + 24 * DAY;
    // Age removes days 0..9 (10 rows: chunks of 3, 3, 3, 1), count then 15 → 5 (chunks 3, 3, 3, 1).
    const r = s.pruneSync({ maxAge: 14.5 * DAY, maxEvents: 5 }, now, { chunkSize: 3 });
    assert.deepEqual(r, { byAge: 10, byCount: 10, removed: 20, chunks: 8 });
    assert.deepEqual(remainingDays(s), [20, 21, 22, 23, 24]);
    s.close();
  });

  it('the async form yields between chunks and gives the same result', async () => {
    const s = storeWithDays(12);
    let seenMidway = -1;
    setImmediate(() => (seenMidway = s.events.count()));
    const r = await s.prune({ maxEvents: 2 }, T0, { chunkSize: 1 });
    assert.equal(seenMidway, 11, 'other work ran after the first chunk');
    assert.deepEqual(r, { byAge: 0, byCount: 10, removed: 10, chunks: 10 });
    assert.deepEqual(remainingDays(s), [10, 11]);
    s.close();
  });

  it('no policy, or a policy with nothing to do, removes nothing; bad values are refused', () => {
    const s = storeWithDays(3);
    assert.deepEqual(s.pruneSync({}, T0), { byAge: 0, byCount: 0, removed: 0, chunks: 0 });
    assert.deepEqual(s.pruneSync({ maxAge: null, maxEvents: 3 }, T0).removed, 0);
    assert.throws(() => s.pruneSync({ maxEvents: -1 }, T0), RangeError);
    assert.throws(() => s.pruneSync({ maxAge: 1 }, T0, { chunkSize: 0 }), RangeError);
    assert.equal(s.events.count(), 3);
    s.close();
  });
});
