/**
 * The console under attack, over real HTTP on loopback (each client from its
 * own 127.x source address) with a real store and an injected clock: password
 * guessing slows the guesser's address only, never the admin's; a client
 * behind the trusted proxy is the address the proxy saw; and a request naming
 * a host that is not this console (DNS rebinding) is refused on every route.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../log.js';
import { trustedNetworks } from '../intel/trusted.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { Guardrails } from '../respond/guardrails.js';
import { SecretKey } from '../respond/secret.js';
import { openStore, type Store } from '../store/index.js';
import { webSchema } from './config.js';
import { hashPassword } from './password.js';
import { WebServer, type WebServerOptions } from './server.js';

const PASSWORD = 'a long enough password';
const logger = createLogger({ level: 'fatal', format: 'json' }, process.stderr);
let dir: string;
let store: Store;
let approvals: Approvals;
let hash: string;
let now = Date.UTC(2026, 11, 6, 20, 0, 0);
const servers: WebServer[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-webattack-'));
  store = openStore(join(dir, 'sheriff.db'));
  approvals = new Approvals(store.records, {
    key: new SecretKey(Buffer.alloc(32, 7), 'test'),
    authorize: authorizer({ webUsers: ['admin'] }),
  });
  hash = await hashPassword(PASSWORD);
});

after(async () => {
  for (const s of servers) await s.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

async function startConsole(
  web: Record<string, unknown> = {},
  login?: WebServerOptions['login'],
): Promise<WebServer> {
  const server = await WebServer.start({
    config: webSchema.parse({ port: 0, ...web }),
    passwordHash: hash,
    login,
    deps: {
      store,
      records: store.records,
      approvals,
      guardrails: new Guardrails({
        trusted: trustedNetworks(),
        interfaces: () => ({}),
        sessions: { sessions: () => Promise.resolve([]) },
      }),
      health: () => [],
      internal: () => false,
      clock: () => now,
      logger,
    },
  });
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request with node:http, which (unlike fetch) lets the test choose the
 * source address and the Host header. A Server-Sent Events answer is not read.
 */
function call(
  server: WebServer,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: unknown; from?: string } = {},
): Promise<Answer> {
  const url = new URL(server.url);
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: o.method ?? 'GET',
        localAddress: o.from,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...o.headers,
        },
      },
      (res) => {
        const answer = { status: res.statusCode!, headers: res.headers, body: '' };
        if (res.headers['content-type']?.startsWith('text/event-stream')) {
          res.destroy();
          resolve(answer);
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (answer.body += chunk));
        res.on('end', () => resolve(answer));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const login = (
  server: WebServer,
  password: string,
  from: string,
  headers: Record<string, string> = {},
) =>
  call(server, '/api/login', { method: 'POST', body: { user: 'admin', password }, from, headers });

async function loginAddresses(server: WebServer): Promise<number> {
  const metrics = (await call(server, '/metrics')).body;
  return Number(/^sheriff_web_login_addresses (\d+)$/m.exec(metrics)?.[1]);
}

describe('login throttling', () => {
  it('after 100 wrong passwords from one address, the admin at another logs in at once; the guesser waits ever longer, and each wait ends', async () => {
    const server = await startConsole();
    const guesser = '127.0.0.2';
    const waits: number[] = [];
    let checked = 0;
    while (checked < 100) {
      const r = await login(server, `guess ${checked}`, guesser);
      if (r.status === 401) {
        checked++;
        continue;
      }
      assert.equal(r.status, 429, r.body);
      const wait = Number(r.headers['retry-after']);
      const { error } = JSON.parse(r.body) as { error: string };
      assert.match(error, new RegExp(`Try again in ${wait} s`));
      // While its address waits, even the right password is refused unchecked (see auth.ts).
      assert.equal((await login(server, PASSWORD, guesser)).status, 429);
      waits.push(wait);
      now += wait * 1000;
      const next = await login(server, `guess ${checked}`, guesser);
      assert.equal(next.status, 401, `the wait of ${wait} s is over, the next try is checked`);
      checked++;
    }
    // Five tries free, then 1 s doubled after each failure, up to 15 minutes.
    assert.deepEqual(waits.slice(0, 11), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
    assert.deepEqual(new Set(waits.slice(10)), new Set([900]));
    assert.equal(waits.length, 95);

    const admin = await login(server, PASSWORD, '127.0.0.3');
    assert.equal(admin.status, 200, 'the admin elsewhere is not slowed at all');
    // Once its wait is over, the right password from the guesser's address works, and clears it.
    now += 900_000;
    assert.equal((await login(server, PASSWORD, guesser)).status, 200);
    assert.equal((await login(server, 'wrong again', guesser)).status, 401);
  });

  it('wrong passwords from 105 addresses lock no one out, leave a throttled guesser throttled, and are remembered only up to the cap', async () => {
    const server = await startConsole({}, { maxTracked: 20 });
    const guesser = '127.0.2.1';
    for (let i = 0; i < 5; i++)
      assert.equal((await login(server, `guess ${i}`, guesser)).status, 401);
    assert.equal((await login(server, 'guess 5', guesser)).status, 429);

    const codes = new Map<number, number>();
    for (let i = 1; i <= 105; i++) {
      const r = await login(server, 'wrong', `127.0.3.${i}`);
      codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
    }
    assert.deepEqual([...codes], [[401, 105]], 'every address had its own tries checked');
    assert.ok((await loginAddresses(server)) <= 20, 'no more than maxTracked addresses kept');

    const still = await login(server, 'guess 6', guesser);
    assert.equal(still.status, 429, 'new addresses did not push the throttled guesser out');
    assert.equal((await login(server, PASSWORD, '127.0.4.1')).status, 200);
  });

  it('counts a burst of concurrent guesses before checking any: only the free tries are checked', async () => {
    const server = await startConsole();
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(server, `guess ${i}`, '127.0.6.1')),
    );
    const codes = burst.map((r) => r.status).sort();
    assert.deepEqual(codes, [...Array<number>(5).fill(401), ...Array<number>(15).fill(429)]);
  });

  it('ignores X-Forwarded-For unless web.trustProxy says so', async () => {
    const server = await startConsole();
    const spoofed = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    for (let i = 1; i <= 5; i++)
      assert.equal((await login(server, 'wrong', '127.0.5.1', spoofed(i))).status, 401);
    assert.equal((await login(server, 'wrong', '127.0.5.1', spoofed(6))).status, 429);
  });
});

