/**
 * The console at the fleet's hub in a real browser (Debian's Chromium through
 * playwright-core): the hub daemon (`sheriff hub`'s parts: the hub extension,
 * its web console) on a real nats-server with JetStream, and two hosts that
 * speak the sensors' protocol on their subjects (a heartbeat, an outbox row of
 * events, one of findings; and a message that fails its schema). The hosts
 * page shows what each last said; the events and incidents lists show one
 * host's rows when it is chosen. A screenshot goes to test-output/web/hosts.png.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Daemon } from '../app/daemon.js';
import { hub } from '../app/fleet.js';
import { parseConfig } from '../app/parse-config.js';
import { systemClock } from '../clock.js';
import { generateDecisionKeyPair } from '../fleet/signing.js';
import { hostSubject, messageId, type HostMessageKind } from '../fleet/protocol.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import { startNatsServer, type NatsCluster } from '../testing/nats-server.js';
import { REPO_ROOT } from '../testing/paths.js';
import { HANG_GUARD_MS, waitFor } from '../testing/wait.js';
import { hashPassword } from './password.js';

const PASSWORD = 'correct horse battery staple';
const SHOTS = join(REPO_ROOT, 'test-output', 'web');
const XSS = '<img src=x onerror=alert(1)>';
const log = createLogger({ level: process.env['DBG'] ? 'info' : 'silent', format: 'json' });

let dir: string;
let nats: NatsCluster | null = null;
let nc: NatsConnection | null = null;
let daemon: Daemon | null = null;
let browser: Browser | null = null;
let page: Page;
const dialogs: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-hub-web-'));
  await mkdir(SHOTS, { recursive: true });
  nats = await startNatsServer();
  nc = await connect({ servers: nats.urls });
  const keyFile = join(dir, 'decisions.pem');
  await writeFile(keyFile, generateDecisionKeyPair().privatePem, { mode: 0o600 });
  const config = parseConfig(
    [
      `store: { path: ${join(dir, 'hub.db')} }`,
      'jails: { sshd: { policy: approve, maxretry: 5 } }',
      `web: { host: 127.0.0.1, port: 0, passwordHash: "${await hashPassword(PASSWORD)}" }`,
      `hub: { servers: ['nats://127.0.0.1:1'], seedFile: unused, signingKey: ${keyFile} }`,
    ].join('\n'),
    'hub.yaml',
  );
  const h = hub(config.hub!, { clock: systemClock, logger: log, version: '9.9.9' }, () =>
    connect({ servers: nats!.urls, maxReconnectAttempts: -1 }),
  );
  daemon = Daemon.start({
    config,
    logger: log,
    t: translator('en'),
    notifiers: [],
    sources: [],
    firewall: h.firewall,
    fleet: h.extension,
    webConsole: { out: { write: () => true } },
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', timeout: HANG_GUARD_MS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(HANG_GUARD_MS);
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
  await nc?.close();
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What a host's sensor publishes on its own subject, as its Publisher does (the stream waits for the hub). */
async function send(host: string, kind: HostMessageKind, body: unknown, seq: number) {
  const js = jetstream(nc!);
  await waitFor(`the hub's stream for ${host}'s ${kind}`, () =>
    js
      .publish(hostSubject(host, kind), JSON.stringify(body), {
        msgID: messageId(host, 'epoch0001', seq),
      })
      .then(
        () => true,
        () => false,
      ),
  );
}

const event = (ip: string, user: string, i: number) => ({
  time: Date.now() - 60_000 + i,
  jail: 'sshd',
  filter: 'sshd',
  rule: 'auth-fail',
  result: 'fail',
  ip,
  host: 'h',
  user,
  attempts: 1,
  source: 'file:/var/log/auth.log',
  line: `Failed password for invalid user ${user} from ${ip} port ${40000 + i} ssh2`,
});
const finding = (ip: string) => ({
  finding: {
    kind: 'bruteforce',
    jail: 'sshd',
    scope: 'address',
    ip,
    count: 5,
    first: Date.now() - 60_000,
    last: Date.now() - 50_000,
    users: ['root'],
  },
  createdAt: Date.now(),
});

/** The text of each cell of each row `selector` finds. */
async function cells(selector: string): Promise<string[][]> {
  return Promise.all(
    (await page.locator(selector).all()).map((r) => r.locator('td').allTextContents()),
  );
}

async function go(route: string): Promise<void> {
  await page.click(`[data-testid="nav-${route}"]`);
  await page.waitForSelector(`[data-testid="nav-${route}"].active`);
}

