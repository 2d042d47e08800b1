/**
 * `sheriff import fail2ban` on a realistic fail2ban directory: Debian's stock
 * configuration with an admin's jail.local, jail.d/ and an own filter (with a
 * .local adding a failregex) from test/fixtures/fail2ban-import.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { fail2banConfDir } from '../../testing/fail2ban-dist.js';
import { classifyWith, fail2banRegexFailures } from '../../testing/fail2ban-import.js';
import { fixture } from '../../testing/paths.js';
import { runCli } from '../../testing/run-cli.js';
import { importFail2ban } from './import.js';
import type { Issue } from './issues.js';
import { writeImport } from './write.js';

const FIXTURE = fixture('fail2ban-import');
let root: string;
let etc: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'sheriff-f2b-import-'));
  etc = join(root, 'etc');
  cpSync(fail2banConfDir(), etc, { recursive: true });
  for (const f of ['jail.local', 'jail.d', 'filter.d'])
    cpSync(join(FIXTURE, f), join(etc, f), { recursive: true });
  mkdirSync(join(root, 'log'));
  writeFileSync(join(root, 'log', 'auth.log'), '');
  cpSync(join(FIXTURE, 'myapp.log'), join(root, 'log', 'myapp-1.log'));
  cpSync(join(FIXTURE, 'myapp.log'), join(root, 'log', 'myapp-2.log'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const at = (issues: Issue[], kind: string, detail?: string) =>
  issues.filter((i) => i.kind === kind && (detail === undefined || i.detail.includes(detail)));
const line = (file: string, text: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

describe('sheriff import fail2ban', () => {
  it('carries the enabled jails over with their thresholds, trusted networks and sources', () => {
    const r = importFail2ban(etc);
    assert.deepEqual(r.jails.sort(), ['myapp', 'postfix', 'sshd']);
    assert.deepEqual(r.config.jails.sshd, {
      filter: 'sshd',
      mode: 'aggressive',
      policy: 'approve',
      maxretry: 3,
      findtime: '20m',
      bantime: '1h',
    });
    assert.deepEqual(r.config.jails.myapp, {
      filter: 'myapp',
      policy: 'approve',
      maxretry: 4,
      findtime: '1h',
      bantime: '1d12h',
    });
    assert.equal(r.config.jails.postfix?.mode, 'aggressive');
    // %(known/ignoreip)s in [myapp] falls back to jail.local's [DEFAULT] value, as in fail2ban.
    assert.deepEqual(r.config.trusted, [
      '127.0.0.0/8',
      '::1/128',
      '203.0.113.0/24',
      '198.51.100.77/32',
    ]);
    assert.deepEqual(r.config.response, { increment: { factor: 2, max: '2w' } });
    assert.deepEqual(r.config.sources, [
      { type: 'file', path: join(root, 'log', 'auth.log'), jails: ['sshd'] },
      { type: 'file', path: join(root, 'log', 'myapp-1.log'), jails: ['myapp'] },
      { type: 'file', path: join(root, 'log', 'myapp-2.log'), jails: ['myapp'] },
      { type: 'journald', units: ['postfix.service'], jails: ['postfix'] },
    ]);
  });

  it('reports what it could not carry over with the file and line it is written on', () => {
    const { issues } = importFail2ban(etc);
    const myapp = join(etc, 'filter.d', 'myapp.conf');
    const jailLocal = join(etc, 'jail.local');
    const expect = (kind: string, detail: string, file: string, text: string) => {
      const found = at(issues, kind, detail);
      assert.ok(found.length > 0, `${kind} ${detail} not reported: ${JSON.stringify(issues)}`);
      assert.deepEqual([found[0]!.file, found[0]!.line], [file, line(file, text)]);
    };
    expect('failureId', '<F-ID>', myapp, 'revoked after abuse');
    expect('regex', '\\N', myapp, 'locked out');
    expect('ignoreip', 'gateway.example.org', jailLocal, 'ignoreip = 127.0.0.1/8');
    expect('ignorecommand', 'is-customer', join(etc, 'jail.d', 'postfix.local'), 'ignorecommand');
    // sshd's multi-line failure ids become Sheriff's per-connection bookkeeping: nothing lost.
    assert.deepEqual(
      issues.filter((i) => i.subject === 'sshd' && i.loss).map((i) => i.kind),
      ['ignoreip', 'trustedWider'],
    );
    // A jail that trusts less than another now trusts the union: said per jail.
    assert.deepEqual(
      at(issues, 'trustedWider').map((i) => [i.subject, i.detail]),
      [
        ['sshd', '198.51.100.77/32'],
        ['postfix', '198.51.100.77/32'],
      ],
    );
    // Rewritten constructs are not losses: the (?P=q) back-reference, the conditional group.
    assert.equal(at(issues, 'regex').length, 1);
  });

  it('catches in the imported filter what fail2ban catches on the same log, but for the reported rules', () => {
    const out = join(root, 'out-regex');
    const r = importFail2ban(etc);
    writeImport(r, out);
    const log = readFileSync(join(FIXTURE, 'myapp.log'), 'utf8').split('\n').filter(Boolean);
    const events = classifyWith(join(out, 'filters.d', 'myapp.yaml'), log);
    const sheriff = events
      .filter((e) => e?.result === 'fail')
      .map((e) => `${e!.ip ?? e!.host}\t${e!.user ?? ''}`);
    // fail2ban's own answer, from its fail2ban-regex when python3 can run it.
    const fail2ban = fail2banRegexFailures(etc, join(FIXTURE, 'myapp.log'), 'myapp') ?? [
      '192.0.2.10\talice',
      '192.0.2.11\tbob',
      '2001:db8::5\t',
      '198.51.100.20\t',
      '198.51.100.22\t',
      '192.0.2.14\tdave',
      '7f3a9c\t',
      '198.51.100.30\t',
    ];
    // The token (<F-ID>) and the \N{…} rule are the two the report lists as not carried over.
    const lost = new Set(['7f3a9c\t', '198.51.100.30\t']);
    assert.deepEqual(
      sheriff,
      fail2ban.filter((f) => !lost.has(f)),
    );
    assert.ok(
      fail2ban.some((f) => lost.has(f)),
      'fail2ban catches the reported lines',
    );
  });

  it('writes sheriff.yaml and one filter file per filter, and prints the report (--json too)', async () => {
    const out = join(root, 'out-cli');
    const text = await runCli(['import', 'fail2ban', '--dir', etc, '--out', out]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Imported 3 of 3 enabled jails and 3 filters/);
    assert.match(
      text.stdout,
      new RegExp(`${join(etc, 'filter.d', 'myapp.conf')}:\\d+  \\[myapp\\] `),
    );
    const config = parse(readFileSync(join(out, 'sheriff.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(config.jails as object).sort(), ['myapp', 'postfix', 'sshd']);
    const filter = parse(readFileSync(join(out, 'filters.d', 'myapp.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(filter.origin, 'imported');
    assert.equal(filter.matchOn, 'line');
    // Nothing is overwritten: the same --out again is refused with status 2.
    const again = await runCli(['import', 'fail2ban', '--dir', etc, '--out', out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);

    const json = await runCli([
      'import',
      'fail2ban',
      '--dir',
      etc,
      '--out',
      join(root, 'out-json'),
      '--json',
    ]);
    const result = JSON.parse(json.stdout) as {
      issues: { kind: string; file: string; line: number; message: string }[];
    };
    const id = result.issues.find((i) => i.kind === 'failureId')!;
    assert.equal(id.line, line(join(etc, 'filter.d', 'myapp.conf'), 'revoked after abuse'));
    assert.match(id.message, /bans something other than one address/);
    const ko = await runCli([
      '--lang',
      'ko',
      'import',
      'fail2ban',
      '--dir',
      etc,
      '--out',
      join(root, 'out-ko'),
    ]);
    assert.match(ko.stdout, /가져왔습니다/);
    const missing = await runCli([
      'import',
      'fail2ban',
      '--dir',
      join(root, 'nothing'),
      '--out',
      join(root, 'x'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /jail\.conf is missing/);
  });
});
