/**
 * fail2ban's `datepattern` as the strftime formats of a `matchOn: line` filter
 * (filters/README.md, "timeFormats"). A date pattern is a regex with
 * `%`-directives; one whose regex parts allow only a few texts (an optional
 * fraction, `[T ]`, a separator repeated with `(?P=_sep)`) becomes that many
 * formats. `{^LN-BEG}` alone, `{DATE}` and TAI64N mean fail2ban's built-in
 * detection, which Sheriff's own reading of the line's time covers.
 */
import { compileTimeFormat, TimeFormatError } from '../../parse/strftime.js';
import { expandLiterals } from './pyregex.js';

export type DateTranslation =
  | { kind: 'default' }
  | { kind: 'formats'; formats: string[] }
  | { kind: 'unsupported'; pattern: string };

/** fail2ban's extended directives (`%ExY`: a year near now) and their plain forms. */
const EXTENDED = /%Ex([YybmdHMS])/g;
const MAX_FORMATS = 64;

function one(pattern: string): string[] | 'default' | null {
  let p = pattern.trim();
  let anchor = '';
  if (p.startsWith('{^LN-BEG}')) {
    p = p.slice('{^LN-BEG}'.length);
    anchor = '^';
  }
  if (/^(?:\{DATE\}|TAI64N|\{TAI64N\}|)$/.test(p)) return 'default';
  if (/^\^?(?:EPOCH|\{EPOCH\})$/i.test(p)) return [`${anchor || (p.startsWith('^') ? '^' : '')}%s`];
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
  for (const l of lines) {
    const f = one(l);
    if (f === null) return { kind: 'unsupported', pattern: l.trim() };
    if (f === 'default') return { kind: 'default' };
    formats.push(...f);
  }
  return { kind: 'formats', formats: [...new Set(formats)].slice(0, MAX_FORMATS) };
}
