/**
 * The console at the fleet's hub, over real HTTP with a real SQLite store fed
 * through the hub's own ingest (store/hosts.ts): the hosts page's API, and
 * events, findings, incidents and bans filtered to one host. A console without
 * the hosts module (a single host) has neither.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../log.js';
import { trustedNetworks } from '../intel/trusted.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { Guardrails } from '../respond/guardrails.js';
import { SecretKey } from '../respond/secret.js';
import { asyncHosts, HostStore } from '../store/hosts.js';
import { openStore, type Store } from '../store/index.js';
import { T0, sampleEvent, sampleFinding } from '../store/testing.js';
import { webSchema } from './config.js';
import type { Ban, EventRecord, Features, Finding, HostView, Incident } from './contract.js';
import { hashPassword } from './password.js';
import { WebServer } from './server.js';

const PASSWORD = 'a long enough password';
const logger = createLogger({ level: 'fatal', format: 'json' }, process.stderr);
const now = T0 + 60_000;
let dir: string;
let store: Store;

async function console_(withHosts: boolean): Promise<WebServer> {
  const hosts = new HostStore(store.db);
  return WebServer.start({
    config: webSchema.parse({ port: 0 }),
    passwordHash: await hashPassword(PASSWORD),
    deps: {
      store,
      records: store.records,
      approvals: new Approvals(store.records, {
        key: new SecretKey(Buffer.alloc(32, 7), 'test'),
        authorize: authorizer({ webUsers: ['admin'] }),
      }),
      guardrails: new Guardrails({
        trusted: trustedNetworks(),
        admins: [],
        interfaces: () => ({}),
        sessions: { sessions: () => Promise.resolve([]) },
      }),
      health: () => [],
      internal: () => false,
      clock: () => now,
      logger,
      incidents: store.records.incidents,
      ...(withHosts ? { hosts: asyncHosts(hosts) } : {}),
    },
  });
}

/** GET `path` as a logged-in admin: status and JSON body. */
async function get<T>(server: WebServer, path: string): Promise<{ status: number; body: T }> {
  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const r = await fetch(`${server.url}${path}`, { headers: { cookie } });
  return { status: r.status, body: (await r.json()) as T };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-fleet-views-'));
  store = openStore(join(dir, 'hub.db'));
  const hosts = new HostStore(store.db);
  // What two sensors sent, stored as the hub stores it.
  const sent = (host: string, seq: number, ip: string) =>
    hosts.ingest(
      host,
      'e1',
      seq,
      {
        events: [sampleEvent({ ip, source: 'file:/var/log/auth.log' })],
        findings: [{ finding: sampleFinding({ ip }), createdAt: T0 + seq }],
      },
      T0,
    )![0]!;
  const f3 = sent('web-3', 1, '203.0.113.5');
  const f1 = sent('web-1', 2, '198.51.100.7');
  hosts.status(
    'web-3',
    {
      version: '0.2.0',
      lagMs: 1200,
      outbox: 4,
      errors: ['cannot read /var/log/secure'],
      groups: ['web'],
      at: T0,
    },
    T0 + 5000,
  );
  hosts.rejected('web-1', T0 + 6000);
  hosts.confirm({ decision: 'd1', host: 'web-3', outcome: 'applied', reason: null, at: T0 });
  for (const [ip, finding] of [
    ['203.0.113.5', f3],
    ['198.51.100.7', f1],
  ] as const) {
    store.incidents.open(
      {
        attacker: ip,
        scope: 'address',
        kind: 'bruteforce',
        jail: 'sshd',
        first: T0,
        last: T0,
        users: [],
      },
      T0,
      { time: T0, kind: 'finding', actor: 'detect', refId: finding, detail: {} },
    );
    const ban = store.bans.insert({
      target: { cidr: `${ip}/32`, family: 4 },
      jail: 'sshd',
      reason: 'sshd: 5 failures',
      requestedBy: 'jail:sshd',
      approvalId: null,
      createdAt: T0,
      expiresAt: null,
    });
    store.bans.markApplied(ban.id, T0, 'fleet');
  }
});

after(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the console at the hub', () => {
  let server: WebServer;
  before(async () => (server = await console_(true)));
  after(() => server.close());

  it('lists each host with its last status, outbox, errors, rejected messages and bans applied', async () => {
    assert.equal((await get<Features>(server, '/api/features')).body.hosts, true);
    const { status, body } = await get<HostView[]>(server, '/api/hosts');
    assert.equal(status, 200);
    assert.deepEqual(body, [
      {
        name: 'web-1',
        lastSeen: T0,
        version: null,
        lagMs: null,
        outbox: null,
        errors: [],
        groups: [],
        statusAt: null,
        rejected: 1,
        bansApplied: 0,
      },
      {
        name: 'web-3',
        lastSeen: T0 + 5000,
        version: '0.2.0',
        lagMs: 1200,
        outbox: 4,
        errors: ['cannot read /var/log/secure'],
        groups: ['web'],
        statusAt: T0,
        rejected: 0,
        bansApplied: 1,
      },
    ]);
  });

  it('filters events, findings, incidents and bans to one host', async () => {
    const ips = async <T>(path: string, ip: (x: T) => string) =>
      (await get<T[]>(server, path)).body.map(ip);
    const events = await get<EventRecord[]>(server, '/api/events?host=web-3');
    assert.deepEqual(
      events.body.map((e) => [e.ip, e.source]),
      [['203.0.113.5', 'web-3:file:/var/log/auth.log']],
    );
    assert.deepEqual((await get<EventRecord[]>(server, '/api/events')).body.length, 2);
    const findings = await get<Finding[]>(server, '/api/findings?host=web-1');
    assert.deepEqual(
      findings.body.map((f) => [f.ip, f.hosts]),
      [['198.51.100.7', ['web-1']]],
    );
    assert.deepEqual(await ips<Incident>('/api/incidents?host=web-3', (i) => i.attacker), [
      '203.0.113.5',
    ]);
    assert.deepEqual((await ips<Incident>('/api/incidents', (i) => i.attacker)).sort(), [
      '198.51.100.7',
      '203.0.113.5',
    ]);
    assert.deepEqual(await ips<Ban>('/api/bans?host=web-1', (b) => b.target.cidr), [
      '198.51.100.7/32',
    ]);
    assert.deepEqual(await ips<Ban>('/api/bans?host=db-1', (b) => b.target.cidr), []);
    assert.equal((await get<Ban[]>(server, '/api/bans')).body.length, 2);
  });

  it('refuses a host that is not a host name, naming the field', async () => {
    for (const path of [
      '/api/events?host=WEB-3',
      '/api/findings?host=web_3',
      '/api/incidents?host=-web',
      "/api/bans?host=web-3'%20OR%201=1",
    ]) {
      const r = await get<{ error: string }>(server, path);
      assert.equal(r.status, 400, path);
      assert.match(r.body.error, /^host: not a host name/, path);
    }
  });
});

describe('the console of a single host', () => {
  it('has no hosts page', async () => {
    const server = await console_(false);
    try {
      assert.equal((await get<Features>(server, '/api/features')).body.hosts, false);
      assert.equal((await get<unknown>(server, '/api/hosts')).status, 404);
    } finally {
      await server.close();
    }
  });
});
