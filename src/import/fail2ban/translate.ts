/**
 * One fail2ban filter, resolved for each of its modes, as a Sheriff filter file
 * (filters/README.md): `matchOn: line` (fail2ban's search of the whole line
 * without its time), one rule per failregex line (several when a conditional
 * group expands), `ignore` from ignoreregex, `timeFormats` from datepattern.
 * Whatever has no faithful form becomes an Issue with its file and line.
 */
import { InterpolationError, type Vars } from './config.js';
import { FAIL2BAN_DEFAULT_FORMATS, translateDatePattern } from './datepattern.js';
import { joinPrefix, PrefRegexError, resolveTags } from './failregex.js';
import type { FilterFiles, ResolvedFilter } from './filter.js';
import { locate, type Issue, type IssueKind } from './issues.js';
import { PyRegexError, translatePattern } from './pyregex.js';
import { samplesFor } from './samples.js';
import { TagError } from './tags.js';
import type { FilterSample } from './write.js';

export type RuleResult = 'fail' | 'nofail' | 'success';

/** fail2ban's multi-line failure ids as Sheriff's per-connection bookkeeping (spec.ts). */
interface ConnectionFlags {
  /** `<F-MLFFORGET>`: the connection is over. */
  ends?: true;
  /**
   * A `<F-NOFAIL>` line naming a user: fail2ban keeps it with the connection, counts it
   * in the next failure's attempts, and makes it a failure once a second user is tried.
   */
  pending?: true;
  distinctUsers?: true;
}

export interface ImportedRule extends ConnectionFlags {
  id: string;
  pattern: string;
  result: RuleResult | Record<string, RuleResult>;
}

/** The filter file's content (YAML keys in filters/README.md), without samples. */
export interface ImportedFilter {
  name: string;
  description: string;
  references: string[];
  origin: 'imported';
  modes: string[];
  defaultMode: string;
  matchOn: 'line';
  /** A prefregex with `<F-MLFID>`: fail2ban's per-connection state. */
  connections?: true;
  timeFormats?: string[];
  ignore: string[];
  rules: ImportedRule[];
}

export interface FilterImport {
  filter: ImportedFilter | null;
  /** The filter file's samples (made from its rules' patterns). */
  samples: FilterSample[];
  issues: Issue[];
  /** `journalmatch` of the default mode, for a journald source. */
  journalmatch: string[];
  /** Whether any fail2ban mode resolved at all. */
  resolved: boolean;
}

export interface FilterContext {
  /** The name the Sheriff filter gets (the fail2ban filter's, or FILTER-JAIL for a jail's variant). */
  name: string;
  jailOptions: Vars;
  /** `filter = NAME[…]` options besides mode. */
  initOptions: Vars;
  texts: ReadonlyMap<string, string>;
  /** The fail2ban directory, for the reference line. */
  dir: string;
  /** The place of a jail's own filter settings (failregex in jail.local), looked at first. */
  jailFiles?: readonly string[];
}

interface ModeRules {
  mode: string;
  patterns: { pattern: string; result: RuleResult; flags: ConnectionFlags }[];
  ignore: string[];
  resolved: ResolvedFilter;
}

