/**
 * fail2ban's `datepattern` as the strftime formats of a `matchOn: line` filter
 * (filters/README.md, "timeFormats"). fail2ban's date patterns are regexes with
 * `%`-directives; only those that are a plain format (optionally anchored with
 * `^` or `{^LN-BEG}`) have a faithful form. `{^LN-BEG}` alone and `{DATE}`
 * mean fail2ban's built-in detection, which the syslog header's time covers.
 */

export type DateTranslation =
  | { kind: 'default' }
  | { kind: 'formats'; formats: string[] }
  | { kind: 'unsupported'; pattern: string };

/** fail2ban's extended directives and their plain strftime equivalents. */
const DIRECTIVES: Record<string, string> = {
  '%ExY': '%Y',
  '%Exy': '%y',
  '%Exb': '%b',
  '%Exm': '%m',
  '%Exd': '%d',
  '%ExH': '%H',
  '%ExM': '%M',
  '%ExS': '%S',
};
const PLAIN = new Set([...'YymdeHkIlMSfpbhBaAjzZsTFDR%']);

function one(pattern: string): string | null | 'default' {
  let p = pattern.trim();
  let anchored = false;
  if (p.startsWith('{^LN-BEG}')) {
    p = p.slice('{^LN-BEG}'.length);
    anchored = true;
  } else if (p.startsWith('^')) {
    p = p.slice(1);
    anchored = true;
  }
  if (p === '' || p === '{DATE}') return 'default';
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '%') {
      const ext = /^%Ex[YybmdHMS]/.exec(p.slice(i));
      if (ext !== null) {
        out += DIRECTIVES[ext[0]]!;
        i += ext[0].length - 1;
        continue;
      }
      const d = p[i + 1] ?? '';
      if (!PLAIN.has(d)) return null;
      out += `%${d}`;
      i++;
    } else if (/[\\[\](){}?*+|.^$]/.test(c)) {
      // "." in a time ("%H:%M:%S.%f") is the one regex character that reads as itself.
      if (c === '.' && p[i + 1] === '%') out += '.';
      else return null;
    } else out += c;
  }
  return anchored ? `^${out}` : out;
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
    formats.push(f);
  }
  return { kind: 'formats', formats };
}
