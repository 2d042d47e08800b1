/**
 * fail2ban's regex tags (server/failregex.py, _resolveHostTag) in the form
 * Sheriff's engine reads: the address tags become one `host` group, `<F-USER>`
 * the `user` group and `<F-ALT_USER>` `ruser` (the engine's fallback user, as
 * fail2ban's alt_ prefix), `<F-NOFAIL>` a `nofail` group whose taking part makes
 * the line a non-failure; `prefregex`'s `<F-CONTENT>` is joined with each
 * failregex into one pattern that searches the content as fail2ban does.
 * The result is still Python syntax; pyregex.ts turns it into JavaScript.
 */

const IP4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
const IP6 = String.raw`(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)`;
const DNS = String.raw`[\w\-.^_]*\w`;
const MAPPED = String.raw`(?:::f{4,6}:(?=${IP4}))?`;

/**
 * One `host` group where fail2ban has ip4, ip6 and dns (the engine reads one group).
 * A second address tag in the same regex (`(?:IPv6:<IP6>|<IP4>)`) is `host_2`, …:
 * translate.ts splits the pattern so that each rule has one.
 */
function host(kinds: readonly ('ip4' | 'ip6' | 'dns')[], brackets: boolean, name: string): string {
  const alts = kinds.map((k) => (k === 'ip4' ? IP4 : k === 'ip6' ? IP6 : DNS));
  const group = `${kinds.includes('ip4') ? MAPPED : ''}(?P<${name}>${alts.join('|')})`;
  return brackets ? String.raw`\[?${group}\]?` : group;
}

/** Features of a failregex that change how it may be translated. */
export interface TagUse {
  /** Tags that need fail2ban's multi-line state (SKIPLINES, MLFFORGET, MLFGAINED). */
  multiline: string[];
  /** `<F-MLFFORGET>`: the connection's state ends here. */
  forget: boolean;
  /** `<F-MLFGAINED>`: the client got in (a success). */
  gained: boolean;
  /** Tags with no Sheriff meaning that change what is banned (F-ID, CIDR, SUBNET). */
  unsupported: string[];
  hasHost: boolean;
  /** Names of the address groups after the first (`host_2`, …). */
  extraHosts: string[];
  nofail: boolean;
}

const FTAG = /<\/?[\w-]+\/?>/g;
const FCUSTOM = /^(\/?)F-([A-Z0-9_-]+)$/;

export function resolveTags(
  regex: string,
  useDns: string,
  hostName = 'host',
): { pattern: string; use: TagUse } {
  const use: TagUse = {
    multiline: [],
    unsupported: [],
    hasHost: false,
    extraHosts: [],
    nofail: false,
    forget: false,
    gained: false,
  };
  const open = new Set<string>();
  const dns = useDns !== 'no';
  let hosts = 0;
  const addr = (kinds: ('ip4' | 'ip6' | 'dns')[], brackets: boolean) => {
    use.hasHost = true;
    const name = ++hosts === 1 ? hostName : `${hostName}_${hosts}`;
    if (hosts > 1) use.extraHosts.push(name);
    return host(kinds, brackets, name);
  };
  const pattern = regex.replace(FTAG, (tag) => {
    const tn = tag.slice(1, -1);
    switch (tn) {
      case 'HOST':
        return addr(dns ? ['ip4', 'ip6', 'dns'] : ['ip4', 'ip6'], true);
      case 'ADDR':
      case 'F-ADDR/':
        return addr(['ip4', 'ip6'], true);
      case 'IP4':
      case 'F-IP4/':
        return addr(['ip4'], false);
      case 'IP6':
      case 'F-IP6/':
        return addr(['ip6'], false);
      case 'DNS':
      case 'F-DNS/':
        return addr(['dns'], false);
      case 'SUBNET':
      case 'F-SUBNET/':
      case 'CIDR':
      case 'F-CIDR/':
      case 'F-ID/':
        use.unsupported.push(`<${tn.replace(/\/$/, '')}>`);
        return tn === 'F-ID/'
          ? String.raw`(?P<fid>\S+)`
          : tn.includes('CIDR')
            ? String.raw`\d+`
            : addr(['ip4', 'ip6'], true) + String.raw`(?:/\d+)?`;
      case 'F-PORT/':
        return String.raw`\w+`;
      case 'SKIPLINES':
        use.multiline.push('<SKIPLINES>');
        return String.raw`\n(?:(?:.*\n)*?)`;
    }
    const m = FCUSTOM.exec(tn);
    if (m === null) return tag;
    const name = m[2]!;
    if (m[1] === '/') {
      if (!open.has(name)) return tag;
      return ')';
    }
    open.add(name);
    switch (name) {
      case 'USER':
        return '(?P<user>';
      case 'ALT_USER':
        return '(?P<ruser>';
      case 'NOFAIL':
        use.nofail = true;
        return '(?P<nofail>';
      case 'CONTENT':
        return '(?P<content>';
      case 'ID':
        use.unsupported.push('<F-ID>');
        return '(?P<fid>';
      case 'MLFFORGET':
      case 'MLFGAINED':
        use.multiline.push(`<F-${name}>`);
        if (name === 'MLFFORGET') use.forget = true;
        else use.gained = true;
        return '(?:';
      default:
        // F-MLFID, F-ERROR and custom names: values fail2ban only reports.
        return '(?:';
    }
  });
  return { pattern, use };
}

