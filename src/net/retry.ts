/**
 * The one retry rule of Sheriff's HTTP clients (the notification transports and the LLM client):
 * an answer of 429 or 5xx is tried again — after the Retry-After the server asked for when that
 * is short enough to wait, else not at all — and no other 4xx ever is. Notifications try once
 * more (the outbox tries again later); the LLM client as often as `agent.maxRetries` says.
 * The wait goes through an injected `Sleep`, so tests advance it instead of sleeping.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

/** Waits `ms`; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  sleepFor(ms, undefined, signal === undefined ? {} : { signal });

/** Whether an HTTP status is worth another try: too many requests, or the server failed. */
export function isRetryableStatus(status: number | null | undefined): boolean {
  return status === 429 || (status ?? 0) >= 500;
}

/** HTTP Retry-After (seconds or an HTTP date) in ms; null when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  const v = header?.trim();
  if (v === undefined || v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** One failed attempt, as the rule sees it. */
export interface Failed<F> {
  ok: false;
  failure: F;
  /** The HTTP status, or null when there was no answer (a timeout, a dropped connection). */
  status: number | null;
  /** How long the server asked to wait, or null. */
  retryAfterMs: number | null;
}

export type Attempt<T, F> = { ok: true; value: T } | Failed<F>;

export interface RetryOptions<F> {
  /** Tries after the first. */
  retries: number;
  sleep: Sleep;
  /** The wait before try `n + 1` (n ≥ 1) when the server named none. */
  backoffMs: (n: number) => number;
  /** A Retry-After longer than this is not waited for: the failure is returned as it is. */
  maxWaitMs: number;
  /** Failures without an answer worth another try (the LLM client retries timeouts). */
  retryUnanswered?: (failure: F) => boolean;
  signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, fails in a way the rule does not retry, or has been tried
 * `retries` more times; returns the last result with the number of tries. A sleep cut short by
 * `signal` rejects.
 */
export async function withRetry<T, F>(
  attempt: () => Promise<Attempt<T, F>>,
  o: RetryOptions<F>,
): Promise<Attempt<T, F> & { attempts: number }> {
  for (let n = 1; ; n++) {
    const result = await attempt();
    if (result.ok || n > o.retries) return { ...result, attempts: n };
    const again =
      result.status === null
        ? (o.retryUnanswered?.(result.failure) ?? false)
        : isRetryableStatus(result.status);
    const wait = result.retryAfterMs ?? o.backoffMs(n);
    if (!again || wait > o.maxWaitMs) return { ...result, attempts: n };
    await o.sleep(wait, o.signal);
  }
}
