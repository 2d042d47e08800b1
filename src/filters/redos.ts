/**
 * Super-linear backtracking (ReDoS) checks of filter regexes with recheck,
 * which decides by automata theory (falling back to fuzzing) whether some input
 * makes a regex take polynomial or exponential time. Every built-in filter is
 * checked by a test; a filter loaded from a file can be checked the same way
 * before it runs. recheck is loaded only when a check is made.
 */
import type { FilterSpec } from './spec.js';
import { filterRegexes } from './engine.js';

export interface RedosVerdict {
  /** The rule id (or `messagePrefix`) whose regex this is. */
  rule: string;
  source: string;
  flags: string;
  status: 'safe' | 'vulnerable' | 'unknown';
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
  const base = { rule, source: re.source, flags };
  if (d.status === 'safe') return { ...base, status: 'safe', detail: d.complexity.summary };
  if (d.status === 'vulnerable')
    return {
      ...base,
      status: 'vulnerable',
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
