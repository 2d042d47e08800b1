/**
 * A three-node NATS cluster as `sheriff fleet init --cluster 3 --tls` writes
 * it, run from its own files: the nodes find each other over mutual TLS with
 * the route password, the hub makes its stream and bucket with the replicas
 * its hub.yaml says (3), and killing one node (the stream's leader, the worst
 * one) loses no acknowledged event and no decision; publishing goes on
 * through the other two, and the node, started again on its store, catches
 * up. `add-host`/`revoke-host` reach every node once each reloads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { AckPolicy, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  NATS_SERVER,
  freePort,
  startNatsNodes,
  type NatsCluster,
  type NatsNode,
} from '../testing/nats-server.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import { connectFleet, ensureStreams, fleetConnectionOptions, openDecisions } from './connect.js';
import { readFleetState } from './credentials.js';
import { DECISIONS_BUCKET, HOSTS_STREAM, hostSubject } from './protocol.js';

const tmp = mkdtempSync(join(tmpdir(), 'sheriff-cluster-'));
const dir = join(tmp, 'fleet');
const storeDir = join(tmp, 'js');
let nats: NatsCluster | undefined;
let routePorts: number[] = [];
const open: NatsConnection[] = [];
const run = promisify(execFile);

const nodeFile = (node: string, file: string) => join(dir, 'nodes', node, file);
const hostDir = (name: string) => join(dir, 'hosts', name);
const caFile = join(dir, 'tls', 'ca.pem');

interface HubYaml {
  hub: { servers: string[]; seedFile: string; caFile: string; replicas: number };
}
const hubYaml = () => parse(readFileSync(join(dir, 'hub', 'hub.yaml'), 'utf8')) as HubYaml;

before(async () => {
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  routePorts = ports.slice(3);
  const addresses = (ps: number[]) => ps.map((p) => `127.0.0.1:${p}`).join(',');
  // Three nodes on one machine: one name, a client and a route port each.
  const init = await runCli([
    'fleet',
    'init',
    '--hosts',
    'web-1',
    '--dir',
    dir,
    '--tls',
    '--cluster',
    '3',
    // An address, as cluster nodes often are named (the certificate names it, not localhost).
    '--server-name',
    '127.0.0.1',
    '--listen',
    addresses(ports.slice(0, 3)),
    '--cluster-listen',
    addresses(routePorts),
    '--store-dir',
    storeDir,
  ]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /Start NATS on each of the 3 nodes: nats-1 \(tls:\/\/127\.0\.0\.1:/);
  const state = readFleetState(join(dir, 'fleet.json'));
  nats = await startNatsNodes(
    (state.nodes ?? []).map((name, i) => ({
      name,
      url: state.servers[i]!,
      configFile: nodeFile(name, 'nats-server.conf'),
      storeDir: join(storeDir, name),
    })),
  );
});

after(async () => {
  await Promise.all(open.map((nc) => nc.close()));
  await nats?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Connects as a host with the files in its directory, as its sensor would. */
async function connectHost(name: string): Promise<NatsConnection> {
  const nc = await connectFleet({
    servers: nats!.urls,
    seedFile: join(hostDir(name), 'nats.seed'),
    caFile: join(hostDir(name), 'ca.pem'),
    host: name,
  });
  open.push(nc);
  return nc;
}

/**
 * One connection attempt to one node only, no retries: that node's answer at
 * once (the client would otherwise go on to the nodes the first one names).
 */
async function tryConnect(seedFile: string, node: NatsNode): Promise<NatsConnection> {
  const nc = await connect({
    ...fleetConnectionOptions({ servers: [node.url], seedFile, caFile }),
    waitOnFirstConnect: false,
    maxReconnectAttempts: 0,
    ignoreClusterUpdates: true,
  });
  open.push(nc);
  return nc;
}

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

