/**
 * The hub end to end on one machine: a real nats-server with JetStream, the
 * hub daemon with its records in the local SQLite store or in a real
 * PostgreSQL (hub.database), and three sensors (each its own store,
 * responder and dry-run firewall). Two failures on each host are a
 * distributed attack only the hub sees; one approval becomes a signed
 * decision every sensor applies; the admin hears "banned on 3 of 3 hosts"
 * only from their confirmations; a sensor's finding names its host. On
 * PostgreSQL the local store keeps none of the records, and `sheriff hosts`
 * reads the hub's database.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { systemClock } from '../clock.js';
import type { Finding } from '../domain.js';
import { generateDecisionKeyPair, parseDecisionVerifyKey } from '../fleet/signing.js';
import { Sensor } from '../fleet/sensor.js';
import { translator } from '../i18n/index.js';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import type { Alert, Notifier } from '../notify/notifier.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { CircuitBreaker } from '../respond/breaker.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { Guardrails } from '../respond/guardrails.js';
import { Responder } from '../respond/responder.js';
import { parseSecret } from '../respond/secret.js';
import type { EventRecord } from '../store/events.js';
import { HostStore } from '../store/hosts.js';
import { openStore, type Store } from '../store/index.js';
import { StoreWriter } from '../store/writer.js';
import { startNatsServer, type NatsCluster } from '../testing/nats-server.js';
import { startPostgres, type Postgres } from '../testing/postgres.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import { Daemon } from './daemon.js';
import { hub } from './fleet.js';
import { openHubDatabase } from './hub-database.js';
import { parseConfig } from './parse-config.js';
import { fleetBanStates } from '../fleet/ban-state.js';
import { incidentHosts } from '../fleet/cross-host.js';
import { currentStatus } from '../incidents/status.js';

const log = createLogger({ level: process.env['DBG'] ? 'info' : 'silent', format: 'json' });
let dir: string;
let postgres: Promise<Postgres> | undefined;
/** Each run its own NATS: its stream and decisions start empty. */
let nats: NatsCluster;
const connections: NatsConnection[] = [];
const open = async () => {
  const nc = await connect({ servers: nats.urls, maxReconnectAttempts: -1 });
  connections.push(nc);
  return nc;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-hub-'));
});
after(async () => {
  await (await postgres)?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function stopNats(): Promise<void> {
  for (const nc of connections.splice(0)) await nc.close().catch(() => {});
  await nats?.stop();
}

class Collect implements Notifier {
  readonly id = 'collect';
  readonly alerts: Alert[] = [];
  send(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return Promise.resolve();
  }
}

const ATTACKER = '203.0.113.77';
const fail = (i: number, host: string): EventRecord => ({
  time: Date.now() - 60_000 + i,
  jail: 'sshd',
  filter: 'sshd',
  rule: 'auth-fail',
  result: 'fail',
  ip: ATTACKER,
  host,
  user: `u${i}`,
  attempts: 1,
  source: '/var/log/auth.log',
  line: `Failed password for invalid user u${i} from ${ATTACKER} port ${40000 + i} ssh2`,
});

/** A sensor as `sheriff watch` runs one, on its own store and dry-run firewall. */
function sensor(name: string, publicPem: string, run: string) {
  const store: Store = openStore(join(dir, `${run}-${name}.db`));
  const firewall = new DryRunFirewall({ log: () => {} });
  const responder = new Responder({
    store: store.records,
    approvals: new Approvals(store.records, {
      key: parseSecret('b'.repeat(64), 'test'),
      authorize: authorizer({ cliUsers: [] }),
    }),
    guardrails: new Guardrails({
      trusted: trustedNetworks(),
      sessions: { sessions: () => Promise.resolve([]) },
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
  const s = new Sensor({
    host: name,
    groups: [],
    connect: open,
    verifier: parseDecisionVerifyKey(publicPem, 'test'),
    version: '9.9.9',
    clock: systemClock,
    logger: log,
  });
  const outbox = s.outbox(store.db);
  const writer = new StoreWriter(store, { parts: [outbox], flushMs: 0 });
  s.start(responder);
  return {
    store,
    firewall,
    /** Lines read and stored by this sensor (events to the outbox in the same flush). */
    read(events: EventRecord[]) {
      for (const e of events) s.event(e);
      writer.add({ sourceId: 'auth', cursor: null, events });
      writer.flush();
    },
    found(f: Finding) {
      s.finding(f);
      writer.add({ sourceId: 'auth', cursor: null, events: [] });
      writer.flush();
    },
    async stop() {
      await s.stop();
      writer.close();
      store.close();
    },
  };
}

/** Where the hub keeps its records: the YAML line that says so (none: the local store). */
const backends: Record<string, () => Promise<string>> = {
  SQLite: () => Promise.resolve(''),
  PostgreSQL: async () => {
    postgres ??= startPostgres();
    return `database: '${await (await postgres).createDatabase()}',`;
  },
};

for (const [backend, database] of Object.entries(backends))
  describe(`sheriff hub on ${backend}`, () => {
    before(async () => {
      nats = await startNatsServer();
    });
    after(stopNats);

    it('sees a distributed attack, turns one approval into a ban on every host, and says so only from their confirmations', async () => {
      const run = backend.toLowerCase();
      const keys = generateDecisionKeyPair();
      const keyFile = join(dir, `${run}-decisions.pem`);
      writeFileSync(keyFile, keys.privatePem, { mode: 0o600 });
      const yaml = [
        `store: { path: ${join(dir, `${run}-hub.db`)} }`,
        'timezone: UTC',
        'jails: { sshd: { policy: approve, maxretry: 5 } }',
        'response: { approvers: { cli: [tester] } }',
        'web: { enabled: false }',
        `hub: { servers: ['nats://127.0.0.1:1'], seedFile: unused, signingKey: ${keyFile},`,
        `       ${await database()}`,
        '       crossHost: { hosts: 3, failures: 6, window: 1h } }',
      ].join('\n');
      const configFile = join(dir, `${run}-hub.yaml`);
      writeFileSync(configFile, yaml);
      const config = parseConfig(yaml, configFile);
      // As `sheriff hub` wires it (cli/watch.ts): the database first, then the hub and the daemon.
      const db = await openHubDatabase(config.hub!);
      const h = hub(config.hub!, { clock: systemClock, logger: log, version: '9.9.9' }, open, db);
      const seen = new Collect();
      const daemon = Daemon.start({
        config,
        logger: log,
        t: translator('en'),
        notifiers: [seen],
        sources: [],
        firewall: h.firewall,
        fleet: h.extension,
        ...(db === null ? {} : { records: db.records }),
      });
      const sensors = ['web-1', 'web-2', 'web-3'].map((n) => ({
        name: n,
        ...sensor(n, keys.publicPem, run),
      }));
      const records = daemon.parts.records;
      try {
        // The hub's hosts where its records are (what the console and `sheriff hosts` read).
        const hosts = daemon.parts.hosts!;
        assert.equal(hosts === db?.hosts, db !== null);
        await waitFor('every sensor’s heartbeat', async () => (await hosts.list()).length === 3);
        assert.deepEqual(
          (await hosts.list()).map((r) => [r.name, r.version]),
          [
            ['web-1', '9.9.9'],
            ['web-2', '9.9.9'],
            ['web-3', '9.9.9'],
          ],
        );

        // A sensor's own finding reaches the hub's admin, naming the host.
        const own: Finding = {
          kind: 'bruteforce',
          jail: 'sshd',
          scope: 'address',
          ip: '198.51.100.4',
          count: 5,
          first: Date.now() - 1000,
          last: Date.now(),
          users: ['root'],
        };
        sensors[1]!.found(own);
        const relayed = await waitFor('the finding at the hub', () =>
          seen.alerts.find((a) => a.type === 'finding' && a.finding.ip === own.ip),
        );
        assert.deepEqual(relayed.type === 'finding' && relayed.finding.hosts, ['web-2']);

        // Two failures on each host: below every host's maxretry, a distributed attack at the hub.
        sensors.forEach((s, i) => s.read([fail(2 * i, s.name), fail(2 * i + 1, s.name)]));
        const distributed = await waitFor('the distributed finding', () =>
          seen.alerts.find((a) => a.type === 'finding' && a.finding.kind === 'distributed'),
        );
        assert.deepEqual(distributed.type === 'finding' && distributed.finding.hosts, [
          'web-1',
          'web-2',
          'web-3',
        ]);
        assert.equal(
          (await records.events.queryEvents({ ip: ATTACKER })).length,
          6,
          'each host’s events stored once',
        );

        const approval = await waitFor('the approval request', async () =>
          (await daemon.parts.approvals.pending()).find((a) => a.target?.cidr === `${ATTACKER}/32`),
        );
        assert.equal(
          seen.alerts.some((a) => a.type === 'fleet-ban' || a.type === 'banned'),
          false,
          'nothing is said to be banned before anyone approved',
        );
        const decided = await daemon.parts.approvals.decide(
          approval.id,
          'approve',
          { channel: 'cli', identity: 'tester' },
          Date.now(),
        );
        assert.equal(decided.ok, true);

        const told = await waitFor('the fleet-ban alert', () =>
          seen.alerts.find((a) => a.type === 'fleet-ban'),
        );
        assert.deepEqual(told, {
          type: 'fleet-ban',
          target: { cidr: `${ATTACKER}/32`, family: 4 },
          applied: 3,
          of: 3,
          problems: [],
        });
        for (const s of sensors)
          assert.deepEqual(
            (await s.firewall.list()).map((e) => e.target.cidr),
            [`${ATTACKER}/32`],
            `${s.name} blocks the attacker`,
          );
        assert.equal(
          seen.alerts.some((a) => a.type === 'banned'),
          false,
          'the hub never claims a ban by itself',
        );
        assert.deepEqual(
          (await hosts.list()).map((r) => r.bansApplied),
          [1, 1, 1],
        );

        // Hostile or broken input from a host is counted against it, never stored, never a crash.
        const raw = jetstream(await open());
        await raw.publish('sheriff.host.web-1.events', '{"v":1,"seq":"x"}');
        await raw.publish('sheriff.host.web-1.events', 'not json');
        await waitFor('two rejected messages', async () => (await hosts.list())[0]!.rejected === 2);
        assert.equal((await records.events.queryEvents({ ip: ATTACKER })).length, 6);

        if (db !== null) {
          // The records are the database's: the local store holds none of them.
          const local = daemon.parts.store;
          assert.equal(local.events.count(), 0, 'no event in the local store');
          assert.deepEqual(local.findings.recent(), []);
          assert.deepEqual(local.bans.active(Date.now()), []);
          assert.deepEqual(new HostStore(local.db).list(), []);
          assert.equal(
            (await records.bans.active(Date.now())).map((b) => b.target.cidr).join(),
            `${ATTACKER}/32`,
          );
        }
        // `sheriff status` too: the daemon's published status and the counts of the fleet.
        const status = await runCli(['--config', configFile, 'status', '--json']);
        assert.equal(status.code, 0, status.stderr);
        const shown = JSON.parse(status.stdout) as {
          running: boolean;
          bans: { active: number };
          counts: { failures24h: number; findings24h: number };
        };
        assert.equal(shown.running, true);
        assert.equal(shown.bans.active, 1);
        assert.equal(shown.counts.failures24h, 6);
        assert.equal(shown.counts.findings24h, 2, "web-2's finding and the distributed one");
        // `sheriff hosts` reads where the hub keeps its hosts.
        const cli = await runCli(['--config', configFile, 'hosts', '--json']);
        assert.equal(cli.code, 0, cli.stderr);
        assert.deepEqual(
          (JSON.parse(cli.stdout) as { name: string; bansApplied: number }[]).map((r) => [
            r.name,
            r.bansApplied,
          ]),
          [
            ['web-1', 1],
            ['web-2', 1],
            ['web-3', 1],
          ],
        );

        // The hub's ban is a published decision, enforced where the hosts said so: 3 of 3.
        const [published] = await records.bans.active(Date.now());
        assert.equal(published!.enforced, false);
        assert.deepEqual(
          (await fleetBanStates([published!], { status: records.status, hosts })).get(
            published!.id,
          ),
          { applied: 3, of: 3, problems: [] },
        );

        // A compromise on web-3 raises the fleet's level; its incident shows every host.
        const intruder = own.ip;
        const at = (i: number, host: string, result: 'fail' | 'success' = 'fail') => ({
          ...fail(i, host),
          ip: intruder,
          result,
          time: Date.now() - 30_000 + i,
        });
        sensors[0]!.read([at(0, 'web-1'), at(1, 'web-1')]);
        sensors[2]!.read([at(2, 'web-3'), at(3, 'web-3'), at(4, 'web-3', 'success')]);
        sensors[2]!.found({
          ...own,
          kind: 'compromise',
          first: Date.now() - 30_000 + 2,
          last: Date.now() - 30_000 + 4,
        });
        await waitFor('the fleet in danger', async () => {
          const s = await currentStatus(records.activity, Date.now());
          return s.level === 'danger' && s.reasons[0]!.code === 'compromise';
        });
        // After it got in, it tries web-1 again: the incident follows it there.
        const later = { ...at(5, 'web-1'), time: Date.now() };
        sensors[0]!.read([later]);
        const incident = await waitFor('the incident follows the attacker', async () => {
          const i = await records.incidents.latest(intruder);
          return i !== null && i.lastSeen >= later.time && i;
        });
        assert.deepEqual(
          (await incidentHosts(records.activity, incident)).map((h) => [
            h.host,
            h.failures,
            h.successes,
          ]),
          [
            ['web-1', 3, 0],
            ['web-3', 2, 1],
          ],
        );
      } finally {
        for (const s of sensors) await s.stop();
        await daemon.stop();
      }
    });
  });
