/**
 * The store under a running daemon, as an admin's machine uses it: the web
 * console on (on the daemon's own connection), the `sqlite3`
 * program and a backup reading and writing the file, Sheriff's own CLI
 * reading and deciding, then kill -9. Nothing another process saw is lost,
 * the WAL is never deleted under the daemon, and CLI approvals are carried
 * out. And one daemon per store: a second one refuses, a killed one does not
 * block the next.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import { exited, startWatch, type WatchProcess } from '../testing/watch-process.js';

const run = promisify(execFile);
let dir: string;
const children: ChildProcess[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-watch-store-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function watch(config: string, args: string[] = []): WatchProcess {
  const child = startWatch(config, args);
  children.push(child);
  return child;
}

async function setup(name: string, web: boolean) {
  const log = join(dir, `${name}.log`);
  const db = join(dir, name, 'sheriff.db');
  const config = join(dir, `${name}.yaml`);
  await writeFile(log, '');
  await writeFile(
    config,
    `store: { path: ${db} }\n` +
      `sources: [{ type: file, path: ${log}, startAtBeginning: true }]\n` +
      'log: { level: info, format: json }\n' +
      // Outside a network namespace the daemon must never touch this machine's firewall.
      'response: { firewall: dry-run }\n' +
      'jails: { sshd: { maxretry: 3, policy: approve } }\n' +
      `web: { enabled: ${web}, host: 127.0.0.1, port: 0 }\n`,
  );
  return { log, db, config };
}

/** What the `sqlite3` program prints: another process opening, using and closing the file. */
async function sqlite3(db: string, sql: string): Promise<string> {
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 10000', db, sql]);
  return stdout.trim();
}

