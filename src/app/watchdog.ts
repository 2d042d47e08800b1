/**
 * A stall watchdog for the daemon. A synchronous loop that never ends (a parser
 * bug on a crafted line) blocks Node's event loop: no timer, no I/O, not even a
 * SIGTERM handler runs again. This thread beats a counter in shared memory
 * every second; a worker thread, which the stall does not block, reads it and,
 * when it has not moved for `stallMs`, writes one fatal log line to stderr and
 * kills the process with SIGKILL, so that systemd's Restart= brings Sheriff
 * back instead of leaving a silent, deaf daemon. When systemd keeps a watchdog
 * for the service, its own does the job without a thread (systemd-watchdog.ts).
 */
import { Worker } from 'node:worker_threads';
import { SystemdWatchdog, systemdWatchdogUsec } from './systemd-watchdog.js';

export interface WatchdogOptions {
  /** No heartbeat for this long is a stall (default 30 s). */
  stallMs?: number;
  /** How often the heartbeat moves (default 1 s). */
  beatMs?: number;
}

/** Slots of the shared array. */
export const SLOT = { beat: 0, suspended: 1 } as const;

export interface WatchdogData {
  shared: SharedArrayBuffer;
  stallMs: number;
  checkMs: number;
}

export class Watchdog {
  private readonly shared = new Int32Array(new SharedArrayBuffer(2 * 4));
  private readonly timer: NodeJS.Timeout;
  private readonly worker: Worker;

  constructor(opts: WatchdogOptions = {}) {
    const stallMs = opts.stallMs ?? 30_000;
    const beatMs = opts.beatMs ?? 1000;
    this.timer = setInterval(() => Atomics.add(this.shared, SLOT.beat, 1), beatMs).unref();
    const data: WatchdogData = {
      shared: this.shared.buffer,
      stallMs,
      checkMs: Math.min(beatMs, stallMs / 4),
    };
    this.worker = new Worker(new URL('./watchdog-worker.js', import.meta.url), {
      workerData: data,
      execArgv: [], // the process's flags (--input-type, --test…) are not the worker's
    });
    this.worker.unref(); // it never keeps the process alive
    // A watchdog that cannot run leaves the daemon running without one, and says so.
    this.worker.on('error', (err) =>
      process.stderr.write(
        JSON.stringify({
          level: 'error',
          time: Date.now(),
          event: 'watchdog_failed',
          msg: String(err),
        }) + '\n',
      ),
    );
  }

  /**
   * Runs `work`, which may legitimately hold the thread a long time (building the
   * daemon: restoring windows from the store), with the watchdog looking away.
   */
  suspended<T>(work: () => T): T {
    Atomics.add(this.shared, SLOT.suspended, 1);
    try {
      return work();
    } finally {
      Atomics.sub(this.shared, SLOT.suspended, 1);
      Atomics.add(this.shared, SLOT.beat, 1);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.worker.terminate();
  }
}

export interface StallWatchdog {
  suspended<T>(work: () => T): T;
  stop(): Promise<void>;
}

/** systemd's watchdog when it keeps one for this process (WatchdogSec=), else the thread. */
export function startWatchdog(env: NodeJS.ProcessEnv = process.env): StallWatchdog {
  const usec = systemdWatchdogUsec(env, process.pid);
  return usec === null ? new Watchdog() : new SystemdWatchdog(usec);
}
