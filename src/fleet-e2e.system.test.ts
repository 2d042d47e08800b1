/**
 * The fleet end to end with real programs, inside the e2e sandbox (a private
 * mount namespace; every network namespace vanishes with it): three servers
 * on one LAN, each with OpenSSH's sshd logging to its own file and
 * `sheriff watch` as a sensor banning in its own nftables; a hub namespace
 * running nats-server with the configuration `sheriff fleet init` wrote and
 * `sheriff hub` with its records in PostgreSQL (a throwaway cluster outside
 * the sandbox, reached over its unix socket: a file, so from the hub's
 * network namespace too). The attacker fails on host 1 only; one approval at the hub
 * and all three servers drop it — the one whose sensor was down during the
 * approval as soon as it starts again — while an innocent host still reaches
 * them, and the hub counts three confirmations. Then, in the same sandbox:
 * NATS stopped while a server sees failures and started again, and the hub
 * holds each of them exactly once (the sensor's outbox); and a thief with a
 * server's NATS credentials fails to write a decision, nothing blocked.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Sandbox } from './testing/e2e/client.js';
import { canConnect, failLogin, lan, startSshdIn, type Host } from './testing/e2e/scenario.js';
import { openPgStore } from './store/pg/index.js';
import { NATS_SERVER } from './testing/nats-server.js';
import { startPostgres, type Postgres } from './testing/postgres.js';
import { CLI } from './testing/paths.js';
import { waitFor } from './testing/wait.js';

const SERVERS = { h1: '192.0.2.1', h2: '192.0.2.2', h3: '192.0.2.3' } as const;
const HUB = '192.0.2.100';
const NATS_URL = `nats://${HUB}:4222`;

let box: Sandbox;
let hosts: Record<string, Host>;
let postgres: Postgres;
/** What `sheriff fleet init` wrote, and the hub's config (set by the first test). */
let fleet: string;
let hubConfig: string;

before(async () => {
  postgres = await startPostgres();
  box = await Sandbox.start();
  hosts = await lan(box, '192.0.2.0/24', {
    ...SERVERS,
    hub: HUB,
    atk: '192.0.2.66',
    atk2: '192.0.2.67',
    inn: '192.0.2.20',
  });
  for (const [i, ns] of Object.keys(SERVERS).entries())
    await startSshdIn(box, ns, { facility: `LOCAL${i}` });
  for (const ip of Object.values(SERVERS))
    await waitFor(`sshd on ${ip}`, () => canConnect(box, hosts.inn!, ip));
});
after(async () => {
  await box?.close();
  await postgres?.stop();
});

