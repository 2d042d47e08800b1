/**
 * Finding the report to show for `sheriff report`, Telegram's /report and the
 * analyst: the stored one of a date (default: the latest stored), else one made
 * now from the store alone (no ports, sessions or commentary; not stored).
 * A report made after the fact counts its own window, but its status level
 * reads the incidents active now: the store keeps no history of the level.
 */
import type { Millis } from '../domain.js';
import type { Translate } from '../i18n/index.js';
import { buildReport, type ReportInputs } from './build.js';
import { checkReportDate, reportEnd } from './day.js';
import { parseReport, type DailyReport } from './model.js';
import { reportText } from './text.js';

/** Later than any report's date: `before(LAST_DATE)` is the latest stored report. */
const LAST_DATE = '9999-12-31';

export type ReportLookup =
  | { report: DailyReport; stored: boolean }
  /** The date is not one to ask for, in words. */
  | { error: string };

export async function lookupReport(
  inputs: Omit<ReportInputs, 'host' | 'enrich'> & { schedule: string },
  date: string | undefined,
  now: Millis,
  t: Translate,
): Promise<ReportLookup> {
  const { store, zone } = inputs;
  if (date !== undefined) {
    const check = checkReportDate(date, zone, now);
    if (check === 'invalid') return { error: t('report.error.date', { value: date }) };
    if (check === 'future') return { error: t('report.error.future', { value: date }) };
  }
  const row =
    date === undefined ? await store.reports.before(LAST_DATE) : await store.reports.get(date);
  const stored = parseReport(row?.report);
  if (stored !== null) return { report: stored, stored: true };
  // Only what the store holds: today's host state would not belong to a past day.
  const fromStore = { ...inputs, host: undefined, enrich: undefined };
  const fresh =
    date === undefined
      ? await buildReport(fromStore, now)
      : await buildReport(fromStore, reportEnd(inputs.schedule, zone, date, now), date);
  return { report: fresh, stored: false };
}

/** The text of a stored report value, or null when it is not a report this version reads. */
export function storedReportText(value: unknown, t: Translate): string | null {
  const r = parseReport(value);
  return r === null ? null : reportText(r, t);
}
