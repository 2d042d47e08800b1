/**
 * Commands that use the store, run as a user would: with no store yet they
 * print one line and exit 1 creating nothing (no store, no secret key); with a
 * store they may not read, one line and exit 2. Never a stack trace.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadSecret } from '../respond/secret.js';
import { openStore } from '../store/index.js';
import { runCli, type CliResult } from '../testing/run-cli.js';
import { unprivileged } from '../testing/users.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-store-errors-'));
chmodSync(root, 0o755); // the configurations are read as another user too
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A directory with only a configuration whose store is `state/sheriff.db` in it. */
function setup(): { dir: string; config: string; store: string } {
  const dir = join(root, `t${++n}`);
  mkdirSync(dir);
  const store = join(dir, 'state', 'sheriff.db');
  const config = join(dir, 'sheriff.yaml');
  writeFileSync(config, `store: { path: ${store} }\nresponse: { firewall: dry-run }\n`);
  return { dir, config, store };
}

/** Every file under `dir`, relative; not SQLite's own -wal and -shm beside an existing store. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !/-(wal|shm)$/.test(f))
    .sort();
}

const READERS = [
  ['status'],
  ['status', '--json'],
  ['events'],
  ['bans'],
  ['approvals'],
  ['audit'],
  ['incidents'],
  ['incident', '1'],
  ['report'],
];
const WRITERS = [
  ['approve', 'abcdefghijkl'],
  ['deny', 'abcdefghijkl'],
  ['ban', '203.0.113.7', '--reason', 'test'],
  ['unban', '203.0.113.7'],
  ['incident', '1', '--resolve'],
];

function assertOneLine(r: CliResult, code: number, pattern: RegExp, what: string): void {
  const where = `${what}: exit ${r.code}\n${r.stderr}${r.stdout}`;
  assert.equal(r.code, code, where);
  assert.equal(r.stdout, '', where);
  assert.match(r.stderr, /^sheriff: [^\n]+\n$/, where);
  assert.match(r.stderr, pattern, where);
}

/** Runs each command (at once: each is a separate process) and pairs it with its result. */
async function runEach(
  commands: string[][],
  config: string,
  opts: { uid?: number } = {},
): Promise<[string, CliResult][]> {
  return Promise.all(
    commands.map(
      async (args) =>
        [args.join(' '), await runCli(['--config', config, ...args], opts)] as [string, CliResult],
    ),
  );
}

describe('commands without a usable store', () => {
  it('no store yet: one line, exit 1, and no store, directory or key is created', async () => {
    const { dir, config, store } = setup();
    for (const [what, r] of await runEach([...READERS, ...WRITERS], config)) {
      assertOneLine(r, 1, /no store at .+ yet: the daemon \(sheriff watch\) has not run/, what);
      assert.ok(r.stderr.includes(store), r.stderr);
    }
    const ko = await runCli(['--config', config, '--lang', 'ko', 'events']);
    assertOneLine(ko, 1, /아직 저장소가 없습니다/, 'events in Korean');
    assert.deepEqual(files(dir), ['sheriff.yaml']);
  });

  it('a store this user may not read: one line naming it, exit 2, nothing created', async () => {
    const { dir, config, store } = setup();
    openStore(store).close();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'state'), 0o755);
    chmodSync(store, 0o000);
    const before = files(dir);
    for (const [what, r] of await runEach([...READERS, ...WRITERS], config, unprivileged)) {
      assertOneLine(r, 2, /permission denied/, what);
      assert.ok(r.stderr.includes(store), r.stderr);
    }
    // The daemon's own layout: a private directory around it.
    chmodSync(join(dir, 'state'), 0o700);
    for (const [what, r] of await runEach(
      [['status'], ['ban', '203.0.113.7', '--reason', 'x']],
      config,
      unprivileged,
    ))
      assertOneLine(r, 2, /permission denied/, what);
    assert.deepEqual(files(dir), before);
  });

  it('read-only commands read an existing store and write nothing beside it', async () => {
    const { dir, config, store } = setup();
    // As the daemon leaves them: the store and its key (which `approvals` checks rows with).
    openStore(store).close();
    loadSecret({ storePath: store });
    const before = files(dir);
    for (const [what, r] of await runEach(
      READERS.filter((a) => a[0] !== 'incident'),
      config,
    ))
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    assert.deepEqual(files(dir), before);
  });

  it('exit with the statuses sheriff --help lists', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /Exit status:\n {2}0 {2}done\n {2}1 {2}no store yet.*\n {2}2 {2}a mistake/,
    );
  });
});
