/**
 * Python `re` patterns as JavaScript ones (no `u` flag, as the filter engine
 * compiles them). The pattern is parsed into a small tree so that what has no
 * JavaScript spelling can be rewritten with the same meaning:
 * - `(?P<n>…)` → `(?<n>…)`; `(?P=n)` and numbered back-references → `\N` with
 *   JavaScript's group numbers (the engine numbers named groups itself);
 * - global flags `(?i)` → a modifier group `(?i:…)` around the pattern
 *   (`a`, `L`, `u`, `x` have no JavaScript form: reported);
 * - `\A`, `\Z` → look-arounds; `{,n}` → `{0,n}`; `[]…]` → `[\]…]`;
 * - atomic groups and possessive quantifiers → `(?=(…))\N`, which matches the
 *   same text and never backtracks into it;
 * - a conditional group `(?(g)yes|no)` → one pattern where `g` took part and the
 *   `yes` branch stands, and one where `g` is left out and `no` stands, in the
 *   order Python tries them (callers run them as consecutive rules).
 * Anything else Python-only throws PyRegexError with the reason.
 */

export class PyRegexError extends Error {}

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | {
      t: 'group';
      /** cap: capturing (named when `name`); other kinds capture nothing. */
      kind: 'cap' | 'noncap' | 'look' | 'atomic';
      name?: string;
      /** `(?=`, `(?!`, `(?<=`, `(?<!` for look; modifier flags for noncap ("i", "i-s"). */
      prefix?: string;
      body: Node;
      /** Python's group number (capturing groups). */
      num?: number;
    }
  | { t: 'cond'; ref: string; yes: Node; no: Node }
  | { t: 'quant'; body: Node; min: number; max: number; lazy: boolean; possessive: boolean }
  | { t: 'backref'; ref: string }
  | { t: 'atom'; text: string };

const empty = (): Node => ({ t: 'seq', items: [] });
const JS_FLAGS = new Set(['i', 'm', 's']);

