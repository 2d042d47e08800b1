/**
 * A fail2ban filter (filter.d/NAME) as fail2ban's FilterReader resolves it for
 * one jail: the jail's options and `filter = NAME[opt=…]` options are the
 * interpolation vars, `[Init]` adds defaults, then `<tag>`s are substituted
 * (`<mdre-<mode>>`, `<lt_<logtype>/__prefix_line>`, …).
 */
import { Config, FileCache, type Vars } from './config.js';
import type { Located } from './ini.js';
import { substituteTags } from './tags.js';

/** The options FilterReader reads from [Definition] (its _configOpts). */
export const FILTER_OPTIONS = [
  'usedns',
  'prefregex',
  'ignoreregex',
  'failregex',
  'maxlines',
  'datepattern',
  'journalmatch',
] as const;
export type FilterOption = (typeof FILTER_OPTIONS)[number];

export interface ResolvedFilter {
  name: string;
  /** Each option's final text (after interpolation and tags), when set. */
  values: Partial<Record<FilterOption, string>>;
  /** Where each option was written (the last definition that counts). */
  places: Partial<Record<FilterOption, Located>>;
}

const CONDITIONAL = /^(\w+)(\?.+)$/;

/** One filter's files, read once; `resolve` runs for each mode and jail. */
export class FilterFiles {
  readonly config: Config;
  readonly found: boolean;

  constructor(
    readonly name: string,
    baseDir: string,
    cache: FileCache,
  ) {
    this.config = new Config(cache);
    this.found = this.config.readName(baseDir, `filter.d/${name}`);
  }

  /**
   * The modes this filter offers: its `mode` default and every NAME such that each
   * `<P<mode>S>` tag in its options has a `PNAMES` option (sshd: normal, ddos, extra,
   * aggressive). fail2ban has no list; this is what its files can resolve.
   */
  modes(): string[] {
    const def = this.config.get('Definition', 'mode') ?? this.config.get('Init', 'mode');
    const names = new Set<string>();
    for (const s of ['Definition', 'Init']) for (const o of this.config.options(s)) names.add(o);
    for (const o of this.config.defaults.keys()) names.add(o);
    let modes = null as Set<string> | null;
    const texts = [...this.config.sections.values(), this.config.defaults].flatMap((s) =>
      [...s.values()].map((v) => v.value),
    );
    for (const text of texts)
      for (const m of text.matchAll(/<([^<> ]*)<mode>([^<> ]*)>|%\(([^)]*)<mode>/g)) {
        const pre = m[1] ?? '';
        const post = m[2] ?? '';
        const found = new Set(
          [...names]
            .filter((n) => n.length > pre.length + post.length)
            .filter((n) => n.startsWith(pre) && n.endsWith(post))
            .map((n) => n.slice(pre.length, n.length - post.length)),
        );
        modes = modes === null ? found : new Set([...modes].filter((x) => found.has(x)));
      }
    const list = [...(modes ?? [])].filter((m) => /^[a-z0-9][a-z0-9_-]*$/.test(m)).sort();
    if (def !== undefined && def !== '') return [def, ...list.filter((m) => m !== def)];
    return list.length > 0 ? list : [];
  }

  /**
   * FilterReader.getOptions + getCombined for one jail: `jailOptions` are the jail's
   * own options, `initOptions` the `filter = NAME[…]` ones (with `logtype`).
   */
  resolve(jailOptions: Vars, initOptions: Vars): ResolvedFilter {
    const init = new Map(initOptions);
    const pOpts: Vars = new Map([...jailOptions, ...init]);
    const opts = new Map<string, string>();
    const places: ResolvedFilter['places'] = {};
    // Without [Definition] fail2ban reads no option (an include-only file such as common.conf).
    for (const o of this.config.hasSection('Definition') ? FILTER_OPTIONS : []) {
      const v = this.config.get('Definition', o, pOpts);
      if (v === undefined) continue;
      opts.set(o, v);
      const at = this.config.raw('Definition', o, pOpts);
      if (at !== undefined && at.file !== '') places[o] = at;
    }
    if (this.config.hasSection('Init'))
      for (const o of this.config.options('Init')) {
        const v = this.config.get('Init', o)!;
        if (!o.startsWith('known/')) init.set(`known/${o}`, v);
        if (!init.has(o)) init.set(o, v);
      }
    const combined = new Map([...opts, ...init]);
    const ignore = new Set<string>();
    for (const k of combined.keys()) {
      const c = CONDITIONAL.exec(k);
      if (c !== null) ignore.add(c[1]!);
    }
    const cache = new Map<string, string | undefined>();
    const tags = substituteTags(combined, ignore, (tag) => {
      if (!cache.has(tag)) cache.set(tag, this.config.getEx('Definition', tag, pOpts));
      return cache.get(tag);
    });
    const values: ResolvedFilter['values'] = {};
    for (const o of FILTER_OPTIONS) {
      const v = tags.get(o);
      if (v !== undefined) values[o] = v;
    }
    return { name: this.name, values, places };
  }
}
