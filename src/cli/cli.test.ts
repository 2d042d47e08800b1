/**
 * The JSON output of test-filter and replay is a contract other tools read:
 * these tests run the real bin/sheriff and compare whole objects.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { adminWeek, DAY, failure, HOUR, login, merge, trickle } from '../testing/auth-log-days.js';
import { runCli } from '../testing/run-cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = ['--now', '2026-11-25T12:00:00Z', '--timezone', 'Asia/Seoul'];

function jsonLines(text: string): unknown[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

describe('sheriff test-filter --json', () => {
  it('prints one object per input line, in order, bad lines included', async () => {
    const input = Buffer.concat([
      Buffer.from(
        'Nov 25 07:51:41 web1 sshd[2001]: Failed password for invalid user admin from 203.0.113.5 port 50122 ssh2\n',
      ),
      Buffer.from('Nov 25 07:51:42 web1 sshd[2001]: bad \0 byte\n'),
      Buffer.from([0x4e, 0x6f, 0x76, 0x20, 0xff, 0xfe, 0x0a]), // invalid UTF-8
      Buffer.from(
        '{"MESSAGE":"Failed password for root from 203.0.113.6 port 1 ssh2","_COMM":"ssh\n',
      ), // truncated JSON
      Buffer.from(
        '2026-11-25T07:51:43.5+09:00 web1 sshd-session[2002]: Accepted publickey for deploy from 2001:DB8::1 port 22 ssh2: ED25519 SHA256:x\n',
      ),
      Buffer.from(
        'Nov 25 07:51:44 web1 cron[3]: Failed password for root from 203.0.113.7 port 1 ssh2\n',
      ),
      Buffer.from('web1 sshd[2003]: Invalid user oracle from example.com port 4\n'),
    ]);
    const r = await runCli(['test-filter', '-', '--filter', 'sshd', '--json', ...NOW], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout), [
      {
        n: 1,
        result: 'fail',
        host: '203.0.113.5',
        ip: '203.0.113.5',
        user: 'admin',
        rule: 'failed',
        time: '2026-11-25T07:51:41+09:00',
      },
      { n: 2, result: 'none', host: null, ip: null, user: null, rule: null, time: null },
      { n: 3, result: 'none', host: null, ip: null, user: null, rule: null, time: null },
      { n: 4, result: 'none', host: null, ip: null, user: null, rule: null, time: null },
      {
        n: 5,
        result: 'success',
        host: '2001:DB8::1',
        ip: '2001:db8::1',
        user: 'deploy',
        rule: 'accepted',
        time: '2026-11-25T07:51:43.500+09:00',
      },
      { n: 6, result: 'none', host: null, ip: null, user: null, rule: null, time: null },
      {
        n: 7,
        result: 'fail',
        host: 'example.com',
        ip: null,
        user: 'oracle',
        rule: 'invalid-user',
        time: null,
      },
    ]);
  });

  it('summarises for a person: rules, addresses and lines no rule knows', async () => {
    const input = [
      'Nov 25 07:51:41 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2',
      'Nov 25 07:51:42 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2',
      'Nov 25 07:51:43 web1 sshd[2]: Some future OpenSSH message from 203.0.113.9',
    ].join('\n');
    const r = await runCli(['test-filter', '--filter', 'sshd', ...NOW], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Results: 2 failures, 0 successes, 0 helper lines, 1 not matched/);
    assert.match(r.stdout, /^ {2}2 {2}failed$/m);
    assert.match(r.stdout, /^ {2}2 {2}203\.0\.113\.5$/m);
    assert.match(r.stdout, /^ {2}3: .*Some future OpenSSH message/m);
  });

  it('counts each address exactly when attacks interleave and runs break', async () => {
    const fail = (s: number, ip: string) =>
      `Nov 25 07:51:${String(s).padStart(2, '0')} web1 sshd[${s}]: Failed password for root from ${ip} port 1 ssh2`;
    const input = [
      fail(1, '203.0.113.5'),
      fail(2, '203.0.113.5'),
      fail(3, '2001:db8::7'),
      fail(4, '203.0.113.5'),
      'Nov 25 07:51:05 web1 sshd[5]: error: PAM: Authentication failure for root from scanner.example',
      fail(6, '203.0.113.5'),
      fail(7, '2001:DB8:0::7'),
      fail(8, '198.51.100.9'),
    ].join('\n');
    const r = await runCli(['test-filter', '--filter', 'sshd', ...NOW], { input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Results: 8 failures/);
    assert.match(r.stdout, /no address to act on\): 1$/m);
    const counts = [...r.stdout.matchAll(/^ {2}(\d+) {2}([\d.:a-f]+)$/gm)].map(
      (m) => `${m[2]} ${m[1]}`,
    );
    assert.deepEqual(counts, ['203.0.113.5 4', '2001:db8::7 2', '198.51.100.9 1']);
  });

  it('exits 2 with a clear message on a bad filter, mode, --now or --timezone', async () => {
    const cases: [string[], RegExp][] = [
      [['--filter', 'nope'], /unknown filter "nope" \(filters: .*\bsshd\b/],
      [['--filter', 'sshd', '--mode', 'turbo'], /filter sshd has no mode "turbo"/],
      [['--filter', 'sshd', '--now', 'yesterday'], /--now: expected an ISO time/],
      [
        ['--filter', 'sshd', '--timezone', 'Mars/Olympus'],
        /--timezone: unknown time zone "Mars\/Olympus"/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['test-filter', '-', ...args], { input: '' });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });
});

describe('sheriff replay --json', () => {
  const attack = [
    'Dec 31 23:58:00 web1 sshd[100]: Failed password for root from 203.0.113.5 port 1 ssh2',
    'Dec 31 23:58:10 web1 sshd[100]: Failed password for admin from 203.0.113.5 port 1 ssh2',
    'Dec 31 23:59:00 web1 sshd[100]: Failed password for root from 203.0.113.5 port 1 ssh2',
    'Jan  1 00:00:10 web1 sshd[100]: Failed password for test from 203.0.113.5 port 1 ssh2',
    'Jan  1 00:00:20 web1 sshd[100]: Failed password for root from 203.0.113.5 port 1 ssh2',
    'Jan  1 00:01:30 web1 sshd[101]: Accepted password for root from 203.0.113.5 port 1 ssh2',
    'Jan  1 00:02:30 web1 sshd[102]: Failed password for root from 10.0.0.5 port 1 ssh2',
  ];

  it('finds brute force and the break-in across 31 December, in order, from a .gz file', async () => {
    const path = join(dir, 'auth.log.1.gz');
    await writeFile(path, gzipSync(attack.join('\n') + '\n'));
    const r = await runCli([
      'replay',
      path,
      '--json',
      '--now',
      '2027-01-02T00:00:00Z',
      '--timezone',
      'UTC',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonLines(r.stdout), [
      {
        type: 'finding',
        kind: 'bruteforce',
        jail: 'sshd',
        scope: 'address',
        ip: '203.0.113.5',
        count: 5,
        first: '2026-12-31T23:58:00+00:00',
        last: '2027-01-01T00:00:20+00:00',
        users: ['root', 'admin', 'test'],
        admin: null,
      },
      {
        type: 'finding',
        kind: 'compromise',
        jail: 'sshd',
        scope: 'address',
        ip: '203.0.113.5',
        count: 5,
        first: '2026-12-31T23:58:00+00:00',
        last: '2027-01-01T00:01:30+00:00',
        users: ['root', 'admin', 'test'],
        admin: null,
      },
      {
        type: 'summary',
        files: 1,
        lines: 7,
        skipped: { tooLong: 0, invalidUtf8: 0, nul: 0, malformed: 0 },
        events: { fail: 6, success: 1, nofail: 0 },
        ambiguous: 0,
        probes: 0,
        findings: {
          bruteforce: 1,
          compromise: 1,
          'slow-bruteforce': 0,
          'internal-bruteforce': 0,
          'internal-compromise': 0,
          persistent: 0,
          stuffing: 0,
          distributed: 0,
        },
        // The trusted address is watched for lateral movement (never banned): tracked too.
        tracked: 2,
        evictions: 0,
        internalLines: 1,
      },
    ]);
  });

  it('passes over a 1 MiB line, NUL bytes, invalid UTF-8 and a truncated JSON record, and keeps detecting', async () => {
    const path = join(dir, 'garbage.log');
    const lines = attack.slice(0, 2).map((l) => Buffer.from(l + '\n'));
    await writeFile(
      path,
      Buffer.concat([
        lines[0]!,
        Buffer.alloc(1024 * 1024, 0x41),
        Buffer.from('\n'),
        Buffer.from('Dec 31 23:58:05 web1 sshd[100]: \0\0\0\n'),
        Buffer.from([0xc3, 0x28, 0x0a]),
        Buffer.from(
          '{"MESSAGE":"Failed password for root from 203.0.113.5 port 1 ssh2","_COMM":"ss\n',
        ),
        lines[1]!,
        Buffer.from(attack.slice(2, 5).join('\n') + '\n'),
      ]),
    );
    const r = await runCli([
      'replay',
      path,
      '--json',
      '--now',
      '2027-01-02T00:00:00Z',
      '--timezone',
      'UTC',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = jsonLines(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      out.map((o) => o.kind ?? o.type),
      ['bruteforce', 'summary'],
    );
    assert.deepEqual(out[1]!.skipped, { tooLong: 1, invalidUtf8: 1, nul: 1, malformed: 1 });
    assert.equal(out[1]!.lines, 9);
  });

  it('runs the jails of sheriff.yaml: its thresholds and trusted networks; flags override it', async () => {
    const path = join(dir, 'two.log');
    await writeFile(path, attack.slice(0, 2).join('\n') + '\n');
    const findings = (stdout: string) =>
      (jsonLines(stdout) as { type: string; ip?: string; count?: number }[]).filter(
        (o) => o.type === 'finding',
      );
    const strict = join(dir, 'strict.yaml');
    await writeFile(strict, 'jails:\n  sshd:\n    maxretry: 2\n');
    const trusting = join(dir, 'trusting.yaml');
    await writeFile(trusting, 'trusted: [203.0.113.0/24]\njails:\n  sshd:\n    maxretry: 2\n');

    const byDefault = await runCli(['replay', path, '--json', ...NOW]);
    assert.deepEqual(findings(byDefault.stdout), []);
    const configured = await runCli(['--config', strict, 'replay', path, '--json', ...NOW]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.deepEqual(
      findings(configured.stdout).map((f) => [f.ip, f.count]),
      [['203.0.113.5', 2]],
    );
    // A trusted network is still watched (lateral movement), but only ever as an internal finding.
    const trusted = await runCli(['--config', trusting, 'replay', path, '--json', ...NOW]);
    assert.deepEqual(
      (findings(trusted.stdout) as { kind?: string }[]).map((f) => f.kind),
      ['internal-bruteforce'],
    );
    assert.equal((jsonLines(trusted.stdout).at(-1) as { internalLines: number }).internalLines, 2);
    const overridden = await runCli([
      '--config',
      strict,
      'replay',
      path,
      '--json',
      '--maxretry',
      '3',
      ...NOW,
    ]);
    assert.deepEqual(findings(overridden.stdout), []);
    const unknown = await runCli(['--config', strict, 'replay', path, '--jail', 'nope']);
    assert.equal(unknown.code, 2);
  });

  it('finds low-and-slow attackers over the days of old logs with --long-horizon', async () => {
    const t0 = Date.UTC(2026, 10, 2);
    const week = merge(
      adminWeek(t0, 7, '198.51.100.10', 'alice'),
      // 36 failures, one every two hours for three days: never 12 in 12 hours.
      trickle(t0 + HOUR, 2 * HOUR, 36, '203.0.113.77', ['root']),
      // 30 accounts, one try each, every three hours.
      trickle(
        t0 + 2 * HOUR,
        3 * HOUR,
        30,
        '198.51.100.44',
        Array.from({ length: 30 }, (_, i) => `user${i}`),
        false,
      ),
    );
    const path = join(dir, 'week.log');
    await writeFile(path, week.map((l) => l.text + '\n').join(''));
    // Without the flag, the days-long searches are not run (they cost minutes on big logs).
    const plain = await runCli(['replay', path, '--json', '--now', '2026-11-10T00:00:00Z']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!/"kind":"(persistent|stuffing)"/.test(plain.stdout));
    const r = await runCli([
      'replay',
      path,
      '--json',
      '--long-horizon',
      '--now',
      '2026-11-10T00:00:00Z',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const found = (jsonLines(r.stdout) as { type: string; kind?: string; ip?: string }[])
      .filter((o) => o.type === 'finding')
      .map((o) => [o.kind, o.ip]);
    // In the order the runs found them: 20 failures over two days came first.
    assert.deepEqual(found, [
      ['persistent', '203.0.113.77'],
      ['stuffing', '198.51.100.44'],
    ]);
    const summary = jsonLines(r.stdout).at(-1) as { findings: Record<string, number> };
    assert.equal(summary.findings.persistent, 1);
    assert.equal(summary.findings.stuffing, 1);
  });

  it("marks a finding on an admin's address (response.admins, or a login there the day before): never banned", async () => {
    const t0 = Date.UTC(2026, 10, 3, 8);
    const lines = merge(
      // A configured admin address mistypes five times.
      [0, 1, 2, 3, 4].map((i) => failure(t0 + i * 10_000, '198.51.100.10', 'alice')),
      // Someone logs in from an address, and fails five times from it in the afternoon.
      [login(t0, '192.0.2.33', 'bob')],
      [0, 1, 2, 3, 4].map((i) => failure(t0 + 6 * HOUR + i * 10_000, '192.0.2.33', 'bob')),
      // An attacker, who never logged in.
      [0, 1, 2, 3, 4].map((i) => failure(t0 + 2 * DAY + i * 10_000, '203.0.113.9', 'root')),
    );
    const path = join(dir, 'admins.log');
    await writeFile(path, lines.map((l) => l.text + '\n').join(''));
    const config = join(dir, 'admins.yaml');
    await writeFile(
      config,
      'response:\n  admins: [198.51.100.0/28]\njails:\n  sshd:\n    maxretry: 5\n',
    );
    const r = await runCli(['--config', config, 'replay', path, '--json', ...NOW]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (jsonLines(r.stdout) as { type: string; ip?: string; admin?: string | null }[])
        .filter((o) => o.type === 'finding')
        .map((o) => [o.ip, o.admin]),
      [
        ['198.51.100.10', 'configured'],
        ['192.0.2.33', 'logged-in'],
        ['203.0.113.9', null],
      ],
    );
    const text = await runCli(['--config', config, 'replay', path, ...NOW]);
    assert.match(
      text.stdout,
      /198\.51\.100\.10 .*an admin address of response\.admins: never banned/,
    );
    assert.match(text.stdout, /192\.0\.2\.33 .*logged in from this address within the day before/);
    assert.doesNotMatch(text.stdout, /203\.0\.113\.9 .*never banned/);
  });

  it('applies --maxretry and --findtime, and rejects bad values with status 2', async () => {
    const path = join(dir, 'slow.log');
    await writeFile(path, attack.slice(0, 3).join('\n') + '\n');
    const r = await runCli([
      'replay',
      path,
      '--json',
      '--maxretry',
      '3',
      '--findtime',
      '2m',
      ...NOW,
    ]);
    assert.deepEqual((jsonLines(r.stdout)[0] as { count: number }).count, 3);
    const none = await runCli([
      'replay',
      path,
      '--json',
      '--maxretry',
      '3',
      '--findtime',
      '30s',
      ...NOW,
    ]);
    assert.equal(
      (jsonLines(none.stdout) as { type: string }[]).filter((o) => o.type === 'finding').length,
      0,
    );
    const bad = await runCli(['replay', path, '--findtime', 'ten']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--findtime: expected a duration like 10m, got "ten"/);
    const missing = await runCli(['replay', join(dir, 'nope.log')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.log/);
  });
});
