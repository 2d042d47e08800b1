/**
 * The dashboard's numbers against the other surfaces, over real HTTP and the
 * real CLI on one real SQLite store: `/metrics`, `sheriff status` (text and
 * JSON) and `/api/dashboard` give the same counts (store/counts.ts), and the
 * dashboard's top attackers never name a trusted or internal address.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActionRequest } from '../domain.js';
import { TrustedProvider, trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { Guardrails } from '../respond/guardrails.js';
import { SecretKey } from '../respond/secret.js';
import { openStore, ScanAggregator, type Store } from '../store/index.js';
import { sampleEvent } from '../store/testing.js';
import { runCli } from '../testing/run-cli.js';
import type { Counts } from '../store/counts.js';
import { webSchema } from './config.js';
import type { Dashboard, SessionView } from './contract.js';
import { hashPassword } from './password.js';
import { WebServer } from './server.js';

const PASSWORD = 'a long enough password';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A configured `trusted:` network, beside the built-in private ranges. */
const TRUSTED = ['198.18.0.0/15'];
let dir: string;
let config: string;
let store: Store;
let server: WebServer;
/** The CLI reads the real time: so does everything here. */
const now = Date.now();

function ban(cidr: string, firewall: string | null): void {
  const b = store.bans.insert({
    target: { cidr, family: 4 },
    jail: 'sshd',
    reason: 'sshd: 5 failures',
    requestedBy: 'jail:sshd',
    approvalId: null,
    createdAt: now - HOUR,
    expiresAt: now + DAY,
  });
  if (firewall !== null) store.bans.markApplied(b.id, now - HOUR, firewall);
}

function banRequest(cidr: string): ActionRequest {
  return {
    action: 'ban',
    target: { cidr, family: 4 },
    durationMs: HOUR,
    reason: 'bruteforce',
    requestedBy: 'jail:sshd',
    jail: 'sshd',
    evidence: { findings: [], events: [] },
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-dashboard-'));
  const db = join(dir, 'sheriff.db');
  config = join(dir, 'sheriff.yaml');
  await writeFile(config, `store: { path: ${db} }\ntrusted: [${TRUSTED.join(', ')}]\n`);
  store = openStore(db);
  const fail = (ip: string, attempts: number, ago: number) =>
    store.events.insert(sampleEvent({ ip, host: ip, attempts, time: now - ago, user: `u${ago}` }));
  // The office and a trusted network fail the most; they are counted, but are no attackers.
  for (let i = 0; i < 5; i++) fail('192.168.1.10', 4, HOUR + i);
  for (let i = 0; i < 5; i++) fail('198.18.0.9', 4, HOUR + i);
  fail('203.0.113.5', 3, HOUR);
  fail('203.0.113.5', 1, 2 * HOUR);
  fail('192.0.2.7', 2, 3 * HOUR);
  fail('192.0.2.8', 9, 2 * DAY); // before the last 24 hours
  store.events.insert(sampleEvent({ result: 'success', rule: 'accepted', time: now - HOUR }));
  // Scanners, summed as the daemon's writer sums them: one outside, the office, one of two days ago.
  const scans = new ScanAggregator(store.db);
  for (let i = 0; i < 5; i++) scans.add('sshd', '198.51.100.40', now - HOUR + i, 'closed');
  for (let i = 0; i < 3; i++) scans.add('sshd', '192.168.1.10', now - HOUR + i, 'closed');
  scans.add('sshd', '198.51.100.41', now - 2 * DAY, 'no-identification');
  store.db.transaction(() => scans.write())();
  scans.written();
  const finding = {
    kind: 'bruteforce' as const,
    jail: 'sshd',
    scope: 'address' as const,
    ip: '203.0.113.5',
    count: 4,
    first: now - 2 * HOUR,
    last: now - HOUR,
    users: ['root'],
  };
  store.findings.insert(finding, now - HOUR);
  store.findings.insert(finding, now - 2 * DAY);
  ban('203.0.113.5/32', 'nftables');
  ban('203.0.113.6/32', 'dry-run');
  ban('203.0.113.9/32', null); // not applied yet: not in force
  const approvals = new Approvals(store.records, {
    key: new SecretKey(Buffer.alloc(32, 7), 'test'),
    authorize: authorizer({ webUsers: ['admin'] }),
    ttlMs: HOUR,
  });
  await approvals.request(banRequest('192.0.2.7/32'), now);
  await approvals.request(banRequest('192.0.2.8/32'), now - 2 * HOUR); // expired
  // What a running daemon published: its counts per jail since it started.
  store.status.put(
    'daemon',
    {
      pid: process.pid,
      startedAt: now - DAY,
      sources: [],
      jails: { sshd: { fail: 17, success: 1, findings: 1, ambiguous: 2 } },
      storeBytes: 0,
    },
    now,
  );
  const trusted = new TrustedProvider(TRUSTED);
  server = await WebServer.start({
    config: webSchema.parse({ port: 0 }),
    passwordHash: await hashPassword(PASSWORD),
    deps: {
      store,
      records: store.records,
      approvals,
      guardrails: new Guardrails({
        trusted: trustedNetworks(TRUSTED),
        interfaces: () => ({}),
        sessions: { sessions: () => Promise.resolve([]) },
      }),
      health: () => [],
      internal: (ip) => trusted.isInternal(ip),
      clock: Date.now,
      logger: createLogger({ level: 'fatal', format: 'json' }, process.stderr),
    },
  });
});

