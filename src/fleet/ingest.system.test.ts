/**
 * The hub's ingest against a real nats-server: several hosts' messages are
 * stored at once, each host's in order, each row once, however late
 * JetStream delivers it.
 */
import assert from 'node:assert/strict';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { after, afterEach, before, describe, it } from 'node:test';
import { createLogger } from '../log.js';
import type { Async } from '../store/api.js';
import { asyncHosts, HostStore, onlyResult, type IngestRow } from '../store/hosts.js';
import { Store } from '../store/index.js';
import { startNatsServer, type NatsCluster } from '../testing/nats-server.js';
import { waitFor } from '../testing/wait.js';
import { ensureStreams } from './connect.js';
import { HubIngest } from './ingest.js';
import { HOSTS_STREAM, HUB_CONSUMER, hostSubject, type EventBatch } from './protocol.js';

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

const silent = createLogger({ level: 'silent', format: 'json' });

function hubIngest(hosts: Async<HostStore>, on = nc): HubIngest {
  return new HubIngest({
    nc: on,
    hosts,
    clock: () => Date.now(),
    logger: silent,
    crossHost: null,
    finding: () => undefined,
    distributed: () => undefined,
    confirmation: () => undefined,
    retryMs: 1,
  });
}

/**
 * A real SQLite hosts store; `calls` holds each ingestMany's rows as "host
 * seq". `fail` makes a call fail; each call waits for `gate` first.
 */
function sqliteHosts(
  fail: (rows: readonly IngestRow[]) => boolean = () => false,
  gate: () => Promise<unknown> = () => Promise.resolve(),
) {
  const store = Store.open(':memory:');
  const real = asyncHosts(new HostStore(store.db));
  const calls: string[][] = [];
  const hosts: Async<HostStore> = {
    ...real,
    ingestMany: async (rows, now) => {
      calls.push(rows.map((r) => `${r.host} ${r.seq}`));
      await gate();
      if (fail(rows)) throw new Error('the store failed');
      return real.ingestMany(rows, now);
    },
    // The same store a row at a time.
    ingest: async (host, epoch, seq, batch, now) =>
      onlyResult(await hosts.ingestMany([{ host, epoch, seq, batch }], now)),
  };
  return { hosts, calls, store };
}

async function publish(rows: readonly (readonly [string, number])[]): Promise<void> {
  const js = jetstream(nc);
  for (const [host, seq] of rows)
    await js.publish(hostSubject(host, 'events'), JSON.stringify(batch(seq)));
}

