/**
 * `--lang ko` leaves no English sentence behind: every command's --help, a
 * usage error, and the outputs of a demo's store (status, bans, incidents, an
 * incident's timeline, approvals, events). A heuristic: a line with three or
 * more English words in a row, outside option names, paths and code words.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Command } from 'commander';
import { translator } from '../i18n/index.js';
import { runCli } from '../testing/run-cli.js';
import { buildProgram } from './main.js';

/** Words that are names, not English: programs, config keys, values the admin types. */
const CODE_WORDS = new Set(
  'sheriff sshd jail jails json yaml groq ipv ssh syslog rsyslog journald journalctl systemd nftables ipset ufw iptables dry run auto file type path sources approve deny benign suspicious malicious rules detect responder policy agent admin cli root telegram web ko en lang options command llm id ip utc exit quit status bans report analyse block unban ports users and or normal ddos extra aggressive train dev test'.split(
    ' ',
  ),
);

/** The first run of three or more English words in `line`, or null. */
export function englishRun(line: string): string | null {
  const tokens = line
    // Option names, placeholders, quoted text and key=value are code, not sentences.
    .replace(/--?[\w-]+|<[^>]*>|\[[^\]]*\]|"[^"]*"|\S+=\S*/g, ' § ')
    .split(/[\s,;:()·—–]+/)
    .filter((w) => w !== '');
  let run: string[] = [];
  for (const w of tokens) {
    const english =
      /^[A-Za-z][a-z]+[.!?]?$/.test(w) && !CODE_WORDS.has(w.replace(/[.!?]$/, '').toLowerCase());
    run = english ? [...run, w] : [];
    if (run.length >= 3) return run.join(' ');
  }
  return null;
}

function leftovers(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => englishRun(l) !== null)
    .map((l) => `${englishRun(l)!}  ←  ${l.trim()}`);
}

/** Every command path: [], ['watch'], ['config', 'check'], … */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return [
    prefix,
    ...cmd.commands
      .filter((c) => c.name() !== 'help')
      .flatMap((c) => commandPaths(c, [...prefix, c.name()])),
  ];
}

const ko = (args: string[]) => runCli(['--lang', 'ko', ...args], { env: { SHERIFF_LANG: 'ko' } });

describe('--lang ko', () => {
  it('the heuristic finds English sentences, and not option names, paths or codes', () => {
    assert.equal(englishRun('  --limit <n>  최대 이만큼만 표시 (기본값: 50)'), null);
    assert.equal(englishRun('sources:\n  - type: file'), null);
    assert.equal(englishRun('2026-12-07 00:41:46 UTC  차단  policy:auto:sshd #1  cidr=x'), null);
    assert.equal(englishRun('  -V, --version  print the version and exit'), 'print the version');
    assert.equal(englishRun('  -h, --help  display help for command'), 'display help for');
  });

  it('every command’s --help is Korean', async () => {
    const program = await buildProgram({
      t: translator('ko'),
      stdout: process.stdout,
      stderr: process.stderr,
    });
    const found: string[] = [];
    for (const path of commandPaths(program)) {
      const r = await ko([...path, '--help']);
      assert.equal(r.code, 0, `${path.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /감옥/, path.join(' '));
      found.push(...leftovers(r.stdout).map((l) => `sheriff ${path.join(' ')} --help: ${l}`));
    }
    assert.deepEqual(found, []);
  });

  it('usage errors are Korean', async () => {
    for (const args of [['bna'], ['status', '--jsn'], ['ban', '1.2.3.4'], ['deny', 'a', 'b']]) {
      const r = await ko(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.deepEqual(leftovers(r.stderr), [], args.join(' '));
    }
  });

  describe('outputs from a store', () => {
    let dir = '';
    let config = '';
    before(async () => {
      const r = await ko(['demo', '--speed', '30', '--keep']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(leftovers(r.stdout), []);
      dir = /(\S*sheriff-demo-\w+)/.exec(r.stdout)![1]!;
      config = `${dir}/sheriff.yaml`;
    });
    after(() => (dir === '' ? undefined : rm(dir, { recursive: true, force: true })));

    // Each output, and what it must say in words (a level's name, a reason, a readable time).
    const readable = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/;
    for (const [args, says] of [
      [['status'], [/^상태: \S+ (정상|주의|위험)$/m]],
      [['bans'], [/: 무차별 대입: 로그인 실패 \d+회$/m, readable]],
      [['incidents', '--all'], [readable]],
      [
        ['incident', '1'],
        [/^경과:$/m, readable],
      ],
      [['approvals', '--all'], []],
      [['events', '--limit', '5'], []],
      [['config', 'check'], []],
    ] as [string[], RegExp[]][])
      it(args.join(' '), async () => {
        const r = await ko(['--config', config, ...args]);
        assert.equal(r.code, 0, r.stderr);
        assert.notEqual(r.stdout.trim(), '');
        assert.deepEqual(leftovers(r.stdout), []);
        for (const re of says) assert.match(r.stdout, re);
        // No epoch milliseconds and no raw ISO instants for people to decode.
        assert.doesNotMatch(r.stdout, /=\d{13}\b|\d{2}:\d{2}:\d{2}\.\d{3}Z/);
      });
  });
});
