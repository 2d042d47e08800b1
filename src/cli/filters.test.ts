/**
 * The admin's filters through the real bin/sheriff: `sheriff filters`, `config
 * check` pointing out a replaced built-in, a jail naming a user filter, and
 * `test-filter --spec` trying a file that is not installed.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUILTIN_FILTER_DIR } from '../filters/registry.js';
import { runCli } from '../testing/run-cli.js';

let dir: string;
let filtersDir: string;
let config: string;

/** A small filter of the admin's own, for a service Sheriff does not know. */
const DEMO = String.raw`name: demo
description: the demo service, failed logins
references: [the demo manual]
programs: [demo]
defs:
  USER: '(?<user>\S+)'
rules:
  - id: bad-password
    pattern: 'bad password for {USER} from {HOST}$'
    result: fail
samples:
  - line: 'Nov 25 07:51:41 web1 demo[1]: bad password for bob from 192.0.2.7'
    result: fail
    address: 192.0.2.7
    user: bob
  - line: 'Nov 25 07:51:41 web1 demo[1]: bad password for bob from 192.0.2.7 192.0.2.8'
    result: none
    injection: true
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-filters-cli-'));
  filtersDir = join(dir, 'filters.d');
  await mkdir(filtersDir);
  await writeFile(join(filtersDir, 'demo.yaml'), DEMO);
  const pam = await readFile(join(BUILTIN_FILTER_DIR, 'pam-generic.yaml'), 'utf8');
  await writeFile(
    join(filtersDir, 'pam-generic.yaml'),
    pam.replace('name: pam-generic\n', 'name: pam-generic\norigin: imported\n'),
  );
  config = join(dir, 'sheriff.yaml');
  await writeFile(
    config,
    `filters: {dir: ${JSON.stringify(filtersDir)}}\njails:\n  demo: {}\n  sshd: {}\n`,
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('user filters', () => {
  it('sheriff filters lists built-in, user and imported filters with modes and samples', async () => {
    const r = await runCli(['--config', config, 'filters', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; origin: string; samples: number }[];
    const byName = new Map(rows.map((f) => [f.name, f]));
    assert.equal(byName.get('demo')?.origin, 'user');
    assert.equal(byName.get('demo')?.samples, 2);
    assert.equal(byName.get('pam-generic')?.origin, 'imported');
    assert.equal(byName.get('sshd')?.origin, 'built-in');
    const text = await runCli(['--config', config, 'filters'], { env: { SHERIFF_LANG: 'ko' } });
    assert.match(text.stdout, /^demo +사용자 +normal +2 +the demo service/m);
    assert.match(text.stdout, /pam-generic\.yaml: 내장 필터 pam-generic을\(를\) 대신합니다/);
  });

  it('config check accepts a jail on a user filter and says which file replaces a built-in', async () => {
    const r = await runCli(['--config', config, 'config', 'check']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `${join(filtersDir, 'pam-generic.yaml')}: replaces the built-in filter pam-generic`,
      ),
    );
    assert.match(r.stdout, /valid \(2 jail\(s\)/);
  });

  it('refuses, with exit status 2, a configuration whose user filter has a failing sample', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'demo.yaml'), DEMO.replace('user: bob', 'user: alice'));
    const badConfig = join(dir, 'bad.yaml');
    await writeFile(badConfig, `filters: {dir: ${JSON.stringify(bad)}}\njails: {demo: {}}\n`);
    const r = await runCli(['--config', badConfig, 'config', 'check']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /demo\.yaml:12: samples\.0\.line: sample fails: user: expected "alice", got "bob" \(mode normal\)/,
    );
  });

  it('names the user filters too when a jail names no filter that exists', async () => {
    const other = join(dir, 'other.yaml');
    await writeFile(
      other,
      `filters: {dir: ${JSON.stringify(filtersDir)}}\njails: {web: {filter: apache}}\n`,
    );
    const r = await runCli(['--config', other, 'config', 'check']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /jails\.web\.filter: unknown filter "apache" \(filters: .*\bdemo\b.*\bsshd\b/,
    );
  });

  it('test-filter --spec checks the file and its samples, then classifies the log', async () => {
    const spec = join(dir, 'try', 'demo.yaml');
    await mkdir(join(dir, 'try'));
    await writeFile(spec, DEMO);
    const r = await runCli(
      [
        'test-filter',
        '-',
        '--spec',
        spec,
        '--json',
        '--now',
        '2026-11-25T12:00:00Z',
        '--timezone',
        'UTC',
      ],
      {
        input: 'Nov 25 07:51:41 web1 demo[1]: bad password for eve from 192.0.2.9\n',
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      n: 1,
      result: 'fail',
      host: '192.0.2.9',
      ip: '192.0.2.9',
      user: 'eve',
      rule: 'bad-password',
      time: '2026-11-25T07:51:41+00:00',
    });
    assert.match(r.stderr, /demo\.yaml: the file is valid and its 2 samples pass/);

    await writeFile(spec, DEMO.replace('address: 192.0.2.7', 'address: 192.0.2.70'));
    const failed = await runCli(['test-filter', '-', '--spec', spec], { input: '' });
    assert.equal(failed.code, 2);
    assert.match(
      failed.stderr,
      /demo\.yaml:12: samples\.0\.line: sample fails: address: expected "192\.0\.2\.70"/,
    );
    assert.equal(failed.stdout, '');
  });

  it('test-filter wants exactly one of --filter and --spec', async () => {
    for (const args of [[], ['--filter', 'sshd', '--spec', 'x.yaml']]) {
      const r = await runCli(['test-filter', '-', ...args], { input: '' });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /give either --filter NAME or --spec FILE/);
    }
  });
});
