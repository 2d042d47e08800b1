/**
 * `sheriff config check` and `config print` as a user runs them: errors in the
 * language asked for, with the file, the line and the setting; the printed
 * configuration reads like the file and loads back to the same settings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../app/parse-config.js';
import { runCli } from '../testing/run-cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-config-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** No language from the environment: only --lang and the file choose. */
const NO_LANG = { SHERIFF_LANG: '', LANG: 'C', LC_ALL: '', LC_MESSAGES: '' };

describe('sheriff config check', () => {
  const BROKEN = 'jails:\n  sshd:\n    findtime: ten\n';

  it('reports a bad setting in Korean with --lang ko, naming the file, line and setting', async () => {
    const path = await file('broken.yaml', BROKEN);
    const r = await runCli(['--lang', 'ko', '--config', path, 'config', 'check']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      '설정에 오류가 있어 아무것도 시작하지 않았습니다:\n' +
        `  ${path}:3: jails.sshd.findtime: 10m 같은 기간이어야 합니다 (받은 값: "ten")\n`,
    );
  });

  it("speaks the file's own language when no --lang is given, and --lang wins over it", async () => {
    const path = await file('broken-ko.yaml', `language: ko\n${BROKEN}maxretry: 3\n`);
    const ko = await runCli(['--config', path, 'config', 'check'], { env: NO_LANG });
    assert.equal(ko.code, 2);
    assert.match(ko.stderr, /^설정에 오류가 있어/);
    assert.ok(ko.stderr.includes(`${path}:4: jails.sshd.findtime: 10m 같은 기간이어야 합니다`));
    assert.ok(ko.stderr.includes(`${path}:5: maxretry: 알 수 없는 설정입니다`));
    const en = await runCli(['--lang', 'en', '--config', path, 'config', 'check'], {
      env: NO_LANG,
    });
    assert.equal(en.code, 2);
    assert.ok(en.stderr.includes(`${path}:4: jails.sshd.findtime: expected a duration like 10m`));
  });

  it('reports a YAML syntax error in Korean too, from a file that asks for it', async () => {
    const path = await file('syntax.yaml', 'language: ko\nlanguage: en\n');
    const r = await runCli(['--config', path, 'config', 'check'], { env: NO_LANG });
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${path}:2: YAML 문법 오류: Map keys must be unique`), r.stderr);
  });

  it('says in Korean that the file given does not exist', async () => {
    const path = join(dir, 'absent.yaml');
    const r = await runCli(['--lang', 'ko', '--config', path, 'status']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${path}: 파일이 없습니다 (--config(으)로 지정됨)`), r.stderr);
  });
});

describe('sheriff config print', () => {
  const TEXT = [
    'jails:',
    '  sshd:',
    '    bantime: 2h',
    '    slow: false',
    '  sshd-ddos:',
    '    filter: sshd',
    '    mode: ddos',
    'sources:',
    '  - type: file',
    '    path: /var/log/auth.log',
    '  - type: syslog',
    'agent:',
    '  timeout: 90s',
    '',
  ].join('\n');

  it('prints every duration the way people write them, and loads back to the same settings', async () => {
    const path = await file('print.yaml', TEXT);
    const r = await runCli(['--config', path, 'config', 'print']);
    assert.equal(r.code, 0, r.stderr);
    for (const line of [
      '    bantime: 2h',
      '    findtime: 10m',
      '      window: 12h',
      '    pollInterval: 1s',
      '  bantime: 1h',
      '    max: 1w',
      '  approvalTimeout: 15m',
      '  reconcileInterval: 1m',
      '    giveUpAfter: 1d',
      '    maxAge: 90d',
      '  timeout: 1m30s',
      '  maxRunTime: 2m',
    ])
      assert.ok(r.stdout.includes(`\n${line}\n`), `missing ${JSON.stringify(line)}`);
    assert.deepEqual(parseConfig(r.stdout, 'printed'), parseConfig(TEXT, 'original'));
  });

  it("--explain puts each setting's description above it, and still loads back", async () => {
    const path = await file('explain.yaml', TEXT);
    const r = await runCli(['--config', path, 'config', 'print', '--explain']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('  # first ban length\n  bantime: 1h\n'), r.stdout);
    assert.ok(r.stdout.includes('    # log file to follow, e.g. /var/log/auth.log\n    path:'));
    assert.deepEqual(parseConfig(r.stdout, 'printed'), parseConfig(TEXT, 'original'));
  });
});
