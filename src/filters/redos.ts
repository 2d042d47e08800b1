/**
 * Super-linear backtracking (ReDoS) checks of filter regexes with recheck,
 * which decides by automata theory (falling back to fuzzing) whether some input
 * makes a regex take polynomial or exponential time. Every built-in filter is
 * checked by a test; a user's or an imported filter file by `sheriff config check`,
 * `sheriff test-filter --spec` and the daemon's start and reload, for the jails that use
 * it. recheck is loaded only when a check is made.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Problem } from '../config/errors.js';
import { filterRegexes } from './engine.js';
import type { LoadedFilter } from './load.js';
import type { FilterSpec } from './spec.js';

export interface RedosVerdict {
  /** The rule id (or `messagePrefix`) whose regex this is. */
  rule: string;
  source: string;
  flags: string;
  status: 'safe' | 'vulnerable' | 'unknown';
  /** A vulnerable regex's worst case is exponential (not merely polynomial). */
  exponential: boolean;
  /** What recheck found: the complexity and an attack string, or why it could not decide. */
  detail: string;
}

/** Whether `re` can backtrack super-linearly, as recheck decides within `timeoutMs` (else `unknown`). */
export async function checkRegex(
  rule: string,
  re: RegExp,
  timeoutMs = 30_000,
): Promise<RedosVerdict> {
  const { check } = await import('recheck');
  // recheck's fuzzer also stops its steps by wall-clock time; on a loaded machine that turns
  // slow steps into false alarms. Step counts alone (with its fixed seed) give the same
  // verdict on every machine; `timeoutMs` still bounds the whole check.
  // `d` (match indices) changes no match, and recheck does not know the flag.
  const flags = re.flags.replace('d', '');
  const d = await check(re.source, flags, {
    timeout: timeoutMs,
    attackTimeout: null,
    incubationTimeout: null,
    seedingTimeout: null,
  });
  const base = { rule, source: re.source, flags, exponential: false };
  if (d.status === 'safe') return { ...base, status: 'safe', detail: d.complexity.summary };
  if (d.status === 'vulnerable')
    return {
      ...base,
      status: 'vulnerable',
      exponential: d.complexity.type === 'exponential',
      detail: `${d.complexity.summary}; attack: ${d.attack.pattern}`,
    };
  return { ...base, status: 'unknown', detail: d.error.kind };
}

/**
 * Decided verdicts by regex (sha256 of flags and source), kept in a file beside the store by
 * the daemon, so its start and reload only check regexes that changed. An undecided check
 * is not kept (the next load tries again).
 */
export class RedosVerdictFile {
  private readonly verdicts: Map<string, Pick<RedosVerdict, 'status' | 'exponential' | 'detail'>>;
  private changed = false;

  /** `writable: false` reads the verdicts a daemon kept and adds none (`sheriff config check`). */
  constructor(
    private readonly path: string,
    private readonly writable = true,
  ) {
    this.verdicts = new Map();
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(data)) {
        const d = v as Partial<RedosVerdict>;
        if ((d.status === 'safe' || d.status === 'vulnerable') && typeof d.detail === 'string')
          this.verdicts.set(k, {
            status: d.status,
            exponential: d.exponential === true,
            detail: d.detail,
          });
      }
    } catch {
      // Missing or unreadable: every regex is checked again, nothing is lost.
    }
  }

  static key(re: RegExp): string {
    return createHash('sha256').update(`${re.flags}/${re.source}`).digest('hex');
  }

  get(rule: string, re: RegExp): RedosVerdict | undefined {
    const v = this.verdicts.get(RedosVerdictFile.key(re));
    return v === undefined ? undefined : { rule, source: re.source, flags: re.flags, ...v };
  }

  set(v: RedosVerdict, re: RegExp): void {
    if (v.status === 'unknown') return;
    this.verdicts.set(RedosVerdictFile.key(re), {
      status: v.status,
      exponential: v.exponential,
      detail: v.detail,
    });
    this.changed = true;
  }

  /** Written whole and renamed into place; a directory it cannot write to is no error. */
  save(): void {
    if (!this.changed || !this.writable) return;
    try {
      writeFileSync(`${this.path}.tmp`, JSON.stringify(Object.fromEntries(this.verdicts)));
      renameSync(`${this.path}.tmp`, this.path);
      this.changed = false;
    } catch {
      // A read-only state directory: the checks are made again next time.
    }
  }
}

/** Every regex of a filter checked; the ones not proven safe are returned. */
export async function unsafeRegexes(
  spec: FilterSpec,
  timeoutMs?: number,
  cache?: RedosVerdictFile,
): Promise<RedosVerdict[]> {
  const verdicts: RedosVerdict[] = [];
  // One at a time: recheck's checks are CPU-bound and run beside the caller.
  for (const { rule, re } of filterRegexes(spec)) {
    let v = cache?.get(rule, re);
    if (v === undefined) {
      v = await checkRegex(rule, re, timeoutMs);
      cache?.set(v, re);
    }
    verdicts.push(v);
  }
  cache?.save();
  return verdicts.filter((v) => v.status !== 'safe');
}

/** What the check of a loaded filter found, placed at each rule's line. */
export interface RedosReport {
  /** Regexes recheck shows can backtrack catastrophically: the filter is refused. */
  vulnerable: Problem[];
  /**
   * Regexes it could not decide in time (lookbehinds, a loaded machine), and an imported
   * filter's polynomial ones (fail2ban's own regexes, run the same way there): a warning.
   */
  undecided: Problem[];
}

/**
 * A loaded filter's regexes that recheck does not prove safe, as problems placed at
 * the rule's line (the file's when the regex is not a rule's). Where recheck is not
 * installed (a build without it), `null` says nothing was checked.
 */
export async function checkFilterRedos(
  filter: LoadedFilter,
  timeoutMs = 10_000,
  cache?: RedosVerdictFile,
): Promise<RedosReport | null> {
  try {
    await import('recheck');
  } catch {
    return null;
  }
  const report: RedosReport = { vulnerable: [], undecided: [] };
  for (const v of await unsafeRegexes(filter.spec, timeoutMs, cache)) {
    const id = v.rule.replace(/ \(lazy\)$/, '');
    const at = filter.ruleAt.get(id) ?? filter.path;
    const where = filter.ruleAt.has(id) ? `rules.${id}` : v.rule;
    // Sheriff's own and the admin's filters must be linear; an imported filter keeps
    // fail2ban's regexes, refused only when exponential (the message cap bounds the rest).
    const tolerated = v.status === 'vulnerable' && !v.exponential && filter.origin === 'imported';
    const vulnerable = v.status === 'vulnerable' && !tolerated;
    const key = vulnerable
      ? 'filterFile.error.redos'
      : tolerated
        ? 'filterFile.error.redosImported'
        : 'filterFile.error.redosUnknown';
    (vulnerable ? report.vulnerable : report.undecided).push(
      (t) => `${at}: ${where}: ${t(key, { detail: v.detail })}`,
    );
  }
  return report;
}
