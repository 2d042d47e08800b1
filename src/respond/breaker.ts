/**
 * A circuit breaker for AUTOMATIC bans: at most `maxPerMinute` of them in any
 * sliding 60-second window. The next one trips it: automatic bans then stop
 * until an admin calls `reset()` or the cool-down passes. A flood of "attackers"
 * is more often a broken filter, a log injection or a NAT gateway than an
 * attack worth blocking blind.
 *
 * Manual bans (a human approved them) do not go through the breaker: they are
 * neither counted nor stopped, so an admin can still act while it is tripped.
 */
import type { Millis } from '../domain.js';

export const BREAKER_WINDOW_MS = 60_000;

export interface BreakerOptions {
  /** Automatic bans allowed per sliding minute. Default 30. */
  maxPerMinute?: number;
  /** How long a trip lasts without an admin's reset, ms. Default 10 minutes. */
  coolDownMs?: number;
  /** The clock; default Date.now. */
  clock?: () => Millis;
  /** Called once per trip (not for each refused ban), with the state just after tripping. */
  onTrip?: (state: BreakerState) => void;
}

export interface BreakerState {
  tripped: boolean;
  /** When the current trip began; null when not tripped. */
  trippedAt: Millis | null;
  /** When automatic bans resume by themselves; null when not tripped. */
  resumesAt: Millis | null;
  /** Automatic bans allowed in the last 60 s. */
  recent: number;
  maxPerMinute: number;
  coolDownMs: number;
  /** Trips since this breaker was created. */
  trips: number;
}

export class CircuitBreaker {
  readonly maxPerMinute: number;
  readonly coolDownMs: number;
  private readonly clock: () => Millis;
  private readonly onTrip: ((state: BreakerState) => void) | undefined;
  /** Times of the automatic bans allowed within the window, oldest first. */
  private window: Millis[] = [];
  private trippedAt: Millis | null = null;
  private trips = 0;

  constructor(options: BreakerOptions = {}) {
    this.maxPerMinute = options.maxPerMinute ?? 30;
    this.coolDownMs = options.coolDownMs ?? 10 * 60_000;
    if (!(Number.isSafeInteger(this.maxPerMinute) && this.maxPerMinute >= 1)) {
      throw new RangeError(`maxPerMinute must be a whole number ≥ 1, not ${this.maxPerMinute}`);
    }
    if (!(Number.isFinite(this.coolDownMs) && this.coolDownMs > 0)) {
      throw new RangeError(`coolDownMs must be a positive number of ms, not ${this.coolDownMs}`);
    }
    this.clock = options.clock ?? Date.now;
    this.onTrip = options.onTrip;
  }

  /**
   * Asks to run one automatic ban now. True: go ahead (it is counted). False:
   * the breaker is tripped — this call may be the one that tripped it.
   */
  allowAutomatic(): boolean {
    const now = this.clock();
    this.settle(now);
    if (this.trippedAt !== null) return false;
    if (this.window.length >= this.maxPerMinute) {
      this.trippedAt = now;
      this.trips++;
      if (this.onTrip !== undefined) {
        try {
          this.onTrip(this.snapshot());
        } catch {
          // An alerting failure must not turn the breaker into a ban path.
        }
      }
      return false;
    }
    this.window.push(now);
    return true;
  }

  /** Whether automatic bans are stopped now. */
  get tripped(): boolean {
    const now = this.clock();
    this.settle(now);
    return this.trippedAt !== null;
  }

  /** An admin's reset: automatic bans resume at once, with an empty window. */
  reset(): void {
    this.trippedAt = null;
    this.window = [];
  }

  state(): BreakerState {
    const now = this.clock();
    this.settle(now);
    return this.snapshot();
  }

  /** Ends a trip whose cool-down has passed and forgets bans older than the window. */
  private settle(now: Millis): void {
    if (this.trippedAt !== null && now >= this.trippedAt + this.coolDownMs) this.reset();
    const cut = now - BREAKER_WINDOW_MS;
    let drop = 0;
    while (drop < this.window.length && this.window[drop]! <= cut) drop++;
    if (drop > 0) this.window.splice(0, drop);
  }

  private snapshot(): BreakerState {
    return {
      tripped: this.trippedAt !== null,
      trippedAt: this.trippedAt,
      resumesAt: this.trippedAt === null ? null : this.trippedAt + this.coolDownMs,
      recent: this.window.length,
      maxPerMinute: this.maxPerMinute,
      coolDownMs: this.coolDownMs,
      trips: this.trips,
    };
  }
}
