/** The hub's hosts store: each sensor outbox row stored once, a new sensor store's seqs not taken for old ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostStore } from './hosts.js';
import { Store } from './index.js';
import { sampleEvent, T0 } from './testing.js';

describe('HostStore.ingest', () => {
  it('stores a row once per (host, epoch, seq), keeps the host in the source, and starts over with a new epoch', () => {
    const store = Store.open(':memory:');
    const hosts = new HostStore(store.db);
    const batch = { events: [sampleEvent({ time: T0, ip: '203.0.113.5', source: 'auth.log' })] };
    assert.deepEqual(hosts.ingest('web-1', 'aaaaaaaa', 1, batch, T0), []);
    assert.equal(hosts.ingest('web-1', 'aaaaaaaa', 1, batch, T0), null, 'a redelivery');
    assert.deepEqual(
      hosts.ingest('web-2', 'aaaaaaaa', 1, batch, T0),
      [],
      'another host, its own seqs',
    );
    assert.deepEqual(hosts.ingest('web-1', 'aaaaaaaa', 2, batch, T0), []);
    // The sensor's store was recreated: its seqs start again at 1, under a new epoch.
    assert.deepEqual(hosts.ingest('web-1', 'bbbbbbbb', 1, batch, T0), []);
    assert.deepEqual(
      store.events.queryEvents({}).map((e) => e.source),
      ['web-1:auth.log', 'web-1:auth.log', 'web-2:auth.log', 'web-1:auth.log'],
    );
    store.close();
  });
});
