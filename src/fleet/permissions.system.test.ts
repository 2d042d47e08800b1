/**
 * The fleet's security boundary, against a real nats-server with the
 * configuration `sheriff fleet` writes: a host's credentials publish only its
 * own subjects and read the decisions, and nothing more — a stolen sensor
 * credential cannot write a decision, speak for another host, or read another
 * host's events.
 */
import assert from 'node:assert/strict';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { KvWatchInclude, type KV } from '@nats-io/kv';
import { createUser } from '@nats-io/nkeys';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNatsServer, type NatsCluster } from '../testing/nats-server.js';
import { waitFor } from '../testing/wait.js';
import { connectFleet, ensureStreams, fleetConnectionOptions, openDecisions } from './connect.js';
import { accountsConfig } from './nats-config.js';
import { DECISIONS_BUCKET, HOSTS_STREAM, HUB_CONSUMER, hostSubject } from './protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-perm-'));
let nats: NatsCluster | undefined;
const open: NatsConnection[] = [];

/** A new nkey user: its seed file (0600) and public key. */
function user(name: string): { seedFile: string; nkey: string } {
  const kp = createUser();
  const seedFile = join(dir, `${name}.seed`);
  writeFileSync(seedFile, new TextDecoder().decode(kp.getSeed()) + '\n', { mode: 0o600 });
  return { seedFile, nkey: kp.getPublicKey() };
}

const hubUser = user('hub');
const a = user('a');
const b = user('b');
let hub: NatsConnection;
let hostA: NatsConnection;
let decisions: KV;

async function connectAs(seedFile: string, host?: string): Promise<NatsConnection> {
  const nc = await connectFleet({ servers: nats!.urls, seedFile, host });
  open.push(nc);
  return nc;
}

before(async () => {
  nats = await startNatsServer({
    config: accountsConfig({
      hub: hubUser.nkey,
      hosts: [
        { name: 'a', nkey: a.nkey },
        { name: 'b', nkey: b.nkey },
      ],
    }),
  });
  hub = await connectAs(hubUser.seedFile);
  ({ decisions } = await ensureStreams(hub));
  await decisions.put('d-00000001', new TextEncoder().encode('{"signed":"by the hub"}'));
  hostA = await connectAs(a.seedFile, 'a');
});

