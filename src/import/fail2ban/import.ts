/**
 * `sheriff import fail2ban`: a fail2ban configuration directory as a Sheriff
 * configuration (the enabled jails with their thresholds, trusted networks
 * and log sources) plus one filter file per fail2ban filter those jails use,
 * and the list of everything that could not be carried over.
 */
import { globSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDuration } from '../../config/duration.js';
import { filterRegistry } from '../../filters/registry.js';
import { parseCidr } from '../../net/cidr.js';
import { FileCache, type Vars } from './config.js';
import { FilterFiles } from './filter.js';
import type { FilterOption } from './filter.js';
import type { Issue, IssueKind } from './issues.js';
import type { FilterSample } from './write.js';
import { readJails, type Jail } from './jail.js';
import { importFilter, type FilterImport, type ImportedFilter } from './translate.js';

export interface SheriffJail {
  filter: string;
  mode?: string;
  policy: 'approve';
  maxretry?: number;
  findtime?: string;
  bantime?: string;
}

export type SheriffSource =
  | { type: 'file'; path: string; jails: string[] }
  | { type: 'journald'; units: string[]; jails: string[] };

export interface SheriffConfig {
  trusted?: string[];
  sources: SheriffSource[];
  jails: Record<string, SheriffJail>;
  response?: { increment: { factor: number; max?: string } };
}

export interface ImportResult {
  dir: string;
  config: SheriffConfig;
  filters: ImportedFilter[];
  /** Each filter's samples, by filter name. */
  samples: Map<string, FilterSample[]>;
  issues: Issue[];
  /** Every enabled jail's name, imported or not. */
  jails: string[];
}

const SECONDS: [RegExp, number][] = [
  [/^(?:days?|da|dd?)$/i, 86_400],
  [/^(?:weeks?|wee?|ww?)$/i, 604_800],
  [/^(?:months?|mon?)$/i, 2_629_800],
  [/^(?:years?|yea?|yy?)$/i, 31_557_600],
  [/^(?:seconds?|sec?|ss?)$/i, 1],
  [/^(?:minutes?|min?|mm?)$/i, 60],
  [/^(?:hours?|hou?|hh?)$/i, 3_600],
];

/**
 * fail2ban's str2seconds for sums such as "10m", "1h 30m", "1d12h", "3600"; null for
 * what it evaluates as Python arithmetic (minus, products), which is left to the admin.
 */
export function fail2banSeconds(text: string): number | null {
  const terms = text.trim().split(/\s*\+\s*|\s+|(?<=[a-z])(?=\d)/i);
  let total = 0;
  for (const t of terms) {
    const m = /^(-?\d+(?:\.\d+)?)([a-z]*)$/i.exec(t);
    if (m === null) return null;
    const unit = m[2] === '' ? 1 : SECONDS.find(([re]) => re.test(m[2]!))?.[1];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
  }
  return terms.length > 0 ? total : null;
}

/** A filter's identity for one jail: jails that resolve it the same way share one Sheriff filter. */
function filterKey(jail: Jail): string {
  const init = [...jail.filter!.options].filter(([k]) => k !== 'mode').sort();
  const own = [...jail.options].filter(([k]) => isFilterOption(k)).map(([k, v]) => [k, v.value]);
  return JSON.stringify([jail.filter!.name, init, own]);
}

const FILTER_OPTION_SET = new Set<string>([
  'prefregex',
  'ignoreregex',
  'failregex',
  'maxlines',
  'datepattern',
  'journalmatch',
]);
function isFilterOption(k: string): k is FilterOption {
  return FILTER_OPTION_SET.has(k);
}

