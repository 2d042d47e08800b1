/**
 * `sheriff watch` as a real process: kill -9 mid-stream loses and repeats
 * nothing, SIGHUP reloads (refusing a bad file), SIGTERM flushes and exits 0,
 * and `status` / `events` read what it stored.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/index.js';
import { LogRotator } from '../testing/logrotate.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import { exited, startWatch, type WatchProcess } from '../testing/watch-process.js';

let dir: string;
const children: ChildProcess[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-watch-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function watch(config: string): WatchProcess {
  const child = startWatch(config);
  children.push(child);
  return child;
}

async function setup(name: string, extra = '') {
  const log = join(dir, `${name}.log`);
  const db = join(dir, `${name}.db`);
  const config = join(dir, `${name}.yaml`);
  await writeFile(log, '');
  // Outside a network namespace the daemon must never touch this machine's firewall.
  const text = `store: { path: ${db} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true }]\nlog: { level: info, format: json }\nresponse: { firewall: dry-run }\n${extra}`;
  await writeFile(config, text);
  return { log, db, config, text };
}

/** Users of the stored events; none while the daemon has not created its store yet. */
function storedUsers(db: string): string[] {
  let store;
  try {
    store = openStore(db, { readonly: true });
  } catch {
    return [];
  }
  try {
    return store.events.queryEvents({ limit: 10_000 }).map((e) => e.user ?? '');
  } finally {
    store.close();
  }
}

const failure = (n: number) =>
  `2026-11-25T07:51:41+00:00 web1 sshd[${n}]: Failed password for invalid user u${String(n).padStart(6, '0')} from 203.0.113.${n % 250} port ${1024 + n} ssh2\n`;

