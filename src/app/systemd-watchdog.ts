/**
 * The stall watchdog when systemd keeps one for the service (WatchdogSec= in
 * contrib/sheriff.service): systemd kills and restarts a service that stops
 * saying "WATCHDOG=1" in time, so the main thread only has to say it, from a
 * timer that a stalled loop never reaches. That costs no thread: the worker of
 * watchdog.ts is a whole V8 isolate, some 9 MiB of an idle daemon's memory.
 *
 * Node cannot send the unix datagram sd_notify(3) speaks, so each ping runs
 * systemd-notify(1) (NotifyAccess=all lets the unit accept it from a child).
 */
import { execFile } from 'node:child_process';

/** What a ping sends: `systemd-notify` with these arguments. */
export type Notify = (args: readonly string[]) => void;

/** While work legitimately holds the thread (suspended), systemd waits this long: an hour. */
const SUSPENDED_USEC = 3_600_000_000;

/**
 * The watchdog timeout systemd gave this process (µs), or null when it keeps no
 * watchdog for it: sd_watchdog_enabled(3)'s rules (WATCHDOG_PID names another
 * process when the variables were inherited from a parent service).
 */
export function systemdWatchdogUsec(env: NodeJS.ProcessEnv, pid: number): number | null {
  if (!env.NOTIFY_SOCKET) return null;
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || !/^[1-9]\d{0,15}$/.test(usec)) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(pid)) return null;
  return Number(usec);
}

/** Runs systemd-notify; a failure is said once on stderr (systemd then restarts the service). */
export function runSystemdNotify(): Notify {
  let said = false;
  return (args) => {
    execFile('systemd-notify', [...args], { timeout: 10_000 }, (err) => {
      if (err === null || said) return;
      said = true;
      process.stderr.write(
        JSON.stringify({
          level: 'error',
          time: Date.now(),
          event: 'watchdog_failed',
          msg: `systemd-notify failed (${err.message.split('\n')[0]}): systemd's watchdog will restart the service`,
        }) + '\n',
      );
    });
  };
}

export class SystemdWatchdog {
  private readonly timer: NodeJS.Timeout;

  /** Pings at half the timeout, as sd_watchdog_enabled(3) advises. */
  constructor(
    private readonly usec: number,
    private readonly notify: Notify = runSystemdNotify(),
  ) {
    const everyMs = Math.max(1, Math.floor(usec / 2000));
    this.timer = setInterval(() => notify(['WATCHDOG=1']), everyMs).unref();
  }

  /**
   * Runs `work`, which may hold the thread a long time (building the daemon),
   * with systemd's timeout raised for it and set back after. The ping leaves in
   * a child that runs while the thread is busy.
   */
  suspended<T>(work: () => T): T {
    this.notify(['WATCHDOG=1', `WATCHDOG_USEC=${SUSPENDED_USEC}`]);
    try {
      return work();
    } finally {
      this.notify(['WATCHDOG=1', `WATCHDOG_USEC=${this.usec}`]);
    }
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}
