/**
 * Connection addresses across restarts: written with the writer's transactions
 * (and again after one fails), read back by the next process, expired, and
 * bounded under a flood of connections.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONNECTION_SLOTS, ConnectionAddresses } from './connections.js';
import { Store, StoreWriter } from './index.js';
import { ManualScheduler, T0 } from './testing.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-store-connections-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const IDLE = 10 * 60_000;

function open(path = join(root, `c${++n}.db`)) {
  const store = Store.open(path);
  const addresses = new ConnectionAddresses(store.db);
  const clock = new ManualScheduler();
  const writer = new StoreWriter(store, { scheduler: clock, parts: [addresses] });
  const close = () => {
    writer.close();
    store.close();
  };
  return { path, store, addresses, clock, writer, close };
}

const rows = (store: Store) =>
  store.db.prepare<[], { c: number }>('SELECT count(*) AS c FROM connection_addresses').get()!.c;

describe('ConnectionAddresses', () => {
  it('what a jail learned is written with the next flush and read back after a restart', () => {
    const a = open();
    const sshd = a.addresses.journal('sshd');
    sshd.learned({ logHost: 'web1', pid: 10, host: '198.51.100.7', seenAt: T0 });
    sshd.learned({ logHost: 'web1', pid: 11, host: '198.51.100.8', seenAt: T0 + 1 });
    sshd.learned({ logHost: null, pid: 12, host: '2001:db8::9', seenAt: null });
    a.addresses
      .journal('other')
      .learned({ logHost: 'web1', pid: 10, host: '192.0.2.1', seenAt: T0 });
    sshd.forgotten('web1', 11);
    // As the daemon does after a batch of a source without a cursor (syslog) whose
    // lines gave no event: nothing is queued, the journal alone makes a flush due.
    a.writer.add({ sourceId: 'syslog', cursor: null });
    a.clock.advance(200);
    assert.equal(rows(a.store), 3);
    a.close();

    const b = open(a.path);
    assert.deepEqual(b.addresses.load('sshd', IDLE), [
      { logHost: 'web1', pid: 10, host: '198.51.100.7', seenAt: T0 },
      // A line without a time is saved at the time of the write.
      { logHost: null, pid: 12, host: '2001:db8::9', seenAt: T0 + 200 },
    ]);
    assert.deepEqual(
      b.addresses.load('other', IDLE).map((r) => r.host),
      ['192.0.2.1'],
    );
    b.close();
  });

  it('a failed transaction writes nothing; the next one writes it all', () => {
    const a = open();
    const sshd = a.addresses.journal('sshd');
    a.store.db.pragma('query_only = ON');
    sshd.learned({ logHost: 'web1', pid: 20, host: '198.51.100.20', seenAt: T0 });
    a.writer.add({ sourceId: 'syslog', cursor: null });
    a.clock.advance(200);
    assert.equal(a.writer.stats().outage?.kind, 'readonly');
    sshd.learned({ logHost: 'web1', pid: 21, host: '198.51.100.21', seenAt: T0 });
    a.store.db.pragma('query_only = OFF');
    a.clock.advance(1000);
    assert.equal(a.writer.stats().outage, null);
    assert.deepEqual(
      a.addresses.load('sshd', IDLE).map((r) => r.pid),
      [20, 21],
    );
    a.close();
  });

  it('forgets addresses idle for longer than a connection can be, counted from the newest', () => {
    const a = open();
    const sshd = a.addresses.journal('sshd');
    sshd.learned({ logHost: 'web1', pid: 30, host: '198.51.100.30', seenAt: T0 });
    sshd.learned({ logHost: 'web1', pid: 31, host: '198.51.100.31', seenAt: T0 + IDLE });
    sshd.learned({ logHost: 'web1', pid: 32, host: '198.51.100.32', seenAt: T0 + IDLE + 1 });
    a.writer.flush();
    assert.deepEqual(
      a.addresses.load('sshd', IDLE).map((r) => r.pid),
      [31, 32],
    );
    assert.equal(rows(a.store), 2, 'the expired row is deleted');
    a.close();
  });

  it('stays within its slots under a flood of connections, in memory and on disk', () => {
    const a = open();
    const sshd = a.addresses.journal('sshd');
    const flood = CONNECTION_SLOTS * 4;
    for (let pid = 1; pid <= flood; pid++)
      sshd.learned({
        logHost: 'web1',
        pid,
        host: `10.${pid >> 16}.${(pid >> 8) & 255}.${pid & 255}`,
        seenAt: T0 + pid,
      });
    a.writer.flush();
    const stored = rows(a.store);
    assert.ok(stored <= CONNECTION_SLOTS, `${stored} rows`);
    // Most slots are taken: a hash that spreads the pids well.
    assert.ok(stored > CONNECTION_SLOTS * 0.9, `${stored} rows`);
    // The newest connections won their slots.
    const loaded = a.addresses.load('sshd', Number.MAX_SAFE_INTEGER);
    assert.equal(loaded.at(-1)?.pid, flood);
    a.close();
  });

  it('a forgotten connection does not cancel another one that took its slot', () => {
    const a = open();
    const slots = 1; // every connection shares the one slot
    const addresses = new ConnectionAddresses(a.store.db, slots);
    const writer = new StoreWriter(a.store, { scheduler: a.clock, parts: [addresses] });
    const sshd = addresses.journal('sshd');
    sshd.learned({ logHost: 'web1', pid: 40, host: '198.51.100.40', seenAt: T0 });
    writer.flush();
    sshd.learned({ logHost: 'web1', pid: 41, host: '198.51.100.41', seenAt: T0 + 1 });
    sshd.forgotten('web1', 40);
    writer.flush();
    assert.deepEqual(
      addresses.load('sshd', IDLE).map((r) => r.pid),
      [41],
    );
    sshd.forgotten('web1', 41);
    writer.flush();
    assert.deepEqual(addresses.load('sshd', IDLE), []);
    writer.close();
    a.close();
  });
});
