/**
 * The console's server over real HTTP on 127.0.0.1, with a real SQLite store
 * and the real Approvals: authentication, CSRF and origin checks, headers,
 * decisions as channel 'web', the live feed and the metrics.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../log.js';
import { trustedNetworks } from '../intel/trusted.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { Guardrails } from '../respond/guardrails.js';
import { SecretKey } from '../respond/secret.js';
import { recordPublished } from '../fleet/ban-state.js';
import { decisionIdOf } from '../fleet/fleet-firewall.js';
import { asyncHosts, HostStore } from '../store/hosts.js';
import { openStore, type Store } from '../store/index.js';
import type { Ban } from './contract.js';
import { webSchema } from './config.js';
import { isPasswordHash } from './password-hash.js';
import { hashPassword, loadPasswordHash, verifyPassword } from './password.js';
import { WebServer } from './server.js';

const PASSWORD = 'a long enough password';
let dir: string;
let store: Store;
let approvals: Approvals;
let server: WebServer;
let now = Date.UTC(2026, 10, 25, 7, 0, 0);
const logger = createLogger({ level: 'fatal', format: 'json' }, process.stderr);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-webapi-'));
  store = openStore(join(dir, 'sheriff.db'));
  approvals = new Approvals(store.records, {
    key: new SecretKey(Buffer.alloc(32, 7), 'test'),
    authorize: authorizer({ webUsers: ['admin'] }),
  });
  server = await WebServer.start({
    config: webSchema.parse({ port: 0 }),
    passwordHash: await hashPassword(PASSWORD),
    login: { free: 3 },
    deps: {
      store,
      records: store.records,
      // As at the fleet's hub: its hosts, so published bans show their confirmations.
      hosts: asyncHosts(new HostStore(store.db)),
      approvals,
      guardrails: new Guardrails({
        trusted: trustedNetworks(),
        admins: ['198.51.100.77'],
        interfaces: () => ({}),
        sessions: { sessions: () => Promise.resolve([]) },
      }),
      health: () => [],
      internal: () => false,
      clock: () => now,
      logger,
    },
  });
});

after(async () => {
  await server.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

async function login(): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, csrf: ((await r.json()) as { csrf: string }).csrf };
}

function post(path: string, body: unknown, headers: Record<string, string>) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function pendingBan(cidr: string) {
  return approvals.request(
    {
      action: 'ban',
      target: { cidr, family: 4 },
      durationMs: 3_600_000,
      reason: 'bruteforce: 5 failures',
      requestedBy: 'jail:sshd',
      jail: 'sshd',
      evidence: { findings: [], events: [] },
    },
    now,
  );
}

describe('passwords', () => {
  it('verifies only the right password, and no malformed hash', async () => {
    const hash = await hashPassword('s3cret password');
    assert.ok(isPasswordHash(hash));
    assert.equal(await verifyPassword('s3cret password', hash), true);
    assert.equal(await verifyPassword('s3cret passwore', hash), false);
    assert.equal(await verifyPassword('s3cret password', hash.replace('16384', '16')), false);
    assert.equal(await verifyPassword('x', 'plain text'), false);
  });

  it('generates a password once, keeps only its hash in a 0600 file', async () => {
    const db = join(dir, 'gen', 'sheriff.db');
    const first = await loadPasswordHash(undefined, db);
    assert.ok(first.generated !== null && first.file !== null);
    assert.equal((await stat(first.file)).mode & 0o777, 0o600);
    assert.equal(await verifyPassword(first.generated, first.hash), true);
    const again = await loadPasswordHash(undefined, db);
    assert.deepEqual(again, { hash: first.hash, generated: null, file: first.file });
  });
});

describe('web server', () => {
  it('serves the page with a strict CSP and no inline code', async () => {
    const r = await fetch(`${server.url}/`);
    const csp = r.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const html = await r.text();
    assert.doesNotMatch(html, /<script>|<style|\sstyle=|\son[a-z]+=/);
    assert.equal((await fetch(`${server.url}/vendor/uplot.js`)).status, 200);
  });

  it('serves its own icon, linked from the page, with no request elsewhere', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    assert.match(html, /<link rel="icon" href="\/favicon\.svg" type="image\/svg\+xml">/);
    const r = await fetch(`${server.url}/favicon.svg`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/svg+xml');
    const svg = await r.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
    assert.doesNotMatch(svg.replace(/xmlns="[^"]*"/, ''), /https?:|href|<script/);
  });

  it('needs a session for the API, and sets an httpOnly SameSite=Strict cookie', async () => {
    assert.equal((await fetch(`${server.url}/api/dashboard`)).status, 401);
    const r = await post('/api/login', { user: 'admin', password: PASSWORD }, {});
    assert.match(r.headers.get('set-cookie')!, /HttpOnly/);
    assert.match(r.headers.get('set-cookie')!, /SameSite=Strict/);
    assert.doesNotMatch(r.headers.get('set-cookie')!, /Secure/);
    const foreign = await post(
      '/api/login',
      { user: 'admin', password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    assert.equal(foreign.status, 403);
  });

  it('decides approvals as channel web, only with the CSRF token, once', async () => {
    const { cookie, csrf } = await login();
    const a = await pendingBan('198.51.100.9/32');
    const path = `/api/approvals/${a.id}`;
    assert.equal((await post(path, { decision: 'approve' }, { cookie })).status, 403);
    assert.equal((await approvals.get(a.id))!.status, 'pending');
    const ok = await post(path, { decision: 'approve' }, { cookie, 'x-csrf-token': csrf });
    assert.equal(ok.status, 200);
    const decided = (await approvals.get(a.id))!;
    assert.equal(decided.status, 'approved');
    assert.equal(decided.decidedBy, 'admin');
    assert.equal(decided.channel, 'web');
    const audit = store.audit.list({ limit: 5 }).find((e) => e.action === 'approval.approve');
    assert.equal(audit?.channel, 'web');
    const again = await post(path, { decision: 'deny' }, { cookie, 'x-csrf-token': csrf });
    assert.equal(again.status, 409);
  });

  it('approves all the ids the page showed, each through decide, only with the CSRF token', async () => {
    const { cookie, csrf } = await login();
    const shown = [await pendingBan('198.51.100.21/32'), await pendingBan('198.51.100.22/32')];
    const notShown = await pendingBan('198.51.100.23/32');
    const ids = [...shown.map((a) => a.id), 'nosuchid'];
    const path = '/api/approvals/approve-all';
    assert.equal((await post(path, { ids }, { cookie })).status, 403);
    for (const a of shown) assert.equal((await approvals.get(a.id))!.status, 'pending');
    assert.equal((await post(path, { ids: [] }, { cookie, 'x-csrf-token': csrf })).status, 400);

    const r = await post(path, { ids }, { cookie, 'x-csrf-token': csrf });
    assert.equal(r.status, 200);
    const body = (await r.json()) as {
      approved: number;
      results: { id: string; ok: boolean; code?: string }[];
    };
    assert.equal(body.approved, 2);
    assert.deepEqual(
      body.results.map((x) => [x.id, x.ok, x.code ?? null]),
      [
        [shown[0]!.id, true, null],
        [shown[1]!.id, true, null],
        ['nosuchid', false, 'unknown'],
      ],
    );
    for (const a of shown) {
      const d = (await approvals.get(a.id))!;
      assert.deepEqual([d.status, d.decidedBy, d.channel], ['approved', 'admin', 'web']);
    }
    assert.equal((await approvals.get(notShown.id))!.status, 'pending', 'only what was shown');
    const audit = store.audit
      .list({ limit: 20 })
      .filter((e) => e.action === 'approval.approve' && e.channel === 'web' && e.outcome === 'ok');
    for (const a of shown)
      assert.equal(audit.filter((e) => e.target === a.target!.cidr).length, 1, a.target!.cidr);
  });

  it('lists a tampered approval flagged as such', async () => {
    const { cookie, csrf } = await login();
    const a = await pendingBan('198.51.100.31/32');
    store.db.prepare("UPDATE approvals SET reason = 'trust me' WHERE id = ?").run(a.id);
    const r = await fetch(`${server.url}/api/approvals`, { headers: { cookie } });
    const listed = ((await r.json()) as { id: string; tampered: boolean }[]).find(
      (x) => x.id === a.id,
    );
    assert.equal(listed?.tampered, true);
    const forged = await post(
      '/api/approvals/approve-all',
      { ids: [a.id] },
      { cookie, 'x-csrf-token': csrf },
    );
    assert.equal(((await forged.json()) as { approved: number }).approved, 0);
  });

  it('unbans through an approval requested and approved by the web user', async () => {
    const { cookie, csrf } = await login();
    const r = await post(
      '/api/bans/unban',
      { target: '203.0.113.0/24' },
      { cookie, 'x-csrf-token': csrf },
    );
    assert.equal(r.status, 200);
    const latest = (await approvals.list({ status: 'approved' })).find((a) => a.action === 'unban');
    assert.equal(latest?.requestedBy, 'admin:web:admin');
    assert.deepEqual(latest?.target, { cidr: '203.0.113.0/24', family: 4 });
    const bad = await post(
      '/api/bans/unban',
      { target: '10.0.0.300' },
      { cookie, 'x-csrf-token': csrf },
    );
    assert.equal(bad.status, 400);
  });

  it("at the fleet's hub, lists a ban as published and confirmed on N of M hosts, never enforced", async () => {
    const { cookie } = await login();
    const hosts = new HostStore(store.db);
    for (const name of ['web-1', 'web-2'])
      hosts.status(
        name,
        { version: '1', lagMs: 0, outbox: 0, errors: [], groups: [], at: now },
        now,
      );
    const target = { cidr: '192.0.2.44/32', family: 4 as const };
    const ban = store.bans.insert({
      target,
      jail: 'sshd',
      reason: 'sshd: 5 failures',
      requestedBy: 'web:admin',
      approvalId: null,
      createdAt: now,
      expiresAt: now + 3_600_000,
    });
    const id = decisionIdOf(target.cidr);
    await recordPublished(store.records.status, {
      v: 1,
      id,
      action: 'ban',
      cidr: target.cidr,
      scope: { kind: 'fleet' },
      expiresAt: now + 3_600_000,
      reason: 'sshd: 5 failures',
      approvalId: null,
      issuedAt: now,
    });
    store.bans.markApplied(ban.id, now, 'fleet');
    hosts.confirm({ decision: id, host: 'web-2', outcome: 'applied', reason: null, at: now + 5 });
    const r = await fetch(`${server.url}/api/bans?q=192.0.2.44`, { headers: { cookie } });
    assert.equal(r.status, 200);
    const [listed] = (await r.json()) as Ban[];
    assert.equal(listed?.enforced, false);
    assert.deepEqual(listed?.fleet, { applied: 1, of: 2, problems: [] });
    store.bans.markRemoved(ban.id, now, 'test over');
  });

  it('refuses a ban of a protected address with why, and shows it refused in recent decisions', async () => {
    const { cookie, csrf } = await login();
    const headers = { cookie, 'x-csrf-token': csrf };
    const cases: [string, string, RegExp][] = [
      ['127.0.0.1', 'trusted', /127\.0\.0\.1\/32 is inside the trusted network 127\.0\.0\.0\/8/],
      ['198.51.100.77', 'admin', /is the admin address 198\.51\.100\.77/],
      ['198.51.0.0/16', 'admin', /contains the admin address/],
      ['93.184.0.0/16', 'too-wide', /is wider than \/24/],
      ['255.255.255.255', 'special', /Limited Broadcast, RFC 919/],
      ['64:ff9b::/64', 'trusted', /64:ff9b::\/64 carries the IPv4 0\.0\.0\.0\/0/],
    ];
    for (const [target, guard, why] of cases) {
      const r = await post('/api/bans/extend', { target, durationMs: 3_600_000 }, headers);
      assert.equal(r.status, 409, target);
      const body = (await r.json()) as {
        error: string;
        code: string;
        guard: string;
        approval: { id: string; status: string };
      };
      assert.equal(body.code, 'refused');
      assert.equal(body.guard, guard, target);
      assert.match(body.error, why);
      assert.equal(body.approval.status, 'refused');
      const all = (await (
        await fetch(`${server.url}/api/approvals?status=all`, { headers: { cookie } })
      ).json()) as { id: string; status: string; decidedBy: string | null }[];
      const shown = all.find((a) => a.id === body.approval.id);
      assert.deepEqual([shown?.status, shown?.decidedBy], ['refused', 'admin']);
    }
    // Host bits set: refused, naming the network it would have become.
    const wide = await post(
      '/api/bans/extend',
      { target: '203.0.113.0/16', durationMs: 3_600_000 },
      headers,
    );
    assert.equal(wide.status, 400);
    assert.match(
      ((await wide.json()) as { error: string }).error,
      /the network is 203\.0\.0\.0\/16/,
    );
    // Approving a jail's request for a protected address: refused, in the console's language.
    const a = await pendingBan('198.51.100.77/32');
    const r = await post(
      `/api/approvals/${a.id}`,
      { decision: 'approve' },
      { ...headers, 'accept-language': 'ko' },
    );
    assert.equal(r.status, 409);
    assert.match(((await r.json()) as { error: string }).error, /관리자 주소 198\.51\.100\.77/);
    assert.equal((await approvals.get(a.id))?.status, 'refused');
    // An ordinary attacker still goes through.
    const ok = await post(
      '/api/bans/extend',
      { target: '198.51.100.9', durationMs: 3_600_000 },
      headers,
    );
    assert.equal(ok.status, 200);
  });

  it('refuses malformed queries with a 400 naming the field', async () => {
    const { cookie } = await login();
    const r = await fetch(`${server.url}/api/events?ip=not-an-ip`, { headers: { cookie } });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /^ip: not an IP address/);
  });

  it('streams what the daemon reports over SSE', async () => {
    const { cookie } = await login();
    const ctl = new AbortController();
    const r = await fetch(`${server.url}/api/live`, { headers: { cookie }, signal: ctl.signal });
    assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = r.body!.getReader();
    const event = {
      time: now,
      jail: 'sshd',
      filter: 'sshd',
      rule: 'invalid-user',
      result: 'fail' as const,
      ip: '192.0.2.1',
      host: null,
      user: '<b>x</b>',
      attempts: 1,
      source: 'file:/x',
      line: 'raw',
    };
    server.observer.event(event);
    let text = '';
    while (!text.includes('event: batch'))
      text += new TextDecoder().decode((await reader.read()).value as Uint8Array);
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as { items: { event: unknown }[] };
    assert.deepEqual(data.items[0]?.event, event);
    ctl.abort();
  });

  it('logs a session out after it idles, and limits wrong passwords per address', async () => {
    const { cookie } = await login();
    now += 3 * 3_600_000;
    assert.equal((await fetch(`${server.url}/api/session`, { headers: { cookie } })).status, 401);
    const wrong = () => post('/api/login', { user: 'admin', password: 'nope' }, {});
    assert.deepEqual(
      [(await wrong()).status, (await wrong()).status, (await wrong()).status],
      [401, 401, 401],
    );
    assert.equal((await wrong()).status, 429);
  });
});
