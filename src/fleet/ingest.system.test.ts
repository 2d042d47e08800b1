/**
 * The hub's ingest against a real nats-server: several hosts' messages are
 * stored at once, each host's strictly in order (a host's seq must follow the
 * stored one, or a row would be taken for a duplicate).
 */
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../log.js';
import type { Async } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import { startNatsServer, type NatsCluster } from '../testing/nats-server.js';
import { waitFor } from '../testing/wait.js';
import { ensureStreams } from './connect.js';
import { HubIngest } from './ingest.js';
import { hostSubject, type EventBatch } from './protocol.js';

let nats: NatsCluster;
let nc: NatsConnection;

before(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.urls });
  await ensureStreams(nc);
});
after(async () => {
  await nc?.close();
  await nats?.stop();
});

const batch = (seq: number): EventBatch => ({
  v: 1,
  epoch: 'e0000001',
  seq,
  events: [
    {
      time: 1_800_000_000_000 + seq,
      jail: 'sshd',
      filter: 'sshd',
      rule: 'auth-fail',
      result: 'fail',
      ip: '203.0.113.9',
      host: null,
      user: 'root',
      attempts: 1,
      source: 'auth.log',
      line: `Failed password for root from 203.0.113.9 port ${seq}`,
    },
  ],
});

describe('hub ingest', () => {
  it("stores another host's rows while one host's row waits on the store, and one host's rows in order", async () => {
    /** Each ingest as it starts; host a's first waits until host b's rows are in. */
    const started: string[] = [];
    let releaseA = () => {};
    const aWaits = new Promise<void>((resolve) => (releaseA = resolve));
    const hosts = {
      ingest: async (host: string, _epoch: string, seq: number) => {
        started.push(`${host}${seq}`);
        if (host === 'a' && seq === 1) await aWaits;
        if (host === 'b' && seq === 2) releaseA();
        return [];
      },
      status: () => Promise.resolve(),
      rejected: () => Promise.resolve(),
      confirm: () => Promise.resolve(),
      confirmations: () => Promise.resolve([]),
      list: () => Promise.resolve([]),
    } as unknown as Async<HostStore>;
    const js = jetstream(nc);
    for (const [host, seq] of [
      ['a', 1],
      ['a', 2],
      ['b', 1],
      ['b', 2],
    ] as const)
      await js.publish(hostSubject(host, 'events'), JSON.stringify(batch(seq)));
    const ingest = new HubIngest({
      nc,
      hosts,
      clock: () => Date.now(),
      logger: createLogger({ level: 'silent', format: 'json' }),
      crossHost: null,
      finding: () => undefined,
      distributed: () => undefined,
      confirmation: () => undefined,
    });
    await ingest.start();
    try {
      await waitFor('every row stored', () => ingest.counts.stored === 4);
      // One at a time, a2 and b1, b2 would wait behind a1, which waits for b2: a hang.
      assert.deepEqual(started, ['a1', 'b1', 'b2', 'a2']);
    } finally {
      releaseA();
      await ingest.stop();
    }
  });
});
