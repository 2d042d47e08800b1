/**
 * Rule patterns are written with named groups for people; the engine runs them
 * with numbered groups, because a match with named groups allocates a `groups`
 * object on every line (measurable at a million lines a second).
 */

export interface NumberedPattern {
  source: string;
  /** Group number of each named group. */
  groups: ReadonlyMap<string, number>;
}

/** Turns `(?<name>…)` into `(…)` and records the number each name had. */
export function numberGroups(source: string): NumberedPattern {
  if (source.includes('\\k<'))
    throw new Error('named back-references are not supported in rule patterns');
  const groups = new Map<string, number>();
  let out = '';
  let count = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      out += ch + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    if (ch === '(') {
      if (source[i + 1] !== '?') count++;
      else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        const close = source.indexOf('>', i + 3);
        // Without the check an unclosed "(?<name" would restart the scan at 0, for ever.
        if (close === -1) throw new Error(`unterminated group name at ${i}`);
        groups.set(source.slice(i + 3, close), ++count);
        out += '(';
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return { source: out, groups };
}
