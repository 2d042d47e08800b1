/** Times, durations and numbers in the user's language. */
import { lang, t } from './i18n.js';

export function when(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toLocaleString(lang() === 'ko' ? 'ko-KR' : 'en-GB', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString(lang() === 'ko' ? 'ko-KR' : 'en-GB', { hour12: false });
}

/** A time axis tick: "15:00", or the date at local midnight ("12월 7일", "7 Dec"). */
export function chartTime(ms: number): string {
  const d = new Date(ms);
  const locale = lang() === 'ko' ? 'ko-KR' : 'en-GB';
  if (d.getHours() === 0 && d.getMinutes() === 0)
    return d.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
}

export function duration(ms: number | null): string {
  if (ms === null) return t('duration.permanent');
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, u] of units) if (ms >= size && ms % size === 0) return `${ms / size}${u}`;
  const [size, u] = ms >= 3_600_000 ? units[1]! : units[2]!;
  return `${Math.round(ms / size)}${u}`;
}

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return t('time.never');
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return t('time.secondsAgo', { n: s });
  if (s < 3600) return t('time.minutesAgo', { n: Math.round(s / 60) });
  if (s < 86400) return t('time.hoursAgo', { n: Math.round(s / 3600) });
  return t('time.daysAgo', { n: Math.round(s / 86400) });
}

export function number(n: number): string {
  return n.toLocaleString(lang() === 'ko' ? 'ko-KR' : 'en-US');
}
