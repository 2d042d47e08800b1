/**
 * The watchdog's thread (see watchdog.ts): sleeps, reads the heartbeat, and
 * kills the process when the main thread has not moved it for `stallMs`.
 */
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { SLOT, type WatchdogData } from './watchdog.js';

const { shared, stallMs, checkMs } = workerData as WatchdogData;
const beats = new Int32Array(shared);
const pause = new Int32Array(new SharedArrayBuffer(4));

let last = Atomics.load(beats, SLOT.beat);
let since = Date.now();
for (;;) {
  Atomics.wait(pause, 0, 0, checkMs); // a sleep nothing wakes
  const beat = Atomics.load(beats, SLOT.beat);
  if (beat !== last || Atomics.load(beats, SLOT.suspended) > 0) {
    last = beat;
    since = Date.now();
    continue;
  }
  const stalled = Date.now() - since;
  if (stalled < stallMs) continue;
  // The main thread's logger cannot run: one line in pino's JSON form, written directly.
  const line = {
    level: 'fatal',
    time: Date.now(),
    pid: process.pid,
    event: 'stalled',
    stalledMs: stalled,
    msg: `the main thread has not run for ${Math.round(stalled / 1000)} s; killing the process so that it is restarted`,
  };
  writeSync(2, JSON.stringify(line) + '\n');
  process.kill(process.pid, 'SIGKILL');
}
