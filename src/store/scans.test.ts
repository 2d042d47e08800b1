/**
 * Scanner sums (store/scans.ts) on a real SQLite file: one row per address and
 * ten minutes however often it is flushed, nothing counted twice when a
 * transaction fails and is written again, and a bounded map in memory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, ScanAggregator, SCAN_BUCKET_MS, type Store } from './index.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const MIN = 60_000;

let dir: string;
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-scans-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(maxPending?: number): { store: Store; scans: ScanAggregator; flush: () => void } {
  const store = openStore(join(dir, `s${n++}.db`));
  const scans = new ScanAggregator(store.db, maxPending);
  return {
    store,
    scans,
    flush: () => {
      store.db.transaction(() => scans.write())();
      scans.written();
    },
  };
}

const rows = (s: Store) =>
  s.db.prepare('SELECT ip, bucket, connections FROM scans ORDER BY ip, bucket').all();

describe('scanner sums', () => {
  it('keeps one row per address and ten minutes, however many flushes added to it', () => {
    const { store, scans, flush } = setup();
    try {
      for (let i = 0; i < 5; i++) {
        scans.add('sshd', '203.0.113.5', T0 + i * MIN, 'closed');
        flush();
      }
      scans.add('sshd', '203.0.113.5', T0 + 12 * MIN, 'no-identification');
      scans.add('sshd', '2001:db8::7', T0 + MIN, 'closed');
      flush();
      assert.deepEqual(rows(store), [
        { ip: '2001:db8::7', bucket: T0, connections: 1 },
        { ip: '203.0.113.5', bucket: T0, connections: 5 },
        { ip: '203.0.113.5', bucket: T0 + SCAN_BUCKET_MS, connections: 1 },
      ]);
      const s = store.scans.forAddress('203.0.113.5', T0, T0 + 20 * MIN)!;
      assert.deepEqual(
        [s.connections, s.buckets, s.first, s.last, s.rule],
        [6, 2, T0, T0 + 12 * MIN, 'no-identification'],
      );
      // A span that starts inside a bucket includes it; pruning drops buckets that ended before.
      assert.equal(
        store.scans.forAddress('203.0.113.5', T0 + 5 * MIN, T0 + 20 * MIN)!.connections,
        6,
      );
      assert.equal(store.scans.prune(T0 + SCAN_BUCKET_MS), 2);
      assert.deepEqual(store.scans.totals(T0, T0 + 20 * MIN), { connections: 1, addresses: 1 });
    } finally {
      store.close();
    }
  });

  it('finds busy scanners by their connections over the whole span, not in one bucket', () => {
    const { store, scans, flush } = setup();
    try {
      // 3 + 3 connections in two buckets, against 5 in one.
      for (const t of [0, 1, 2, 11, 12, 13])
        scans.add('sshd', '203.0.113.7', T0 + t * MIN, 'closed');
      for (let i = 0; i < 5; i++) scans.add('sshd', '198.51.100.4', T0 + i, 'closed');
      flush();
      assert.deepEqual(
        store.scans.busy(T0, T0 + 20 * MIN, 5, 10).map((s) => [s.ip, s.connections]),
        [
          ['203.0.113.7', 6],
          ['198.51.100.4', 5],
        ],
      );
    } finally {
      store.close();
    }
  });

  it('writes a failed transaction again, with what came since, counting nothing twice', () => {
    const { store, scans, flush } = setup();
    try {
      scans.add('sshd', '198.51.100.9', T0, 'closed');
      scans.add('sshd', '198.51.100.9', T0 + 1, 'closed');
      assert.throws(() =>
        store.db.transaction(() => {
          scans.write();
          throw new Error('disk full');
        })(),
      );
      scans.add('sshd', '198.51.100.9', T0 + 2, 'closed');
      flush();
      assert.equal(scans.dirty, false);
      assert.deepEqual(rows(store), [{ ip: '198.51.100.9', bucket: T0, connections: 3 }]);
    } finally {
      store.close();
    }
  });

  it('holds at most maxPending addresses between flushes; the rest are counted as dropped', () => {
    const { store, scans, flush } = setup(100);
    try {
      for (let i = 0; i < 1000; i++) scans.add('sshd', `198.51.${i >> 8}.${i & 255}`, T0, 'closed');
      // An address already waiting is still summed.
      scans.add('sshd', '198.51.0.0', T0 + 1, 'closed');
      assert.equal(scans.dropped, 900);
      flush();
      assert.deepEqual(store.scans.totals(T0, T0 + MIN), { connections: 101, addresses: 100 });
      // After the flush there is room again.
      scans.add('sshd', '203.0.113.1', T0, 'closed');
      flush();
      assert.equal(store.scans.totals(T0, T0 + MIN).addresses, 101);
    } finally {
      store.close();
    }
  });
});
