/**
 * The stall watchdog in a child process whose main thread spins for ever, as a
 * parser bug on a crafted line would make it: the process must be killed, with
 * one fatal log line, instead of staying up deaf to its input and to SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { HANG_GUARD_MS } from '../testing/wait.js';

const module = pathToFileURL(new URL('./watchdog.js', import.meta.url).pathname).href;

/** Runs `body` in a child with a watchdog of `stallMs`; resolves with how it ended. */
function child(body: string, stallMs: number) {
  const code = `import { Watchdog } from ${JSON.stringify(module)};
const watchdog = new Watchdog({ stallMs: ${stallMs}, beatMs: 50 });
setTimeout(() => { ${body} }, 200);`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'pipe' });
  // Hang guard only: without a working watchdog the spinning child would never end.
  const guard = setTimeout(() => p.kill('SIGTERM'), HANG_GUARD_MS);
  let stderr = '';
  p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    p.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    }),
  );
}

describe('Watchdog', () => {
  it('kills a process whose main thread stalls, saying why on stderr', async () => {
    const r = await child('for (;;);', 500);
    assert.equal(r.signal, 'SIGKILL');
    const line = JSON.parse(r.stderr.trim()) as { level: string; event: string; msg: string };
    assert.equal(line.level, 'fatal');
    assert.equal(line.event, 'stalled');
    assert.match(line.msg, /killing the process so that it is restarted/);
  });

  it('leaves a process alone while it is busy in suspended work, and once stopped', async () => {
    const spinFor = (ms: number) => `const end = Date.now() + ${ms}; while (Date.now() < end);`;
    const r = await child(
      `watchdog.suspended(() => { ${spinFor(1500)} });
       void watchdog.stop().then(() => { ${spinFor(1500)} process.exit(3); });`,
      500,
    );
    assert.deepEqual([r.code, r.signal, r.stderr], [3, null, '']);
  });
});
