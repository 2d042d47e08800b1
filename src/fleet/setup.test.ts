/**
 * `sheriff fleet init --cluster N` without a server: what each node's
 * configuration says, what the hub and hosts are told, the refusals (before
 * anything is written), and add/revoke-host keeping every node's accounts
 * file the same. cluster.system.test.ts runs the files on real nats-servers.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { hubSchema } from './config.js';
import { readFleetState } from './credentials.js';
import {
  addHost,
  FleetSetupError,
  initFleet,
  replicasFor,
  revokeHost,
  type InitOptions,
} from './setup.js';

const tmp = mkdtempSync(join(tmpdir(), 'sheriff-fleet-setup-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function options(o: Partial<InitOptions>): InitOptions {
  const dir = join(tmp, `fleet-${++n}`);
  return {
    dir,
    hosts: ['web-1'],
    tls: false,
    serverNames: ['nats-a.example', 'nats-b.example', 'nats-c.example'],
    listen: ['0.0.0.0:4222'],
    storeDir: join(dir, 'js'),
    cluster: 3,
    ...o,
  };
}

const read = (dir: string, ...path: string[]) => readFileSync(join(dir, ...path), 'utf8');

/** Refused with `code` naming `params`, and nothing written. */
async function refused(
  o: Partial<InitOptions>,
  code: FleetSetupError['code'],
  params: Record<string, string>,
): Promise<void> {
  const opts = options(o);
  await assert.rejects(initFleet(opts), (err) => {
    assert.ok(err instanceof FleetSetupError, String(err));
    assert.equal(err.code, code);
    assert.deepEqual(err.params, params);
    return true;
  });
  assert.equal(existsSync(opts.dir), false, 'nothing written');
}

describe('fleet init --cluster', () => {
  it('writes one configuration per node, each routed to the others with the same password', async () => {
    const o = options({});
    const state = await initFleet(o);
    assert.deepEqual(state.nodes, ['nats-1', 'nats-2', 'nats-3']);
    const urls = [
      'nats://nats-a.example:4222',
      'nats://nats-b.example:4222',
      'nats://nats-c.example:4222',
    ];
    assert.deepEqual(state.servers, urls);
    // One server's files would be a fourth, wrong server: a cluster has only its nodes'.
    assert.equal(existsSync(join(o.dir, 'nats-server.conf')), false);
    assert.equal(existsSync(join(o.dir, 'accounts.conf')), false);
    const passwords = new Set<string>();
    for (const [i, node] of state.nodes.entries()) {
      const conf = read(o.dir, 'nodes', node, 'nats-server.conf');
      assert.match(conf, new RegExp(`^server_name: "${node}"$`, 'm'));
      assert.match(conf, new RegExp(`^client_advertise: "nats-${'abc'[i]}\\.example:4222"$`, 'm'));
      assert.ok(conf.includes(`store_dir: ${JSON.stringify(join(o.storeDir, node))}`), conf);
      assert.match(conf, /^ {2}listen: "0\.0\.0\.0:6222"$/m);
      const routes = [...conf.matchAll(/nats-route:\/\/sheriff-route:([0-9a-f]{48})@([^"]+)/g)];
      assert.deepEqual(
        routes.map((r) => r[2]),
        ['a', 'b', 'c'].filter((_, j) => j !== i).map((x) => `nats-${x}.example:6222`),
      );
      for (const r of routes) passwords.add(r[1]!);
      assert.match(conf, /authorization \{ user: "sheriff-route", password: "[0-9a-f]{48}" \}/);
      assert.doesNotMatch(conf, /tls/, 'no TLS without --tls');
      assert.match(read(o.dir, 'nodes', node, 'accounts.conf'), /# host web-1/);
    }
    assert.equal(passwords.size, 1, 'every node knows the one route password');
    const hub = hubSchema.parse((parse(read(o.dir, 'hub', 'hub.yaml')) as { hub: unknown }).hub)!;
    assert.deepEqual(hub.servers, urls);
    assert.equal(hub.replicas, 3);
    const sensor = parse(read(o.dir, 'hosts', 'web-1', 'sheriff-fleet.yaml')) as {
      fleet: { servers: string[] };
    };
    assert.deepEqual(sensor.fleet.servers, urls);
    assert.deepEqual(readFleetState(join(o.dir, 'fleet.json')).nodes, state.nodes);
  });

  it('keeps JetStream replicas at 3 or 5, its limit', () => {
    assert.deepEqual([1, 3, 5, 7, 9].map(replicasFor), [1, 3, 5, 5, 5]);
  });

  it('tells nodes on one machine apart by their ports', async () => {
    const o = options({
      serverNames: ['10.0.0.1'],
      listen: ['10.0.0.1:4301', '10.0.0.1:4302', '10.0.0.1:4303'],
      clusterListen: ['10.0.0.1:6301', '10.0.0.1:6302', '10.0.0.1:6303'],
    });
    const state = await initFleet(o);
    assert.deepEqual(state.servers, [
      'nats://10.0.0.1:4301',
      'nats://10.0.0.1:4302',
      'nats://10.0.0.1:4303',
    ]);
    assert.match(
      read(o.dir, 'nodes', 'nats-2', 'nats-server.conf'),
      /^ {2}advertise: "10\.0\.0\.1:6302"$/m,
    );
  });

  it('refuses what cannot make a cluster, naming the option, before writing anything', async () => {
    for (const cluster of [2, 4, 0, -3, 3.5])
      await refused({ cluster }, 'bad-cluster', { count: String(cluster) });
    await refused({ listen: ['0.0.0.0:4222', '0.0.0.0:4223'] }, 'cluster-count', {
      option: '--listen',
      given: '2',
      count: '3',
    });
    await refused({ serverNames: ['a.example', 'b.example'] }, 'cluster-count', {
      option: '--server-name',
      given: '2',
      count: '3',
    });
    await refused({ clusterListen: ['0.0.0.0'] }, 'bad-listen', {
      option: '--cluster-listen',
      listen: '0.0.0.0',
    });
    // One name, one port for all: three nodes at one address.
    await refused({ serverNames: ['nats.example'] }, 'same-node', {
      a: 'nats-1',
      b: 'nats-2',
      address: 'nats.example:4222',
    });
    // Client port of one node = route port of another.
    await refused(
      {
        serverNames: ['nats.example'],
        listen: ['nats.example:4001', 'nats.example:4002', 'nats.example:4003'],
        clusterListen: ['nats.example:4002', 'nats.example:5002', 'nats.example:5003'],
      },
      'same-node',
      { a: 'nats-1', b: 'nats-2', address: 'nats.example:4002' },
    );
    // One server: one listen address.
    await refused({ cluster: 1, listen: ['0.0.0.0:4222', '0.0.0.0:4223'] }, 'bad-listen', {
      option: '--listen',
      listen: '0.0.0.0:4222,0.0.0.0:4223',
    });
  });

  it('add-host and revoke-host rewrite every node’s accounts file alike', async () => {
    const o = options({});
    await initFleet(o);
    const accounts = () =>
      ['nats-1', 'nats-2', 'nats-3'].map((node) => read(o.dir, 'nodes', node, 'accounts.conf'));
    addHost(o.dir, 'web-2');
    let files = accounts();
    assert.match(files[0]!, /# host web-2/);
    assert.deepEqual(new Set(files).size, 1);
    revokeHost(o.dir, 'web-1');
    files = accounts();
    assert.doesNotMatch(files[0]!, /# host web-1/);
    assert.match(files[0]!, /# host web-2/);
    assert.deepEqual(new Set(files).size, 1);
  });
});
