/**
 * What "the day" of a daily report is. A report made at instant `to` covers
 * the 24 hours before it, [to − 24 h, to), and is labelled with the local date
 * of `to` in the configured zone: the 09:00 report of 25 November covers
 * 24 November 09:00 to 25 November 09:00. "The day before" is the 24 hours
 * before that. Fixed 24-hour windows keep the comparison fair across daylight
 * saving changes and whatever the schedule is.
 */
import { nextCronRun } from '../clock.js';
import type { Millis } from '../domain.js';
import type { TimeZone } from '../parse/zone.js';
import { parseDate } from './model.js';

export const DAY_MS = 86_400_000;

/** The local calendar date (YYYY-MM-DD) of `t` in `zone`. */
export function localDate(zone: TimeZone, t: Millis): string {
  return zone.format(t).slice(0, 10);
}

/** Whether `text` names a date a report can be asked for: a real date, not after today. */
export function checkReportDate(
  text: string,
  zone: TimeZone,
  now: Millis,
): 'ok' | 'invalid' | 'future' {
  if (parseDate(text) === null) return 'invalid';
  return text > localDate(zone, now) ? 'future' : 'ok';
}

/**
 * When the scheduled report of `date` runs (or ran): the schedule's first run
 * on that local day; the day's end when the schedule has none that day; never
 * after `now`, so a report asked for today before its run covers up to now.
 */
export function reportEnd(schedule: string, zone: TimeZone, date: string, now: Millis): Millis {
  const d = parseDate(date);
  if (d === null) throw new RangeError(`expected a date like 2026-11-25, got "${date}"`);
  const start = zone.localToEpoch(d.y, d.m, d.d, 0, 0, 0);
  const end = zone.localToEpoch(d.y, d.m, d.d + 1, 0, 0, 0);
  const run = nextCronRun(schedule, zone.configuredName, start - 1);
  return Math.min(run !== null && run < end ? run : end, now);
}
