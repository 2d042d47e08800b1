/**
 * Longer bans for repeat offenders, after fail2ban's `bantime.increment`.
 *
 *   bantime = min(base × factor^offence, max)
 *
 * where `offence` is how many earlier bans the same target had (0 for a first
 * ban, see BanStore.offences). With the defaults (factor 2, max one week) a
 * 10-minute base gives 10m, 20m, 40m, 80m, … and reaches the week cap at the
 * 10th repeat. With `permanentAfter: n`, the ban whose offence count is n or
 * more is permanent (null): `permanentAfter: 3` makes the 4th ban permanent.
 *
 * fail2ban's own default formula is `bantime × 2^min(count, 20) × bantime.factor`
 * capped by `bantime.maxtime`; this is the same growth with the factor as the
 * base of the power instead of a multiplier.
 */

export const WEEK_MS = 7 * 24 * 3600_000;

export interface BantimeIncrement {
  /** Growth per earlier ban; ≥ 1. Default 2. */
  factor?: number;
  /** The longest non-permanent ban, ms. Default one week. */
  max?: number;
  /** From this many earlier bans on, the ban is permanent. Default: never. */
  permanentAfter?: number;
}

/** The ban duration in ms for a target with `offence` earlier bans, or null for permanent. */
export function bantimeFor(
  base: number,
  offence: number,
  { factor = 2, max = WEEK_MS, permanentAfter }: BantimeIncrement = {},
): number | null {
  if (!(Number.isFinite(base) && base > 0)) {
    throw new RangeError(`base bantime must be a positive number of ms, not ${base}`);
  }
  if (!(Number.isSafeInteger(offence) && offence >= 0)) {
    throw new RangeError(`offence must be a whole number ≥ 0, not ${offence}`);
  }
  if (!(Number.isFinite(factor) && factor >= 1)) {
    throw new RangeError(`bantime factor must be a number ≥ 1, not ${factor}`);
  }
  if (!(Number.isFinite(max) && max > 0)) {
    throw new RangeError(`maximum bantime must be a positive number of ms, not ${max}`);
  }
  if (permanentAfter !== undefined) {
    if (!(Number.isSafeInteger(permanentAfter) && permanentAfter >= 0)) {
      throw new RangeError(`permanentAfter must be a whole number ≥ 0, not ${permanentAfter}`);
    }
    if (offence >= permanentAfter) return null;
  }
  // factor^offence overflows to Infinity for large counts; the cap absorbs it.
  return Math.round(Math.min(base * factor ** offence, max));
}
