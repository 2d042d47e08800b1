/**
 * Reading times written in a strftime-style format, for services that write
 * their own log files (vsftpd's "%a %b %e %H:%M:%S %Y", Asterisk's
 * "[%Y-%m-%d %H:%M:%S]") and for fail2ban's `datepattern`. A format compiles
 * once to a regex and a reader; a format without a zone (%z) is local time in
 * the zone given, one without a year takes the year YearInference gives.
 *
 * Directives: %Y %y %m %d %e %H %I %M %S %f (fraction) %p %b %B %h %a %A %j
 * (ignored day of year) %z %Z (a zone name, ignored) %s (epoch seconds) %T %F %D
 * %R %%; any other character stands for itself. Whitespace matches one or
 * more spaces, as fail2ban's does.
 */
import type { Millis } from '../domain.js';
import type { YearInference } from './timestamp.js';
import type { TimeZone } from './zone.js';

export class TimeFormatError extends Error {}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

type Field = 'Y' | 'y' | 'm' | 'd' | 'H' | 'I' | 'M' | 'S' | 'f' | 'p' | 'b' | 'z' | 's';

/** The regex each directive reads, and the field it sets (none: it is read and ignored). */
const DIRECTIVES: Record<string, [string, Field | null]> = {
  Y: ['\\d{4}', 'Y'],
  y: ['\\d{2}', 'y'],
  m: ['[01]?\\d', 'm'],
  d: ['[0-3]?\\d', 'd'],
  e: ['[ 0-3]?\\d', 'd'],
  H: ['[0-2]?\\d', 'H'],
  k: ['[ 12]?\\d', 'H'],
  I: ['[01]?\\d', 'I'],
  l: ['[ 1]?\\d', 'I'],
  M: ['[0-5]\\d', 'M'],
  S: ['[0-6]\\d', 'S'],
  f: ['\\d{1,9}', 'f'],
  p: ['[AaPp][Mm]', 'p'],
  b: ['[A-Za-z]{3}', 'b'],
  h: ['[A-Za-z]{3}', 'b'],
  B: ['[A-Za-z]{3,9}', 'b'],
  a: ['[A-Za-z]{3}', null],
  A: ['[A-Za-z]{6,9}', null],
  j: ['\\d{1,3}', null],
  z: ['Z|[+-]\\d\\d:?\\d\\d', 'z'],
  Z: ['[A-Z]{1,5}', null],
  s: ['\\d{9,11}', 's'],
};
const COMPOSITES: Record<string, string> = {
  T: '%H:%M:%S',
  F: '%Y-%m-%d',
  D: '%m/%d/%y',
  R: '%H:%M',
};

export interface TimeFormat {
  /** The format as written. */
  format: string;
  /** A regex source (no anchors, no capture groups but its own) that matches a time in this format. */
  source: string;
  /** Reads a time from the groups of a match of `source` (groups start at `base`); null when out of range. */
  read(m: RegExpExecArray, base: number, zone: TimeZone, years: YearInference): Millis | null;
  /** Groups `source` holds. */
  groups: number;
}

function escape(ch: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
}

export function compileTimeFormat(format: string): TimeFormat {
  let expanded = format;
  for (const [k, v] of Object.entries(COMPOSITES)) expanded = expanded.replaceAll(`%${k}`, v);
  let source = '';
  const fields: Field[] = [];
  let lastSpace = false;
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i]!;
    if (ch === '%') {
      const d = expanded[++i];
      if (d === undefined) throw new TimeFormatError(`"${format}" ends with a lone %`);
      lastSpace = false;
      if (d === '%') {
        source += '%';
        continue;
      }
      const directive = DIRECTIVES[d];
      if (directive === undefined)
        throw new TimeFormatError(`unknown directive %${d} in "${format}"`);
      const [re, field] = directive;
      if (field === null) source += `(?:${re})`;
      else {
        if (fields.includes(field)) throw new TimeFormatError(`%${d} given twice in "${format}"`);
        fields.push(field);
        source += `(${re})`;
      }
      continue;
    }
    if (ch === ' ') {
      if (!lastSpace) source += ' +';
      lastSpace = true;
      continue;
    }
    lastSpace = false;
    source += escape(ch);
  }
  const has = (f: Field) => fields.includes(f);
  if (!has('s') && !(has('H') || has('I')))
    throw new TimeFormatError(`"${format}" has no hour (%H, %I or %T) and no %s`);
  if (!has('s') && !(has('m') || has('b')))
    throw new TimeFormatError(`"${format}" has no month (%m, %b or %B) and no %s`);
  if (!has('s') && !has('d')) throw new TimeFormatError(`"${format}" has no day (%d or %e)`);
  const index = new Map(fields.map((f, i) => [f, i]));
  return {
    format,
    source,
    groups: fields.length,
    read(m, base, zone, years) {
      const get = (f: Field) => {
        const i = index.get(f);
        return i === undefined ? undefined : m[base + i];
      };
      const num = (f: Field, fallback: number) => {
        const v = get(f);
        return v === undefined ? fallback : Number(v.trim());
      };
      const s = get('s');
      if (s !== undefined) return Number(s) * 1000 + fractionMs(get('f'));
      let mo = num('m', 0);
      const name = get('b')?.toLowerCase();
      if (name !== undefined) {
        mo = MONTHS.indexOf(name.slice(0, 3)) + 1;
        if (mo === 0 || (name.length > 3 && MONTH_NAMES[mo - 1] !== name)) return null;
      }
      const d = num('d', 0);
      let h = num('H', 0);
      if (index.has('I')) {
        h = num('I', 0);
        if (h < 1 || h > 12) return null;
        h = (h % 12) + (get('p')?.toLowerCase() === 'pm' ? 12 : 0);
      }
      const mi = num('M', 0);
      const sec = num('S', 0);
      const ms = fractionMs(get('f'));
      if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
      let year: number | undefined;
      if (index.has('Y')) year = num('Y', 0);
      else if (index.has('y')) year = 2000 + num('y', 0);
      const z = get('z');
      if (z !== undefined) {
        const y = year ?? zone.yearAt(years.epoch(mo, d, h, mi, sec, ms));
        return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMs(z);
      }
      if (year === undefined) return years.epoch(mo, d, h, mi, sec, ms);
      return zone.localToEpoch(year, mo, d, h, mi, sec, ms);
    },
  };
}

function fractionMs(f: string | undefined): number {
  return f === undefined ? 0 : Math.floor(Number(`0.${f}`) * 1000);
}

function offsetMs(z: string): number {
  if (z === 'Z') return 0;
  const digits = z.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return (z[0] === '-' ? -1 : 1) * minutes * 60_000;
}
