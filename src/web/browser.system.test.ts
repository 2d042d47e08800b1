/**
 * The console in a real browser (Debian's Chromium through playwright-core)
 * against the real `sheriff watch`: a file source on a temp log, a jail whose
 * bans wait for approval, the dry-run firewall. Screenshots of each page go to
 * test-output/web/; with SHERIFF_UPDATE_DOCS=1 the dashboard's also replaces
 * docs/dashboard.png (the README's picture).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { asnMmdb, countryMmdb } from '../testing/mmdb-writer.js';
import type { Counts } from '../store/counts.js';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { runCli } from '../testing/run-cli.js';
import { HANG_GUARD_MS, waitFor } from '../testing/wait.js';
import { hashPassword } from './password.js';

const PASSWORD = 'correct horse battery staple';
const XSS_USER = '<img src=x onerror=alert(1)>';
const SHOTS = join(REPO_ROOT, 'test-output', 'web');

let dir: string;
let log: string;
let config: string;
let child: ChildProcess | null = null;
let output = '';
let url = '';
let browser: Browser | null = null;
let page: Page;
const dialogs: string[] = [];
const cspErrors: string[] = [];

/** An sshd failure line, `agoMs` before now. */
function failure(ip: string, user: string, agoMs = 0, pid = 4242): string {
  const time = new Date(Date.now() - agoMs).toISOString().replace(/\.\d+Z$/, '+00:00');
  return `${time} web1 sshd[${pid}]: Failed password for invalid user ${user} from ${ip} port 52${pid % 1000} ssh2\n`;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** What uPlot drew on the dashboard: its data, labels and tick texts, and the canvas at the peak. */
function readChart(p: Page) {
  return p.$eval('[data-testid="chart"]', (el) => {
    interface Drawn {
      data: number[][];
      series: { label?: string }[];
      axes: { label?: string; _values?: string[] }[];
      ctx: { getImageData(x: number, y: number, w: number, h: number): { data: number[] } };
      valToPos(v: number, scale: string, canvasPixels: boolean): number;
    }
    const u = (el as unknown as { uplot: Drawn }).uplot;
    const t: number[] = Array.from(u.data[0]!);
    const n: number[] = Array.from(u.data[1]!);
    const peak = n.indexOf(Math.max(...n));
    const x = Math.round(u.valToPos(t[peak]!, 'x', true));
    const y = Math.round(u.valToPos(n[peak]!, 'y', true));
    // The series' red where the line reaches the peak, if it was drawn.
    const px = u.ctx.getImageData(x - 3, y - 3, 7, 7).data;
    let red = false;
    for (let i = 0; i < px.length; i += 4) if (px[i]! > 150 && px[i + 1]! < 140) red = true;
    return {
      t,
      n,
      peak: n[peak]!,
      redAtPeak: red,
      series: u.series[1]?.label,
      axes: u.axes.map((a: { label?: string }) => a.label),
      ticks: u.axes[0]?._values ?? [],
    };
  });
}

async function go(route: string): Promise<void> {
  await page.click(`[data-testid="nav-${route}"]`);
  await page.waitForSelector(`[data-testid="nav-${route}"].active`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-web-'));
  await mkdir(SHOTS, { recursive: true });
  log = join(dir, 'auth.log');
  await writeFile(log, '');
  config = join(dir, 'sheriff.yaml');
  // Offline GeoIP for the documentation ranges, so the dashboard can name country and AS.
  await writeFile(
    join(dir, 'country.mmdb'),
    countryMmdb({ '192.0.2.0/24': 'KR', '198.51.100.0/24': 'NL' }),
  );
  await writeFile(
    join(dir, 'asn.mmdb'),
    asnMmdb({
      '192.0.2.0/24': [64500, 'Example Telecom'],
      '198.51.100.0/24': [64501, 'Doc Hosting'],
    }),
  );
  // Outside a network namespace the daemon must never touch this machine's firewall.
  await writeFile(
    config,
    [
      `store: { path: ${join(dir, 'sheriff.db')} }`,
      `sources: [{ type: file, path: ${log} }]`,
      'jails: { sshd: { policy: approve, maxretry: 3 } }',
      'response: { firewall: dry-run }',
      `intel: { geoip: { country: ${join(dir, 'country.mmdb')}, asn: ${join(dir, 'asn.mmdb')} } }`,
      'log: { level: info, format: json }',
      `web: { host: 127.0.0.1, port: 0, passwordHash: "${await hashPassword(PASSWORD)}" }`,
      '',
    ].join('\n'),
  );
  child = spawn(process.execPath, [CLI, '--config', config, 'watch'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SHERIFF_LANG: 'en' },
  });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  url = await waitFor(
    'the web console to listen',
    () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1],
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', timeout: HANG_GUARD_MS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // Playwright's waits are hang guards too: its 30 s default fails on a loaded machine.
  page.setDefaultTimeout(HANG_GUARD_MS);
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text());
  });
});