describe('sheriff fleet init --cluster 3', () => {
  it('writes one configuration per node that nats-server accepts; the hub and every host list all three', async () => {
    const { hub } = hubYaml();
    assert.deepEqual(hub.servers, nats!.urls);
    assert.equal(hub.replicas, 3);
    const sensor = parse(readFileSync(join(hostDir('web-1'), 'sheriff-fleet.yaml'), 'utf8')) as {
      fleet: { servers: string[] };
    };
    assert.deepEqual(sensor.fleet.servers, nats!.urls);
    const password = /nats-route:\/\/sheriff-route:([0-9a-f]+)@/.exec(
      readFileSync(nodeFile('nats-1', 'nats-server.conf'), 'utf8'),
    )?.[1];
    assert.ok(password !== undefined && password.length >= 32, 'a long route password');
    for (const node of ['nats-1', 'nats-2', 'nats-3']) {
      const conf = nodeFile(node, 'nats-server.conf');
      // The route password is in it: not for every reader.
      assert.ok((statSync(conf).mode & 0o077 & ~0o040) === 0, `${conf} is private`);
      assert.ok(readFileSync(conf, 'utf8').includes(password), `${node} has the same password`);
      const { stderr } = await run(NATS_SERVER, ['-t', '-c', conf]);
      assert.match(stderr, /configuration file .* is valid/);
    }
    for (const f of ['fleet.json', 'hub/hub.yaml', 'hosts/web-1/sheriff-fleet.yaml'])
      assert.ok(
        !readFileSync(join(dir, f), 'utf8').includes(password),
        `no route password in ${f}`,
      );
  });

  it('refuses a would-be node without the route password or without the fleet certificate', async () => {
    const nats1 = nats!.nodes[0]!;
    const conf = readFileSync(nodeFile('nats-1', 'nats-server.conf'), 'utf8');
    const tlsLine = /^ {2}tls \{.*\}$/m.exec(conf)?.[0];
    const route = /nats-route:\/\/[^"]+/.exec(conf)?.[0];
    assert.ok(tlsLine !== undefined && route !== undefined, conf);
    const toNats1 = route.replace(/@.*/, `@127.0.0.1:${routePorts[0]}`);
    const cases = [
      // The fleet's own certificate and key, a wrong password.
      {
        name: 'no-password',
        route: toNats1.replace(/:[0-9a-f]+@/, ':guess@'),
        tls: tlsLine,
        refused: /authentication error|authorization violation/i,
      },
      // The password, but no certificate the nodes trust.
      { name: 'no-cert', route: toNats1, tls: '', refused: /TLS route handshake error/i },
    ];
    for (const c of cases) {
      const file = join(tmp, `${c.name}.conf`);
      const port = await freePort();
      writeFileSync(
        file,
        [
          `server_name: ${c.name}`,
          `listen: "127.0.0.1:${port}"`,
          `cluster {`,
          `  name: sheriff`,
          `  listen: "127.0.0.1:${await freePort()}"`,
          `  routes: [${JSON.stringify(c.route)}]`,
          c.tls,
          `}`,
        ].join('\n') + '\n',
      );
      const seenBefore = nats1.log().length;
      const intruder = await startNatsNodes([
        { name: c.name, url: `nats://127.0.0.1:${port}`, configFile: file, storeDir: tmp },
      ]);
      try {
        await waitFor(`nats-1 to refuse ${c.name}`, () =>
          c.refused.test(nats1.log().slice(seenBefore)),
        );
        // Refused, not let in after all: the would-be node is none of nats-1's routes.
        const monitor = (node: NatsNode, path: string) =>
          fetch(`http://127.0.0.1:${node.monitorPort}/${path}`).then((r) => r.json());
        const { server_id } = (await monitor(intruder.nodes[0]!, 'varz')) as { server_id: string };
        const { routes } = (await monitor(nats1, 'routez')) as { routes: { remote_id: string }[] };
        assert.ok(!routes.some((r) => r.remote_id === server_id), `${c.name} is not a route`);
      } finally {
        await intruder.stop();
      }
    }
  });

  it('losing the leader loses no acknowledged event and no decision; the node catches up', async () => {
    const cluster = nats!;
    const { hub: cfg } = hubYaml();
    const hub = await connectFleet({
      servers: cfg.servers,
      seedFile: cfg.seedFile,
      caFile: cfg.caFile,
      name: 'hub',
    });
    open.push(hub);
    const sensor = await connectHost('web-1');
    const { decisions } = await ensureStreams(hub, { replicas: cfg.replicas });
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

  it('add-host and revoke-host reach every node once it reloads', async () => {
    const add = await runCli(['fleet', 'add-host', 'web-2', '--dir', dir]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /Host web-2 added[\s\S]*nodes\/NAME\/accounts\.conf[\s\S]*every node/);
    // The retired host keeps its seed.
    const web1Seed = join(tmp, 'web-1.seed');
    writeFileSync(web1Seed, readFileSync(join(hostDir('web-1'), 'nats.seed')), { mode: 0o600 });
    const revoke = await runCli(['fleet', 'revoke-host', 'web-1', '--dir', dir]);
    assert.equal(revoke.code, 0, revoke.stderr);
    for (const node of ['nats-1', 'nats-2', 'nats-3'])
      assert.ok(revoke.stdout.includes(nodeFile(node, 'accounts.conf')), revoke.stdout);
    const web2Seed = join(hostDir('web-2'), 'nats.seed');
    for (const node of nats!.nodes) await node.reload();
    // Each node alone: the new host is let in, the revoked one refused.
    for (const node of nats!.nodes) {
      await (await tryConnect(web2Seed, node)).flush();
      await assert.rejects(tryConnect(web1Seed, node), /authorization/i);
    }
  });
});
