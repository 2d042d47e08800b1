/**
 * fail2ban's configuration reader (client/configparserinc.py and
 * configreader.py): a name such as "jail" or "filter.d/sshd" reads
 * `NAME.conf`, `NAME.d/*.conf`, `NAME.local`, `NAME.d/*.local`, each with the
 * files its `[INCLUDES] before/after` name (and their `.local`s) around it;
 * later files override earlier ones per option, and the value an option had
 * before it was overridden stays reachable as `%(known/NAME)s`. `get`
 * interpolates `%(name)s` (also `%(section/name)s`, `%(default/name)s`) with
 * configparser's precedence: the caller's vars, then the section, then
 * `[DEFAULT]`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { parseIni, type IniFile, type Located, type Section } from './ini.js';

export class InterpolationError extends Error {
  constructor(
    readonly at: Located | null,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const MAX_DEPTH = 10;
const KEY = /^%\(([^)]+)\)s/;
const SECTION_SUBST = /%\(([\w-]+\/([^)]+))\)s/g;
const CONDITIONAL = /^(\w+)(\?.+)$/;

export type Vars = ReadonlyMap<string, string>;

/** Parsed files, shared by every reader of one import (fail2ban's share_config). */
export class FileCache {
  private readonly parsed = new Map<string, IniFile | null>();
  private readonly includes = new Map<string, string[]>();
  /** Every file read, for the report's line lookups. */
  readonly texts = new Map<string, string>();

  parse(file: string): IniFile | null {
    let ini = this.parsed.get(file);
    if (ini === undefined) {
      ini = null;
      if (existsSync(file)) {
        const text = readFileSync(file, 'utf8');
        this.texts.set(file, text);
        ini = parseIni(text, file);
      }
      this.parsed.set(file, ini);
    }
    return ini;
  }

  /** The file with its includes around it, in reading order (configparserinc's _getIncludes). */
  withIncludes(files: readonly string[], seen: readonly string[] = []): string[] {
    const expanded: string[] = [];
    for (const f of files) {
      expanded.push(f);
      const local = join(dirname(f), basename(f, extname(f)) + '.local');
      if (!files.includes(local) && existsSync(local)) expanded.push(local);
    }
    return expanded.flatMap((f) => this.includesOf(f, seen));
  }

  private includesOf(file: string, seen: readonly string[]): string[] {
    const key = `${file}\n${seen.join('\n')}`;
    const cached = this.includes.get(key);
    if (cached !== undefined) return cached;
    const ini = this.parse(file);
    let out: string[] = [];
    if (ini !== null) {
      const inc = ini.sections.get('INCLUDES');
      const list = (name: string) =>
        (inc?.get(name)?.value ?? '')
          .split('\n')
          .filter((r) => r !== '')
          .map((r) => (isAbsolute(r) ? r : join(dirname(file), r)))
          .filter((r) => !seen.includes(r))
          .flatMap((r) => this.withIncludes([r], [...seen, file]));
      out = [...list('before'), file, ...list('after')];
    }
    this.includes.set(key, out);
    return out;
  }
}

/** Options merged from several files, read with interpolation. */
export class Config {
  readonly defaults: Section = new Map();
  readonly sections = new Map<string, Section>();
  /** The files read, in order. */
  readonly files: string[] = [];

  constructor(private readonly cache: FileCache) {}

  /** ConfigReaderUnshared.read: `<base>.conf`, `.d/*.conf`, `.local`, `.d/*.local`. */
  readName(baseDir: string, name: string): boolean {
    const base = join(baseDir, name);
    const dir = (ext: string) => {
      try {
        return readdirSync(`${base}.d`)
          .filter((f) => f.endsWith(ext))
          .sort()
          .map((f) => join(`${base}.d`, f));
      } catch {
        return [];
      }
    };
    const files = [`${base}.conf`, ...dir('.conf'), `${base}.local`, ...dir('.local')].filter((f) =>
      existsSync(f),
    );
    if (files.length === 0) return false;
    this.read(this.cache.withIncludes(files));
    return true;
  }

