/**
 * The timestamp forms syslog headers use, parsed by hand (this is the hot path):
 * BSD "Nov  2 07:51:41" (year inferred) and RFC 3339 / ISO 8601
 * "2026-11-22T07:51:42.123456+09:00", "+0900" (journalctl short-iso), "Z", or none.
 */
import type { Millis } from '../domain.js';
import { utcTime, type TimeZone } from './zone.js';

const DAY = 86_400_000;
/** Longest month lengths (February 29 is valid in leap years, which year inference decides later). */
const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Month number (1–12) of a three-letter English abbreviation at `i`, or 0. */
export function monthAt(s: string, i: number): number {
  const key = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
  switch (key) {
    case 0x4a616e:
      return 1; // Jan
    case 0x466562:
      return 2; // Feb
    case 0x4d6172:
      return 3; // Mar
    case 0x417072:
      return 4; // Apr
    case 0x4d6179:
      return 5; // May
    case 0x4a756e:
      return 6; // Jun
    case 0x4a756c:
      return 7; // Jul
    case 0x417567:
      return 8; // Aug
    case 0x536570:
      return 9; // Sep
    case 0x4f6374:
      return 10; // Oct
    case 0x4e6f76:
      return 11; // Nov
    case 0x446563:
      return 12; // Dec
    default:
      return 0;
  }
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (!(c >= 0 && c <= 9)) return -1; // also NaN past the end of the string
    v = v * 10 + c;
  }
  return v;
}

export interface ParsedTime {
  time: Millis;
  /** Index just after the timestamp. */
  end: number;
}

/**
 * Infers the missing year of a BSD timestamp the way an admin would: the
 * reference's year, unless that puts the line more than a day after the
 * reference, then the year before. With the reference at the end of a file
 * (its mtime, or --now) a run across 31 December stays in order.
 */
export class YearInference {
  private yearStart = Infinity;
  private yearEnd = -Infinity;
  private year = 0;
  /** The last fields asked for, packed, and their time in `year` and the year before (NaN: not yet). */
  private lastKey = -1;
  private lastThisYear = NaN;
  private lastYearBefore = NaN;

  constructor(
    private readonly zone: TimeZone,
    private readonly reference: () => Millis,
  ) {}

  epoch(mo: number, d: number, h: number, mi: number, s: number, ms: number): Millis {
    const ref = this.reference();
    if (ref < this.yearStart || ref >= this.yearEnd) {
      this.year = this.zone.yearAt(ref);
      this.yearStart = this.zone.localToEpoch(this.year, 1, 1, 0, 0, 0);
      this.yearEnd = this.zone.localToEpoch(this.year + 1, 1, 1, 0, 0, 0);
      this.lastKey = -1;
    }
    // Consecutive lines mostly share their second: convert it once.
    const key = ((((mo * 32 + d) * 24 + h) * 60 + mi) * 61 + s) * 1000 + ms;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastThisYear = this.zone.localToEpoch(this.year, mo, d, h, mi, s, ms);
      this.lastYearBefore = NaN;
    }
    const t = this.lastThisYear;
    if (t > ref + DAY) {
      if (Number.isNaN(this.lastYearBefore))
        this.lastYearBefore = this.zone.localToEpoch(this.year - 1, mo, d, h, mi, s, ms);
      return this.lastYearBefore;
    }
    return t;
  }
}

/** "Nov  2 07:51:41" or "Nov 2 07:51:41" or "Jul 05 18:22:44" at `i`. */
export function parseBsdTime(s: string, i: number, years: YearInference): ParsedTime | null {
  const mo = monthAt(s, i);
  if (mo === 0 || s.charCodeAt(i + 3) !== 32) return null;
  let p = i + 4;
  if (s.charCodeAt(p) === 32) p++;
  let d = digits(s, p, 2);
  if (d >= 0) p += 2;
  else {
    d = digits(s, p, 1);
    if (d < 0) return null;
    p += 1;
  }
  if (s.charCodeAt(p) !== 32) return null;
  p++;
  const h = digits(s, p, 2);
  const mi = digits(s, p + 3, 2);
  const sec = digits(s, p + 6, 2);
  if (h < 0 || mi < 0 || sec < 0 || s.charCodeAt(p + 2) !== 58 || s.charCodeAt(p + 5) !== 58)
    return null;
  if (d < 1 || d > DAYS_IN_MONTH[mo]! || h > 23 || mi > 59 || sec > 60) return null;
  p += 8;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
    const f = fraction(s, p + 1);
    ms = f.ms;
    p = f.end;
  }
  return { time: years.epoch(mo, d, h, mi, sec, ms), end: p };
}