after(async () => {
  await Promise.all(open.map((nc) => nc.close()));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every subject the hub's stream holds, with its message count. */
async function streamSubjects(): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(hub);
  const info = await jsm.streams.info(HOSTS_STREAM, { subjects_filter: '>' });
  return info.state.subjects ?? {};
}

describe('fleet permissions on a real nats-server', () => {
  it('a host publishes its own events with JetStream acks, and the hub reads them', async () => {
    const js = jetstream(hostA);
    const ack = await js.publish(hostSubject('a', 'events'), '{"n":1}', { msgID: 'a-1' });
    assert.equal(ack.stream, HOSTS_STREAM);
    const again = await js.publish(hostSubject('a', 'events'), '{"n":1}', { msgID: 'a-1' });
    assert.equal(again.duplicate, true, 'the same Nats-Msg-Id is stored once');
    const jsm = await jetstreamManager(hub);
    await jsm.consumers.add(HOSTS_STREAM, {
      durable_name: HUB_CONSUMER,
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await jetstream(hub).consumers.get(HOSTS_STREAM, HUB_CONSUMER);
    const msg = await consumer.next();
    assert.equal(msg?.subject, 'sheriff.host.a.events');
    assert.equal(msg?.string(), '{"n":1}');
    msg?.ack();
  });

  it('a host reads the decisions: a single get, and a watch from the start', async () => {
    const kv = await openDecisions(hostA);
    assert.equal((await kv.get('d-00000001'))?.string(), '{"signed":"by the hub"}');
    const watch = await kv.watch();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of watch) {
        seen.push(`${e.key}=${e.string()}`);
        if (seen.length === 2) break;
      }
    })();
    await decisions.put('d-00000002', new TextEncoder().encode('{"live":true}'));
    await done;
    assert.deepEqual(seen, ['d-00000001={"signed":"by the hub"}', 'd-00000002={"live":true}']);
  });

  it('a stolen host credential cannot write a decision: the put fails and the value stays', async () => {
    const thief = await connectAs(a.seedFile, 'a');
    const kv = await openDecisions(thief);
    const before = (await decisions.status()).values;
    await assert.rejects(
      kv.put('d-00000001', new TextEncoder().encode('{"forged":true}')),
      /permission/i,
    );
    await assert.rejects(kv.delete('d-00000001'), /permission/i);
    assert.equal((await decisions.get('d-00000001'))?.string(), '{"signed":"by the hub"}');
    assert.equal((await decisions.status()).values, before, 'nothing else reached the bucket');
  });

  it('a host cannot publish as another host', async () => {
    const thief = await connectAs(a.seedFile, 'a');
    const js = jetstream(thief);
    await assert.rejects(
      js.publish(hostSubject('b', 'events'), '{"n":666}', { msgID: 'b-1' }),
      /permission/i,
    );
    thief.publish(hostSubject('b', 'findings'), '{"core":"publish"}');
    await thief.flush();
    // The hub's own write is the marker that everything before it has arrived.
    await jetstream(hub).publish(hostSubject('a', 'status'), '{}');
    const subjects = await streamSubjects();
    assert.deepEqual(
      Object.keys(subjects).filter((s) => s.startsWith('sheriff.host.b.')),
      [],
      JSON.stringify(subjects),
    );
  });

  it("a host cannot read another host's events: no subscription, no consumer, no inbox", async () => {
    const thief = await connectAs(a.seedFile, 'a');
    const sub = thief.subscribe('sheriff.host.>');
    await assert.rejects(
      sub.closed.then((e) => Promise.reject(e ?? new Error('closed clean'))),
      /permission/i,
    );
    const inbox = thief.subscribe('_INBOX_b.>');
    await assert.rejects(
      inbox.closed.then((e) => Promise.reject(e ?? new Error('closed clean'))),
      /permission/i,
    );
    const jsm = await jetstreamManager(thief, { checkAPI: false });
    await assert.rejects(
      jsm.consumers.add(HOSTS_STREAM, { name: 'spy', ack_policy: AckPolicy.None }),
      /permission/i,
    );
    await assert.rejects(
      jetstream(thief)
        .consumers.get(HOSTS_STREAM, HUB_CONSUMER)
        .then((c) => c.next()),
      /permission/i,
    );
    await assert.rejects(
      jsm.streams.get(HOSTS_STREAM).then((s) => s.getMessage({ seq: 1 })),
      /permission/i,
    );
    await assert.rejects(jsm.streams.delete(HOSTS_STREAM), /permission/i);
    await assert.rejects(jsm.streams.purge(`KV_sheriff_decisions`), /permission/i);
    const hubJsm = await jetstreamManager(hub);
    const names = (await hubJsm.consumers.list(HOSTS_STREAM).next()).map((c) => c.name);
    assert.deepEqual(
      names.filter((n) => n !== HUB_CONSUMER),
      [],
    );
  });

  it("a host's consumer on the decisions cannot deliver into another host's subjects or the API", async () => {
    // Subject permissions cannot see a push consumer's deliver subject (it is in the request's
    // body), so this checks what the server does with one aimed at another host or the API.
    const thief = await connectAs(a.seedFile, 'a');
    const jsm = await jetstreamManager(thief, { checkAPI: false });
    const before = await streamSubjects();
    const spy = hub.subscribe('sheriff.host.>');
    const seen: string[] = [];
    void (async () => {
      for await (const m of spy) seen.push(m.subject);
    })();
    await hub.flush();
    for (const [i, target] of [
      hostSubject('b', 'events'),
      `$JS.API.STREAM.DELETE.${HOSTS_STREAM}`,
    ].entries()) {
      await jsm.consumers
        .add(`KV_${DECISIONS_BUCKET}`, {
          name: `evil${i}`,
          deliver_subject: target,
          ack_policy: AckPolicy.None,
          deliver_policy: DeliverPolicy.All,
        })
        .catch(() => undefined);
    }
    await decisions.put('d-00000009', new TextEncoder().encode('{"after":"the spies"}'));
    // A watcher of the host's own sees the new value: the server has delivered by then.
    const watch = await (await openDecisions(thief)).watch({ include: KvWatchInclude.UpdatesOnly });
    await decisions.put('d-00000010', new TextEncoder().encode('{"marker":true}'));
    for await (const e of watch) if (e.key === 'd-00000010') break;
    spy.unsubscribe();
    assert.deepEqual(seen, []);
    assert.deepEqual(
      await streamSubjects(),
      before,
      'the hosts stream is unchanged and still there',
    );
  });

  it('an unknown key is refused at connect', async () => {
    const stranger = user('stranger');
    await assert.rejects(
      // Not waiting for a first connection, so the refusal comes at once.
      connect({
        ...fleetConnectionOptions({ servers: nats!.urls, seedFile: stranger.seedFile, host: 'a' }),
        waitOnFirstConnect: false,
      }).then((nc) => {
        open.push(nc);
      }),
      /authorization/i,
    );
    await waitFor('the server to be alive still', async () => (await hub.rtt()) >= 0);
  });
});
