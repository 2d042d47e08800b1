/**
 * Super-linear backtracking (ReDoS) checks of filter regexes with recheck,
 * which decides by automata theory (falling back to fuzzing) whether some input
 * makes a regex take polynomial or exponential time. Every built-in filter is
 * checked by a test; a user's filter file is checked by `sheriff config check` and
 * `sheriff test-filter --spec`. recheck is loaded only when a check is made.
 */
import type { Problem } from '../config/yaml-problems.js';
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

/** Every regex of a filter checked; the ones not proven safe are returned. */
export async function unsafeRegexes(spec: FilterSpec, timeoutMs?: number): Promise<RedosVerdict[]> {
  const verdicts: RedosVerdict[] = [];
  // One at a time: recheck's checks are CPU-bound and run beside the caller.
  for (const { rule, re } of filterRegexes(spec))
    verdicts.push(await checkRegex(rule, re, timeoutMs));
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
 * the rule's line (the file's when the regex is not a rule's). recheck is a
 * development dependency: where it is not installed, `null` says nothing was checked.
 */
export async function checkFilterRedos(
  filter: LoadedFilter,
  timeoutMs = 10_000,
): Promise<RedosReport | null> {
  try {
    await import('recheck');
  } catch {
    return null;
  }
  const report: RedosReport = { vulnerable: [], undecided: [] };
  for (const v of await unsafeRegexes(filter.spec, timeoutMs)) {
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