/**
 * The index of the `]` that closes the character class opened at `i` (a leading `^`
 * and then a leading `]` are part of the class, as in Python).
 */
function classEnd(p: string, i: number): number {
  i++;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
  return i;
}

/** Splits a Python pattern at its top-level "|" (outside groups, sets and escapes). */
export function topLevelBranches(p: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(p, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(p.slice(start, i));
      start = i + 1;
    }
  }
  out.push(p.slice(start));
  return out;
}

/** Whether `^` occurs as an anchor anywhere in a Python pattern. */
function hasCaret(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(p, i);
    else if (c === '^') return true;
  }
  return false;
}

export class PrefRegexError extends Error {}

/** Replaces each `$` anchor of a Python pattern (outside sets and escapes) with `by`. */
function replaceDollar(p: string, by: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      out += c + (p[i + 1] ?? '');
      i++;
    } else if (c === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      if (p[j] === ']') j++;
      while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
      out += p.slice(i, j + 1);
      i = j;
    } else out += c === '$' ? by : c;
  }
  return out;
}

/**
 * prefregex + failregex as one pattern: fail2ban matches prefregex, then searches
 * failregex in the `content` group, where "^" is the content's start and "$" its
 * end. The content is checked with a look-ahead; the failregex is tied to its
 * start, and its "$" to where the text after the content begins.
 */
export function joinPrefix(prefregex: string, failregex: string): string {
  const open = prefregex.indexOf('(?P<content>');
  if (open < 0) throw new PrefRegexError('prefregex has no <F-CONTENT>');
  let depth = 0;
  let close = -1;
  for (let i = open; i < prefregex.length && close < 0; i++) {
    const c = prefregex[i]!;
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) close = i;
  }
  if (close < 0) throw new PrefRegexError('prefregex has an unclosed <F-CONTENT>');
  const inner = prefregex.slice(open + '(?P<content>'.length, close);
  const after = prefregex.slice(close + 1);
  const toEnd = /^\s*\$?\s*$/.test(after);
  const f = toEnd ? failregex : replaceDollar(failregex, `(?=${after})`);
  const branches = topLevelBranches(f);
  let search: string;
  if (branches.every((b) => b.startsWith('^')) && !branches.some((b) => hasCaret(b.slice(1))))
    search = `(?:${branches.map((b) => b.slice(1)).join('|')})`;
  else if (!hasCaret(f)) search = `.*?(?:${f})`;
  else throw new PrefRegexError('failregex has "^" inside; it cannot be tied to the content start');
  return `${prefregex.slice(0, open)}(?=(?:${inner})${after})${search}`;
}
