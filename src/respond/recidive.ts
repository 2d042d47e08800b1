/**
 * fail2ban's `recidive` jail, on Sheriff's own ban history instead of a log: an
 * address banned `bans` times within `findtime`, by any jail, is banned for
 * `bantime` (fail2ban's defaults: 5 bans within a day, banned for a week).
 *
 * fail2ban adds a second ban from a jail that reads its own log. Here the ban
 * that reaches the count is the one made longer, so it takes the same road as
 * any other: the jail's policy (an `approve` jail asks, with the longer time
 * and a recidive reason), the guardrails and the circuit breaker. A ban longer
 * than `bantime` already (the increment, a permanent ban) is left as it is.
 */
import { formatDuration } from '../config/duration.js';
import type { Millis } from '../domain.js';

export interface RecidiveSettings {
  /** The ban that makes this many within `findtime` (itself included) is a recidive. */
  bans: number;
  findtime: number;
  bantime: number;
}

export interface BanPlan {
  durationMs: number | null;
  reason: string;
}

export interface Recidive extends BanPlan {
  /** Bans within the window, the new one included. */
  bans: number;
}

export const recidiveReason = (bans: number, findtime: number, reason: string): string =>
  `recidive: ban ${bans} within ${formatDuration(findtime)} (${reason})`;

/** The stored form above, read back: [bans, findtime text, the jail's own reason]. */
export const RECIDIVE_REASON = /^recidive: ban (\d+) within (\w+) \(([\s\S]*)\)$/;

/** Whether a stored reason is a recidive's. */
export const isRecidive = (reason: string): boolean => RECIDIVE_REASON.test(reason);

/**
 * The plan for a ban of an address that had `earlier` applied bans since
 * `now - findtime`: lengthened when it is a recidive, else null.
 */
export function recidive(
  settings: RecidiveSettings | null,
  earlier: (since: Millis) => number,
  now: Millis,
  plan: BanPlan,
): Recidive | null {
  if (settings === null) return null;
  const bans = earlier(now - settings.findtime) + 1;
  if (bans < settings.bans) return null;
  const durationMs = plan.durationMs === null ? null : Math.max(plan.durationMs, settings.bantime);
  return { bans, durationMs, reason: recidiveReason(bans, settings.findtime, plan.reason) };
}