async function sheriff(config: string, ...args: string[]): Promise<string> {
  const r = await runCli(['--config', config, ...args]);
  assert.equal(r.code, 0, `sheriff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const jsonLines = <T>(text: string): T[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);

/** Row ids another process sees, by table: what must survive kill -9. */
async function seen(db: string): Promise<Record<string, string[]>> {
  const ids = async (sql: string) => (await sqlite3(db, sql)).split('\n').filter((l) => l !== '');
  return {
    events: await ids('SELECT id FROM events ORDER BY id'),
    approvals: await ids('SELECT id FROM approvals ORDER BY id'),
    bans: await ids('SELECT id FROM bans WHERE applied_at IS NOT NULL ORDER BY id'),
    audit: await ids('SELECT id FROM audit ORDER BY id'),
  };
}

let pid = 1000;
/** A failed root login from `ip`: one event (root has no space to hide a second address in). */
const failure = (ip: string) =>
  `2026-11-25T07:51:41+00:00 web1 sshd[${++pid}]: Failed password for root from ${ip} port ${pid} ssh2\n`;

describe('the store under a running daemon', () => {
  it('keeps every write and its WAL while sqlite3, a backup and the CLI use it, and through kill -9', async () => {
    const { log, db, config } = await setup('readers', true);
    const daemon = watch(config);
    // The console once opened a second connection in the daemon's process, which cost the daemon its locks.
    await waitFor('the web console', () => daemon.output().includes('"web_listening"')).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${daemon.output()}`);
      },
    );
    const wal = `${db}-wal`;
    const walInode = statSync(wal).ino;
    const trouble = new Set<string>();
    const walTrouble = () => [...trouble];
    const walWatch = setInterval(() => {
      try {
        if (statSync(wal).ino !== walInode) trouble.add('the WAL was replaced');
      } catch {
        trouble.add('the WAL was deleted');
      }
    }, 5);
    let lines = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const attacker = `203.0.113.${10 + round}`;
        const admin = `198.51.100.${10 + round}`;
        let text = '';
        for (let i = 0; i < 3; i++) text += failure(attacker);
        for (let i = 0; i < 20; i++) text += failure(`192.0.2.${(round * 20 + i) % 250}`);
        await appendFile(log, text);
        lines += 23;
        // Everyone at once: readers, a checkpoint, a backup, a writer, and Sheriff's CLI.
        const [, , , , status] = await Promise.all([
          sqlite3(db, 'SELECT count(*) FROM events'),
          sqlite3(db, 'PRAGMA wal_checkpoint'),
          sqlite3(db, `.backup '${join(dir, `backup-${round}.db`)}'`),
          sqlite3(db, "INSERT OR REPLACE INTO daemon_status VALUES ('test.backup', '{}', 0)"),
          sheriff(config, 'status', '--json'),
          sheriff(config, 'events', '--json', '--limit', '10000'),
          sheriff(config, 'bans', '--json'),
          sheriff(config, 'audit'),
          sheriff(config, 'ban', admin, '--reason', 'an admin bans it'),
        ]);
        assert.deepEqual(walTrouble(), []);
        const s = JSON.parse(status) as { running: boolean; daemon: { pid: number } };
        assert.equal(s.running, true, status);
        assert.equal(s.daemon.pid, daemon.pid);
        // The daemon's approval request, seen by another process, approved on the CLI and carried out.
        const id = await waitFor('the approval request', async () =>
          jsonLines<{ id: string; target: { cidr: string } | null }>(
            await sheriff(config, 'approvals', '--json'),
          ).find((a) => a.target?.cidr === `${attacker}/32`),
        ).then((a) => a.id);
        await sheriff(config, 'approve', id);
        await waitFor('both bans carried out', async () => {
          const applied = await sqlite3(
            db,
            `SELECT count(*) FROM bans WHERE applied_at IS NOT NULL AND cidr IN ('${attacker}/32', '${admin}/32')`,
          );
          return applied === '2';
        });
        await waitFor(
          'every line stored and visible',
          async () => (await sqlite3(db, 'SELECT count(*) FROM events')) === String(lines),
        );
        assert.deepEqual(walTrouble(), []);
      }
    } finally {
      clearInterval(walWatch);
    }
    assert.deepEqual(walTrouble(), []);
    const before = await seen(db);
    daemon.kill('SIGKILL');
    await exited(daemon);
    const afterKill = await seen(db);
    for (const [table, ids] of Object.entries(before)) {
      const kept = new Set(afterKill[table]);
      assert.deepEqual(
        ids.filter((id) => !kept.has(id)),
        [],
        `${table} rows lost by kill -9`,
      );
    }
    assert.equal(before.events!.length, lines);
    assert.equal(before.bans!.length, 6);
    const audit = await sheriff(config, 'audit');
    assert.equal(audit.match(/ban\.apply/g)?.length, 6, audit);
    assert.equal(
      jsonLines(await sheriff(config, 'events', '--json', '--limit', '10000')).length,
      lines,
    );
  });

  it('lets one daemon watch a store: a second refuses naming it, a killed one does not block the next', async () => {
    const { config, db } = await setup('single', false);
    const first = watch(config, ['--no-web']);
    await waitFor('the first daemon', () => first.output().includes('"daemon_started"'));
    /** Starts another daemon on the same store; its exit status and output once it gives up. */
    const another = async (args: string[] = []) => {
      const child = watch(config, args);
      // Today's second daemon runs beside the first: this guard is what fails then.
      await waitFor('the second daemon to give up', () => child.exitCode !== null);
      return { code: child.exitCode, output: child.output() };
    };
    const refused = await another();
    assert.equal(refused.code, 2, refused.output);
    assert.equal(
      refused.output,
      `sheriff: another Sheriff daemon (pid ${first.pid}) is already watching the store ${db}, ` +
        `and only one may. Stop it first (systemctl stop sheriff, or kill ${first.pid}).\n`,
    );
    // A reload keeps the store, and the lock.
    first.kill('SIGHUP');
    await waitFor('the reload', () => first.output().includes('"reloaded"'));
    const again = await another(['--lang', 'ko']);
    assert.equal(again.code, 2, again.output);
    assert.match(again.output, new RegExp(`다른 Sheriff 데몬\\(pid ${first.pid}\\)`));
    first.kill('SIGKILL');
    await exited(first);
    const next = watch(config, ['--no-web']);
    await waitFor('the next daemon', () => next.output().includes('"daemon_started"'));
    next.kill('SIGTERM');
    assert.equal(await exited(next), 0);
  });
});
