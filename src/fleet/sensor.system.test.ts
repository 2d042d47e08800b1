/**
 * The sensor against a real nats-server with JetStream (Debian's
 * /usr/sbin/nats-server on 127.0.0.1, a free port, a temp store dir): the
 * outbox reaches the stream exactly once, through an outage; the decision
 * follower applies signed decisions through the responder and its guardrails,
 * refuses forged ones, and converges after a restart.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager, AckPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { systemClock } from '../clock.js';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { CircuitBreaker } from '../respond/breaker.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { Guardrails } from '../respond/guardrails.js';
import { SystemSessionProbe, type SessionProbe } from '../respond/live-sessions.js';
import { Responder } from '../respond/responder.js';
import { parseSecret } from '../respond/secret.js';
import { FleetOutboxStore } from '../store/fleet-outbox.js';
import { openStore, type Store } from '../store/index.js';
import { StoreWriter } from '../store/writer.js';
import { waitFor } from '../testing/wait.js';
import { DecisionFollower } from './decision-follower.js';
import { ensureStreams } from './connect.js';
import { FleetOutbox } from './outbox.js';
import { OutboxPublisher } from './publisher.js';
import { confirmationSchema, eventBatchSchema, HOSTS_STREAM, type Decision } from './protocol.js';
import { DecisionSigningKey, DecisionVerifyKey, encodeSignedDecision } from './signing.js';
import { startNatsServer, type NatsCluster } from '../testing/nats-server.js';

const log = createLogger({ level: 'silent', format: 'json' });
let dir: string;
let nats: NatsCluster;
let nc: NatsConnection;
let jsm: JetStreamManager;
let kv: KV;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-sensor-'));
  nats = await startNatsServer();
  nc = await connect({ servers: nats.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  ({ decisions: kv } = await ensureStreams(nc));
  jsm = await jetstreamManager(nc);
});
after(async () => {
  await nc?.close();
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

const event = (i: number) => ({
  time: 1_800_000_000_000 + i,
  jail: 'sshd',
  filter: 'sshd',
  rule: 'auth-fail',
  result: 'fail' as const,
  ip: '203.0.113.9',
  host: 'web-1',
  user: 'root',
  attempts: 1,
  source: 'auth.log',
  line: `Failed password for root from 203.0.113.9 port ${i}`,
});

/** Every message of one host's subject in the stream, decoded. */
async function streamed(
  host: string,
  kind: string,
): Promise<{ seq: number; id: string | undefined; body: unknown }[]> {
  const name = `t${Math.random().toString(36).slice(2, 10)}`;
  await jsm.consumers.add(HOSTS_STREAM, {
    name,
    filter_subject: `sheriff.host.${host}.${kind}`,
    ack_policy: AckPolicy.None,
    inactive_threshold: 60_000_000_000,
  });
  const consumer = await jetstream(nc).consumers.get(HOSTS_STREAM, name);
  const out: { seq: number; id: string | undefined; body: unknown }[] = [];
  const info = await consumer.info();
  let left = info.num_pending;
  while (left > 0) {
    const batch = await consumer.fetch({ max_messages: left, expires: 2000 });
    for await (const m of batch) {
      out.push({ seq: m.seq, id: m.headers?.get('Nats-Msg-Id'), body: m.json() });
      left--;
    }
  }
  await consumer.delete();
  return out;
}