after(async () => {
  await server?.close();
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function dashboard(): Promise<Dashboard> {
  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  assert.equal(((await login.json()) as SessionView).user, 'admin');
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const r = await fetch(`${server.url}/api/dashboard`, { headers: { cookie } });
  assert.equal(r.status, 200);
  return (await r.json()) as Dashboard;
}

/** A metric's value from the Prometheus text (`name{labels} value`). */
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

describe('the counts on every surface', () => {
  it('/metrics, sheriff status and the dashboard agree', async () => {
    const expected = {
      failures24h: 4 * 10 + 3 + 1 + 2,
      findings24h: 1,
      activeBans: 2,
      unenforcedBans: 1,
      pendingApprovals: 1,
    };
    const dash = await dashboard();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const json = await runCli(['--config', config, 'status', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout) as { counts: Counts; bans: Record<string, number> };
    const text = await runCli(['--config', config, 'status']);
    assert.equal(text.code, 0, text.stderr);

    const pick = (c: typeof expected) => ({
      failures24h: c.failures24h,
      findings24h: c.findings24h,
      activeBans: c.activeBans,
      unenforcedBans: c.unenforcedBans,
      pendingApprovals: c.pendingApprovals,
    });
    assert.deepEqual(pick(dash), expected, 'the dashboard');
    assert.deepEqual(pick(status.counts), expected, 'sheriff status --json');
    assert.deepEqual(
      {
        failures24h: metric(metrics, 'sheriff_failures_24h'),
        findings24h: metric(metrics, 'sheriff_findings_24h'),
        activeBans: metric(metrics, 'sheriff_bans_active'),
        unenforcedBans: metric(metrics, 'sheriff_bans_not_enforced'),
        pendingApprovals: metric(metrics, 'sheriff_approvals_pending'),
      },
      expected,
      '/metrics',
    );
    assert.match(text.stdout, /^Last 24 hours: 46 failed attempts, 1 findings$/m);
    assert.match(text.stdout, /^Approvals waiting for a decision: 1$/m);
    assert.match(text.stdout, /^Bans recorded: 2, of which 1 NOT ENFORCED/m);
    assert.deepEqual(status.bans, { active: 2, enforced: 1 });

    // Since the daemon started, per jail: what it published, in status and /metrics alike.
    assert.deepEqual(status.counts.jails, {
      sshd: { fail: 17, success: 1, findings: 1, ambiguous: 2 },
    });
    assert.match(text.stdout, /^ {2}sshd: 17 failures, 1 logins, 1 findings$/m);
    assert.equal(metric(metrics, 'sheriff_events_total{jail="sshd",result="fail"}'), 17);
    assert.equal(metric(metrics, 'sheriff_events_total{jail="sshd",result="success"}'), 1);
    assert.equal(metric(metrics, 'sheriff_findings_total{jail="sshd"}'), 1);
    assert.equal(metric(metrics, 'sheriff_ambiguous_lines_total{jail="sshd"}'), 2);
  });

  it('lists the scanners of the last 24 hours, never a trusted or internal one', async () => {
    const dash = await dashboard();
    assert.deepEqual(
      dash.scanners.map((s) => [s.ip, s.connections]),
      [['198.51.100.40', 5]],
    );
    assert.deepEqual(dash.scans24h, { connections: 8, addresses: 2 });
  });

  it('never shows a trusted or internal address among the top attackers', async () => {
    const dash = await dashboard();
    assert.deepEqual(
      dash.top.map((a) => [a.ip, a.failures, a.lines]),
      [
        ['203.0.113.5', 4, 2],
        ['192.0.2.7', 2, 1],
      ],
    );
  });
});
