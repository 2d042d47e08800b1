/**
 * fail2ban's `datepattern` as the strftime formats of a `matchOn: line` filter
 * (filters/README.md, "timeFormats"). A date pattern is a regex with
 * `%`-directives; one whose regex parts allow only a few texts (an optional
 * fraction, `[T ]`, a separator repeated with `(?P=_sep)`) becomes that many
 * formats. `{^LN-BEG}` alone, `{DATE}` and TAI64N mean fail2ban's built-in
 * detection, which Sheriff's own reading of the line's time covers.
 */
import { COMMON_TIME_FORMATS } from '../../parse/own-line.js';
import { compileTimeFormat, TimeFormatError } from '../../parse/strftime.js';
import { expandLiterals } from './pyregex.js';

export type DateTranslation =
  | { kind: 'default' }
  /** fail2ban's own detection after some context (`^[^\[]*\[({DATE})`): the context is not kept. */
  | { kind: 'defaultAnywhere'; pattern: string }
  | { kind: 'formats'; formats: string[] }
  | { kind: 'unsupported'; pattern: string };

/** fail2ban's extended directives (`%ExY`: a year near now) and their plain forms. */
const EXTENDED = /%Ex([YybmdHMS])/g;
const MAX_FORMATS = 64;

function one(pattern: string): string[] | 'default' | 'anywhere' | null {
  let p = pattern.trim();
  let anchor = '';
  if (p.startsWith('{^LN-BEG}')) {
    p = p.slice('{^LN-BEG}'.length);
    anchor = '^';
  }
  if (/^(?:\{DATE\}|TAI64N|\{TAI64N\}|)$/.test(p)) return 'default';
  if (/^\^?(?:EPOCH|\{EPOCH\})$/i.test(p)) {
    const a = anchor || (p.startsWith('^') ? '^' : '');
    // fail2ban's EPOCH takes a fraction too: "1386543323.000".
    return [`${a}%s.%f`, `${a}%s`];
  }
  if (/^\^?\{DATE\}$/.test(p)) return 'default';
  if (p.includes('{DATE}')) return 'anywhere';
  if (p.includes('{')) return null;
  const texts = expandLiterals(p, MAX_FORMATS);
  if (texts === null) return null;
  const formats = texts.map((t) => anchor + t.replace(EXTENDED, '%$1'));
  for (const f of formats)
    try {
      compileTimeFormat(f.replace(/^\^/, ''));
    } catch (err) {
      if (err instanceof TimeFormatError) return null;
      throw err;
    }
  return formats;
}

/** `datepattern` as written after interpolation (`%%` already `%`); one pattern per line. */
export function translateDatePattern(value: string | undefined): DateTranslation {
  const lines = (value ?? '').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { kind: 'default' };
  const formats: string[] = [];
  let anywhere: string | null = null;
  for (const l of lines) {
    const f = one(l);
    if (f === null) return { kind: 'unsupported', pattern: l.trim() };
    if (f === 'anywhere') anywhere ??= l.trim();
    // fail2ban's own detection besides declared formats: the common ones, after them.
    if (f === 'default' || f === 'anywhere') {
      if (lines.length === 1)
        return f === 'default'
          ? { kind: 'default' }
          : { kind: 'defaultAnywhere', pattern: l.trim() };
      formats.push(
        ...(l.trim().startsWith('{^LN-BEG}')
          ? COMMON_TIME_FORMATS.map((c) => `^${c}`)
          : COMMON_TIME_FORMATS),
      );
    } else formats.push(...f);
  }
  if (anywhere !== null) return { kind: 'defaultAnywhere', pattern: anywhere };
  return { kind: 'formats', formats: [...new Set(formats)] };
}

/** fail2ban's built-in date templates (server/datedetector.py, DEFAULT_TEMPLATES), in its order. */
const FAIL2BAN_TEMPLATES = [
  String.raw`%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\s*%z)?`,
  String.raw`(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?`,
  String.raw`(?:%a )?%b %d %ExY %k:%M:%S(?:\.%f)?`,
  String.raw`%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S`,
  String.raw`%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\.%f)?(?: %z)?`,
  String.raw`%m/%d/%ExY:%H:%M:%S`,
  String.raw`%m-%d-%ExY %k:%M:%S(?:\.%f)?`,
  String.raw`<%m/%d/%Exy@%H:%M:%S>`,
  String.raw`%Exy%Exm%Exd  ?%H:%M:%S`,
  String.raw`%b %d, %ExY %I:%M:%S %p`,
  String.raw`%b-%d-%Exy %k:%M:%S`,
  String.raw`%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\s*%z)?`,
];

/**
 * fail2ban's built-in detection as time formats: every template's texts at the
 * line's start (where fail2ban looks first, and where nearly every log keeps
 * its time), then the engine's usual formats anywhere in the line.
 */
export const FAIL2BAN_DEFAULT_FORMATS: readonly string[] = [
  ...new Set([
    ...FAIL2BAN_TEMPLATES.flatMap((t) =>
      (expandLiterals(t, 256) ?? []).map((x) => `^${x.replace(EXTENDED, '%$1')}`),
    ),
    ...COMMON_TIME_FORMATS,
  ]),
];
