/**
 * The regex floor: the least any JavaScript sshd filter must do. It reads and splits
 * the file as the floor does (floor.ts), takes each line's message to start after the
 * first ": " (a naive header skip: no time, host or pid read), and on sshd's messages
 * runs only the regexes Sheriff's engine would run: the filter's message prefix
 * skipped, the rules chosen by their leading literal (the engine's own dispatch.ts),
 * each sticky at the message start until one matches. No header parsing, no state, no
 * events, no counting per rule. A bar this alone misses, no JavaScript design meets.
 *
 * `node dist/bench/regex-floor.js PLAN FILE [--passes N]`. PLAN holds the regexes as
 * the engine compiles them (`writeRegexPlan`, run by the bench beforehand), so this
 * process loads nothing of Sheriff's but dispatch.js. `--passes N` reads the file N
 * times and prints each pass's CPU time: the later passes are the warm cost a line.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LeadingDispatch, PrefixSkipper } from '../filters/dispatch.js';
import { eachLine, isMain } from './floor.js';

/** What a filter's mode runs on a message, as data. */
export interface RegexPlan {
  filter: string;
  mode: string;
  /** The programs whose lines it reads (null: every line). */
  programs: string[] | null;
  messagePrefix: string | null;
  rules: { id: string; source: string; flags: string; literals: string[] }[];
}

/** Writes the plan of a built-in filter's default mode to `path`. */
export async function writeRegexPlan(path: string, filter = 'sshd'): Promise<RegexPlan> {
  const [{ findFilter }, { messageRules }] = await Promise.all([
    import('../filters/registry.js'),
    import('../filters/engine.js'),
  ]);
  const spec = findFilter(filter);
  if (spec === undefined) throw new Error(`no built-in filter ${filter}`);
  const plan: RegexPlan = {
    filter,
    mode: spec.defaultMode,
    programs: spec.programs === null ? null : [...spec.programs],
    messagePrefix: spec.messagePrefix ?? null,
    rules: messageRules(spec, spec.defaultMode).map((r) => ({
      id: r.id,
      source: r.re.source,
      flags: r.re.flags,
      literals: r.literals,
    })),
  };
  if (plan.programs?.some((p) => p.endsWith('*')))
    throw new Error(`${filter}: program patterns are not supported by the regex floor`);
  await writeFile(path, JSON.stringify(plan));
  return plan;
}

export interface RegexFloorCounts {
  lines: number;
  /** Lines whose tag names one of the plan's programs. */
  messages: number;
  /** Messages some rule matched. */
  matched: number;
}

/** A line handler that does the regex floor's work on each line, and its counts. */
export function regexFloor(plan: RegexPlan): {
  line: (text: string) => void;
  counts: RegexFloorCounts;
} {
  const dispatch = new LeadingDispatch(
    plan.rules.map((r) => ({ literals: r.literals, value: new RegExp(r.source, r.flags) })),
  );
  const prefix = plan.messagePrefix === null ? null : new PrefixSkipper(plan.messagePrefix);
  const programs = plan.programs;
  const counts: RegexFloorCounts = { lines: 0, messages: 0, matched: 0 };
  const line = (text: string) => {
    counts.lines++;
    const colon = text.indexOf(': ');
    if (colon === -1) return;
    if (programs !== null && !tagNames(text, text.lastIndexOf(' ', colon - 1) + 1, programs))
      return;
    counts.messages++;
    const start = prefix === null ? colon + 2 : prefix.skip(text, colon + 2);
    for (const re of dispatch.candidates(text, start)) {
      re.lastIndex = start;
      if (re.exec(text) !== null) {
        counts.matched++;
        return;
      }
    }
  };
  return { line, counts };
}

/** Whether the tag at `at` ("sshd[42]:", "sshd-session[42]:", "sshd:") names one of `programs`. */
function tagNames(text: string, at: number, programs: readonly string[]): boolean {
  for (const p of programs) {
    if (!text.startsWith(p, at)) continue;
    const after = text.charCodeAt(at + p.length);
    if (after === 91 /* [ */ || after === 58 /* : */) return true;
  }
  return false;
}

if (isMain(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { passes: { type: 'string', default: '1' } },
  });
  const [planPath, file] = positionals;
  const passes = Number(values.passes);
  if (file === undefined || !(passes >= 1)) {
    process.stderr.write('usage: node dist/bench/regex-floor.js PLAN FILE [--passes N]\n');
    process.exit(2);
  }
  const plan = JSON.parse(readFileSync(planPath!, 'utf8')) as RegexPlan;
  const { line, counts } = regexFloor(plan);
  for (let pass = 1; pass <= passes; pass++) {
    counts.lines = counts.messages = counts.matched = 0;
    const cpu = process.cpuUsage();
    await eachLine(file, line);
    const used = process.cpuUsage(cpu);
    const µs = used.user + used.system;
    if (passes > 1)
      process.stderr.write(
        `pass ${pass}: ${(µs / 1000).toFixed(1)} ms CPU, ${(µs / counts.lines).toFixed(3)} µs a line\n`,
      );
  }
  process.stdout.write(
    `${counts.lines} lines, ${counts.messages} ${plan.filter} messages, ${counts.matched} matched\n`,
  );
}