export function importFail2ban(dir: string): ImportResult {
  const jails = readJails(dir);
  const issues: Issue[] = [];
  const texts = jails.cache.texts;
  const add = (
    subject: string,
    kind: IssueKind,
    detail: string,
    at: { file: string; line: number } | undefined,
    loss = true,
  ) => issues.push({ file: at?.file ?? '', line: at?.line ?? 0, subject, kind, detail, loss });
  for (const p of jails.problems) add(p.jail, p.kind, p.detail, p.at);

  const config: SheriffConfig = { sources: [], jails: {} };
  const filters = new Map<string, ImportedFilter>();
  const samples = new Map<string, FilterSample[]>();
  const keys = new Map<string, { name: string; journalmatch: string[] } | null>();
  const trusted = new Map<string, string[]>();
  const files = new Map<string, string[]>();
  const journald: { units: string[]; jails: string[] }[] = [];
  const increments = new Set<string>();
  for (const jail of jails.enabled) {
    const opt = (k: string) => jail.options.get(k);
    if (jail.filter === null) {
      add(jail.name, 'filterMissing', '', opt('filter')?.at);
      continue;
    }
    const key = filterKey(jail);
    let imported = keys.get(key);
    if (imported === undefined) {
      const base = jail.filter.name.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
      const name = [...keys.values()].some((k) => k?.name === base) ? `${base}-${jail.name}` : base;
      const jailOptions: Vars = new Map([...jail.options].map(([k, v]) => [k, v.value]));
      const init = new Map(jail.filter.options);
      init.delete('mode');
      const r = importFilter(jail.filter.files, {
        name,
        jailOptions,
        initOptions: init,
        texts,
        dir,
        jailFiles: jails.config.files.filter((f) => /jail[^/]*\.local$|jail\.d\//.test(f)),
      });
      issues.push(...r.issues);
      // A user filter named like a built-in replaces it (filters/README.md): say so.
      if (r.filter !== null && filterRegistry().has(name))
        add(jail.name, 'replacesBuiltin', name, opt('filter')?.at, false);
      imported = r.filter === null ? null : { name, journalmatch: r.journalmatch };
      if (r.filter !== null) {
        filters.set(name, r.filter);
        samples.set(name, r.samples);
      }
      keys.set(key, imported);
    }
    if (imported === null) continue;
    const filter = filters.get(imported.name)!;
    const sj: SheriffJail = { filter: imported.name, policy: 'approve' };
    const mode = jail.filter.options.get('mode');
    if (mode !== undefined && filter.modes.includes(mode)) {
      if (mode !== filter.defaultMode) sj.mode = mode;
    } else if (mode !== undefined && mode !== '')
      add(jail.name, 'filterOption', `mode=${mode}`, opt('filter')?.at);
    const maxretry = opt('maxretry');
    if (maxretry !== undefined) {
      const n = Number(maxretry.value);
      if (Number.isInteger(n) && n >= 1) sj.maxretry = n;
      else add(jail.name, 'duration', `maxretry = ${maxretry.value}`, maxretry.at);
    }
    for (const k of ['findtime', 'bantime'] as const) {
      const o = opt(k);
      if (o === undefined) continue;
      const s = fail2banSeconds(o.value);
      if (s === null || s <= 0) add(jail.name, 'duration', `${k} = ${o.value}`, o.at);
      else sj[k] = formatDuration(Math.round(s) * 1000);
    }
    config.jails[jail.name] = sj;

    const ignoreip = opt('ignoreip');
    const nets: string[] = [];
    for (const item of (ignoreip?.value ?? '').split(/[\s,]+/).filter((x) => x !== '')) {
      try {
        nets.push(parseCidr(item).text);
      } catch {
        add(jail.name, 'ignoreip', item, ignoreip?.at);
      }
    }
    trusted.set(jail.name, nets);
    const cmd = opt('ignorecommand');
    if (cmd !== undefined && cmd.value.trim() !== '')
      add(jail.name, 'ignorecommand', cmd.value, cmd.at);
    for (const k of ['logtimezone', 'logencoding', 'bantime.rndtime'] as const) {
      const o = opt(k);
      if (o !== undefined && o.value.trim() !== '' && !(k === 'logencoding' && o.value === 'auto'))
        add(jail.name, 'jailOption', `${k} = ${o.value}`, o.at);
    }
    increments.add(incrementOf(jail, add));

    const backend = opt('backend')?.value ?? 'auto';
    if (backend.startsWith('systemd')) {
      const units = imported.journalmatch.flatMap((m) =>
        [...m.matchAll(/_SYSTEMD_UNIT=(\S+)/g)].map((u) => u[1]!),
      );
      if (units.length === 0) add(jail.name, 'backend', backend, opt('backend')?.at);
      else journald.push({ units, jails: [jail.name] });
    } else {
      const logpath = opt('logpath');
      for (const line of (logpath?.value ?? '').split('\n')) {
        // "PATH tail" / "PATH head": where fail2ban starts reading; Sheriff follows from the end.
        const path = line.trim().replace(/\s+(?:tail|head)$/, '');
        if (path === '') continue;
        const found = (/[*?[]/.test(path) ? globSync(path).sort() : [path]).map((f) => resolve(f));
        if (found.length === 0) add(jail.name, 'logpath', path, logpath?.at, false);
        for (const f of found) files.set(f, [...(files.get(f) ?? []), jail.name]);
      }
    }
  }

  const nets = [...new Set([...trusted.values()].flat())];
  if (nets.length > 0) config.trusted = nets;
  for (const [name, list] of trusted)
    if (nets.some((n) => !list.includes(n)))
      add(name, 'trustedWider', nets.filter((n) => !list.includes(n)).join(' '), undefined);
  config.sources = [
    ...[...files].map(([path, js]): SheriffSource => ({ type: 'file', path, jails: js })),
    ...journald.map((j): SheriffSource => ({ type: 'journald', ...j })),
  ];
  const inc = [...increments];
  if (inc.length > 1) add('', 'increment', inc.join(' / '), undefined);
  const chosen = inc[0];
  if (chosen === 'off') config.response = { increment: { factor: 1 } };
  else if (chosen !== undefined && chosen.startsWith('x2'))
    config.response = {
      increment: { factor: 2, ...(chosen.length > 2 ? { max: chosen.slice(3) } : {}) },
    };
  return {
    dir,
    config,
    filters: [...filters.values()],
    samples,
    issues,
    jails: jails.enabled.map((j) => j.name),
  };
}

/**
 * fail2ban's bantime.increment as Sheriff's response.increment ("off", "x2" or
 * "x2 MAX"): Sheriff multiplies by a factor per earlier ban, which is fail2ban's
 * default formula with bantime.factor 1; other formulas are reported.
 */
function incrementOf(
  jail: Jail,
  add: (s: string, k: IssueKind, d: string, at: { file: string; line: number } | undefined) => void,
): string {
  const opt = (k: string) => jail.options.get(k);
  const on = opt('bantime.increment');
  if (on === undefined || !['1', 'on', 'true', 'yes'].includes(on.value.toLowerCase()))
    return 'off';
  for (const k of ['bantime.formula', 'bantime.multipliers'] as const) {
    const o = opt(k);
    if (o !== undefined && o.value.trim() !== '')
      add(jail.name, 'increment', `${k} = ${o.value}`, o.at);
  }
  const factor = opt('bantime.factor');
  if (factor !== undefined && Number(factor.value) !== 1)
    add(jail.name, 'increment', `bantime.factor = ${factor.value}`, factor.at);
  const overall = opt('bantime.overalljails');
  if (overall !== undefined && ['1', 'on', 'true', 'yes'].includes(overall.value.toLowerCase()))
    add(jail.name, 'increment', `bantime.overalljails = ${overall.value}`, overall.at);
  const max = opt('bantime.maxtime');
  const s = max === undefined ? null : fail2banSeconds(max.value);
  if (max !== undefined && (s === null || s <= 0))
    add(jail.name, 'duration', `bantime.maxtime = ${max.value}`, max.at);
  return s !== null && s > 0 ? `x2 ${formatDuration(Math.round(s) * 1000)}` : 'x2';
}

/**
 * One filter.d filter on its own, as fail2ban's own tests read it: no jail options,
 * `initOptions` as a test log's filterOptions (logtype, …) would give.
 */
export function importFilterAlone(
  dir: string,
  name: string,
  initOptions: Vars = new Map(),
  as = name,
): FilterImport & { found: boolean; hasFailregex: boolean } {
  const cache = new FileCache();
  const files = new FilterFiles(name, dir, cache);
  const hasFailregex = (files.config.raw('Definition', 'failregex')?.value.trim() ?? '') !== '';
  if (!files.found)
    return {
      filter: null,
      samples: [],
      issues: [],
      journalmatch: [],
      resolved: false,
      found: false,
      hasFailregex,
    };
  const r = importFilter(files, {
    name: as,
    jailOptions: new Map(),
    initOptions,
    texts: cache.texts,
    dir,
  });
  return { ...r, found: true, hasFailregex };
}
