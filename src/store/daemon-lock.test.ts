/**
 * One daemon per store: the lock is exclusive across processes, names the
 * holder's pid, dies with its process (kill -9 included), and a crowd of
 * daemons starting at once ends with exactly one holder.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../testing/wait.js';
import { DaemonLock } from './daemon-lock.js';
import { DaemonRunningError } from './errors.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-daemon-lock-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const fresh = () => join(root, `t${++n}`, 'sheriff.db');

/** Another process that takes the lock and keeps it until killed; prints "held" or "refused PID". */
function holder(store: string): ChildProcess & { output: () => string } {
  const url = new URL('./daemon-lock.js', import.meta.url).href;
  const script = `import { DaemonLock } from ${JSON.stringify(url)};
    try { await DaemonLock.acquire(process.env.STORE); console.log('held'); setInterval(() => {}, 1e6); }
    catch (err) { console.log('refused ' + err.pid); }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, STORE: store },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (b: Buffer) => (text += b.toString()));
  children.push(child);
  return Object.assign(child, { output: () => text.trim() });
}

const refusedBy = async (store: string, pid: number | null) =>
  assert.rejects(
    DaemonLock.acquire(store, 1 << 22), // a pid no process here has
    (err: unknown) => err instanceof DaemonRunningError && err.pid === pid && err.exitCode === 2,
  );

describe('DaemonLock', () => {
  it('is exclusive, names the holder, and is free again once released', async () => {
    const store = fresh();
    const lock = await DaemonLock.acquire(store);
    await refusedBy(store, process.pid);
    lock.release();
    (await DaemonLock.acquire(store, 1 << 22)).release();
  });

  it('dies with a process killed with -9: the stale file does not block a restart', async () => {
    const store = fresh();
    const first = holder(store);
    await waitFor('the first holder', () => first.output() === 'held');
    await refusedBy(store, first.pid!);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const lock = await DaemonLock.acquire(store);
    lock.release();
  });

  it('lets exactly one of many daemons starting at once hold it; the others name it', async () => {
    const store = fresh();
    const crowd = Array.from({ length: 6 }, () => holder(store));
    await waitFor('every answer', () => crowd.every((c) => c.output() !== ''));
    const held = crowd.filter((c) => c.output() === 'held');
    assert.equal(held.length, 1, crowd.map((c) => c.output()).join(', '));
    for (const c of crowd) if (c !== held[0]) assert.equal(c.output(), `refused ${held[0]!.pid}`);
  });
});