describe('behind the trusted reverse proxy (web.trustProxy)', () => {
  let server: WebServer;
  before(async () => {
    server = await startConsole({ trustProxy: true });
  });
  const via = (xff: string) => ({ 'x-forwarded-for': xff });

  it('counts an IPv6 client per /64: rotating through it does not escape the wait, another /64 is not slowed', async () => {
    for (let i = 1; i <= 5; i++)
      assert.equal(
        (await login(server, 'wrong', '127.0.0.1', via(`2001:db8:1:2::${i}`))).status,
        401,
      );
    const rotated = await login(server, 'wrong', '127.0.0.1', via('2001:db8:1:2:ffff:1:2:3'));
    assert.equal(rotated.status, 429);
    assert.equal((await login(server, 'wrong', '127.0.0.1', via('2001:db8:1:3::1'))).status, 401);
    assert.equal((await login(server, PASSWORD, '127.0.0.1', via('2001:db8:1:4::1'))).status, 200);
  });

  it('takes the address the proxy saw, never one the client wrote in front of it', async () => {
    for (let i = 1; i <= 5; i++)
      assert.equal(
        (await login(server, 'wrong', '127.0.0.1', via(`10.9.9.${i}, 198.51.100.7`))).status,
        401,
      );
    const r = await login(server, 'wrong', '127.0.0.1', via('10.9.9.6, 198.51.100.7'));
    assert.equal(r.status, 429);
    // Nor can a remote client pass itself off as this host to read /metrics without a session.
    const metrics = await call(server, '/metrics', { headers: via('127.0.0.1, 198.51.100.8') });
    assert.equal(metrics.status, 401);
  });
});

describe('Host header (DNS rebinding)', () => {
  let server: WebServer;
  let port: number;
  let session: Record<string, string>;
  const ROUTES: [string, string][] = [
    ['GET', '/'],
    ['GET', '/app.css'],
    ['GET', '/ui/main.js'],
    ['GET', '/vendor/uplot.js'],
    ['GET', '/healthz'],
    ['GET', '/metrics'],
    ['GET', '/api/i18n'],
    ['GET', '/api/session'],
    ['GET', '/api/dashboard'],
    ['GET', '/api/live'],
    ['POST', '/api/login'],
    ['POST', '/api/logout'],
    ['GET', '/no/such/page'],
  ];

  /** Logs in (again: the routes include /api/logout) and keeps the session for `fetchAs`. */
  async function logIn(): Promise<void> {
    const r = await login(server, PASSWORD, '127.0.0.1');
    assert.equal(r.status, 200);
    session = {
      cookie: r.headers['set-cookie']![0]!.split(';')[0]!,
      'x-csrf-token': (JSON.parse(r.body) as { csrf: string }).csrf,
    };
  }

  before(async () => {
    server = await startConsole({ hostnames: ['sheriff.example.org', '[2001:db8::5]'] });
    port = Number(new URL(server.url).port);
    await logIn();
  });

  const fetchAs = (host: string, [method, path]: [string, string], extra = {}) =>
    call(server, path, {
      method,
      headers: { ...session, host, ...extra },
      ...(method === 'POST' ? { body: { user: 'admin', password: PASSWORD } } : {}),
    });

  it('refuses a host that is not this console with 421 on every route, the session notwithstanding', async () => {
    const hosts = [
      `rebind.attacker.example:${port}`,
      'rebind.attacker.example',
      `sheriff.example.org.attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost:${port + 1}`,
      '127.0.0.1',
    ];
    for (const host of hosts)
      for (const route of ROUTES) {
        const r = await fetchAs(host, route);
        assert.equal(r.status, 421, `${route.join(' ')} with Host ${host}`);
        assert.match(r.body, /does not answer to the host name .* web\.hostnames/);
      }
    const ko = await fetchAs('rebind.attacker.example', ['GET', '/'], {
      'accept-language': 'ko-KR,ko;q=0.9,en;q=0.5',
    });
    assert.match(ko.body, /호스트 이름 "rebind\.attacker\.example".*web\.hostnames/);
  });

  it('serves its listen address with the port, the loopback names, and web.hostnames with any port', async () => {
    const hosts = [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'sheriff.example.org',
      'Sheriff.Example.Org.:8443',
      '[2001:db8::5]:443',
    ];
    for (const host of hosts) {
      await logIn();
      assert.equal((await fetchAs(host, ['GET', '/'])).status, 200);
      assert.equal((await fetchAs(host, ['GET', '/api/dashboard'])).status, 200);
      const live = await fetchAs(host, ['GET', '/api/live']);
      assert.equal(live.headers['content-type'], 'text/event-stream; charset=utf-8');
      for (const route of ROUTES)
        assert.notEqual((await fetchAs(host, route)).status, 421, `${route.join(' ')} at ${host}`);
    }
  });
});
