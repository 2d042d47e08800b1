/**
 * A three-node NATS cluster with JetStream replicas 3, as a fleet would run
 * it: killing one node (the stream's leader, the worst one) loses no
 * acknowledged event and no decision, publishing goes on through the other
 * two, and the node, started again on its store, catches up.
 */
import assert from 'node:assert/strict';
import { AckPolicy, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import type { NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNatsCluster, type NatsCluster } from '../testing/nats-server.js';
import { waitFor } from '../testing/wait.js';
import { connectFleet, ensureStreams, openDecisions } from './connect.js';
import { accountsConfig } from './nats-config.js';
import { DECISIONS_BUCKET, HOSTS_STREAM, hostSubject } from './protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-cluster-'));
let nats: NatsCluster | undefined;
const open: NatsConnection[] = [];

function user(name: string): { seedFile: string; nkey: string } {
  const kp = createUser();
  const seedFile = join(dir, `${name}.seed`);
  writeFileSync(seedFile, new TextDecoder().decode(kp.getSeed()) + '\n', { mode: 0o600 });
  return { seedFile, nkey: kp.getPublicKey() };
}

const hubUser = user('hub');
const web1 = user('web-1');

before(async () => {
  nats = await startNatsCluster(3, {
    config: accountsConfig({ hub: hubUser.nkey, hosts: [{ name: 'web-1', nkey: web1.nkey }] }),
  });
});

after(async () => {
  await Promise.all(open.map((nc) => nc.close()));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Publishes until JetStream acknowledges, as a sensor's outbox does: the same
 * Nats-Msg-Id on every try, so a retry after a lost ack is stored once.
 */
function publishAcked(
  nc: NatsConnection,
  subject: string,
  data: string,
  msgID: string,
): Promise<PubAck> {
  const js = jetstream(nc, { timeout: 2_000 });
  return waitFor(`an ack for ${msgID}`, () =>
    js.publish(subject, data, { msgID }).catch(() => false as const),
  );
}

describe('a 3-node JetStream cluster', () => {
  it('losing the leader loses no acknowledged event and no decision; the node catches up', async () => {
    const cluster = nats!;
    const hub = await connectFleet({
      servers: cluster.urls,
      seedFile: hubUser.seedFile,
      name: 'hub',
    });
    const sensor = await connectFleet({
      servers: cluster.urls,
      seedFile: web1.seedFile,
      host: 'web-1',
    });
    open.push(hub, sensor);
    const { decisions } = await ensureStreams(hub, { replicas: 3 });
    // Generous request timeouts: elections on a loaded machine take seconds.
    const jsm = await jetstreamManager(hub, { timeout: 15_000 });
    assert.equal((await jsm.streams.info(HOSTS_STREAM)).config.num_replicas, 3);
    assert.equal((await decisions.status()).replicas, 3);

    const N = 100;
    const subject = hostSubject('web-1', 'events');
    const put = (i: number) =>
      waitFor(`decision ${i} stored`, () =>
        decisions
          .put(`d-${String(i).padStart(8, '0')}`, `{"ban":${i}}`)
          .catch(() => false as const),
      );
    for (let i = 0; i < N; i++) await publishAcked(sensor, subject, `{"n":${i}}`, `web-1-${i}`);
    for (let i = 0; i < 10; i++) await put(i);

    // Kill the node that leads the hosts stream: the remaining two elect a new leader.
    const leader = (await jsm.streams.info(HOSTS_STREAM)).cluster?.leader;
    const victim = cluster.nodes.find((n) => n.name === leader);
    assert.ok(victim, `the stream leader ${leader} is one of our nodes`);
    await victim.kill();

    for (let i = N; i < 2 * N; i++) await publishAcked(sensor, subject, `{"n":${i}}`, `web-1-${i}`);
    for (let i = 10; i < 20; i++) await put(i);

    // Every acknowledged event is in the stream exactly once, in order. Creating a consumer
    // needs the cluster's meta leader, which may be the node just killed: retried until elected.
    const reader = jetstream(hub);
    await waitFor('a consumer on the surviving nodes', () =>
      jsm.consumers
        .add(HOSTS_STREAM, { durable_name: 'check', ack_policy: AckPolicy.None })
        .catch(() => false as const),
    );
    const consumer = await reader.consumers.get(HOSTS_STREAM, 'check');
    const seen: number[] = [];
    await waitFor('every event read back', async () => {
      const batch = await consumer.fetch({ max_messages: 2 * N, expires: 2_000 }).catch(() => null);
      if (batch !== null) for await (const m of batch) seen.push(m.json<{ n: number }>().n);
      return seen.length >= 2 * N;
    });
    assert.deepEqual(
      seen,
      Array.from({ length: 2 * N }, (_, i) => i),
    );

    // Every decision is readable, from the sensor's side as well.
    const kv = await openDecisions(sensor);
    for (let i = 0; i < 20; i++) {
      const key = `d-${String(i).padStart(8, '0')}`;
      // A read that times out during an election is asked again; a missing value fails.
      const read = await waitFor(`decision ${key} read`, () =>
        kv.get(key).then(
          (entry) => ({ entry }),
          () => false as const,
        ),
      );
      assert.equal(read.entry?.string(), `{"ban":${i}}`, key);
    }

    // Back on its store, the node catches up: all three replicas current again.
    await victim.restart();
    for (const stream of [HOSTS_STREAM, `KV_${DECISIONS_BUCKET}`]) {
      await waitFor(`${stream}: three current replicas`, async () => {
        const info = await jsm.streams.info(stream).catch(() => null);
        if (info === null) return false;
        const replicas = info.cluster?.replicas ?? [];
        return (
          replicas.length === 2 &&
          replicas.every((r) => r.current) &&
          info.cluster?.leader !== undefined
        );
      });
    }
    const state = (await jsm.streams.info(HOSTS_STREAM)).state;
    assert.equal(state.messages, 2 * N);
  });
});