export function importFilter(files: FilterFiles, ctx: FilterContext): FilterImport {
  const issues: Issue[] = [];
  const searchFiles = [...(ctx.jailFiles ?? []), ...files.config.files];
  const fallback = files.config.files.at(-1) ?? '';
  const issue = (
    kind: IssueKind,
    detail: string,
    at: { file: string; line: number } | undefined,
    probe = '',
    loss = true,
  ) => {
    const where = locate(ctx.texts, searchFiles, probe, at ?? { file: fallback, line: 0 });
    const key = `${kind}\n${where.file}:${where.line}\n${detail}`;
    if (!issues.some((i) => `${i.kind}\n${i.file}:${i.line}\n${i.detail}` === key))
      issues.push({
        file: where.file,
        line: where.line,
        subject: ctx.name,
        kind,
        detail,
        loss,
      });
  };
  const modes = files.modes();
  const perMode: ModeRules[] = [];
  for (const mode of modes.length > 0 ? modes : [null]) {
    const init = new Map(ctx.initOptions);
    if (mode !== null) init.set('mode', mode);
    let resolved: ResolvedFilter;
    try {
      resolved = files.resolve(ctx.jailOptions, init);
    } catch (err) {
      if (!(err instanceof InterpolationError || err instanceof TagError)) throw err;
      const at = err instanceof InterpolationError ? (err.at ?? undefined) : undefined;
      issue('config', `${mode ?? ''}: ${err.message}`, at);
      continue;
    }
    perMode.push(translateMode(mode ?? 'normal', resolved, ctx, issue));
  }
  const journalmatch = (perMode[0]?.resolved.values.journalmatch ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '');
  if (perMode.length === 0)
    return { filter: null, samples: [], issues, journalmatch, resolved: false };
  const first = perMode[0]!;
  const v = first.resolved.values;
  const places = first.resolved.places;
  const date = translateDatePattern(v.datepattern);
  if (date.kind === 'unsupported')
    issue('datepattern', date.pattern, places.datepattern, date.pattern.slice(0, 20));
  if (date.kind === 'defaultAnywhere')
    issue('dateContext', date.pattern, places.datepattern, date.pattern.slice(0, 20), false);
  if (Number(v.maxlines ?? '1') > 1)
    issue('multiline', `maxlines = ${v.maxlines}`, places.maxlines);
  for (const m of perMode.slice(1))
    if (m.ignore.join('\n') !== first.ignore.join('\n'))
      issue('ignoreByMode', m.mode, m.resolved.places.ignoreregex);
  const rules = mergeRules(perMode);
  const filter: ImportedFilter = {
    name: ctx.name,
    description: `fail2ban filter ${files.name}, imported`,
    references: [`fail2ban ${ctx.dir}/filter.d/${files.name}.conf (sheriff import fail2ban)`],
    origin: 'imported',
    modes: perMode.map((m) => m.mode),
    defaultMode: first.mode,
    matchOn: 'line',
    ...(perMode.some((m) => /<F-MLFID>/.test(m.resolved.values.prefregex ?? ''))
      ? { connections: true as const }
      : {}),
    ...(date.kind === 'formats'
      ? { timeFormats: date.formats }
      : { timeFormats: [...FAIL2BAN_DEFAULT_FORMATS] }),
    ignore: first.ignore,
    rules,
  };
  if (rules.length === 0)
    return { filter: null, samples: [], issues, journalmatch, resolved: true };
  // Every rule needs a sample for the loader; one that could not get one is named.
  const { samples, unsampled } = samplesFor(filter);
  for (const id of unsampled)
    issue(
      'unsampled',
      id,
      places.failregex,
      probeOf(rules.find((r) => r.id === id)!.pattern),
      false,
    );
  return { filter, samples, issues, journalmatch, resolved: true };
}

type IssueFn = (
  kind: IssueKind,
  detail: string,
  at: { file: string; line: number } | undefined,
  probe?: string,
) => void;

/** A window of a resolved regex likely to appear verbatim in the file (its tail, past interpolations). */
function probeOf(line: string): string {
  const tail = line.trim().slice(-40);
  return tail.length >= 12 ? tail : line.trim();
}