class Parser {
  private i = 0;
  private groups = 0;
  readonly names = new Map<string, number>();
  /** Global flags from a leading `(?imsx)`. */
  flags = '';

  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.src.length) throw new PyRegexError(`unbalanced ")" at ${this.i}`);
    return n;
  }

  private peek(k = 0): string {
    return this.src[this.i + k] ?? '';
  }

  private alt(): Node {
    const branches = [this.seq()];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.seq());
    }
    return branches.length === 1 ? branches[0]! : { t: 'alt', branches };
  }

  private seq(): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipVerbose();
      if (this.i >= this.src.length || this.peek() === '|' || this.peek() === ')') break;
      const atom = this.atom();
      if (atom !== null) items.push(this.quantified(atom));
    }
    return { t: 'seq', items };
  }

  /** Under `(?x)`, white space and `#` comments outside sets are not part of the pattern. */
  private skipVerbose(): void {
    if (!this.flags.includes('x')) return;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.i++;
      else if (c === '#') {
        const nl = this.src.indexOf('\n', this.i);
        this.i = nl < 0 ? this.src.length : nl + 1;
      } else return;
    }
  }

  private quantified(atom: Node): Node {
    for (;;) {
      this.skipVerbose();
      const q = this.quantifier();
      if (q === null) return atom;
      let lazy = false;
      let possessive = false;
      if (this.peek() === '?') {
        lazy = true;
        this.i++;
      } else if (this.peek() === '+') {
        possessive = true;
        this.i++;
      }
      atom = { t: 'quant', body: atom, min: q.min, max: q.max, lazy, possessive };
    }
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    if (c !== '{') return null;
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.src.slice(this.i));
    // Python reads "{" that starts no quantifier as a character, as JavaScript does.
    if (m === null || (m[1] === '' && m[2] === '')) return null;
    this.i += m[0].length;
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === '' ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { min, max };
  }

  private atom(): Node | null {
    const c = this.peek();
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    if (c === '*' || c === '+' || c === '?')
      throw new PyRegexError(`nothing to repeat at ${this.i}`);
    this.i++;
    return { t: 'atom', text: c };
  }

  private escape(): Node {
    const rest = this.src.slice(this.i);
    const num = /^\\([1-9]\d?)/.exec(rest);
    if (num !== null && !/^\\[0-7]{3}/.test(rest)) {
      this.i += num[0].length;
      return { t: 'backref', ref: num[1]! };
    }
    const c = rest[1] ?? '';
    this.i += 2;
    if (c === 'A') return { t: 'atom', text: '(?<![\\s\\S])' };
    if (c === 'Z') return { t: 'atom', text: '(?![\\s\\S])' };
    if (c === 'N' || c === 'U') throw new PyRegexError(`\\${c} escapes have no JavaScript form`);
    if (c === '') throw new PyRegexError('pattern ends with "\\"');
    return { t: 'atom', text: `\\${c}` };
  }

  private charClass(): Node {
    let j = this.i + 1;
    let out = '[';
    if (this.src[j] === '^') {
      out += '^';
      j++;
    }
    // A "]" first in a Python class is a character; JavaScript would end the class.
    if (this.src[j] === ']') {
      out += '\\]';
      j++;
    }
    for (; j < this.src.length && this.src[j] !== ']'; j++) {
      const ch = this.src[j]!;
      if (ch === '\\') {
        const e = this.src[j + 1] ?? '';
        if (e === 'N' || e === 'U')
          throw new PyRegexError(`\\${e} escapes have no JavaScript form`);
        out += ch + e;
        j++;
      } else if (ch === '[') out += '\\[';
      else out += ch;
    }
    if (j >= this.src.length) throw new PyRegexError(`unterminated character set at ${this.i}`);
    this.i = j + 1;
    return { t: 'atom', text: out + ']' };
  }

  private close(): void {
    if (this.peek() !== ')') throw new PyRegexError(`missing ")" at ${this.i}`);
    this.i++;
  }

  private group(): Node | null {
    const rest = this.src.slice(this.i);
    if (!rest.startsWith('(?')) {
      this.i++;
      const num = ++this.groups;
      const body = this.alt();
      this.close();
      return { t: 'group', kind: 'cap', body, num };
    }
    let m: RegExpExecArray | null;
    if ((m = /^\(\?P<([A-Za-z_]\w*)>/.exec(rest)) !== null) {
      this.i += m[0].length;
      const num = ++this.groups;
      if (this.names.has(m[1]!)) throw new PyRegexError(`group name "${m[1]}" used twice`);
      this.names.set(m[1]!, num);
      const body = this.alt();
      this.close();
      return { t: 'group', kind: 'cap', name: m[1]!, body, num };
    }
    if ((m = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest)) !== null) {
      this.i += m[0].length;
      return { t: 'backref', ref: m[1]! };
    }
    if ((m = /^\(\?(:|=|!|<=|<!|>)/.exec(rest)) !== null) {
      this.i += m[0].length;
      const body = this.alt();
      this.close();
      if (m[1] === ':') return { t: 'group', kind: 'noncap', body };
      if (m[1] === '>') return { t: 'group', kind: 'atomic', body };
      return { t: 'group', kind: 'look', prefix: `(?${m[1]}`, body };
    }
    if (rest.startsWith('(?#')) {
      const end = this.src.indexOf(')', this.i);
      if (end < 0) throw new PyRegexError('unterminated comment');
      this.i = end + 1;
      return null;
    }
    if ((m = /^\(\?\(([^)]+)\)/.exec(rest)) !== null) {
      this.i += m[0].length;
      const body = this.alt();
      this.close();
      const branches = body.t === 'alt' ? body.branches : [body];
      if (branches.length > 2)
        throw new PyRegexError('a conditional group with more than two branches');
      return { t: 'cond', ref: m[1]!, yes: branches[0]!, no: branches[1] ?? empty() };
    }
    if ((m = /^\(\?([aiLmsux]+)\)/.exec(rest)) !== null) {
      if (this.i !== 0) throw new PyRegexError('global flags not at the start of the expression');
      this.i += m[0].length;
      this.flags += m[1]!;
      return null;
    }
    if ((m = /^\(\?([aiLmsux]*)(?:-([imsx]+))?:/.exec(rest)) !== null) {
      this.i += m[0].length;
      const on = m[1]!;
      const off = m[2] ?? '';
      const bad = [...on, ...off].filter((f) => !JS_FLAGS.has(f) && f !== 'u' && f !== 'a');
      if (bad.length > 0)
        throw new PyRegexError(`the (?${bad.join('')}:…) flag has no JavaScript form`);
      const body = this.alt();
      this.close();
      const js = on.replace(/[ua]/g, '');
      return {
        t: 'group',
        kind: 'noncap',
        prefix: js + (off !== '' ? `-${off}` : ''),
        body,
      };
    }
    throw new PyRegexError(`unknown group syntax ${rest.slice(0, 6)}`);
  }
}

/** How a Python pattern was turned into JavaScript ones. */
export interface Translation {
  /**
   * One pattern, or several (a conditional group expanded) tried in order; `took`
   * says which probed groups take part in that pattern's matches.
   */
  patterns: { source: string; took: Readonly<Record<string, boolean>> }[];
  /** What was rewritten (the meaning is kept). */
  rewritten: string[];
}

const MAX_VARIANTS = 16;

function clone(n: Node): Node {
  return structuredClone(n);
}

/** The path from root to the capturing group `ref` (name or number). */
function pathTo(root: Node, ref: string, names: ReadonlyMap<string, number>): Node[] | null {
  const num = /^\d+$/.test(ref) ? Number(ref) : names.get(ref);
  const walk = (n: Node, path: Node[]): Node[] | null => {
    const here = [...path, n];
    if (n.t === 'group' && n.kind === 'cap' && n.num === num) return here;
    for (const c of children(n)) {
      const found = walk(c, here);
      if (found !== null) return found;
    }
    return null;
  };
  return walk(root, []);
}

function children(n: Node): Node[] {
  switch (n.t) {
    case 'seq':
      return n.items;
    case 'alt':
      return n.branches;
    case 'group':
    case 'quant':
      return [n.body];
    case 'cond':
      return [n.yes, n.no];
    default:
      return [];
  }
}

function replace(root: Node, target: Node, by: Node): Node {
  if (root === target) return by;
  switch (root.t) {
    case 'seq':
      root.items = root.items.map((c) => replace(c, target, by));
      break;
    case 'alt':
      root.branches = root.branches.map((c) => replace(c, target, by));
      break;
    case 'group':
    case 'quant':
      root.body = replace(root.body, target, by);
      break;
    case 'cond':
      root.yes = replace(root.yes, target, by);
      root.no = replace(root.no, target, by);
      break;
  }
  return root;
}

function findCond(n: Node): (Node & { t: 'cond' }) | null {
  if (n.t === 'cond') return n;
  for (const c of children(n)) {
    const f = findCond(c);
    if (f !== null) return f;
  }
  return null;
}

/** The tree with one conditional group resolved both ways, in Python's preference order. */
function expandCond(
  root: Node,
  names: ReadonlyMap<string, number>,
): { node: Node; took: boolean; ref: string }[] {
  const cond = findCond(root)!;
  const path = pathTo(root, cond.ref, names);
  if (path === null) throw new PyRegexError(`conditional on unknown group "${cond.ref}"`);
  if (findIn(path.at(-1)!, cond))
    throw new PyRegexError('a conditional group inside the group it tests');
  // "Took part": every optional step above the group taken, every alternation on its branch.
  let yes = clone(root);
  {
    const p = mirror(root, yes, path);
    const c = mirrorNode(root, yes, cond) as Node & { t: 'cond' };
    yes = replace(yes, c, c.yes);
    for (let k = p.length - 2; k >= 0; k--) {
      const a = p[k]!;
      if (a.t === 'quant' && a.min === 0) a.min = 1;
      if (a.t === 'alt') yes = replace(yes, a, p[k + 1]!);
    }
  }
  // "Left out": the nearest optional step or alternation above the group skips it.
  let no: Node = clone(root);
  let lazyFirst = false;
  let skipped = false;
  {
    const p = mirror(root, no, path);
    const c = mirrorNode(root, no, cond) as Node & { t: 'cond' };
    no = replace(no, c, c.no);
    for (let k = p.length - 2; k >= 0 && !skipped; k--) {
      const a = p[k]!;
      const child = p[k + 1]!;
      if (a.t === 'quant' && a.min === 0) {
        lazyFirst = a.lazy;
        no = replace(no, a, empty());
        skipped = true;
      } else if (a.t === 'alt' && a.branches.length > 1) {
        a.branches = a.branches.filter((b) => b !== child);
        skipped = true;
      }
    }
  }
  const y = { node: yes, took: true, ref: cond.ref };
  const n = { node: no, took: false, ref: cond.ref };
  if (!skipped) return [y];
  return lazyFirst ? [n, y] : [y, n];
}

function findIn(root: Node, target: Node): boolean {
  return root === target || children(root).some((c) => findIn(c, target));
}

/** The nodes in `copy` at the same places as `path` in `orig`. */
function mirror(orig: Node, copy: Node, path: Node[]): Node[] {
  const out: Node[] = [copy];
  let o = orig;
  let c = copy;
  for (const step of path.slice(1)) {
    const idx = children(o).indexOf(step);
    o = step;
    c = children(c)[idx]!;
    out.push(c);
  }
  return out;
}

function mirrorNode(orig: Node, copy: Node, target: Node): Node {
  if (orig === target) return copy;
  const oc = children(orig);
  const cc = children(copy);
  for (let k = 0; k < oc.length; k++) {
    if (findIn(oc[k]!, target)) return mirrorNode(oc[k]!, cc[k]!, target);
  }
  throw new Error('node not found');
}

const NEEDS_GROUP = (n: Node) =>
  !(n.t === 'atom' || n.t === 'group') ||
  (n.t === 'atom' && n.text.length > 1 && !n.text.startsWith('[') && !/^\\.$/.test(n.text));

class Emitter {
  private count = 0;
  /** Python group number → JavaScript group number. */
  private readonly numbers = new Map<number, number>();
  readonly rewritten = new Set<string>();

  constructor(private readonly names: ReadonlyMap<string, number>) {}

  emit(root: Node): string {
    this.assign(root);
    this.count = 0;
    return this.out(root);
  }

  /** First pass: JavaScript numbers, so that a reference before its group is right too. */
  private assign(n: Node): void {
    if (n.t === 'group' && n.kind === 'cap') this.numbers.set(n.num!, ++this.count);
    if ((n.t === 'group' && n.kind === 'atomic') || (n.t === 'quant' && n.possessive)) ++this.count;
    for (const c of children(n)) this.assign(c);
  }

  private out(n: Node): string {
    switch (n.t) {
      case 'seq':
        return n.items.map((c) => this.out(c)).join('');
      case 'alt':
        return n.branches.map((c) => this.out(c)).join('|');
      case 'atom':
        return n.text;
      case 'backref': {
        const py = /^\d+$/.test(n.ref) ? Number(n.ref) : this.names.get(n.ref);
        const js = py === undefined ? undefined : this.numbers.get(py);
        if (js === undefined) throw new PyRegexError(`reference to unknown group "${n.ref}"`);
        if (!/^\d+$/.test(n.ref)) this.rewritten.add('(?P=name)');
        // "(?:)" keeps a following digit from joining the number.
        return `\\${js}(?:)`;
      }
      case 'cond':
        throw new PyRegexError('unexpanded conditional group');
      case 'group': {
        if (n.kind === 'cap') {
          this.count++;
          const body = this.out(n.body);
          return n.name !== undefined ? `(?<${n.name}>${body})` : `(${body})`;
        }
        if (n.kind === 'atomic') {
          this.rewritten.add('(?>…)');
          return this.atomic(n.body, '');
        }
        const body = this.out(n.body);
        if (n.kind === 'look') return `${n.prefix!}${body})`;
        return n.prefix ? `(?${n.prefix}:${body})` : `(?:${body})`;
      }
      case 'quant': {
        const q =
          n.min === 0 && n.max === Infinity
            ? '*'
            : n.min === 1 && n.max === Infinity
              ? '+'
              : n.min === 0 && n.max === 1
                ? '?'
                : n.max === n.min
                  ? `{${n.min}}`
                  : n.max === Infinity
                    ? `{${n.min},}`
                    : `{${n.min},${n.max}}`;
        if (n.possessive) {
          this.rewritten.add('possessive quantifier');
          return this.atomic(n.body, q);
        }
        const body = this.out(n.body);
        return (NEEDS_GROUP(n.body) ? `(?:${body})` : body) + q + (n.lazy ? '?' : '');
      }
    }
  }

  /** `(?=(X))\N`: the look-ahead's match is taken whole, never given back. */
  private atomic(body: Node, quantifier: string): string {
    const num = ++this.count;
    const inner = this.out(body);
    const q = quantifier === '' ? inner : `(?:${inner})${quantifier}`;
    return `(?=(${q}))\\${num}(?:)`;
  }
}

/** fail2ban's own rewrite before compiling: "((?i)…" and "(?:(?i)…" become "(?i:…". */
function localFlags(pattern: string): string {
  return pattern.replace(/(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)/g, '$1:');
}

/**
 * `probes`: group names whose taking part the caller needs to know (fail2ban's
 * `nofail`, a second address group): the pattern is expanded as if a conditional
 * on each followed it.
 */
export function translatePattern(python: string, probes: readonly string[] = []): Translation {
  let source = localFlags(python);
  const probed = probes.filter((p) => source.includes(`(?P<${p}>`));
  if (probed.length > 0) {
    const flags = /^\(\?[aiLmsux]+\)/.exec(source)?.[0] ?? '';
    const conds = probed.map((p) => `(?(${p}))`).join('');
    source = `${flags}(?:${source.slice(flags.length)})${conds}`;
  }
  const parser = new Parser(source);
  let roots: { node: Node; took: Record<string, boolean> }[] = [{ node: parser.parse(), took: {} }];
  const rewritten: string[] = [];
  let expanded = false;
  while (roots.some((r) => findCond(r.node) !== null)) {
    roots = roots.flatMap((r) => {
      if (findCond(r.node) === null) return [r];
      return expandCond(r.node, parser.names).map((x) => {
        if (!probed.includes(x.ref)) {
          expanded = true;
          return { node: x.node, took: r.took };
        }
        return { node: x.node, took: { ...r.took, [x.ref]: x.took } };
      });
    });
    if (roots.length > MAX_VARIANTS)
      throw new PyRegexError(`conditional groups expand to more than ${MAX_VARIANTS} patterns`);
  }
  if (expanded) rewritten.push('(?(group)yes|no)');
  const flags = [...new Set(parser.flags)].join('');
  // u is Python's default, a (ASCII classes) JavaScript's; x was applied while parsing.
  if (flags.includes('L')) throw new PyRegexError('the (?L) flag has no JavaScript form');
  const jsFlags = [...flags].filter((f) => JS_FLAGS.has(f)).join('');
  if (flags.includes('x')) rewritten.push('(?x)');
  const patterns = roots.map((r) => {
    const e = new Emitter(parser.names);
    const body = e.emit(r.node);
    for (const w of e.rewritten) if (!rewritten.includes(w)) rewritten.push(w);
    const out = jsFlags === '' ? body : `(?${jsFlags}:${body})`;
    try {
      new RegExp(out);
    } catch (err) {
      throw new PyRegexError(`no JavaScript equivalent: ${(err as Error).message}`);
    }
    return { source: out, took: r.took };
  });
  return { patterns, rewritten };
}

const LITERAL_ESCAPES = new Set([...'.[](){}*+?|^$\\/-:,#" \'<>=@!%&~`;_']);

/**
 * Every text a Python pattern can match, when it has only a few (optional parts,
 * small sets, alternations, a back-reference to one of them): fail2ban's date
 * patterns such as `%Y(?P<_sep>[-/.])%m(?P=_sep)%d[T ]%H`. Null when the set is
 * infinite, larger than `limit`, or uses a construct with no single text.
 */
export function expandLiterals(python: string, limit = 32): string[] | null {
  let root: Node;
  let parser: Parser;
  try {
    parser = new Parser(python);
    root = parser.parse();
  } catch {
    return null;
  }
  type Out = { text: string; env: ReadonlyMap<number, string> }[];
  const join = (a: Out, b: (o: Out[number]) => Out | null): Out | null => {
    const out: Out = [];
    for (const x of a) {
      const r = b(x);
      if (r === null) return null;
      out.push(...r);
      if (out.length > limit) return null;
    }
    return out;
  };
  const walk = (n: Node, from: Out[number]): Out | null => {
    switch (n.t) {
      case 'seq': {
        let acc: Out | null = [from];
        for (const item of n.items) {
          acc = join(acc, (x) => walk(item, x));
          if (acc === null) return null;
        }
        return acc;
      }
      case 'alt': {
        const out: Out = [];
        for (const b of n.branches) {
          const r = walk(b, from);
          if (r === null) return null;
          out.push(...r);
          if (out.length > limit) return null;
        }
        return out;
      }
      case 'atom': {
        const t = n.text;
        let chars: string[] | null = null;
        if (t.length === 1 && !'.$'.includes(t)) chars = [t];
        else if (t.length === 2 && t[0] === '\\' && LITERAL_ESCAPES.has(t[1]!)) chars = [t[1]!];
        else if (t === '\\s') chars = [' '];
        // A set of plain characters ("-" only first or last, where it is one).
        else if (/^\[-?[^\]\\^-]*-?\]$/.test(t) && t.length > 2) chars = [...t.slice(1, -1)];
        if (chars === null) return null;
        return chars.map((c) => ({ text: from.text + c, env: from.env }));
      }
      case 'group': {
        if (n.kind === 'look' || n.kind === 'atomic') return null;
        if (n.kind !== 'cap') return walk(n.body, from);
        const start = from.text.length;
        const r = walk(n.body, from);
        return (
          r?.map((x) => ({ text: x.text, env: new Map(x.env).set(n.num!, x.text.slice(start)) })) ??
          null
        );
      }
      case 'backref': {
        const num = /^\d+$/.test(n.ref) ? Number(n.ref) : parser.names.get(n.ref);
        const v = num === undefined ? undefined : from.env.get(num);
        return v === undefined ? null : [{ text: from.text + v, env: from.env }];
      }
      case 'quant': {
        // A run of white space: a time format's space matches one or more.
        if (n.body.t === 'atom' && n.body.text === '\\s' && n.max === Infinity)
          return (n.min === 0 ? [' ', ''] : [' ']).map((w) => ({
            text: from.text + w,
            env: from.env,
          }));
        if (n.max === Infinity || n.max > 4) return null;
        let acc: Out = [];
        let level: Out = [from];
        for (let k = 0; k <= n.max; k++) {
          if (k >= n.min) acc.push(...level);
          if (k === n.max) break;
          const next = join(level, (x) => walk(n.body, x));
          if (next === null) return null;
          level = next;
        }
        if (acc.length > limit) return null;
        acc = n.lazy ? acc : acc.reverse();
        return acc;
      }
      default:
        return null;
    }
  };
  const out = walk(root, { text: '', env: new Map() });
  if (out === null || out.length > limit) return null;
  return [...new Set(out.map((o) => o.text))];
}