async function cli(...args: string[]): Promise<string> {
  const r = await box.run([process.execPath, CLI, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** Whether a TCP connection from namespace `ns` to `ip`:`port` opens. */
async function reaches(ns: string, ip: string, port: number): Promise<boolean> {
  const probe = `const s=require('net').connect(${port},${JSON.stringify(ip)});s.setTimeout(1000);s.on('connect',()=>process.exit(0));s.on('timeout',()=>process.exit(1));s.on('error',()=>process.exit(1));`;
  return (await box.run(['ip', 'netns', 'exec', ns, process.execPath, '-e', probe])).code === 0;
}

const out = (name: string) => join(box.work, `${name}.out`);

/** nats-server in the hub's namespace, from fleet init's config (its JetStream store on disk). */
async function startNats(): Promise<void> {
  await box.start('nats', [
    'ip',
    'netns',
    'exec',
    'hub',
    NATS_SERVER,
    '-c',
    join(fleet, 'nats-server.conf'),
  ]);
  await waitFor('nats-server listening', () => reaches('h1', HUB, 4222));
}
const sensorArgs = (name: string) => [
  'ip',
  'netns',
  'exec',
  name,
  process.execPath,
  CLI,
  '--config',
  join(box.work, `${name}.yaml`),
  'watch',
  '--no-web',
];

describe('end to end: a fleet of three sshd servers, one hub, NATS', () => {
  it('one approval at the hub blocks the attacker on every server, and the innocent host still reaches them', async () => {
    const w = box.work;
    fleet = join(w, 'fleet');
    await cli(
      'fleet',
      'init',
      '--hosts',
      'h1,h2,h3',
      '--dir',
      fleet,
      '--listen',
      `${HUB}:4222`,
      '--store-dir',
      join(w, 'jetstream'),
    );
    await startNats();

    const database = await postgres.createDatabase();
    hubConfig = join(w, 'hub.yaml');
    writeFileSync(
      hubConfig,
      [
        `store: { path: ${join(w, 'hub.db')} }`,
        'sources: []',
        'log: { level: info, format: json }',
        'jails: { sshd: { maxretry: 3, policy: approve, bantime: 1h } }',
        `hub: { servers: [${NATS_URL}], seedFile: ${join(fleet, 'hub', 'hub.seed')}, signingKey: ${join(fleet, 'hub', 'hub-signing.pem')},`,
        `       database: '${postgres.socketUrl(database)}' }`,
        '',
      ].join('\n'),
    );
    await box.start('hub', [
      'ip',
      'netns',
      'exec',
      'hub',
      process.execPath,
      CLI,
      '--config',
      hubConfig,
      'hub',
      '--no-web',
    ]);

    for (const [i, name] of Object.keys(SERVERS).entries()) {
      const config = join(w, `${name}.yaml`);
      const own = join(fleet, 'hosts', name);
      writeFileSync(
        config,
        [
          `store: { path: ${join(w, `${name}.db`)} }`,
          `sources: [{ type: file, path: ${join(w, `local${i}.log`)} }]`,
          'log: { level: info, format: json }',
          // The hub decides the bans; a sensor detects, reports and applies the hub's decisions.
          'jails: { sshd: { maxretry: 3, policy: notify } }',
          'response: { firewall: nftables }',
          `fleet: { host: ${name}, servers: [${NATS_URL}], seedFile: ${join(own, 'nats.seed')}, hubPublicKey: ${join(own, 'hub-public.pem')} }`,
          '',
        ].join('\n'),
      );
      writeFileSync(join(w, `local${i}.log`), '', { flag: 'a' });
      await box.start(`sensor-${name}`, sensorArgs(name));
      await waitFor(`sensor ${name} reading`, () =>
        readFileSync(out(`sensor-${name}`), 'utf8').includes('"source_ready"'),
      );
    }
    await waitFor('three hosts at the hub', async () => {
      const listed = await cli('--config', hubConfig, 'hosts', '--json');
      return (JSON.parse(listed) as unknown[]).length === 3;
    });

    // The attacker fails on host 1 only.
    for (let i = 0; i < 3; i++) await failLogin(box, hosts.atk!, SERVERS.h1);
    const id = await waitFor('an approval request at the hub', async () => {
      const m = /^(\S+)\s+pending\s+ban 192\.0\.2\.66\/32/m.exec(
        await cli('--config', hubConfig, 'approvals'),
      );
      return m?.[1] ?? false;
    });
    for (const ip of Object.values(SERVERS))
      assert.equal(
        await canConnect(box, hosts.atk!, ip),
        true,
        `nothing is blocked on ${ip} before the approval`,
      );

    // Host 3's sensor is down while the admin approves: it converges when it starts again.
    assert.equal(await box.stop('sensor-h3'), 0);
    await cli('--config', hubConfig, 'approve', id);
    for (const ip of [SERVERS.h1, SERVERS.h2])
      await waitFor(
        `the attacker blocked on ${ip}`,
        async () => !(await canConnect(box, hosts.atk!, ip)),
      );
    assert.equal(
      await canConnect(box, hosts.atk!, SERVERS.h3),
      true,
      'no sensor, no ban on h3 yet',
    );
    await box.start('sensor-h3', sensorArgs('h3'));
    for (const ip of Object.values(SERVERS))
      await waitFor(
        `the attacker blocked on ${ip}`,
        async () => !(await canConnect(box, hosts.atk!, ip)),
      );
    for (const ip of Object.values(SERVERS))
      assert.equal(
        await canConnect(box, hosts.inn!, ip),
        true,
        `the innocent host must still reach ${ip}`,
      );
    // The hub counts what the hosts confirmed, not what it asked: all three applied it.
    await waitFor('three confirmations at the hub', async () => {
      const listed = JSON.parse(await cli('--config', hubConfig, 'hosts', '--json')) as {
        name: string;
        bansApplied: number;
      }[];
      return listed.every((h) => h.bansApplied >= 1);
    });
    // The hub itself says it published a decision, never that it banned.
    const hubLog = readFileSync(out('hub'), 'utf8');
    assert.match(hubLog, /"event":"decision_published"/);
    assert.doesNotMatch(hubLog, /"event":"banned"/);
    // All of it is in the hub's PostgreSQL: the attacker's failures from host 1, the approval, the ban.
    const pg = await openPgStore(database);
    try {
      const failures = await pg.events.queryEvents({ ip: '192.0.2.66', kind: 'fail' });
      assert.ok(failures.length >= 3, `${failures.length} failures stored`);
      assert.ok(failures.every((e) => e.source?.startsWith('h1:')));
      assert.equal((await pg.approvals.get(id))?.status, 'approved');
      assert.deepEqual(
        (await pg.bans.active(Date.now())).map((b) => b.target.cidr),
        ['192.0.2.66/32'],
      );
    } finally {
      await pg.close();
    }
  });

  it('NATS restarted mid-run loses nothing: what a sensor saw while it was down reaches the hub once', async () => {
    const atk2 = hosts.atk2!;
    const h2 = ['--config', join(box.work, 'h2.yaml')];
    const eventsOf = async (config: string[]) =>
      (await cli(...config, 'events', '--ip', atk2.ip, '--json', '--limit', '1000'))
        .split('\n')
        .filter((l) => l !== '').length;
    const outbox = async () =>
      Number(
        (
          await box.run(['sqlite3', join(box.work, 'h2.db'), 'SELECT count(*) FROM fleet_outbox'])
        ).stdout.trim(),
      );

    // Down briefly: the clients' reconnect pause doubles while it is (fleet/connect.ts).
    await box.stop('nats');
    await failLogin(box, atk2, SERVERS.h2);
    await waitFor('the failure stored on h2', async () => (await eventsOf(h2)) >= 1);
    await waitFor('h2 keeps them in its outbox', async () => (await outbox()) > 0);
    assert.equal(
      await eventsOf(['--config', hubConfig]),
      0,
      'nothing reaches the hub without NATS',
    );

    await startNats();
    await waitFor('h2 delivered its outbox', async () => (await outbox()) === 0);
    const sensor = await eventsOf(h2);
    await waitFor(
      `the hub holds h2's ${sensor} events`,
      async () => (await eventsOf(['--config', hubConfig])) >= sensor,
    );
    assert.equal(await eventsOf(['--config', hubConfig]), sensor, 'each event exactly once');
  });

  it('a sensor with stolen credentials cannot publish a decision: the put fails, no firewall changes', async () => {
    const thief = fileURLToPath(new URL('./testing/e2e/stolen-decision.js', import.meta.url));
    const r = await box.run([
      'ip',
      'netns',
      'exec',
      'h2',
      process.execPath,
      thief,
      NATS_URL,
      join(fleet, 'hosts', 'h2', 'nats.seed'),
      'h2',
      `${hosts.inn!.ip}/32`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { put: string; value: string | null };
    assert.match(result.put, /permission/i);
    assert.equal(result.value, null, 'no decision under that key');
    for (const ip of Object.values(SERVERS))
      assert.equal(
        await canConnect(box, hosts.inn!, ip),
        true,
        `the innocent host must still reach ${ip}`,
      );
  });
});
