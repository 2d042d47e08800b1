/**
 * Which rules a message can match, decided from its first characters: each rule's
 * leading literal text (its alternatives expanded: `(?:Connection (?:closed|reset)
 * by|Disconnected from)` begins with one of three strings) is read from the pattern
 * itself, so a filter author never maintains a dispatch table. A message is tried
 * only against the rules one of whose literals it starts with, plus the rules with
 * no literal start ("always try"), in the filter's order.
 *
 * The expansion is conservative: it stops at the first piece it does not fully
 * understand (a class escape, a lookaround, a quantifier other than `?`, `{HOST}`),
 * so every match of a rule begins with one of its literals.
 */

/** Past this many strings an expansion stops growing (the literals so far still hold). */
const MAX_LITERALS = 64;
const MAX_CLASS = 16;

interface Expansion {
  /** Alternatives in the order the regex tries them. */
  texts: string[];
  /** Every text is a whole match of the piece (false: the expansion stopped inside it). */
  complete: boolean;
}

const isAlnum = (c: string) => /[0-9A-Za-z]/.test(c);

/** Index just after the atom at `i` (an escape, a class, a group, or one character). */
function skipAtom(p: string, i: number): number {
  const c = p[i];
  if (c === '\\') return i + 2;
  if (c === '[') {
    let j = i + 1;
    if (p[j] === '^') j++;
    if (p[j] === ']') j++; // "[]]" is not JS, but stay in bounds either way
    for (; j < p.length && p[j] !== ']'; j++) if (p[j] === '\\') j++;
    return j + 1;
  }
  if (c === '(') {
    let j = i + 1;
    while (j < p.length && p[j] !== ')') j = p[j] === '|' ? j + 1 : skipAtom(p, j);
    return j + 1;
  }
  return i + 1;
}

/** A character class of plain characters (`[aA]`, `[:=]`), else null. */
function charClass(p: string, i: number): { texts: string[]; end: number } | null {
  if (p[i + 1] === '^' || p[i + 1] === ']') return null;
  const chars: string[] = [];
  for (let j = i + 1; j < p.length; j++) {
    let c = p[j]!;
    if (c === ']') return chars.length > MAX_CLASS ? null : { texts: chars, end: j + 1 };
    if (c === '\\') {
      c = p[++j] ?? 'a';
      if (isAlnum(c)) return null; // \d, \w, \s, \b…
    } else if (c === '-' && chars.length > 0 && p[j + 1] !== ']') return null; // a range
    if (!chars.includes(c)) chars.push(c);
  }
  return null;
}

/** Alternatives from `i` up to the closing `)` (or the end of the pattern when `top`). */
function alternation(p: string, i: number, top: boolean): { exp: Expansion | null; end: number } {
  const texts: string[] = [];
  let complete = true;
  for (let j = i; ;) {
    const seq = sequence(p, j);
    texts.push(...seq.texts);
    complete &&= seq.complete;
    if (p[seq.end] === '|') {
      j = seq.end + 1;
      continue;
    }
    const closed = p[seq.end] === ')';
    if (closed === top) return { exp: null, end: seq.end + 1 }; // unbalanced
    const exp = texts.length > MAX_LITERALS ? null : { texts, complete };
    return { exp, end: seq.end + 1 };
  }
}

/** The atom at `i`, expanded, or null when it is not plain literal text. */
function atom(p: string, i: number): { exp: Expansion | null; end: number } {
  const c = p[i]!;
  if (c === '(') {
    let body = i + 1;
    if (p.startsWith('?:', body)) body += 2;
    else if (p.startsWith('?<', body) && p[body + 2] !== '=' && p[body + 2] !== '!') {
      const close = p.indexOf('>', body);
      if (close === -1) return { exp: null, end: p.length };
      body = close + 1;
    } else if (p[body] === '?') return { exp: null, end: skipAtom(p, i) }; // lookaround, modifiers
    return alternation(p, body, false);
  }
  if (c === '[') {
    const cls = charClass(p, i);
    return cls === null
      ? { exp: null, end: skipAtom(p, i) }
      : { exp: { texts: cls.texts, complete: true }, end: cls.end };
  }
  if (c === '\\') {
    const e = p[i + 1];
    if (e === undefined || isAlnum(e)) return { exp: null, end: i + 2 };
    return { exp: { texts: [e], complete: true }, end: i + 2 };
  }
  if ('.^$*+?{}]'.includes(c)) return { exp: null, end: i + 1 };
  return { exp: { texts: [c], complete: true }, end: i + 1 };
}

/** One alternative from `i`: its atoms multiplied out until one cannot be. */
function sequence(p: string, start: number): { texts: string[]; complete: boolean; end: number } {
  let texts = [''];
  let complete = true;
  let i = start;
  while (i < p.length && p[i] !== '|' && p[i] !== ')') {
    if (!complete) {
      i = skipAtom(p, i);
      continue;
    }
    const a = atom(p, i);
    let exp = a.exp;
    let next = a.end;
    const q = p[next];
    if (q === '?') {
      next++;
      const lazy = p[next] === '?';
      if (lazy) next++;
      const some = exp?.texts ?? [];
      exp = {
        texts: lazy ? ['', ...some] : [...some, ''],
        complete: exp?.complete ?? false,
      };
    } else if (q === '*' || q === '+' || q === '{') {
      // Repetition: what the first copy begins with holds only for `+`; stop here.
      exp = { texts: q === '+' && exp !== null ? exp.texts : [''], complete: false };
      next++;
    }
    if (exp === null || texts.length * exp.texts.length > MAX_LITERALS) {
      complete = false;
      i = next;
      continue;
    }
    const product: string[] = [];
    for (const t of texts) for (const u of exp.texts) product.push(t + u);
    texts = product;
    complete = exp.complete;
    i = next;
  }
  return { texts, complete, end: i };
}

