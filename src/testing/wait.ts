/**
 * Waiting in tests: on a condition, never on the clock. A test waits for what
 * it expects to happen (a line stored, a status published, a port open), and
 * gives up only after HANG_GUARD_MS, which is there to turn a hang into a
 * failure naming what never came, not to measure speed: a loaded 2-core
 * machine is slow, so it is generous, and SHERIFF_TEST_SLOWDOWN=N multiplies it
 * for slower machines still.
 */
import { setTimeout as sleep } from 'node:timers/promises';

function slowdown(): number {
  const raw = process.env['SHERIFF_TEST_SLOWDOWN'];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1)
    throw new Error(`SHERIFF_TEST_SLOWDOWN must be a number >= 1, not ${JSON.stringify(raw)}`);
  return n;
}

/** How long any test waits for something before calling it a hang (2 minutes × slowdown). */
export const HANG_GUARD_MS = 120_000 * slowdown();

/** Polls `probe` until it returns a value (not undefined, null or false), and returns that. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
): Promise<T> {
  const deadline = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${HANG_GUARD_MS} ms waiting for ${what} (a hang guard)`);
    await sleep(20);
  }
}