describe('sensor outbox → JetStream', () => {
  let store: Store;
  before(() => {
    store = openStore(join(dir, 'outbox.db'));
  });
  after(() => store.close());

  it('stores each flush in the outbox with the events, publishes it once with <host>-<seq>, and forgets it on ack', async () => {
    const rows = new FleetOutboxStore(store.db);
    const publisher = new OutboxPublisher({
      host: 'web-1',
      js: jetstream(nc),
      rows,
      clock: systemClock,
      logger: log,
      retryMs: 50,
    });
    const outbox = new FleetOutbox(rows, { onWritten: () => publisher.wake() });
    const writer = new StoreWriter(store, { parts: [outbox], flushMs: 0 });
    for (let i = 0; i < 3; i++) outbox.event(event(i));
    writer.add({ sourceId: 'auth.log', cursor: 'c1', events: [0, 1, 2].map(event) });
    assert.equal(writer.flush(), true);
    await waitFor('the outbox drained', () => rows.count() === 0);
    const got = await streamed('web-1', 'events');
    assert.equal(got.length, 1);
    const batch = eventBatchSchema.parse(got[0]!.body);
    assert.equal(got[0]!.id, `web-1-${rows.epoch}-${batch.seq}`);
    assert.deepEqual(batch.events, [0, 1, 2].map(event));
    assert.equal(store.events.count(), 3, 'the same flush stored the events locally');
    await publisher.stop();
    writer.close();
  });

  it('keeps rows while NATS is down, drains them in order when it is back, and a resent row is a duplicate', async () => {
    const rows = new FleetOutboxStore(store.db);
    const publisher = new OutboxPublisher({
      host: 'web-2',
      js: jetstream(nc),
      rows,
      clock: systemClock,
      logger: log,
      retryMs: 50,
      ackTimeoutMs: 500,
    });
    await nats.nodes[0]!.kill();
    const first = rows.append('events', [event(0)], Date.now());
    for (let i = 1; i < 5; i++) rows.append('events', [event(i)], Date.now());
    publisher.wake();
    await waitFor('a failed attempt', () => publisher.counts.failures > 0);
    assert.equal(rows.count(), 5, 'nothing is lost while NATS is down');
    await nats.nodes[0]!.restart();
    await waitFor('the outbox drained', () => rows.count() === 0);
    // A crash after JetStream stored a row but before the row was deleted: it is sent again.
    const again = await jetstream(nc).publish('sheriff.host.web-2.events', '{}', {
      msgID: `web-2-${rows.epoch}-${first}`,
    });
    assert.equal(again.duplicate, true);
    const got = await streamed('web-2', 'events');
    assert.deepEqual(
      got.map((m) => eventBatchSchema.parse(m.body).events[0]!.line),
      [0, 1, 2, 3, 4].map((i) => event(i).line),
      'each row once, in order',
    );
    await publisher.stop();
  });
});