/** Characters an example may use, the plainest first, then every other printable one. */
const CANDIDATES = [
  ...new Set([
    ...'a1x0 .-:/_',
    ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  ]),
];

/**
 * A short text that `source` (a pattern this module emitted) matches, for a filter's
 * samples: the fewest repetitions, the first alternative, addresses as written by
 * the pattern itself. Null when a look-around or anchor in the way leaves none; the
 * caller checks the text against the pattern anyway.
 */
export function exampleOf(
  source: string,
  choice: { lastAlternative?: boolean; once?: boolean; trailingLookahead?: boolean } = {},
): string | null {
  let root: Node;
  let parser: Parser;
  try {
    parser = new Parser(source.replace(/\(\?<(?![=!])/g, '(?P<'));
    root = parser.parse();
  } catch {
    return null;
  }
  const groups = new Map<number, string>();
  const charFor = (set: string): string | null => {
    const re = new RegExp(`^${set}$`);
    return CANDIDATES.find((c) => re.test(c)) ?? null;
  };
  const walk = (n: Node): string | null => {
    switch (n.t) {
      case 'seq': {
        let out = '';
        for (const [i, item] of n.items.entries()) {
          // A look-ahead that ends the pattern (prefregex's text after the content) needs its text.
          const last = i === n.items.length - 1;
          const ahead = item.t === 'group' && item.kind === 'look' && item.prefix === '(?=';
          const s = choice.trailingLookahead && last && ahead ? walk(item.body) : walk(item);
          if (s === null) return null;
          out += s;
        }
        return out;
      }
      case 'alt':
        for (const b of choice.lastAlternative ? [...n.branches].reverse() : n.branches) {
          const s = walk(b);
          if (s !== null) return s;
        }
        return null;
      case 'atom': {
        const t = n.text;
        if (t === '^' || t === '$' || t.startsWith('(?')) return '';
        if (t === '\\b' || t === '\\B') return '';
        if (t.length === 1) return t === '.' ? 'x' : t;
        if (t.length === 2 && t[0] === '\\' && !/[dDwWsSnrtfv]/.test(t[1]!)) return t[1]!;
        return charFor(t);
      }
      case 'group': {
        if (n.kind === 'look') return '';
        const s = walk(n.body);
        if (s !== null && n.kind === 'cap') groups.set(n.num!, s);
        return s;
      }
      case 'backref': {
        const num = /^\d+$/.test(n.ref) ? Number(n.ref) : parser.names.get(n.ref);
        return num === undefined ? null : (groups.get(num) ?? '');
      }
      case 'quant': {
        const s = walk(n.body);
        if (s === null) return n.min === 0 ? '' : null;
        return s.repeat(choice.once && n.max > 0 ? Math.max(n.min, 1) : n.min);
      }
      default:
        return null;
    }
  };
  return walk(root);
}
