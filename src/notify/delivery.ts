/**
 * Drains the outbox: sends each queued message through its channel's
 * transport, in order per target, with exponential backoff.
 *
 * Delivery is at least once. A message is marked delivered in the one
 * statement that follows the channel's "ok"; nothing is marked before sending.
 * A message queued when the daemon stops is sent exactly once after a restart.
 * Only a crash in the instant between the channel accepting a message and that
 * statement sends it again after the restart: Telegram and webhooks have no
 * idempotency key, and the other choice (mark first, then send) would lose an
 * approval card or a break-in alert instead of repeating it once.
 */
import type { Millis } from '../domain.js';
import type { Logger } from '../log.js';
import { realSleep, withRetry, type Attempt, type Sleep } from '../net/retry.js';
import type { OutboxStore } from '../store/index.js';

export type DeliveryOutcome =
  | { ok: true; result?: unknown }
  | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

/**
 * One channel's way out. `deliver` MUST NOT throw: it reports a failure as an
 * outcome — permanent when retrying cannot help (a 4xx other than 429, a
 * payload the channel rejects), else retried, after `retryAfterMs` when the
 * remote said how long to wait.
 */
export interface Transport {
  readonly channel: string;
  deliver(target: string, payload: unknown): Promise<DeliveryOutcome>;
}

export interface RetryPolicy {
  /** First retry delay; doubled on each further failure. */
  min: number;
  max: number;
  /** A message still queued this long after it was written is given up. */
  giveUpAfter: number;
}

export interface DeliveryOptions {
  outbox: OutboxStore;
  transports: readonly Transport[];
  retry: RetryPolicy;
  clock: () => Millis;
  logger: Logger;
}

export function backoff(attempts: number, retry: RetryPolicy): number {
  return Math.min(retry.max, retry.min * 2 ** Math.min(attempts, 30));
}

/** One request to a channel: the answer, or why there was none. */
export type ChannelAttempt = Attempt<
  unknown,
  {
    /** Says what failed; never a credential (a token, a URL that holds one, a signing key). */
    error: string;
    /** The transport knows better than the status (Telegram's 401: a wrong token, wait for a fix). */
    permanent?: boolean;
  }
>;

/** The inline part of the retry rule (net/retry.ts): one more try, then the outbox's backoff. */
export interface InlineRetry {
  sleep: Sleep;
  /** Wait before the second try when the channel named none. */
  waitMs: number;
  /** A longer Retry-After is left to the outbox, which keeps it without holding the drain. */
  maxWaitMs: number;
}

export const INLINE_RETRY: InlineRetry = { sleep: realSleep, waitMs: 1000, maxWaitMs: 5000 };

/**
 * Every transport delivers through this, so the rule is the same for all: a 429 or 5xx is tried
 * once more (after Retry-After when it is at most `maxWaitMs`), any other 4xx is permanent, and a
 * failure without an answer (a timeout, a refused connection) is left to the outbox to try later.
 */
export async function deliverWithRetry(
  send: () => Promise<ChannelAttempt>,
  retry: InlineRetry = INLINE_RETRY,
): Promise<DeliveryOutcome> {
  const r = await withRetry(send, {
    retries: 1,
    sleep: retry.sleep,
    backoffMs: () => retry.waitMs,
    maxWaitMs: retry.maxWaitMs,
  });
  if (r.ok) return r.value === undefined ? { ok: true } : { ok: true, result: r.value };
  const { error } = r.failure;
  const permanent =
    r.failure.permanent ??
    (r.status !== null && r.status >= 400 && r.status < 500 && r.status !== 429);
  return r.retryAfterMs === null
    ? { ok: false, permanent, error }
    : { ok: false, permanent, error, retryAfterMs: r.retryAfterMs };
}

export class DeliveryWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: DeliveryOptions) {}

  /**
   * Sends every message that is due now. One drain at a time: a call during a
   * drain makes it run once more, and the returned promise covers both.
   */
  drain(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (const transport of this.o.transports) await this.drainChannel(transport);
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Drains every `everyMs` (real time) until stopped; `kick` drains at once. */
  start(everyMs = 1000): void {
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    this.drain().catch((err: unknown) =>
      this.o.logger.error({ event: 'outbox_drain_failed', err }, 'the outbox could not be read'),
    );
  }

  /** Stops the timer and waits for a drain in progress; what is queued stays for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.running;
  }

  private async drainChannel(transport: Transport): Promise<void> {
    const { outbox, retry, logger, clock } = this.o;
    // A target waiting for a retry holds back its later messages, so a chat reads them in order.
    const blocked = new Set<string>();
    for (const m of outbox.queued(transport.channel)) {
      if (this.stopped) return;
      if (blocked.has(m.target)) continue;
      const now = clock();
      if (now - m.createdAt >= retry.giveUpAfter) {
        outbox.markFailed(m.id, now, `given up after ${m.attempts} attempts: ${m.lastError ?? ''}`);
        logger.error(
          { event: 'notification_given_up', id: m.id, channel: m.channel, attempts: m.attempts },
          'a notification could not be delivered in time and was given up',
        );
        continue;
      }
      if (m.nextAttemptAt > now) {
        blocked.add(m.target);
        continue;
      }
      const outcome = await transport.deliver(m.target, m.payload);
      const at = clock();
      if (outcome.ok) {
        outbox.markDelivered(m.id, at, outcome.result ?? null);
      } else if (outcome.permanent) {
        outbox.markFailed(m.id, at, outcome.error);
        logger.error(
          { event: 'notification_rejected', id: m.id, channel: m.channel, error: outcome.error },
          'a notification was rejected and will not be retried',
        );
      } else {
        const wait = outcome.retryAfterMs ?? backoff(m.attempts, retry);
        outbox.reschedule(m.id, at + wait, outcome.error);
        blocked.add(m.target);
        logger.warn(
          {
            event: 'notification_retry',
            id: m.id,
            channel: m.channel,
            error: outcome.error,
            retryInMs: wait,
          },
          'a notification could not be delivered; retrying',
        );
      }
    }
  }
}