  private read(files: readonly string[]): void {
    for (const file of files) {
      const ini = this.cache.parse(file);
      if (ini === null) continue;
      this.files.push(file);
      for (const [k, v] of ini.defaults) this.defaults.set(k, v);
      for (const [name, section] of ini.sections) {
        let target = name;
        let options = section;
        const cond = CONDITIONAL.exec(name);
        if (cond !== null) {
          target = cond[1]!;
          options = new Map([...section].map(([k, v]) => [k + cond[2]!, v]));
        }
        const existing = this.sections.get(target);
        if (existing === undefined) {
          this.sections.set(target, new Map(options));
          continue;
        }
        const known = this.sections.get(`KNOWN/${target}`) ?? new Map<string, Located>();
        for (const [k, v] of existing) if (options.has(k)) known.set(k, v);
        this.sections.set(`KNOWN/${target}`, known);
        for (const [k, v] of options) existing.set(k, v);
      }
    }
  }

  hasSection(name: string): boolean {
    return this.sections.has(name);
  }

  /** Names of a section's own options (not [DEFAULT]'s). */
  options(section: string): string[] {
    return [...(this.sections.get(section)?.keys() ?? [])];
  }

  /** The raw value and its place: vars, then the section, then [DEFAULT]; undefined when absent. */
  raw(section: string, option: string, vars?: Vars): Located | undefined {
    const name = option.toLowerCase();
    const v = vars?.get(name);
    if (v !== undefined) return { value: v, file: '', line: 0 };
    const sec = section === 'DEFAULT' ? this.defaults : this.sections.get(section);
    return sec?.get(name) ?? this.defaults.get(name);
  }

  /** configparser's get with fail2ban's BasicInterpolationWithName; undefined when absent. */
  get(section: string, option: string, vars?: Vars): string | undefined {
    const at = this.raw(section, option, vars);
    if (at === undefined) return undefined;
    const out: string[] = [];
    this.interpolate(at, at.value, section, vars, out, 1);
    return out.join('');
  }

  /** get_ex: `section/option` names look in that section (or KNOWN/, DEFAULT) first. */
  getEx(section: string, option: string, vars?: Vars): string | undefined {
    const m = /^([\w-]+)\/([^\s>]+)$/.exec(option);
    if (m !== null) {
      const sec = m[1]!.toLowerCase();
      const tries =
        sec === 'known' ? [`KNOWN/${section}`, section] : [sec === 'default' ? 'DEFAULT' : m[1]!];
      for (const s of tries) {
        if (s !== 'DEFAULT' && !this.sections.has(s)) continue;
        const v = this.get(s, m[2]!);
        if (v !== undefined) return v;
      }
    }
    return this.get(section, option, vars);
  }

  /** A `%(section/name)s` reference's value (configparserinc's _map_section_options). */
  private sectionOption(section: string, ref: string, opt: string): Located | undefined {
    const sec = ref.slice(0, ref.length - opt.length - 1);
    const lower = sec.toLowerCase();
    let found: Located | undefined;
    if (lower === 'known') found = this.sections.get(`KNOWN/${section}`)?.get(opt);
    else if (lower !== 'default') {
      const s = this.sections.get(sec);
      if (s === undefined) return undefined;
      found = s.get(opt);
    }
    return found ?? this.defaults.get(opt);
  }

  private interpolate(
    at: Located,
    rest: string,
    section: string,
    vars: Vars | undefined,
    out: string[],
    depth: number,
  ): void {
    if (depth > MAX_DEPTH)
      throw new InterpolationError(at, `interpolation deeper than ${MAX_DEPTH}`);
    const refs = new Map<string, Located>();
    for (const m of rest.matchAll(SECTION_SUBST)) {
      const v = this.sectionOption(section, m[1]!, m[2]!);
      if (v !== undefined) refs.set(m[1]!.toLowerCase(), v);
    }
    while (rest !== '') {
      const p = rest.indexOf('%');
      if (p < 0) {
        out.push(rest);
        return;
      }
      out.push(rest.slice(0, p));
      rest = rest.slice(p);
      const c = rest[1];
      if (c === '%') {
        out.push('%');
        rest = rest.slice(2);
        continue;
      }
      const m = c === '(' ? KEY.exec(rest) : null;
      if (m === null)
        throw new InterpolationError(
          at,
          `"%" must be followed by "%" or "(": ${rest.slice(0, 30)}`,
        );
      const name = m[1]!.toLowerCase();
      rest = rest.slice(m[0].length);
      const v =
        name === '__name__'
          ? { value: section, file: at.file, line: at.line }
          : (refs.get(name) ?? this.raw(section, name, vars));
      if (v === undefined) throw new InterpolationError(at, `%(${m[1]})s is not defined`);
      if (v.value.includes('%'))
        this.interpolate(v.file === '' ? at : v, v.value, section, vars, out, depth + 1);
      else out.push(v.value);
    }
  }
}