function translateMode(
  mode: string,
  resolved: ResolvedFilter,
  ctx: FilterContext,
  issue: IssueFn,
): ModeRules {
  const v = resolved.values;
  const useDns = ctx.jailOptions.get('usedns') ?? v.usedns ?? 'warn';
  const prefText = v.prefregex?.trim() ?? '';
  const mlfid = /<F-MLFID>/.test(prefText);
  const translate = (line: string, kind: 'failregex' | 'ignoreregex') => {
    const at = resolved.places[kind];
    const probe = probeOf(line);
    const tags = resolveTags(line, useDns);
    // fail2ban merges prefregex's groups under the failregex's: the failregex's address wins.
    const pref =
      prefText === ''
        ? null
        : resolveTags(prefText, useDns, tags.use.hasHost ? 'pref_host' : 'host');
    let pattern = tags.pattern;
    if (pref !== null) {
      try {
        pattern = joinPrefix(pref.pattern, pattern);
      } catch (err) {
        if (!(err instanceof PrefRegexError)) throw err;
        issue('prefregex', err.message, resolved.places.prefregex);
        return null;
      }
    }
    const hostUse = tags.use.hasHost ? tags.use : (pref?.use ?? tags.use);
    if (/(?<!\\)(?:\\\\)*\\Z/.test(line)) issue('endAnchor', '\\Z', at, probe);
    if (kind === 'failregex') {
      const unsupported = [...tags.use.unsupported, ...(pref?.use.unsupported ?? [])];
      for (const u of unsupported) issue('failureId', u, at, probe);
      // With a multi-line id, a line without an address is a failure of the connection:
      // Sheriff counts it when a later line of the same process tells the address.
      if (!hostUse.hasHost && !mlfid) {
        // A failure id that is no address (<F-ID>) is reported as such, once.
        if (unsupported.length === 0) issue('noHost', line.trim().slice(0, 80), at, probe);
        return null;
      }
      if (tags.use.multiline.includes('<SKIPLINES>')) issue('multiline', '<SKIPLINES>', at, probe);
      else if (tags.use.multiline.length > 0 && !mlfid)
        issue('multiline', tags.use.multiline.join(' '), at, probe);
    }
    const nofail = mlfid && tags.use.nofail;
    try {
      const t = translatePattern(pattern, [...(nofail ? ['nofail'] : []), ...hostUse.extraHosts]);
      const out: { source: string; result: RuleResult; flags: ConnectionFlags }[] = [];
      const flags: ConnectionFlags = mlfid && tags.use.forget ? { ends: true } : {};
      for (const p of t.patterns) {
        // The address group that takes part in this variant is the one the engine reads.
        const other = hostUse.extraHosts.filter((h) => p.took[h] === true);
        let source = p.source;
        if (other.length > 0) {
          source = source.replace('(?<host>', '(?:').replace(`(?<${other[0]!}>`, '(?<host>');
          if (other.length > 1) issue('failureId', 'two addresses', at, probe);
        }
        const result =
          mlfid && tags.use.gained ? 'success' : p.took.nofail === true ? 'nofail' : 'fail';
        const names = /\(\?<(?:user|ruser)>/.test(source);
        out.push({
          source,
          result,
          flags:
            result === 'nofail' && names ? { ...flags, pending: true, distinctUsers: true } : flags,
        });
      }
      return out;
    } catch (err) {
      if (!(err instanceof PyRegexError)) throw err;
      issue('regex', err.message, at, probe);
      return null;
    }
  };
  const patterns: ModeRules['patterns'] = [];
  for (const line of (v.failregex ?? '').split('\n')) {
    if (line.trim() === '') continue;
    for (const p of translate(line, 'failregex') ?? [])
      patterns.push({ pattern: p.source, result: p.result, flags: p.flags });
  }
  const ignore: string[] = [];
  for (const line of (v.ignoreregex ?? '').split('\n')) {
    if (line.trim() === '') continue;
    ignore.push(...(translate(line, 'ignoreregex') ?? []).map((p) => p.source));
  }
  return { mode, patterns, ignore, resolved };
}

/**
 * One rule list for every mode, each mode's rules in its own order (fail2ban tries
 * failregex lines in order); a pattern shared by modes is one rule with a per-mode result.
 */
function mergeRules(perMode: readonly ModeRules[]): ImportedRule[] {
  const order: { pattern: string; results: Map<string, RuleResult>; flags: ConnectionFlags }[] = [];
  for (const m of perMode) {
    let after = -1;
    for (const p of m.patterns) {
      let idx = order.findIndex(
        (o, i) => i > after && o.pattern === p.pattern && !o.results.has(m.mode),
      );
      if (idx < 0) {
        idx = after + 1;
        order.splice(idx, 0, { pattern: p.pattern, results: new Map(), flags: p.flags });
      }
      order[idx]!.results.set(m.mode, p.result);
      after = idx;
    }
  }
  const all = perMode.map((m) => m.mode);
  return order.map((o, i) => {
    const values = [...o.results.values()];
    const same = o.results.size === all.length && values.every((r) => r === values[0]);
    return {
      id: `failregex-${i + 1}`,
      pattern: o.pattern,
      result: same ? values[0]! : Object.fromEntries(o.results),
      ...o.flags,
    };
  });
}
