/**
 * `sheriff fleet init/add-host/revoke-host` end to end: the files it writes
 * run a real nats-server with TLS from the CA it made, each host connects with
 * its own seed, decisions signed with the hub key verify with the public key
 * handed to sensors, an added host can connect after a reload and a revoked
 * one cannot any more.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  connectFleet,
  ensureStreams,
  fleetConnectionOptions,
  openDecisions,
} from '../fleet/connect.js';
import { hostSubject, type Decision } from '../fleet/protocol.js';
import { natsServerUser } from '../fleet/setup.js';
import {
  encodeSignedDecision,
  loadDecisionSigningKey,
  loadDecisionVerifyKey,
} from '../fleet/signing.js';
import { NATS_SERVER, startNatsServer, type NatsCluster } from '../testing/nats-server.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';

const tmp = mkdtempSync(join(tmpdir(), 'sheriff-fleet-cli-'));
const dir = join(tmp, 'fleet');
let nats: NatsCluster | undefined;
let initOut = '';
const open: NatsConnection[] = [];

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
const hostDir = (name: string) => join(dir, 'hosts', name);

before(async () => {
  const init = await runCli([
    'fleet',
    'init',
    '--hosts',
    'web-1, web-2',
    '--dir',
    dir,
    '--tls',
    '--server-name',
    '127.0.0.1,localhost',
    '--listen',
    '127.0.0.1:4222',
    '--store-dir',
    join(tmp, 'js'),
  ]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /Fleet of 2 hosts written to/);
  initOut = init.stdout;
  nats = await startNatsServer({
    include: join(dir, 'accounts.conf'),
    tls: { certFile: join(dir, 'tls', 'server.pem'), keyFile: join(dir, 'tls', 'server.key') },
  });
});

after(async () => {
  await Promise.all(open.map((nc) => nc.close()));
  await nats?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Connects as a host with the files in its directory, as its sensor would. */
async function connectHost(
  name: string,
  seedFile = join(hostDir(name), 'nats.seed'),
): Promise<NatsConnection> {
  const nc = await connectFleet({
    servers: nats!.urls,
    seedFile,
    caFile: join(hostDir(name), 'ca.pem'),
    host: name,
  });
  open.push(nc);
  return nc;
}

/** One connection attempt, no retries: the server's answer at once. */
async function tryConnect(
  seedFile: string,
  tls: { caFile?: string } | null,
): Promise<NatsConnection> {
  const nc = await connect({
    ...fleetConnectionOptions({ servers: nats!.urls, seedFile }),
    waitOnFirstConnect: false,
    maxReconnectAttempts: 0,
    tls,
  });
  open.push(nc);
  return nc;
}

