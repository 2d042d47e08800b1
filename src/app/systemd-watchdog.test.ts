/**
 * systemd's watchdog: pings from the main thread's timer, none while the thread
 * stalls (so systemd restarts the service), a raised timeout around suspended
 * work, and the real systemd-notify command line through a stand-in on PATH.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../testing/wait.js';
import { runSystemdNotify, SystemdWatchdog, systemdWatchdogUsec } from './systemd-watchdog.js';
import { startWatchdog, Watchdog } from './watchdog.js';

const spin = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

describe('systemdWatchdogUsec', () => {
  const env = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' };
  it('is the timeout systemd gave this process', () => {
    assert.equal(systemdWatchdogUsec(env, 42), 30_000_000);
    assert.equal(systemdWatchdogUsec({ ...env, WATCHDOG_PID: '42' }, 42), 30_000_000);
  });
  it('is null without a watchdog, for another process, or for a malformed value', () => {
    assert.equal(systemdWatchdogUsec({}, 42), null);
    assert.equal(systemdWatchdogUsec({ WATCHDOG_USEC: '30000000' }, 42), null);
    assert.equal(systemdWatchdogUsec({ ...env, WATCHDOG_PID: '41' }, 42), null);
    for (const bad of ['', '0', '-5', '30s', '1e9'])
      assert.equal(systemdWatchdogUsec({ ...env, WATCHDOG_USEC: bad }, 42), null, bad);
  });
});

describe('SystemdWatchdog', () => {
  it('pings at half the timeout, and not while the main thread stalls', async () => {
    const pings: number[] = [];
    const dog = new SystemdWatchdog(100_000, (args) => {
      assert.deepEqual(args, ['WATCHDOG=1']);
      pings.push(Date.now());
    });
    try {
      await waitFor('two pings', () => pings.length >= 2);
      const stallStart = Date.now();
      spin(600); // a parser stuck on a crafted line: no timer runs
      const stallEnd = Date.now();
      const before = pings.length;
      await waitFor('a ping after the stall', () => pings.length > before);
      assert.ok(
        pings.every((t) => t <= stallStart || t >= stallEnd),
        'no ping while the thread was stalled',
      );
    } finally {
      await dog.stop();
    }
  });

  it('raises the timeout around suspended work and sets it back', async () => {
    const sent: string[][] = [];
    const dog = new SystemdWatchdog(30_000_000, (args) => sent.push([...args]));
    try {
      const result = dog.suspended(() => {
        sent.push(['(work)']);
        return 7;
      });
      assert.equal(result, 7);
      assert.deepEqual(sent, [
        ['WATCHDOG=1', 'WATCHDOG_USEC=3600000000'],
        ['(work)'],
        ['WATCHDOG=1', 'WATCHDOG_USEC=30000000'],
      ]);
      assert.throws(() => dog.suspended(() => assert.fail('boom')), /boom/);
      assert.deepEqual(sent.at(-1), ['WATCHDOG=1', 'WATCHDOG_USEC=30000000']);
    } finally {
      await dog.stop();
    }
  });
});

describe('runSystemdNotify', () => {
  it('runs systemd-notify from PATH with the arguments, as an array', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sheriff-notify-'));
    const got = join(dir, 'got');
    const savedPath = process.env.PATH;
    try {
      const fake = join(dir, 'systemd-notify');
      writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(got)}\n`);
      chmodSync(fake, 0o755);
      process.env.PATH = `${dir}:${savedPath ?? ''}`;
      runSystemdNotify()(['WATCHDOG=1', 'WATCHDOG_USEC=30000000']);
      process.env.PATH = savedPath;
      const text = await waitFor('systemd-notify to run', () =>
        existsSync(got) ? readFileSync(got, 'utf8') : null,
      );
      assert.equal(text, 'WATCHDOG=1\nWATCHDOG_USEC=30000000\n');
    } finally {
      process.env.PATH = savedPath;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startWatchdog', () => {
  it("takes systemd's when it keeps one for this process, else the thread", async () => {
    const systemd = startWatchdog({
      NOTIFY_SOCKET: '/run/systemd/notify',
      WATCHDOG_USEC: '30000000',
      WATCHDOG_PID: String(process.pid),
    });
    await systemd.stop();
    assert.ok(systemd instanceof SystemdWatchdog);
    const thread = startWatchdog({});
    await thread.stop();
    assert.ok(thread instanceof Watchdog);
  });
});
