/**
 * Samples for an imported filter file. fail2ban filters carry none, and a filter
 * file needs a sample per rule and one line it leaves alone: each rule gets a
 * line made from its own pattern (the shortest text it matches, after a time in
 * the filter's first format), kept only when the engine reads it back as that
 * rule with that result. The file says these lines are generated.
 */
import { runSamples, SAMPLE_NOW, type Sample } from '../../filters/samples.js';
import type { FilterSpec, RuleResult } from '../../filters/spec.js';
import { exampleOf } from './pyregex.js';
import type { ImportedFilter } from './translate.js';
import { NONE_SAMPLE, type FilterSample } from './write.js';

/** Ways to make a rule's text, tried in turn: the shortest first. */
const CHOICES = [
  {},
  { once: true },
  { lastAlternative: true },
  { lastAlternative: true, once: true },
];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** A time an hour before the samples' "now", written in a strftime format. */
function render(format: string): string {
  const d = new Date(SAMPLE_NOW - 3_600_000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const v: Record<string, string> = {
    Y: String(d.getUTCFullYear()),
    y: p2(d.getUTCFullYear() % 100),
    m: p2(d.getUTCMonth() + 1),
    d: p2(d.getUTCDate()),
    e: String(d.getUTCDate()).padStart(2, ' '),
    H: p2(d.getUTCHours()),
    k: String(d.getUTCHours()).padStart(2, ' '),
    I: p2(d.getUTCHours() % 12 || 12),
    l: String(d.getUTCHours() % 12 || 12).padStart(2, ' '),
    M: p2(d.getUTCMinutes()),
    S: p2(d.getUTCSeconds()),
    f: '000',
    p: d.getUTCHours() < 12 ? 'AM' : 'PM',
    b: MONTHS[d.getUTCMonth()]!,
    h: MONTHS[d.getUTCMonth()]!,
    B: MONTHS[d.getUTCMonth()]!,
    a: 'Wed',
    A: 'Wednesday',
    j: '329',
    z: '+0000',
    Z: 'UTC',
    s: String(Math.floor(d.getTime() / 1000)),
    T: `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
    F: d.toISOString().slice(0, 10),
    R: `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`,
    '%': '%',
  };
  return format.replace(/^\^/, '').replace(/%([A-Za-z%])/g, (_, c: string) => v[c] ?? '');
}

function specOf(filter: ImportedFilter): FilterSpec {
  return {
    name: filter.name,
    description: filter.description,
    programs: null,
    modes: filter.modes,
    defaultMode: filter.defaultMode,
    matchOn: 'line',
    ...(filter.timeFormats === undefined ? {} : { timeFormats: filter.timeFormats }),
    ...(filter.connections === undefined ? {} : { connections: true }),
    ...(filter.ignore.length === 0 ? {} : { ignore: filter.ignore }),
    rules: filter.rules,
  };
}

function asSample(s: FilterSample, i: number): Sample {
  return {
    at: i,
    text: s.line,
    modes: s.mode ?? [],
    expect: {
      result: s.result,
      ...(s.address === undefined ? {} : { address: s.address }),
      ...(s.rule === undefined ? {} : { rule: s.rule }),
    },
  };
}

/**
 * The samples, and the rules no made line reads back as (an earlier rule takes every
 * text tried, as it would in fail2ban, which also tries rules in order).
 */
export function samplesFor(filter: ImportedFilter): {
  samples: FilterSample[];
  unsampled: string[];
} {
  const spec = specOf(filter);
  const time = render(filter.timeFormats?.[0] ?? '%b %e %H:%M:%S');
  const out: FilterSample[] = [{ line: NONE_SAMPLE, result: 'none', mode: [...filter.modes] }];
  const unsampled: string[] = [];
  for (const rule of filter.rules) {
    const results = typeof rule.result === 'string' ? null : rule.result;
    const modes = results === null ? [...filter.modes] : Object.keys(results);
    const mode = modes[0]!;
    const result: RuleResult = results === null ? (rule.result as RuleResult) : results[mode]!;
    const found = CHOICES.map((c) => exampleOf(rule.pattern, c))
      .filter((t) => t !== null)
      .flatMap((t) => [`${time} ${t}`, `${time}${t}`])
      .map((line): FilterSample => ({ line, result, rule: rule.id, mode: [mode] }))
      .find((sample) => {
        // The line must read back as this rule (an earlier rule may take it first).
        const [check] = runSamples(spec, [asSample(sample, 0)]);
        if (check === undefined || check.problems.length > 0 || check.event === null) return false;
        if (check.event.ip !== null) sample.address = check.event.ip;
        return true;
      });
    if (found !== undefined) out.push(found);
    else unsampled.push(rule.id);
  }
  // Together, in file order (connection state carries over): keep those that still pass.
  const checks = runSamples(spec, out.map(asSample));
  const failing = new Set(checks.filter((c) => c.problems.length > 0).map((c) => c.sample.at));
  return { samples: out.filter((_, i) => !failing.has(i)), unsampled };
}
