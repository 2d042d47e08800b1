/**
 * A jail: one filter in one mode, with thresholds and trusted networks. The
 * unit an admin configures, like fail2ban's.
 */
import type { CidrSet } from '../net/cidr.js';

export interface JailSettings {
  name: string;
  filter: string;
  mode: string;
  /** Failures within `findtime` that make a `bruteforce` finding. */
  maxretry: number;
  findtime: number;
  /** An address under `maxretry` per `findtime` that keeps failing: `slow.maxretry` within `slow.findtime`. */
  slow: { maxretry: number; findtime: number } | null;
  /**
   * A success after failures is a `compromise` when the address failed at least
   * `minFailures` times within `window` before it, or failed as any other user.
   * A user who mistyped once or twice and got in is not one.
   */
  compromise: { minFailures: number; window: number };
  /**
   * Long horizon (detect/long-horizon.ts, on the stored events): `minFailures`
   * on at least `minDays` days within `window`…
   */
  persistent: { window: number; minFailures: number; minDays: number } | null;
  /** …or `minUsers` different accounts tried within `window`. */
  stuffing: { window: number; minUsers: number } | null;
  /** IPv6 failures are also counted per prefix of this length (0 turns it off). */
  ipv6Prefix: number;
  trusted: CidrSet;
  /** Cap on addresses (and prefixes) tracked at once; the least recently seen are evicted. */
  maxTracked: number;
}

export const JAIL_DEFAULTS = {
  mode: 'normal',
  maxretry: 5,
  findtime: 10 * 60_000,
  slow: { maxretry: 12, findtime: 12 * 3_600_000 },
  compromise: { minFailures: 3, window: 12 * 3_600_000 },
  // A week sees a weekly cron's attacker twice; 20 failures on 2+ days is past any typist,
  // whose own accounts (ones that logged in from there) are not counted at all.
  persistent: { window: 7 * 86_400_000, minFailures: 20, minDays: 2 },
  // One person uses a handful of accounts; 20 that never logged in from one address is a list.
  stuffing: { window: 7 * 86_400_000, minUsers: 20 },
  ipv6Prefix: 64,
  maxTracked: 100_000,
} as const;

/** A jail named after a built-in filter, with default thresholds. */
export function defaultJail(filter: string, trusted: CidrSet, defaultMode: string): JailSettings {
  return {
    name: filter,
    filter,
    mode: defaultMode,
    maxretry: JAIL_DEFAULTS.maxretry,
    findtime: JAIL_DEFAULTS.findtime,
    slow: { ...JAIL_DEFAULTS.slow },
    compromise: { ...JAIL_DEFAULTS.compromise },
    persistent: { ...JAIL_DEFAULTS.persistent },
    stuffing: { ...JAIL_DEFAULTS.stuffing },
    ipv6Prefix: JAIL_DEFAULTS.ipv6Prefix,
    trusted,
    maxTracked: JAIL_DEFAULTS.maxTracked,
  };
}
