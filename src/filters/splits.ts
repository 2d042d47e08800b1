/**
 * Lines whose host can be read in more than one place.
 *
 * sshd writes `Failed password for invalid user NAME from A port N ssh2[: INFO]`:
 * NAME is the client's, INFO free text. A client that logs in as
 * `x from B port 1 ssh2: y` gets a line that also reads "user x, from B, info
 * y from A …", so the text alone cannot tell whether B or A connected.
 *
 * For a rule that says so (`clientTextAfterHost`), the engine runs the pattern
 * with its one free run before {HOST} greedy (the host as far right as the line
 * allows) and, when the line could hold a second host, lazy (as far left). Every
 * reading of the line lies between those two: when they agree the line has one
 * reading, and its host is the address sshd wrote. When they differ the line is
 * ambiguous, and only an address known from the connection's other lines can be
 * taken, if the line also reads with it.
 */

/** The two extremes of a rule's pattern, and what a second reading would need. */
export interface SplitPatterns {
  /** The pattern with the free run greedy: the host as far right as it can be. */
  greedy: string;
  /** The pattern with the free run lazy: the host as far left as it can be. */
  lazy: string;
  /**
   * The literal text just before {HOST} (possibly empty): each reading has its own
   * occurrence of it, so a line holding it once has one reading.
   */
  literal: string;
}

export class SplitPatternError extends Error {}

interface Token {
  kind: 'literal' | 'dot' | 'quantifier' | 'other';
  /** Where the token starts in the pattern. */
  at: number;
  /** The literal character (kind 'literal'). */
  char?: string;
}

const QUANTIFIERS = new Set(['*', '+', '?', '{']);
const SYNTAX = new Set(['(', ')', '|', '^', '$']);

/** The pattern as a flat list of tokens: enough to find free runs and the literal before a point. */
function tokens(src: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < src.length; i++) {
    const at = i;
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      i++;
      if (!/[0-9A-Za-z]/.test(next)) {
        out.push({ kind: 'literal', at, char: next });
        continue;
      }
      // \xHH, \uHHHH, \u{…}, \p{…}, \k<…>: skip the whole escape.
      if (next === 'x') i += 2;
      else if (next === 'u') i = src[i + 1] === '{' ? src.indexOf('}', i) : i + 4;
      else if (next === 'p' || next === 'P') i = src.indexOf('}', i);
      else if (next === 'k') i = src.indexOf('>', i);
      out.push({ kind: 'other', at });
    } else if (ch === '[') {
      // A class ends at the first unescaped "]" after its first character.
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      i = j;
      out.push({ kind: 'other', at });
    } else if (ch === '.') out.push({ kind: 'dot', at });
    else if (QUANTIFIERS.has(ch)) {
      if (ch === '{') {
        const close = src.indexOf('}', i);
        if (close !== -1 && /^\{\d+(?:,\d*)?\}$/.test(src.slice(i, close + 1))) i = close;
      } else if (ch === '?' && src[i - 1] === '(') {
        // "(?:", "(?<name>", "(?=", "(?!", "(?<=", "(?<!": group syntax, not a quantifier.
        out.push({ kind: 'other', at });
        continue;
      }
      out.push({ kind: 'quantifier', at });
    } else if (SYNTAX.has(ch)) out.push({ kind: 'other', at });
    else out.push({ kind: 'literal', at, char: ch });
  }
  return out;
}

interface FreeRun {
  /** Where the "." starts. */
  at: number;
  quantifier: '*' | '+';
  lazy: boolean;
}

/** Free runs: `.*`, `.+` and their lazy forms. */
function freeRuns(src: string, list: Token[]): FreeRun[] {
  const runs: FreeRun[] = [];
  list.forEach((t, i) => {
    const next = list[i + 1];
    if (t.kind !== 'dot' || next?.kind !== 'quantifier') return;
    const q = src[next.at];
    if (q !== '*' && q !== '+') return;
    runs.push({ at: t.at, quantifier: q, lazy: src[next.at + 1] === '?' });
  });
  return runs;
}

/** The literal text that ends `list` (a quantified or escaped-class character ends it). */
function trailingLiteral(list: Token[]): string {
  let run = '';
  for (const t of list) {
    if (t.kind === 'literal') run += t.char!;
    else run = '';
  }
  return run;
}

/**
 * The greedy and lazy forms of a pattern (with `{HOST}` still in it). Throws
 * SplitPatternError unless exactly one free run comes before {HOST}: with none
 * there is nothing to check, with two the extremes would not bound the readings.
 */
export function splitPatterns(pattern: string): SplitPatterns {
  const at = pattern.indexOf('{HOST}');
  if (at === -1) throw new SplitPatternError('no {HOST} to read in two places');
  const before = pattern.slice(0, at);
  const beforeTokens = tokens(before);
  const runs = freeRuns(before, beforeTokens);
  if (runs.length !== 1)
    throw new SplitPatternError(
      `exactly one free run (.* or .+) must come before {HOST}, found ${runs.length}`,
    );
  const run = runs[0]!;
  const head = pattern.slice(0, run.at);
  const rest = pattern.slice(run.at + (run.lazy ? 3 : 2));
  return {
    greedy: `${head}.${run.quantifier}${rest}`,
    lazy: `${head}.${run.quantifier}?${rest}`,
    literal: trailingLiteral(beforeTokens),
  };
}

/** Whether `literal` occurs at least twice in `text` from `from` (always, when it is empty). */
export function occursTwice(text: string, literal: string, from: number): boolean {
  if (literal === '') return true;
  const first = text.indexOf(literal, from);
  return first !== -1 && text.indexOf(literal, first + 1) !== -1;
}

/** `s` as a regular expression that matches only itself. */
export function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