function fraction(s: string, i: number): { ms: number; end: number } {
  let p = i;
  let ms = 0;
  let scale = 100;
  for (;;) {
    const c = s.charCodeAt(p) - 48;
    if (!(c >= 0 && c <= 9)) break; // also NaN past the end of the string
    ms += c * scale;
    scale /= 10;
    p++;
  }
  return { ms: Math.floor(ms), end: p };
}

/** "2026-11-22T07:51:42[.frac][Z|±HH:MM|±HHMM]" (a space instead of T too) at `i`. */
export function parseIsoTime(s: string, i: number, zone: TimeZone): ParsedTime | null {
  const y = digits(s, i, 4);
  const mo = digits(s, i + 5, 2);
  const d = digits(s, i + 8, 2);
  const h = digits(s, i + 11, 2);
  const mi = digits(s, i + 14, 2);
  const sec = digits(s, i + 17, 2);
  if (
    y < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > DAYS_IN_MONTH[mo]! ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    sec < 0 ||
    sec > 60
  )
    return null;
  const sep = s.charCodeAt(i + 10);
  if (
    s.charCodeAt(i + 4) !== 45 ||
    s.charCodeAt(i + 7) !== 45 ||
    (sep !== 84 && sep !== 32) ||
    s.charCodeAt(i + 13) !== 58 ||
    s.charCodeAt(i + 16) !== 58
  )
    return null;
  let p = i + 19;
  let ms = 0;
  if (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44) {
    const f = fraction(s, p + 1);
    ms = f.ms;
    p = f.end;
  }
  const z = s.charCodeAt(p);
  if (z === 90 || z === 122) {
    return { time: utcTime(y, mo, d, h, mi, sec, ms), end: p + 1 };
  }
  if (z === 43 || z === 45) {
    const oh = digits(s, p + 1, 2);
    let om: number;
    let end: number;
    if (s.charCodeAt(p + 3) === 58) {
      om = digits(s, p + 4, 2);
      end = p + 6;
    } else {
      om = digits(s, p + 3, 2);
      end = p + 5;
    }
    if (oh < 0 || om < 0) return null;
    const offset = (oh * 60 + om) * (z === 45 ? -1 : 1);
    return { time: utcTime(y, mo, d, h, mi, sec, ms) - offset * 60_000, end };
  }
  return { time: zone.localToEpoch(y, mo, d, h, mi, sec, ms), end: p };
}

/**
 * A TAI64N label "@400000004c91b044077a9e94" (daemontools, dovecot's log_path
 * with log_timestamp unset). Read, as fail2ban and tai64nlocal do, as UTC
 * seconds plus nanoseconds, ignoring the TAI-UTC offset.
 */
export function parseTai64n(s: string, i: number): ParsedTime | null {
  if (s.charCodeAt(i) !== 64 /* @ */) return null;
  const hex = s.slice(i + 1, i + 25);
  if (!/^[0-9a-fA-F]{24}$/.test(hex)) return null;
  const hi = parseInt(hex.slice(0, 8), 16) - 0x40000000;
  const seconds = hi * 0x100000000 + parseInt(hex.slice(8, 16), 16);
  const nanos = parseInt(hex.slice(16, 24), 16);
  if (hi < 0 || nanos >= 1e9) return null;
  return { time: seconds * 1000 + Math.floor(nanos / 1e6), end: i + 25 };
}