describe('sheriff fleet', () => {
  it('writes secrets private and the configuration nats-server accepts', async () => {
    for (const f of ['hub/hub.seed', 'hub/hub-signing.pem', 'tls/ca.key', 'hosts/web-1/nats.seed'])
      assert.equal(mode(join(dir, f)), '600', f);
    for (const d of ['hub', 'hosts/web-1', 'hosts/web-2'])
      assert.equal(mode(join(dir, d)), '700', d);
    // Debian's nats-server runs as `nats`: it may read the server key and owns the store.
    const nats = natsServerUser();
    if (nats === null) {
      assert.equal(mode(join(dir, 'tls', 'server.key')), '600');
    } else {
      assert.equal(mode(join(dir, 'tls', 'server.key')), '640');
      assert.equal(statSync(join(dir, 'tls', 'server.key')).gid, nats.gid);
      assert.equal(mode(join(dir, 'tls')), '750');
      assert.equal(statSync(join(tmp, 'js')).uid, nats.uid);
    }
    // The include line for /etc/nats-server.conf names the file, relative to /etc.
    const include = /^\s*include ("[^"]+")$/m.exec(initOut)?.[1];
    assert.ok(include !== undefined, initOut);
    assert.equal(resolve('/etc', JSON.parse(include) as string), join(dir, 'nats-server.conf'));
    const run = promisify(execFile);
    const { stderr } = await run(NATS_SERVER, ['-t', '-c', join(dir, 'nats-server.conf')]);
    assert.match(stderr, /configuration file .* is valid/);
    const sensor = parse(readFileSync(join(hostDir('web-1'), 'sheriff-fleet.yaml'), 'utf8')) as {
      fleet: Record<string, unknown>;
    };
    assert.deepEqual(sensor.fleet, {
      host: 'web-1',
      servers: ['tls://127.0.0.1:4222'],
      seedFile: '/etc/sheriff/fleet/nats.seed',
      hubPublicKey: '/etc/sheriff/fleet/hub-public.pem',
      caFile: '/etc/sheriff/fleet/ca.pem',
      groups: [],
    });
    const hubYaml = readFileSync(join(dir, 'hub', 'hub.yaml'), 'utf8');
    const hub = parse(hubYaml) as { hub: Record<string, unknown> };
    assert.equal(hub.hub['signingKey'], join(dir, 'hub', 'hub-signing.pem'));
    // PostgreSQL is one uncommented line away, in the hub section.
    const withDatabase = parse(hubYaml.replace('  # database:', '  database:')) as typeof hub;
    assert.equal(withDatabase.hub['database'], 'postgres://sheriff@localhost/sheriff');
    const seed = readFileSync(join(hostDir('web-1'), 'nats.seed'), 'utf8').trim();
    assert.match(seed, /^SU[A-Z2-7]{56}$/);
    assert.ok(
      !readFileSync(join(dir, 'accounts.conf'), 'utf8').includes(seed),
      'no seed in the server config',
    );
  });

  it("hosts connect over TLS with their own seed; the hub's signed decision verifies on a host", async () => {
    const hub = await connectFleet({
      servers: nats!.urls,
      seedFile: join(dir, 'hub', 'hub.seed'),
      caFile: join(dir, 'tls', 'ca.pem'),
    });
    open.push(hub);
    const { decisions } = await ensureStreams(hub);
    const web1 = await connectHost('web-1');
    const ack = await jetstream(web1).publish(hostSubject('web-1', 'events'), '{}', {
      msgID: 'web-1-1',
    });
    assert.equal(ack.seq, 1);
    const decision: Decision = {
      v: 1,
      id: 'd-00000001',
      action: 'ban',
      cidr: '203.0.113.9/32',
      scope: { kind: 'fleet' },
      expiresAt: null,
      reason: 'test',
      approvalId: null,
      issuedAt: 1,
    };
    const signer = loadDecisionSigningKey(join(dir, 'hub', 'hub-signing.pem'));
    await decisions.put(decision.id, encodeSignedDecision(signer.sign(decision)));
    const verifier = loadDecisionVerifyKey(join(hostDir('web-1'), 'hub-public.pem'));
    const entry = await (await openDecisions(web1)).get(decision.id);
    assert.deepEqual(verifier.verifyBytes(entry!.value), { ok: true, decision });
  });

  it('refuses a client that does not trust the fleet CA, or does not use TLS', async () => {
    const seed = join(hostDir('web-1'), 'nats.seed');
    await assert.rejects(tryConnect(seed, {}), /certificate|self.signed|unable to verify/i);
    await assert.rejects(tryConnect(seed, null), /tls|secure|required/i);
    const other = await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(tmp, 'other.key'),
      '-out',
      join(tmp, 'other.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=other',
    ]);
    assert.ok(other);
    await assert.rejects(
      tryConnect(seed, { caFile: join(tmp, 'other.pem') }),
      /certificate|verify/i,
    );
  });

  it('add-host: the new host connects once NATS reloads', async () => {
    const seed = join(tmp, 'web-3.seed');
    const add = await runCli(['fleet', 'add-host', 'web-3', '--dir', dir]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /Host web-3 added[\s\S]*--signal reload/);
    copyFileSync(join(hostDir('web-3'), 'nats.seed'), seed);
    await assert.rejects(
      tryConnect(seed, { caFile: join(dir, 'tls', 'ca.pem') }),
      /authorization/i,
    );
    await nats!.nodes[0]!.reload();
    const web3 = await connectHost('web-3');
    await jetstream(web3).publish(hostSubject('web-3', 'status'), '{}');
  });

  it('revoke-host: after the reload the host is cut off and cannot come back; others keep working', async () => {
    // The stolen or retired host still has its seed.
    const seed = join(tmp, 'web-2.seed');
    copyFileSync(join(hostDir('web-2'), 'nats.seed'), seed);
    const web2 = await connectHost('web-2', seed);
    let disconnected = false;
    void (async () => {
      for await (const s of web2.status()) if (s.type === 'disconnect') disconnected = true;
    })();
    await jetstream(web2).publish(hostSubject('web-2', 'events'), '{}');
    const revoke = await runCli(['fleet', 'revoke-host', 'web-2', '--dir', dir]);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, /Host web-2 revoked[\s\S]*--signal reload/);
    assert.equal(existsSync(hostDir('web-2')), false);
    await nats!.nodes[0]!.reload();
    // The server drops the revoked user's connection, and refuses its retries.
    await waitFor('the revoked host to be disconnected', () => disconnected);
    await assert.rejects(
      jetstream(web2, { timeout: 1_000 }).publish(hostSubject('web-2', 'events'), '{}'),
    );
    await assert.rejects(
      tryConnect(seed, { caFile: join(dir, 'tls', 'ca.pem') }),
      /authorization/i,
    );
    const web1 = await connectHost('web-1');
    await jetstream(web1).publish(hostSubject('web-1', 'events'), '{}');
  });

  it('refuses mistakes with a clear message and status 2, in Korean too', async () => {
    const again = await runCli(['fleet', 'init', '--hosts', 'a', '--dir', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /fleet\.json exists already/);
    const bad = await runCli(['fleet', 'add-host', 'Web_1', '--dir', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"Web_1" is not a host name/);
    const dup = await runCli(['fleet', 'add-host', 'web-1', '--dir', dir]);
    assert.match(dup.stderr, /host web-1 is in the fleet already/);
    const none = await runCli(['fleet', 'revoke-host', 'db-9', '--dir', dir, '--lang', 'ko']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /호스트 db-9는 플릿에 없습니다/);
    const nowhere = await runCli(['fleet', 'add-host', 'x', '--dir', join(tmp, 'nothing')]);
    assert.match(nowhere.stderr, /no fleet in/);
    const twice = await runCli(['fleet', 'init', '--hosts', 'a,a', '--dir', join(tmp, 'f2')]);
    assert.match(twice.stderr, /host a is named twice/);
    assert.equal(existsSync(join(tmp, 'f2', 'fleet.json')), false);
    // A cluster: an odd number of nodes, each at its own address.
    const init = (...args: string[]) =>
      runCli(['fleet', 'init', '--hosts', 'a', '--dir', join(tmp, 'f3'), ...args]);
    const even = await init('--cluster', '4');
    assert.equal(even.code, 2);
    assert.match(even.stderr, /--cluster needs an odd number of nodes, 3 or more .*not "4"/);
    const word = await init('--cluster', 'three', '--lang', 'ko');
    assert.equal(word.code, 2);
    assert.match(word.stderr, /--cluster에는 3 이상의 홀수를 주십시오.*"three"/);
    const alone = await init('--cluster-listen', '0.0.0.0:6222');
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--cluster-listen is for a cluster: add --cluster 3/);
    const same = await init('--cluster', '3', '--server-name', 'nats.example');
    assert.equal(same.code, 2);
    assert.match(
      same.stderr,
      /nodes nats-1 and nats-2 would both be reached at nats\.example:4222/,
    );
    const count = await init('--cluster', '3', '--listen', '0.0.0.0:4222,0.0.0.0:4223');
    assert.match(count.stderr, /--listen gives 2 values for 3 nodes/);
    assert.equal(existsSync(join(tmp, 'f3')), false);
  });
});