function expand(pattern: string): Expansion | null {
  return alternation(pattern, pattern.startsWith('^') ? 1 : 0, true).exp;
}

/**
 * The strings every match of `pattern` (anchored at its start) begins with; `['']`
 * when nothing can be said. Duplicates removed.
 */
export function leadingLiterals(pattern: string): string[] {
  const exp = expand(pattern);
  if (exp === null) return [''];
  return [...new Set(exp.texts)];
}

/**
 * Every match of `pattern` in the order a regex tries them, when it is a finite set
 * of plain strings (`(?:(?:error|fatal): )?(?:PAM: )?`); null otherwise.
 */
export function finiteLanguage(pattern: string): string[] | null {
  const exp = expand(pattern);
  return exp !== null && exp.complete ? exp.texts : null;
}

/**
 * An optional message prefix (a filter's `messagePrefix`) skipped without running
 * its regex on every line when it is a finite set of strings: the first of them the
 * message starts with is what the sticky regex would match.
 */
export class PrefixSkipper {
  private readonly texts: readonly string[] | null;
  /** First characters of the non-empty texts: a message starting otherwise has no prefix. */
  private readonly firsts: ReadonlySet<number>;
  /** The prefix as the sticky regex it stands for. */
  readonly regex: RegExp;

  constructor(pattern: string) {
    this.regex = new RegExp(`(?:${pattern})`, 'y');
    const texts = finiteLanguage(pattern);
    // The empty string always matches: nothing after it is ever tried.
    const cut = texts?.indexOf('') ?? -1;
    this.texts = texts === null || cut === -1 ? texts : texts.slice(0, cut);
    this.firsts = new Set((this.texts ?? []).map((t) => t.charCodeAt(0)));
  }

  /** Where the message that starts at `from` goes on after the prefix (`from` when it has none). */
  skip(message: string, from = 0): number {
    const texts = this.texts;
    if (texts === null) {
      this.regex.lastIndex = from;
      return this.regex.exec(message) === null ? from : this.regex.lastIndex;
    }
    if (!this.firsts.has(message.charCodeAt(from))) return from;
    for (const t of texts) if (message.startsWith(t, from)) return from + t.length;
    return from;
  }
}

/**
 * A node of the literals' trie, path-compressed: the edge into it is a whole run of
 * characters (`label`), so a message is compared a run at a time (one `startsWith`)
 * rather than a character at a time; the next edge is found by its first character.
 */
class TrieNode<T> {
  /** Children by the first character of their label (ASCII: a table; others are rare). */
  private readonly ascii = new Uint8Array(128);
  readonly codes: number[] = [];
  readonly next: TrieNode<T>[] = [];

  constructor(
    /** The characters on the edge into this node (empty at the root). */
    public label: string,
    /** Set where a literal ends: the items a message starting with the path may match, in order. */
    public items: readonly T[] | null,
  ) {}

  child(code: number): TrieNode<T> | undefined {
    if (code < 128) {
      const k = this.ascii[code]!;
      return k === 0 ? undefined : this.next[k - 1];
    }
    const codes = this.codes;
    for (let k = 0; k < codes.length; k++) if (codes[k] === code) return this.next[k];
    return undefined;
  }

  add(code: number, node: TrieNode<T>): void {
    this.codes.push(code);
    this.next.push(node);
    if (code < 128) this.ascii[code] = this.next.length;
  }

  /** Merges each chain of single children with no items into one edge. */
  compress(): void {
    for (const [k, child] of this.next.entries()) {
      let node = child;
      while (node.items === null && node.next.length === 1) {
        const only = node.next[0]!;
        only.label = node.label + only.label;
        node = only;
      }
      this.next[k] = node;
      node.compress();
    }
  }
}

/**
 * Items (rules) looked up by the start of a message. `literals` per item are
 * `leadingLiterals` of its pattern; an item with `''` among them is tried always.
 * The literals form a trie walked from the message's start: the deepest literal
 * the message starts with decides, since every shorter one is a prefix of it.
 */
export class LeadingDispatch<T> {
  private readonly root: TrieNode<T>;

  constructor(items: readonly { literals: readonly string[]; value: T }[]) {
    const isAlways = (lits: readonly string[]) => lits.length === 0 || lits.includes('');
    this.root = new TrieNode<T>(
      '',
      items.filter((i) => isAlways(i.literals)).map((i) => i.value),
    );
    for (const literal of new Set(items.flatMap((i) => (isAlways(i.literals) ? [] : i.literals)))) {
      let node = this.root;
      for (let k = 0; k < literal.length; k++) {
        const code = literal.charCodeAt(k);
        let next = node.child(code);
        if (next === undefined) {
          next = new TrieNode<T>(literal[k]!, null);
          node.add(code, next);
        }
        node = next;
      }
      // A message starting with `literal` starts with every literal that is a prefix of it.
      node.items = items
        .filter((i) => isAlways(i.literals) || i.literals.some((l) => literal.startsWith(l)))
        .map((i) => i.value);
    }
    this.root.compress();
  }

  /** The items that can match `text` at `start`, in order. */
  candidates(text: string, start: number): readonly T[] {
    let node = this.root;
    let found = node.items!;
    for (let k = start; ;) {
      const next = node.child(text.charCodeAt(k));
      // Part of an edge has no items: a message that leaves it keeps what was found.
      if (next === undefined || !text.startsWith(next.label, k)) return found;
      k += next.label.length;
      node = next;
      if (node.items !== null) found = node.items;
    }
  }
}