after(async () => {
  await browser?.close();
  if (child !== null && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('web console in Chromium', () => {
  it('logs in with the configured password and shows the dashboard', async () => {
    await page.goto(url);
    await page.fill('input[name="password"]', 'wrong password');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.login .error:not(:empty)');
    await shot('login');
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="nav-dashboard"].active');
    // A single host is no fleet's hub: no hosts page.
    assert.equal(await page.locator('[data-testid="nav-hosts"]').count(), 0);
    await page.waitForSelector('[data-testid="chart"] canvas');
    assert.equal(await page.textContent('[data-testid="kpi-bans"] .value'), '0');
    // The daemon runs a dry-run firewall: the dashboard says so before any ban.
    await page.waitForSelector('[data-testid="dry-run"]');
    assert.equal(
      await page.textContent('[data-testid="dry-run"]'),
      'The firewall is not enforcing bans (dry-run): bans are recorded, but NOTHING IS BLOCKED.',
    );
  });

  it('lists scanners on the dashboard: connections that never tried to log in', async () => {
    const now = new Date().toISOString();
    await appendFile(
      log,
      [1, 2, 3]
        .map(
          (i) =>
            `${now} web1 sshd[${7100 + i}]: error: kex_exchange_identification: Connection closed by remote host\n` +
            `${now} web1 sshd[${7100 + i}]: Connection closed by 198.51.100.61 port ${41000 + i}\n`,
        )
        .join(''),
    );
    // The dashboard reloads every 15 s: leaving and coming back loads it now.
    await waitFor('the scanner on the dashboard', async () => {
      await go('events');
      await go('dashboard');
      const row = await page.locator('[data-testid="scanners"] tbody tr').first().allTextContents();
      return row.join('').includes('198.51.100.61');
    });
    const cells = await page.locator('[data-testid="scanners"] tbody tr td').allTextContents();
    assert.deepEqual(cells.slice(0, 1).concat(cells.slice(2, 3)), ['198.51.100.61', '3']);
    assert.match(
      (await page.textContent('[data-testid="scanners"] h2')) ?? '',
      /Scanners, 24 h: connections that never tried to log in/,
    );
  });

  it('shows failures live, and an attacker user name as text that runs nothing', async () => {
    await go('live');
    await page.waitForSelector('.live-dot.on');
    await appendFile(
      log,
      [1, 2, 3].map((i) => failure('203.0.113.7', XSS_USER, 0, 4000 + i)).join(''),
    );
    await page.waitForSelector('[data-testid="feed-finding"]');
    const users = await page.locator('[data-testid="feed-user"]').allTextContents();
    assert.deepEqual(users, [XSS_USER, XSS_USER, XSS_USER]);
    // Rendered as text: no element came out of it, and no script ran.
    assert.equal(await page.locator('[data-testid="feed"] img').count(), 0);
    assert.deepEqual(dialogs, []);
    await shot('live');
  });

  it('approves the resulting ban and shows it in Bans', async () => {
    await go('approvals');
    const action = await page.waitForSelector('[data-testid="approval-action"]');
    assert.equal(await action.textContent(), 'Ban 203.0.113.7/32 for 1h');
    await shot('approvals');
    await page.click('[data-testid="approve"]');
    await page.waitForSelector('[data-testid="approvals-empty"]');
    await go('bans');
    // The daemon's responder carries the approval out within a second.
    await waitFor('the ban to be listed', async () => {
      await page.fill('[data-testid="bans-search"]', '203.0.113');
      const rows = await page.locator('[data-testid="ban-row"] td:first-child').allTextContents();
      return rows.some((r) => r.startsWith('203.0.113.7/32'));
    });
    // A dry-run ban blocks nothing: its row says so.
    assert.equal(
      await page.textContent('[data-testid="ban-row"] [data-testid="ban-unenforced"]'),
      'NOT ENFORCED (dry-run)',
    );
    await shot('bans');
    assert.match(output, /"event":"banned","cidr":"203\.0\.113\.7\/32"/);
    // And so do the dashboard's counter and its latest bans, and the API behind them.
    await go('dashboard');
    await waitFor('the counter', async () => {
      const value = await page.textContent('[data-testid="kpi-bans"] .value');
      return value === '1';
    });
    assert.equal(
      await page.textContent('[data-testid="kpi-bans-unenforced"]'),
      '1 NOT ENFORCED (dry-run)',
    );
    assert.equal(await page.locator('[data-testid="ban-unenforced"]').count(), 1);
    const api = await page.evaluate(async () => {
      const dash = (await (await fetch('/api/dashboard')).json()) as Record<string, unknown>;
      const bans = (await (await fetch('/api/bans')).json()) as Record<string, unknown>[];
      return {
        dash: [dash.activeBans, dash.unenforcedBans, dash.enforcing],
        bans: bans.map((b) => [b.firewall, b.enforced]),
      };
    });
    assert.deepEqual(api, { dash: [1, 1, false], bans: [['dry-run', false]] });
    await go('bans');
    await page.waitForSelector('[data-testid="ban-row"]');
  });

  it('refuses a state change without the CSRF token (403), and one from another origin', async () => {
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/bans/unban', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: '203.0.113.7/32' }),
      });
      return r.status;
    });
    assert.equal(status, 403);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sheriff_session');
    assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict');
    const session = (await (
      await fetch(`${url}/api/session`, { headers: { cookie: `sheriff_session=${cookie.value}` } })
    ).json()) as { csrf: string };
    const foreign = await fetch(`${url}/api/bans/unban`, {
      method: 'POST',
      headers: {
        cookie: `sheriff_session=${cookie.value}`,
        'x-csrf-token': session.csrf,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ target: '203.0.113.7/32' }),
    });
    assert.equal(foreign.status, 403);
    await page.reload();
    await page.waitForSelector('[data-testid="ban-row"]');
  });

  it('draws the last 24 hours on the dashboard, in English and Korean', async () => {
    // Some history for the chart: attackers from the documentation ranges over the last hours.
    let lines = '';
    for (let i = 0; i < 240; i++) {
      const ip = i % 3 === 0 ? `198.51.100.${(i % 11) + 1}` : `192.0.2.${(i % 7) + 1}`;
      lines += failure(
        ip,
        ['root', 'admin', 'oracle', 'ubuntu'][i % 4]!,
        (240 - i) * 4 * 60_000,
        5000 + i,
      );
    }
    await appendFile(log, lines);
    // The history once stored, and country and AS once the rules enriched the attackers'
    // incidents (every few seconds); the page is opened afresh each time.
    await waitFor('the history, with country and AS, on the dashboard', async () => {
      await go('events');
      await go('dashboard');
      await page.waitForSelector('[data-testid="chart"] canvas');
      const failures = await page.textContent('[data-testid="kpi-failures"] .value');
      return (
        Number(failures?.replace(/\D/g, '')) >= 243 &&
        /KR, AS64500 Example Telecom/.test((await page.textContent('main')) ?? '')
      );
    });
    // The chart draws the API's numbers: every minute of the last 24 hours, the history included.
    const drawn = await readChart(page);
    const api = await page.evaluate(
      async () =>
        (await (await fetch('/api/dashboard')).json()) as {
          failures: { t: number[]; n: number[] };
          failures24h: number;
        },
    );
    const apiByMinute = new Map(api.failures.t.map((t, i) => [t, api.failures.n[i]]));
    assert.ok(drawn.t.length >= 24 * 60, `${drawn.t.length} minutes drawn`);
    assert.deepEqual(
      drawn.t.filter((t) => apiByMinute.has(t)).map((t) => apiByMinute.get(t)),
      drawn.t.filter((t) => apiByMinute.has(t)).map((t) => drawn.n[drawn.t.indexOf(t)]),
    );
    const sum = (n: number[]) => n.reduce((a, b) => a + b, 0);
    assert.equal(sum(drawn.n), 243, 'the 3 live failures and the 240 of the history');
    assert.equal(api.failures24h, 243);
    assert.equal(drawn.n.filter((n) => n > 0).length >= 200, true, 'spread over the hours');
    assert.ok(drawn.peak >= 1 && drawn.redAtPeak, 'the line reaches the peak on the canvas');
    assert.deepEqual(
      [drawn.series, drawn.axes],
      ['Failed logins per minute, last 24 hours', ['Time', 'Failed logins']],
    );
    await shot('dashboard');
    if (process.env.SHERIFF_UPDATE_DOCS)
      await copyFile(join(SHOTS, 'dashboard.png'), join(REPO_ROOT, 'docs', 'dashboard.png'));
    await go('events');
    await page.waitForSelector('table tbody tr .chip');
    await shot('events');
    await page.click('[data-testid="lang-ko"]');
    await page.waitForSelector('[data-testid="nav-dashboard"] >> text=대시보드');
    await go('dashboard');
    await page.waitForSelector('[data-testid="chart"] canvas');
    // Axes, labels and ticks in Korean; the same numbers.
    const ko = await readChart(page);
    assert.deepEqual(
      [ko.series, ko.axes],
      ['분당 로그인 실패 (최근 24시간)', ['시각', '로그인 실패']],
    );
    assert.ok(ko.ticks.length > 2, ko.ticks.join());
    assert.ok(
      ko.ticks.every((v) => /^\d\d:\d\d$|^\d+월 \d+일$/.test(v)),
      `Korean ticks: ${ko.ticks.join()}`,
    );
    assert.ok(
      ko.ticks.some((v) => /월/.test(v)),
      `the date at midnight: ${ko.ticks.join()}`,
    );
    assert.equal(sum(ko.n), 243);
    await shot('dashboard-ko');
    // The status badge stays on one line ("위험", never "위/험"), down to a phone's width.
    for (const width of [1440, 900, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const badge = await page.$eval('[data-testid="status"] .level', (node) => {
        type Style = Record<'paddingTop' | 'paddingBottom' | 'lineHeight', string>;
        const el = node as unknown as {
          clientHeight: number;
          textContent: string | null;
          ownerDocument: { defaultView: { getComputedStyle(e: unknown): Style } };
        };
        const s = el.ownerDocument.defaultView.getComputedStyle(el);
        const content = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
        return { text: el.textContent, content, line: parseFloat(s.lineHeight) };
      });
      assert.match(badge.text ?? '', /^(정상|주의|위험|알 수 없음)$/);
      assert.ok(
        Math.abs(badge.content - badge.line) < 1,
        `one line at ${width}px: ${JSON.stringify(badge)}`,
      );
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('[data-testid="lang-en"]');
    assert.deepEqual(cspErrors, []);
  });

  it('shows the attacker’s incident with its verdict and timeline, user names as text', async () => {
    await go('incidents');
    // The rules triage every few seconds.
    await waitFor('the incident triaged', async () => {
      await go('dashboard');
      await go('incidents');
      const row = await page.waitForSelector('[data-testid="incident-row"]');
      return /malicious/.test((await row.textContent()) ?? '');
    });
    await shot('incidents');
    await page.click('[data-testid="incident-row"] a.mono >> text=203.0.113.7');
    const timeline = await page.waitForSelector('[data-testid="timeline"]');
    const text = (await timeline.textContent()) ?? '';
    for (const kind of ['opened', 'finding', 'triage', 'approval', 'ban'])
      assert.ok(text.includes(kind), `the timeline shows ${kind}: ${text}`);
    assert.equal(await page.locator('main img').count(), 0, 'no element made of a user name');
    assert.deepEqual(dialogs, []);
    await shot('incident');
  });

  it("takes an admin's verdict and resolves the incident; the rules' verdict stays on record", async () => {
    await page.selectOption('[data-testid="admin-verdict"]', 'suspicious');
    await page.fill('input[name="why"]', 'a scanner we know');
    await page.click('[data-testid="admin-set"]');
    await page.waitForSelector('text=Verdict of an admin');
    await page.click('[data-testid="admin-resolve"]');
    await page.waitForSelector('[data-testid="admin-resolve"]', { state: 'detached' });
    const facts = (await page.textContent('main')) ?? '';
    assert.match(facts, /resolved/);
    assert.match(facts, /a scanner we know/);
    assert.match(facts, /Verdict of the rules\s*malicious/);
    const timeline = (await page.textContent('[data-testid="timeline"]')) ?? '';
    assert.match(timeline, /resolved\s*admin:web:admin/);
  });

  it('asks the analyst for the daily report, then reads it on Reports', async () => {
    await go('analyst');
    await page.fill('input[name="question"]', 'send the daily report');
    await page.click('form.toolbar button[type="submit"]');
    const reply = await page.waitForSelector('[data-testid="analyst-reply"]');
    assert.match((await reply.textContent()) ?? '', /Daily report/);
    await shot('analyst');
    await go('reports');
    const body = await page.waitForSelector('section.card pre');
    const report = (await body.textContent()) ?? '';
    assert.match(report, /Daily report/);
    assert.match(
      report,
      /1\. 192\.0\.2\.2: failed attempts 24, user names tried 4 \(KR, AS64500 Example Telecom\)/,
      'the top attacker, with country and AS',
    );
    await shot('reports');
  });

  it("makes today's report on demand (a POST with the CSRF token), and shows it", async () => {
    await go('reports');
    await page.click('[data-testid="report-today"]');
    await page.waitForSelector('h1:has-text("Today so far")');
    const text = (await page.textContent('[data-testid="report-text"]')) ?? '';
    const today = new Date().toISOString().slice(0, 10);
    assert.match(text, /Daily report/);
    assert.ok(text.includes('192.0.2.'), 'the day so far, its attackers included');
    assert.match(
      (await page.textContent('h1')) ?? '',
      new RegExp(`Today so far, (${today}|\\d{4}-\\d\\d-\\d\\d)`),
    );
    await shot('reports-today');
    const noToken = await page.evaluate(async () => {
      const r = await fetch('/api/reports/today', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lang: 'en' }),
      });
      return r.status;
    });
    assert.equal(noToken, 403);
  });

  it('answers /metrics and /healthz, with the counts of sheriff status and the dashboard', async () => {
    // The daemon publishes its counters every few seconds: once it published all 243 failures.
    const metrics = await waitFor('the published counters', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /^sheriff_events_total\{jail="sshd",result="fail"\} 243$/m.test(text) && text;
    });
    const value = (name: string) => {
      const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(metrics);
      assert.ok(m, name);
      return Number(m[1]);
    };
    assert.equal(value('sheriff_bans_active'), 1);
    assert.equal(value('sheriff_bans_not_enforced'), 1);
    const status = await runCli(['--config', config, 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const { counts } = JSON.parse(status.stdout) as { counts: Counts };
    const dash = await page.evaluate(
      async () => (await (await fetch('/api/dashboard')).json()) as Record<string, number>,
    );
    const fromMetrics = {
      failures24h: value('sheriff_failures_24h'),
      findings24h: value('sheriff_findings_24h'),
      activeBans: value('sheriff_bans_active'),
      unenforcedBans: value('sheriff_bans_not_enforced'),
      pendingApprovals: value('sheriff_approvals_pending'),
    };
    const same = (c: object) =>
      Object.fromEntries(
        Object.keys(fromMetrics).map((k) => [k, (c as Record<string, unknown>)[k]]),
      );
    assert.equal(fromMetrics.failures24h, 243);
    assert.deepEqual(same(counts), fromMetrics, 'sheriff status');
    assert.deepEqual(same(dash), fromMetrics, 'the dashboard');
    const sshd = counts.jails.sshd!;
    assert.deepEqual(
      [sshd.fail, sshd.findings],
      [
        value('sheriff_events_total{jail="sshd",result="fail"}'),
        value('sheriff_findings_total{jail="sshd"}'),
      ],
    );
    assert.match(metrics, /^sheriff_store_bytes \d+$/m);
    assert.match(metrics, /^sheriff_source_lag\{source="file:/m);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, sources: 1, errors: 0 });
  });

  it('approves every approval shown at once, and the daemon bans each', async () => {
    const attackers = ['203.0.113.60', '203.0.113.61'];
    await appendFile(
      log,
      attackers
        .flatMap((ip, n) => [1, 2, 3].map((i) => failure(ip, 'root', 0, 6000 + n * 10 + i)))
        .join(''),
    );
    await waitFor('both requests on the page', async () => {
      await go('dashboard');
      await go('approvals');
      const shown = (
        await page.locator('[data-testid="approval-action"]').allTextContents()
      ).join();
      return attackers.every((ip) => shown.includes(ip));
    });
    await page.click('[data-testid="approve-all"]');
    await page.waitForSelector('[data-testid="approvals-empty"]');
    await waitFor('both banned', () =>
      attackers.every((ip) => output.includes(`"event":"banned","cidr":"${ip}/32"`)),
    );
  });

  it('says why an approved ban of a protected address is refused, and lists it as refused', async () => {
    // 240.0.0.7 is reserved (240/4): no real peer has it, whatever a log line claims.
    await appendFile(
      log,
      [1, 2, 3].map((i) => failure('240.0.0.7', 'admin', 0, 5000 + i)).join(''),
    );
    await go('approvals');
    await waitFor('the request for 240.0.0.7', async () =>
      (await page.locator('[data-testid="approval-action"]').allTextContents()).includes(
        'Ban 240.0.0.7/32 for 1h',
      ),
    );
    await page.click('[data-testid="approve"]');
    const toast = await page.waitForSelector('.toast.error:has-text("240.0.0.7")');
    assert.match(
      (await toast.textContent()) ?? '',
      /240\.0\.0\.7\/32 is inside 240\.0\.0\.0\/4 \(Reserved, RFC 1112\)/,
    );
    await waitFor('the refusal in recent decisions', async () => {
      const statuses = await page.locator('[data-testid="decision-status"].fail').allTextContents();
      return statuses.includes('refused');
    });
    await shot('approvals-refused');
    assert.doesNotMatch(output, /"event":"banned","cidr":"240\.0\.0\.7\/32"/);
  });

  // Last: it leaves this browser's address waiting out its login delay.
  it('slows wrong passwords from one address with growing waits, and says how long on the login page', async () => {
    const login = (password: string) =>
      fetch(`${url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'admin', password }),
      });
    // The first test's failure was cleared by its right password: five tries are free.
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await login(`guess ${i}`)).status);
    assert.deepEqual(codes, Array(5).fill(401));
    // Real time passes here, so a wait may be over before the next try: then that try is
    // checked and the next wait is twice as long.
    let limited: Response | undefined;
    for (let i = 0; i < 5 && limited === undefined; i++) {
      const r = await login(`more ${i}`);
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 401);
    }
    assert.ok(limited !== undefined, 'refused within five more tries');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);

    await page.click('[data-testid="logout"]');
    await page.waitForSelector('input[name="password"]');
    let status = 0;
    for (let i = 0; i < 5 && status !== 429; i++) {
      await page.fill('input[name="password"]', `still wrong ${i}`);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/login')),
        page.click('button[type="submit"]'),
      ]);
      status = answer.status();
    }
    assert.equal(status, 429);
    const shown = await page.waitForSelector('.login .error:has-text("Try again")');
    const message = await shown.innerText();
    assert.match(message, /^Too many failed sign-ins from your address\. Try again in \d+ s;/);
    await shot('login-limited');
  });
});
