/**
 * Console login throttling, per client address and never for everyone: after
 * a few failures an address must wait before its next try, twice as long
 * after each further failure, up to a cap. A guesser is slowed to a crawl
 * while the admin, from any other address, logs in at once. IPv6 clients
 * count per /64 (one host holds a whole /64 and could rotate through it).
 *
 * Memory is bounded by two least-recently-seen lists of half `maxTracked`
 * each: addresses still within their free tries, and addresses made to wait.
 * A flood of new addresses only pushes out other new addresses, so it cannot
 * wash a throttled guesser's delay away; it locks no one out either way.
 */
import type { Millis } from '../domain.js';
import { formatIp, parseIp, prefixOf } from '../net/ip.js';

export interface ThrottleOptions {
  clock: () => Millis;
  /** Tries an address gets before the first delay. Default 5. */
  free?: number;
  /** The first delay; each further failure doubles it. Default 1 s. */
  baseDelayMs?: number;
  /** The longest delay. Default 15 min. */
  maxDelayMs?: number;
  /** An address that has not tried for this long starts over. Default 24 h. */
  forgetAfterMs?: number;
  /** Addresses (IPv6 /64s) remembered at most, half of them new, half made to wait. Default 10,000. */
  maxTracked?: number;
}

interface Failures {
  count: number;
  lastAt: Millis;
  /** No try from this address is checked before this time. */
  until: Millis;
}

/** The address throttling counts under: IPv4 (mapped IPv6 included) as itself, IPv6 as its /64. */
export function throttleKey(ip: string): string {
  const parsed = parseIp(ip);
  if (parsed === null) return ip;
  return parsed.family === 6 ? prefixOf(parsed, 64) : formatIp(parsed);
}

/** A Map kept in least-recently-seen order, the oldest dropped beyond `max`. */
class Recent<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }

  /** Sets `key` as the most recently seen (callers delete it first, so it moves to the end). */
  touch(key: string, value: V): void {
    this.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value!);
  }
}

export class LoginThrottle {
  private readonly fresh: Recent<Failures>;
  private readonly delayed: Recent<Failures>;
  private readonly free: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;

  constructor(private readonly o: ThrottleOptions) {
    this.free = o.free ?? 5;
    this.baseDelayMs = o.baseDelayMs ?? 1000;
    this.maxDelayMs = o.maxDelayMs ?? 15 * 60_000;
    this.forgetAfterMs = o.forgetAfterMs ?? 24 * 3_600_000;
    const max = o.maxTracked ?? 10_000;
    this.fresh = new Recent(Math.ceil(max / 2));
    this.delayed = new Recent(Math.floor(max / 2));
  }

  /**
   * Asks to check a password from `ip`. Returns how many ms it must still wait
   * (the try is refused unchecked), or 0: the try may go on and counts as a
   * failure until `succeeded`, so concurrent guesses cannot slip past the count.
   */
  attempt(ip: string): number {
    const key = throttleKey(ip);
    const now = this.o.clock();
    let f = this.delayed.get(key) ?? this.fresh.get(key);
    if (f === undefined || now - f.lastAt >= this.forgetAfterMs)
      f = { count: 0, lastAt: now, until: now };
    f.lastAt = now;
    const waitMs = Math.max(0, f.until - now);
    if (waitMs === 0) {
      f.count++;
      if (f.count >= this.free)
        f.until = now + Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (f.count - this.free));
    }
    this.forget(key);
    (f.count >= this.free ? this.delayed : this.fresh).touch(key, f);
    return waitMs;
  }

  /** How many ms `ip` must wait before its next try (0: none). */
  waiting(ip: string): number {
    const key = throttleKey(ip);
    const f = this.delayed.get(key) ?? this.fresh.get(key);
    return f === undefined ? 0 : Math.max(0, f.until - this.o.clock());
  }

  /** The right password from `ip`: its failures are forgotten. */
  succeeded(ip: string): void {
    this.forget(throttleKey(ip));
  }

  private forget(key: string): void {
    this.fresh.delete(key);
    this.delayed.delete(key);
  }

  /** Addresses remembered now. */
  get tracked(): number {
    return this.fresh.size + this.delayed.size;
  }
}