describe('sheriff watch', () => {
  it('stores every line exactly once across kill -9 and a restart', async () => {
    const { log, db, config } = await setup('kill');
    const total = 6000;
    let written = 0;
    const writeSome = async (count: number) => {
      let chunk = '';
      for (let i = 0; i < count && written < total; i++) chunk += failure(written++);
      await appendFile(log, chunk);
    };
    let child = watch(config);
    while (written < total / 2) await writeSome(200);
    await waitFor('some events stored', () => storedUsers(db).length > 500);
    child.kill('SIGKILL');
    await exited(child);
    while (written < (total * 3) / 4) await writeSome(200); // lines written while it is down
    child = watch(config);
    while (written < total) await writeSome(200);
    await waitFor('every event stored', () => storedUsers(db).length >= total);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    const users = storedUsers(db);
    assert.equal(users.length, total);
    assert.equal(new Set(users).size, total, 'a line was stored twice');
  });

  it('reads files rotated and compressed while it was down; a rest that is gone is an error in the log and in status', async () => {
    const { log, db, config } = await setup('rotated');
    const rotator = new LogRotator(log);
    let written = 0;
    const writeSome = (count: number) => {
      let chunk = '';
      for (let i = 0; i < count; i++) chunk += failure(written++);
      return appendFile(log, chunk);
    };
    let child = watch(config);
    await writeSome(1000);
    await waitFor('the first lines stored', () => storedUsers(db).length >= 1000);
    child.kill('SIGKILL');
    await exited(child);
    // While it is down: its file gets 500 more lines and is rotated and compressed, twice.
    await writeSome(500);
    rotator.rotate({ compress: true });
    await writeSome(300);
    rotator.rotate({ compress: true });
    await writeSome(200);
    child = watch(config);
    await waitFor('every line stored', () => storedUsers(db).length >= written);
    child.kill('SIGKILL');
    await exited(child);
    let users = storedUsers(db);
    assert.equal(users.length, written);
    assert.equal(new Set(users).size, written, 'a line was stored twice');
    // Down again, and the rotated rest is removed before it comes back: lost, and said so.
    await writeSome(100);
    rotator.rotate({ compress: true });
    await rm(`${log}.1.gz`);
    await writeSome(50);
    child = watch(config);
    await waitFor('the new lines stored', () => storedUsers(db).length >= written - 100);
    await waitFor('the error in the log', () => child.output().includes('"event":"source_error"'));
    const status = await waitFor('status with the error', async () => {
      const r = await runCli(['--config', config, 'status']);
      return r.stdout.includes(' 1 errors') && r.stdout;
    });
    assert.match(status, /not found among its rotated copies/);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    users = storedUsers(db);
    assert.equal(users.length, written - 100);
    assert.equal(new Set(users).size, written - 100);
  });

  it('reloads on SIGHUP, refuses an invalid file, and flushes on SIGTERM', async () => {
    const { log, db, config, text } = await setup('signals');
    const child = watch(config);
    await waitFor('started', () => child.output().includes('daemon_started'));
    await writeFile(config, `${text}jails: { sshd: { findtime: ten } }\n`);
    child.kill('SIGHUP');
    await waitFor('refusal', () => child.output().includes('reload_refused')).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${child.output()}`);
      },
    );
    assert.match(
      child.output(),
      /jails\.sshd\.findtime: expected a duration like 10m, got \\"ten\\"/,
    );
    await writeFile(config, `${text}jails: { sshd: { maxretry: 2 } }\n`);
    child.kill('SIGHUP');
    await waitFor('reload', () => child.output().includes('"event":"reloaded"'));
    await appendFile(log, failure(1) + failure(251));
    await waitFor('a finding with the new maxretry', () =>
      child.output().includes('"event":"finding"'),
    );
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    assert.deepEqual(storedUsers(db).sort(), ['u000001', 'u000251']);
  });

  it('is visible to sheriff status and sheriff events while it runs', async () => {
    const { log, config } = await setup('status');
    const child = watch(config);
    await appendFile(log, failure(7) + failure(257));
    // A hang guard only: status is published every 5 s, and a loaded machine starts slowly.
    await waitFor('running status', async () => {
      const r = await runCli(['--config', config, 'status']);
      return r.stdout.includes('Sheriff is running') && r.stdout.includes('2 lines read') && r;
    });
    const events = await runCli(['--config', config, 'events', '--ip', '203.0.113.7', '--json']);
    assert.equal(events.code, 0, events.stderr);
    assert.deepEqual(
      events.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { user: string }).user)
        .sort(),
      ['u000007', 'u000257'],
    );
    const bad = await runCli(['--config', config, 'events', '--ip', 'not-an-ip']);
    assert.equal(bad.code, 2);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    // What the stopped daemon last published stays readable. (Whether it still counts as running
    // depends on how long ago that was: the clock, not a condition a test can wait for.)
    const stopped = await runCli(['--config', config, 'status', '--json']);
    const last = JSON.parse(stopped.stdout) as { daemon: { pid: number } | null };
    assert.equal(last.daemon?.pid, child.pid);
  });

  it('in dry-run says at start, in status and in bans (text and JSON) that nothing is blocked', async () => {
    const { log, config } = await setup(
      'dry',
      'web: { enabled: false }\njails: { sshd: { maxretry: 2, policy: auto } }\n',
    );
    const child = watch(config);
    await waitFor('started', () => child.output().includes('daemon_started'));
    await appendFile(log, failure(7) + failure(257));
    const cli = async (...args: string[]) => {
      const r = await runCli(['--config', config, ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    await waitFor('the dry-run ban', async () => (await cli('bans')).includes('203.0.113.7/32'));
    assert.match(child.output(), /"event":"firewall".*DRY-RUN, NOTHING WILL BE BLOCKED/);
    assert.match(
      child.output(),
      /"event":"daemon_started".*"msg":"Sheriff is watching, but NOTHING WILL BE BLOCKED/,
    );
    assert.match(
      await cli('bans'),
      /^203\.0\.113\.7\/32 {2}active \[NOT ENFORCED: dry-run, nothing is blocked\] until /m,
    );
    const [ban] = (await cli('bans', '--json'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { firewall: string; enforced: boolean });
    assert.deepEqual([ban?.firewall, ban?.enforced], ['dry-run', false]);
    await waitFor('the status published', async () =>
      (await cli('status')).includes('Firewall: DRY-RUN'),
    );
    const text = await cli('status');
    assert.match(text, /^Firewall: DRY-RUN, NOTHING IS BLOCKED: bans are only recorded/m);
    assert.match(text, /^Bans recorded: 1, of which 1 NOT ENFORCED/m);
    const ko = await runCli(['--config', config, 'bans'], { env: { SHERIFF_LANG: 'ko' } });
    assert.match(ko.stdout, /차단되지 않음: 시험 모드\(dry-run\)라 실제로 막지 않습니다/);
    const json = JSON.parse(await cli('status', '--json')) as {
      enforcing: boolean;
      bans: { active: number; enforced: number };
      daemon: { firewall: { kind: string; enforcing: boolean } };
    };
    assert.deepEqual(
      [json.enforcing, json.bans, json.daemon.firewall.kind, json.daemon.firewall.enforcing],
      [false, { active: 1, enforced: 0 }, 'dry-run', false],
    );
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });

  it('goes on detecting while a syslog peer sends lines that once hung it, and stops on SIGTERM', async () => {
    const { log, config, text } = await setup('hostile');
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port; // free now; the daemon binds it after this socket closes
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    const sources = `[{ type: file, path: ${log}, startAtBeginning: true }, { type: syslog, listen: "127.0.0.1:${port}", protocols: [udp] }]`;
    await writeFile(config, text.replace(/^sources: .*$/m, `sources: ${sources}`));
    const child = watch(config);
    await waitFor('the syslog listener', async () => {
      const r = await runCli(['--config', config, 'status', '--json']);
      return r.stdout.includes(`udp 127.0.0.1:${port}`);
    });
    const send = createSocket('udp4');
    const datagram = (text: string) =>
      new Promise<void>((resolve, reject) =>
        send.send(text, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    try {
      // A fractional second at the end of a line, no zone: once a loop for ever at 100% CPU.
      for (const text of ['2026-12-06T20:00:00.5', '<38>2026-12-06T20:00:00.5', 'Nov  2 07:51:41.'])
        await datagram(text);
      for (let n = 0; n < 5; n++) {
        await datagram(failure(n * 250 + 70).trimEnd()); // 203.0.113.70
        await appendFile(log, failure(n * 250 + 71)); // 203.0.113.71
      }
      await waitFor('a finding from each source', () =>
        ['203.0.113.70', '203.0.113.71'].every(
          (ip) =>
            child.output().includes(`"event":"finding"`) && child.output().includes(`"ip":"${ip}"`),
        ),
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${child.output()}`);
      });
    } finally {
      send.close();
    }
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });

  it('exits 2 naming what is missing when a configured credential is absent, starting nothing', async () => {
    // A store directory of its own: the console keeps its password hash beside the store.
    const own = join(dir, 'no-token');
    await mkdir(own);
    const config = join(own, 'sheriff.yaml');
    await writeFile(
      config,
      `store: { path: ${join(own, 'sheriff.db')} }\nsources: [{ type: stdin }]\nresponse: { firewall: dry-run }\nweb: { port: 0 }\nnotify: { telegram: { chats: [1], users: [1] } }\n`,
    );
    const env = { ...process.env };
    delete env.SHERIFF_TELEGRAM_TOKEN;
    const r = await runCli(['--config', config, 'watch'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing was started:\n {2}notify\.telegram .*SHERIFF_TELEGRAM_TOKEN/);
    // The console never started: no one-time password was shown or kept.
    assert.doesNotMatch(r.stdout, /password/i);
    assert.equal(existsSync(join(own, 'web-password')), false);
  });
});