describe('hub ingest', () => {
  // Each test reads only what it published: the consumer is durable, so one
  // test's stream must be drained before the next starts.
  afterEach(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(HOSTS_STREAM);
    await jsm.consumers.delete(HOSTS_STREAM, HUB_CONSUMER).catch(() => undefined);
  });

  it("stores another host's rows while one host's row waits on the store, and one host's rows in order", async () => {
    /** Each row as its store starts; host a's first waits until host b's rows are in. */
    const started: string[] = [];
    let releaseA = () => {};
    const aWaits = new Promise<void>((resolve) => (releaseA = resolve));
    const hosts = {
      ingestMany: async (rows: readonly IngestRow[]) => {
        for (const { host, seq } of rows) {
          started.push(`${host}${seq}`);
          if (host === 'a' && seq === 1) await aWaits;
          if (host === 'b' && seq === 2) releaseA();
        }
        return rows.map(() => []);
      },
      status: () => Promise.resolve(),
      rejected: () => Promise.resolve(),
      confirm: () => Promise.resolve(),
      confirmations: () => Promise.resolve([]),
      list: () => Promise.resolve([]),
    } as unknown as Async<HostStore>;
    await publish([
      ['a', 1],
      ['a', 2],
      ['b', 1],
      ['b', 2],
    ]);
    const ingest = hubIngest(hosts);
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

  it("stores what waits in few transactions, each host's rows once and in order", async () => {
    const sent = Array.from(
      { length: 60 },
      (_, i) => [`h${i % 6}`, Math.floor(i / 6) + 1] as const,
    );
    // The store is busy until the hub's connection has received every message
    // (on a connection of its own, which receives nothing else meanwhile) and
    // the hub has read them (its loop takes what was received without giving
    // way to timers): what it read meanwhile waits together.
    const hubNc = await connect({ servers: nats.urls });
    let base = Infinity;
    let received: Promise<unknown> | null = null;
    const { hosts, calls, store } = sqliteHosts(
      undefined,
      () =>
        (received ??= waitFor(
          'every message received by the hub',
          () => hubNc.stats().inMsgs >= base + sent.length,
        ).then(() => new Promise((resolve) => setImmediate(resolve)))),
    );
    await publish(sent);
    const ingest = hubIngest(hosts, hubNc);
    await ingest.start();
    base = hubNc.stats().inMsgs;
    try {
      await waitFor('every row stored', () => ingest.counts.stored === sent.length);
      assert.ok(calls.length < sent.length / 2, `${calls.length} transactions`);
      for (let h = 0; h < 6; h++) {
        const seqs = calls.flat().filter((c) => c.startsWith(`h${h} `));
        assert.deepEqual(
          seqs,
          Array.from({ length: 10 }, (_, i) => `h${h} ${i + 1}`),
        );
      }
      assert.equal(await store.records.events.count(), 60);
    } finally {
      await ingest.stop();
      await hubNc.close();
      store.close();
    }
  });

  it("keeps a host's later rows behind one the store failed on, so none is taken for a duplicate", async () => {
    let failures = 0;
    const { hosts, store } = sqliteHosts((rows) => {
      if (failures > 0 || !rows.some((r) => r.host === 'a' && r.seq === 1)) return false;
      failures++;
      return true;
    });
    await publish([
      ['a', 1],
      ['b', 1],
      ['a', 2],
    ]);
    const ingest = hubIngest(hosts);
    await ingest.start();
    try {
      await waitFor(
        'every message handled',
        () => ingest.counts.stored + ingest.counts.duplicates >= 3,
      );
      assert.deepEqual({ ...ingest.counts }, { stored: 3, duplicates: 0, rejected: 0, failed: 1 });
      const lines = (await store.records.events.queryEvents({})).map((e) => e.line).sort();
      assert.deepEqual(lines, [batch(1), batch(1), batch(2)].map((b) => b.events[0]!.line).sort());
    } finally {
      await ingest.stop();
      store.close();
    }
  });

  it("stores a host's row JetStream redelivers after its later ones (a delivery lost in a disconnect)", async () => {
    const jsm = await jetstreamManager(nc);
    // The hub's consumer, made first with a short ack wait so the lost row comes back soon.
    await jsm.consumers.add(HOSTS_STREAM, {
      durable_name: HUB_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(1000),
    });
    await publish([
      ['a', 1],
      ['a', 2],
      ['a', 3],
    ]);
    // A hub took a1 and lost its connection before storing it: a1 waits out its ack wait.
    const lost = await jetstream(nc).consumers.get(HOSTS_STREAM, HUB_CONSUMER);
    assert.equal((await lost.next())?.json<EventBatch>().seq, 1);
    const { hosts, store } = sqliteHosts();
    const ingest = hubIngest(hosts);
    await ingest.start();
    try {
      await waitFor(
        'a1 redelivered and handled',
        () => ingest.counts.stored + ingest.counts.duplicates >= 3,
      );
      assert.deepEqual({ ...ingest.counts }, { stored: 3, duplicates: 0, rejected: 0, failed: 0 });
      const lines = (await store.records.events.queryEvents({})).map((e) => e.line).sort();
      assert.deepEqual(lines, [1, 2, 3].map((seq) => batch(seq).events[0]!.line).sort());
    } finally {
      await ingest.stop();
      store.close();
    }
  });

  it("terminates a row the store keeps refusing while others are stored, and stores its host's later rows", async () => {
    const { hosts, store } = sqliteHosts((rows) => rows.some((r) => r.host === 'a' && r.seq === 1));
    await publish([
      ['a', 1],
      ['a', 2],
    ]);
    const ingest = hubIngest(hosts);
    await ingest.start();
    try {
      // Another host keeps sending: the store works, only a's first row fails.
      for (let seq = 1; ingest.counts.rejected === 0; seq++) {
        await publish([['b', seq]]);
        await waitFor('b stored', () => ingest.counts.stored >= seq);
      }
      await waitFor("a's second row stored", () =>
        store.records.events
          .queryEvents({ sensor: 'a' })
          .then((e) => e.length === 1 && e[0]!.line === batch(2).events[0]!.line),
      );
      assert.equal(ingest.counts.rejected, 1);
      assert.equal((await hosts.list()).find((h) => h.name === 'a')?.rejected, 1);
    } finally {
      await ingest.stop();
      store.close();
    }
  });
});