describe('the console at the hub, in Chromium', () => {
  it('shows each host: last heard, lag, version, outbox, bans applied, refused messages, errors', async () => {
    const status = (over: object) => ({
      v: 1,
      version: '0.9.1',
      at: Date.now(),
      lagMs: 0,
      outbox: 0,
      errors: [],
      groups: [],
      ...over,
    });
    await send('web-1', 'status', status({ lagMs: 2400, groups: ['web'] }), 1);
    await send('web-3', 'status', status({ version: '0.9.0', outbox: 7, errors: [XSS] }), 1);
    await send(
      'web-1',
      'events',
      { v: 1, epoch: 'epoch0001', seq: 2, events: [event('198.51.100.7', 'alice', 1)] },
      2,
    );
    await send(
      'web-3',
      'events',
      { v: 1, epoch: 'epoch0001', seq: 2, events: [event('203.0.113.9', 'bob', 2)] },
      2,
    );
    await send(
      'web-1',
      'findings',
      { v: 1, epoch: 'epoch0001', seq: 3, findings: [finding('198.51.100.7')] },
      3,
    );
    await send(
      'web-3',
      'findings',
      { v: 1, epoch: 'epoch0001', seq: 3, findings: [finding('203.0.113.9')] },
      3,
    );
    // A body the schema refuses: counted against its host, stored nowhere.
    await send('web-3', 'events', { v: 1, events: 'not a batch' }, 4);

    const url = (await daemon!.parts.web!.url())!;
    await page.goto(url);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="nav-dashboard"].active');
    await go('hosts');
    // The page follows the hosts every few seconds; leaving and coming back reads them now.
    const rows = await waitFor('both hosts with their status and the refused message', async () => {
      await go('events');
      await go('hosts');
      const r = await cells('[data-testid="host-row"]');
      return r.length === 2 && r[1]![6] === '1' && r[0]![3] === '0.9.1' && r;
    });
    const [web1, web3] = rows;
    assert.deepEqual(
      [web1![0], web1![2], web1![3], web1![4], web1![5], web1![6], web1![7]],
      ['web-1 web', '2s', '0.9.1', '0', '0', '0', '—'],
    );
    assert.deepEqual(
      [web3![0], web3![2], web3![3], web3![4], web3![6], web3![7]],
      ['web-3', '0s', '0.9.0', '7', '1', XSS],
      "a sensor's error text is shown as text",
    );
    assert.match(web1![1]!, /s ago$/);
    await page.screenshot({ path: join(SHOTS, 'hosts.png'), fullPage: true });
    assert.deepEqual(dialogs, [], 'nothing in a sensor’s text ran');
  });

  it('marks a host the hub has not heard from for over a minute', async () => {
    // The same session in a tab whose clock runs five minutes ahead.
    const context = await browser!.newContext({
      storageState: await page.context().storageState(),
    });
    const later = await context.newPage();
    try {
      await later.clock.install({ time: Date.now() + 5 * 60_000 });
      await later.goto(`${(await daemon!.parts.web!.url())!}/#/hosts`);
      await later.waitForSelector('[data-testid="host-row"]');
      assert.deepEqual(await later.locator('[data-testid="host-silent"]').allTextContents(), [
        '5 min ago',
        '5 min ago',
      ]);
      assert.equal(await page.locator('[data-testid="host-silent"]').count(), 0);
    } finally {
      await context.close();
    }
  });

  it('shows one host’s events and incidents when that host is chosen', async () => {
    await go('events');
    // Address and host of each row.
    const addresses = async () =>
      (await cells('tbody tr')).map((r) => (r.length < 5 ? '' : `${r[2]} ${r[4]}`));
    await waitFor('both hosts’ events', async () => (await addresses()).length === 2);
    await page.selectOption('[data-testid="host-filter"]', 'web-3');
    await waitFor('web-3’s events only', async () => {
      const a = await addresses();
      return a.length === 1 && a[0] === '203.0.113.9 web-3';
    });

    await go('incidents');
    const attackers = () =>
      page.locator('[data-testid="incident-row"] td:nth-child(2) a').allTextContents();
    await waitFor('both hosts’ incidents', async () => {
      await go('events');
      await go('incidents');
      return (await attackers()).length === 2;
    });
    await page.selectOption('[data-testid="host-filter"]', 'web-1');
    await waitFor('web-1’s incident only', async () => {
      const a = await attackers();
      return a.length === 1 && a[0] === '198.51.100.7';
    });
  });

  it('names the host of a finding in the live feed', async () => {
    await go('live');
    await page.waitForSelector('.live-dot.on');
    await send(
      'web-1',
      'findings',
      { v: 1, epoch: 'epoch0001', seq: 5, findings: [finding('198.51.100.8')] },
      5,
    );
    const item = page.locator('[data-testid="feed-finding"]', { hasText: '198.51.100.8' });
    await item.waitFor();
    assert.deepEqual(await item.locator('[data-testid="feed-host"]').allTextContents(), ['web-1']);
  });
});