describe('decision follower', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const hub = new DecisionSigningKey(privateKey, 'test');
  const verifier = new DecisionVerifyKey(publicKey, 'test');
  const forger = new DecisionSigningKey(generateKeyPairSync('ed25519').privateKey, 'forger');
  let seq = 0;
  const decision = (cidr: string, over: Partial<Decision> = {}): Decision => ({
    v: 1,
    id: `dec${String(++seq).padStart(6, '0')}`,
    action: 'ban',
    cidr,
    scope: { kind: 'fleet' },
    expiresAt: null,
    reason: 'brute force on web-1',
    approvalId: null,
    issuedAt: Date.now(),
    ...over,
  });

  /** A sensor named `host`: its store, dry-run firewall, responder and follower; nobody logged in. */
  function sensor(
    host: string,
    store: Store,
    firewall: DryRunFirewall,
    groups: string[] = [],
    sessions: SessionProbe = { sessions: () => Promise.resolve([]) },
  ) {
    const responder = new Responder({
      store: store.records,
      approvals: new Approvals(store.records, {
        key: parseSecret('a'.repeat(64), 'test'),
        authorize: authorizer({ cliUsers: ['admin'] }),
      }),
      guardrails: new Guardrails({
        trusted: trustedNetworks(),
        sessions,
        breaker: new CircuitBreaker({ maxPerMinute: 100, clock: Date.now }),
      }),
      firewall,
      jails: new Map(),
      settings: {
        increment: { factor: 1, max: 86_400_000 },
        killConnections: false,
        admins: [],
        managementPorts: [22],
        isolateRevertAfter: 60_000,
      },
      clock: Date.now,
      logger: log,
      alert: () => {},
    });
    const rejected: string[] = [];
    const follower = new DecisionFollower({
      host,
      groups,
      kv,
      verifier,
      enforcer: responder,
      confirm: async (c) => {
        await jetstream(nc).publish(`sheriff.host.${host}.confirm`, JSON.stringify(c));
      },
      clock: Date.now,
      logger: log,
      onRejected: (key) => rejected.push(key),
    });
    return { responder, follower, rejected };
  }

  const held = async (fw: DryRunFirewall) => (await fw.list()).map((e) => e.target.cidr).sort();
  const confirmations = async (host: string) =>
    (await streamed(host, 'confirm')).map((m) => confirmationSchema.parse(m.body));
  const put = (d: Decision, key = hub) => kv.put(d.id, encodeSignedDecision(key.sign(d)));

  it('applies a signed decision in scope, refuses one a guardrail protects, rejects a forged one, and confirms each', async () => {
    const store = openStore(join(dir, 'follower-1.db'));
    const firewall = new DryRunFirewall({ log: () => {} });
    const s = sensor('web-3', store, firewall, ['edge']);
    await s.follower.start();
    const ban = decision('198.51.100.7/32');
    const groupBan = decision('198.51.100.8/32', { scope: { kind: 'group', group: 'edge' } });
    const otherHost = decision('198.51.100.9/32', { scope: { kind: 'host', host: 'web-4' } });
    const trusted = decision('10.1.2.3/32');
    const forged = decision('198.51.100.66/32');
    await put(ban);
    await put(groupBan);
    await put(otherHost);
    await put(trusted);
    await put(forged, forger);
    await waitFor('four confirmations', async () => (await confirmations('web-3')).length >= 4);
    assert.deepEqual(await held(firewall), ['198.51.100.7/32', '198.51.100.8/32']);
    const byId = new Map((await confirmations('web-3')).map((c) => [c.decision, c]));
    assert.equal(byId.get(ban.id)?.outcome, 'applied');
    assert.equal(byId.get(groupBan.id)?.outcome, 'applied');
    assert.equal(
      byId.has(otherHost.id),
      false,
      'another host’s decision is not this one’s to confirm',
    );
    assert.equal(byId.get(trusted.id)?.outcome, 'refused');
    assert.match(byId.get(trusted.id)?.reason ?? '', /private|trusted|internal/i);
    assert.equal(byId.get(forged.id)?.outcome, 'refused');
    assert.match(byId.get(forged.id)?.reason ?? '', /signature/);
    assert.deepEqual(s.rejected, [forged.id]);
    // The same decision again (a redelivery, a restart): confirmed, not added twice.
    await put(ban);
    await waitFor('the fifth confirmation', async () => (await confirmations('web-3')).length >= 5);
    assert.equal(store.bans.history('198.51.100.7/32').length, 1);
    await s.follower.stop();
    store.close();
  });

  it('refuses a fleet ban on an address logged in on this host, and tells the hub why in its confirmation', async () => {
    // The live-session guardrail is each host's own: who is logged in is a fact of this host
    // (who and ss here, answering as they print), not of the hub that decided.
    const admin = '198.51.100.70';
    const probe = new SystemSessionProbe({
      run: (file) =>
        Promise.resolve(file === 'who' ? `alice    pts/0        2026-12-07 09:00 ${admin}\n` : ''),
    });
    const store = openStore(join(dir, 'follower-session.db'));
    const firewall = new DryRunFirewall({ log: () => {} });
    const s = sensor('web-6', store, firewall, [], probe);
    await s.follower.start();
    const onAdmin = decision(`${admin}/32`, { scope: { kind: 'host', host: 'web-6' } });
    const onAttacker = decision('198.51.100.71/32', { scope: { kind: 'host', host: 'web-6' } });
    await put(onAdmin);
    await put(onAttacker);
    const byId = await waitFor('both confirmations', async () => {
      const c = new Map((await confirmations('web-6')).map((x) => [x.decision, x]));
      return c.has(onAdmin.id) && c.has(onAttacker.id) ? c : null;
    });
    assert.equal(byId.get(onAdmin.id)?.outcome, 'refused');
    assert.match(byId.get(onAdmin.id)?.reason ?? '', /198\.51\.100\.70.*live login session.*alice/);
    assert.equal(byId.get(onAttacker.id)?.outcome, 'applied');
    const now = await held(firewall);
    assert.ok(
      now.includes(onAttacker.cidr) && !now.includes(onAdmin.cidr),
      'the admin is not blocked here',
    );
    await s.follower.stop();
    store.close();
  });

  it('converges after a restart: lifts bans whose decision was deleted or unbanned, applies the ones it missed', async () => {
    const store = openStore(join(dir, 'follower-2.db'));
    const firewall = new DryRunFirewall({ log: () => {} });
    let s = sensor('web-5', store, firewall);
    await s.follower.start();
    const kept = decision('192.0.2.10/32');
    const deleted = decision('192.0.2.11/32');
    const unbanned = decision('192.0.2.12/32');
    for (const d of [kept, deleted, unbanned]) await put(d);
    await waitFor('three bans', async () => (await held(firewall)).includes(unbanned.cidr));
    await s.follower.stop();
    // While the sensor is down: one decision deleted, one turned into an unban, a new one made.
    const missed = decision('192.0.2.13/32');
    await kv.delete(deleted.id);
    await put({ ...unbanned, action: 'unban' });
    await put(missed);
    s = sensor('web-5', store, firewall);
    await s.follower.start();
    await waitFor('the sensor converged', async () => {
      // (the first test's fleet-wide decisions apply here too)
      const now = (await held(firewall)).filter((c) => c.startsWith('192.0.2.'));
      return now.join() === ['192.0.2.10/32', '192.0.2.13/32'].join() ? now : null;
    });
    const byId = new Map((await confirmations('web-5')).map((c) => [c.decision, c.outcome]));
    assert.equal(byId.get(deleted.id), 'removed');
    assert.equal(byId.get(unbanned.id), 'removed');
    assert.equal(byId.get(missed.id), 'applied');
    assert.equal(
      store.bans.history(kept.cidr).length,
      1,
      'a decision in force is not applied twice',
    );
    await s.follower.stop();
    store.close();
  });
});
