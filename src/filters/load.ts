/**
 * Reads one filter file into the FilterSpec the engine runs. Everything wrong
 * with it is reported at once, as `file:line: path: message` (ConfigError, exit
 * status 2): YAML syntax, the schema, fragments (`defs`) that are unknown or
 * refer to each other in a loop, modes, patterns the engine cannot compile,
 * and, when asked, samples that fail or rules without one.
 */
import { basename } from 'node:path';
import {
  lineOf,
  problemAt,
  readYaml,
  schemaProblems,
  type YamlFile,
} from '../config/yaml-problems.js';
import { configError, type Problem } from '../config/errors.js';
import { filterRegexes } from './engine.js';
import { filterFileSchema, type FilterFile } from './file-schema.js';
import { runSamples, type Sample, type SampleExpectation } from './samples.js';
import type { FilterSpec, RuleSpec } from './spec.js';
import { compileTimeFormat, TimeFormatError } from '../parse/strftime.js';

/** Where a filter comes from: shipped with Sheriff, written by the admin, or by `sheriff import fail2ban`. */
export type FilterOrigin = 'built-in' | 'user' | 'imported';

export interface LoadedFilter {
  spec: FilterSpec;
  path: string;
  origin: FilterOrigin;
  references: readonly string[];
  samples: readonly Sample[];
  fail2ban: { logs: readonly string[]; differences: Readonly<Record<string, string>> } | null;
  /** "file:line" of each rule's pattern (an included rule's in its own file). */
  ruleAt: ReadonlyMap<string, string>;
  /** The filters whose rules it takes (`include:`, and those they include), by name. */
  includes: readonly string[];
}

export interface LoadOptions {
  origin: 'built-in' | 'user';
  /**
   * Compile every pattern and run the samples, refusing the filter when one fails
   * (user filters). The built-ins' are checked by the test suite, and skipping them
   * keeps start-up fast.
   */
  checkSamples: boolean;
  /** Read the samples only when asked for (built-ins at start-up; never with `checkSamples`). */
  lazySamples?: boolean;
  /** Another filter by name, for `include:`; `chain` is the includes being read, for loops. */
  include: (name: string, chain: readonly string[]) => LoadedFilter | undefined;
  chain?: readonly string[];
}

/** A `{NAME}` fragment reference; `\{` is a literal brace. */
const REF = /(?<!\\)\{([A-Z][A-Z0-9_]*)\}/g;

/**
 * Reads `text`, the contents of `path`; throws ConfigError listing every problem.
 * With `lazySamples` the samples are read when first asked for.
 */
export function parseFilterFile(text: string, path: string, options: LoadOptions): LoadedFilter {
  if (options.lazySamples !== true) return readFilter(text, path, options);
  const filter = readFilter(withoutSamples(text), path, options);
  let samples: readonly Sample[] | undefined;
  return Object.defineProperty(filter, 'samples', {
    get: () => (samples ??= readSamples(text, path, options)),
    enumerable: true,
  });
}

/** The samples of the filter file `text`, for a filter read with `lazySamples`. */
function readSamples(text: string, path: string, options: LoadOptions): readonly Sample[] {
  return readFilter(text, path, { ...options, lazySamples: false }).samples;
}

/**
 * `text` with its top-level `samples:` block blanked, lines kept (so every line
 * number still holds): what the engine runs needs no samples, and they are most of
 * a file's text, so of the time reading it takes.
 */
function withoutSamples(text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^samples\s*:/.test(l));
  if (start < 0) return text;
  let end = start + 1;
  // The block ends at the next top-level key (a sequence may start in column 0).
  while (end < lines.length && !/^[^\s#-]/.test(lines[end]!)) end++;
  return [
    ...lines.slice(0, start),
    ...lines.slice(start, end).map(() => ''),
    ...lines.slice(end),
  ].join('\n');
}

function readFilter(text: string, path: string, options: LoadOptions): LoadedFilter {
  const name = basename(path).replace(/\.ya?ml$/, '');
  const { file, problems } = readYaml(text, path);
  if (problems.length > 0) throw configError(problems, undefined);
  const raw: unknown = file.doc.toJS();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw configError([(t) => `${path}:1: ${t('filterFile.error.notAFilter')}`], undefined);
  // Checked once: zod's compiled fast path costs more than it saves (app/parse-config.ts).
  const parsed = filterFileSchema.safeParse(raw, { reportInput: true, jitless: true });
  if (!parsed.success) throw configError(schemaProblems(file, parsed.error.issues), undefined);
  return new FilterReader(file, parsed.data, name, options).read();
}

class FilterReader {
  private readonly problems: Problem[] = [];
  private readonly defs = new Map<string, string>();

  constructor(
    private readonly file: YamlFile,
    private readonly data: FilterFile,
    private readonly name: string,
    private readonly options: LoadOptions,
  ) {}

  private problem(path: (string | number)[], message: Problem): void {
    this.problems.push(problemAt(this.file, path.map(String), message));
  }

  private at(path: (string | number)[]): string {
    return `${this.file.name}:${lineOf(this.file, path.map(String)) ?? 1}`;
  }

  read(): LoadedFilter {
    const d = this.data;
    if (d.name !== this.name)
      this.problem(['name'], (t) =>
        t('filterFile.error.name', { expected: this.name, got: JSON.stringify(d.name) }),
      );
    this.expandDefs();
    const modes = d.modes;
    const defaultMode = d.defaultMode ?? modes[0]!;
    const modeList = modes.join(', ');
    if (!modes.includes(defaultMode))
      this.problem(['defaultMode'], (t) =>
        t('filterFile.error.defaultMode', { list: modeList, got: defaultMode }),
      );
    const rules = this.rules(modes);
    const spec: FilterSpec = {
      name: d.name,
      description: d.description,
      programs: d.programs,
      modes,
      defaultMode,
      rules,
      ...(d.maxMessageLength === undefined ? {} : { maxMessageLength: d.maxMessageLength }),
      ...(d.messagePrefix === undefined
        ? {}
        : { messagePrefix: this.expand(d.messagePrefix, ['messagePrefix']) }),
      ...(d.connections === undefined ? {} : { connections: d.connections }),
      ...(d.ignore.length === 0
        ? {}
        : { ignore: d.ignore.map((p, i) => this.expand(p, ['ignore', i])) }),
      ...(d.lineFormat === undefined
        ? {}
        : {
            lineFormat: {
              pattern: this.expand(d.lineFormat.pattern, ['lineFormat', 'pattern']),
              ...(d.lineFormat.time === undefined ? {} : { time: d.lineFormat.time }),
            },
          }),
      ...(d.matchOn === 'line' ? { matchOn: 'line' as const } : {}),
      ...(d.timeFormats === undefined ? {} : { timeFormats: d.timeFormats }),
    };
    this.checkTimeFormats();
    if (this.problems.length === 0 && this.options.checkSamples) this.checkCompiles(spec);
    const samples = this.samples(modes, defaultMode, rules);
    if (samples.length === 0 && this.options.lazySamples !== true)
      this.problem(['samples'], (t) => t('config.error.required'));
    if (this.problems.length === 0 && this.options.checkSamples)
      this.checkSamples(spec, samples, (d.origin ?? this.options.origin) === 'imported');
    if (this.problems.length > 0) throw configError(this.problems, undefined);
    return {
      spec,
      path: this.file.name,
      origin: d.origin ?? this.options.origin,
      references: d.references,
      samples,
      fail2ban: d.fail2ban ?? null,
      ruleAt: this.ruleAt,
      includes: [...this.includes],
    };
  }

  private readonly ruleAt = new Map<string, string>();
  private readonly includes = new Set<string>();

  /** Every fragment with its own references filled in; loops and unknown names are problems. */
  private expandDefs(): void {
    const raw = this.data.defs;
    if ('HOST' in raw) this.problem(['defs', 'HOST'], (t) => t('filterFile.error.hostDef'));
    const failed = new Set<string>();
    const resolve = (name: string, chain: string[]): string | null => {
      const done = this.defs.get(name);
      if (done !== undefined) return done;
      if (failed.has(name)) return null;
      if (chain.includes(name)) {
        const loop = chain.slice(chain.indexOf(name));
        const cycle = [...loop, name].join(' → ');
        // Reported once, at the fragment the loop was entered by; its members fail quietly.
        this.problem(['defs', name], (t) => t('filterFile.error.defCycle', { cycle }));
        for (const member of loop) failed.add(member);
        return null;
      }
      let broken = false;
      const value = raw[name]!.replace(REF, (whole, ref: string) => {
        if (ref === 'HOST') return whole;
        if (!(ref in raw)) {
          this.problem(['defs', name], (t) => t('filterFile.error.unknownDef', { def: whole }));
          broken = true;
          return whole;
        }
        const inner = resolve(ref, [...chain, name]);
        if (inner === null) broken = true;
        return inner ?? whole;
      });
      if (broken) {
        failed.add(name);
        return null;
      }
      this.defs.set(name, value);
      return value;
    };
    for (const name of Object.keys(raw)) if (name !== 'HOST') resolve(name, []);
  }

  /** `text` with its fragments filled in ({HOST} stays for the engine). */
  private expand(text: string, path: (string | number)[]): string {
    return text.replace(REF, (whole, ref: string) => {
      if (ref === 'HOST') return whole;
      const value = this.defs.get(ref);
      if (value !== undefined) return value;
      // A fragment that failed to expand has its own problem already.
      if (!(ref in this.data.defs))
        this.problem(path, (t) => t('filterFile.error.unknownDef', { def: whole }));
      return whole;
    });
  }

  private rules(modes: readonly string[]): RuleSpec[] {
    const out: RuleSpec[] = [];
    const seen = new Set<string>();
    const add = (rule: RuleSpec, path: (string | number)[], at: string) => {
      if (seen.has(rule.id))
        this.problem(path, (t) => t('filterFile.error.duplicateRule', { got: rule.id }));
      seen.add(rule.id);
      this.ruleAt.set(rule.id, at);
      out.push(rule);
    };
    this.data.rules.forEach((entry, i) => {
      if ('include' in entry) {
        const chain = [...(this.options.chain ?? []), this.name];
        if (chain.includes(entry.include)) {
          const cycle = [...chain.slice(chain.indexOf(entry.include)), entry.include].join(' → ');
          this.problem(['rules', i, 'include'], (t) =>
            t('filterFile.error.includeCycle', { cycle }),
          );
          return;
        }
        const other = this.options.include(entry.include, chain);
        if (other === undefined) {
          this.problem(['rules', i, 'include'], (t) =>
            t('filterFile.error.include', { got: entry.include }),
          );
          return;
        }
        this.includes.add(entry.include);
        for (const name of other.includes) this.includes.add(name);
        for (const rule of other.spec.rules)
          add(rule, ['rules', i, 'include'], other.ruleAt.get(rule.id) ?? other.path);
        return;
      }
      const { pattern, result, ...flags } = entry;
      if (typeof result !== 'string')
        for (const mode of Object.keys(result))
          if (!modes.includes(mode))
            this.problem(['rules', i, 'result', mode], (t) =>
              t('filterFile.error.unknownMode', { list: modes.join(', '), got: mode }),
            );
      add(
        { ...flags, pattern: this.expand(pattern, ['rules', i, 'pattern']), result },
        ['rules', i, 'id'],
        this.at(['rules', i, 'pattern']),
      );
    });
    return out;
  }

  private checkTimeFormats(): void {
    const check = (format: string, path: (string | number)[]) => {
      try {
        compileTimeFormat(format);
      } catch (err) {
        if (!(err instanceof TimeFormatError)) throw err;
        this.problem(path, (t) => t('filterFile.error.timeFormat', { reason: err.message }));
      }
    };
    this.data.lineFormat?.time?.forEach((f, i) => check(f, ['lineFormat', 'time', i]));
    this.data.timeFormats?.forEach((f, i) => check(f, ['timeFormats', i]));
  }

  /** Each pattern as the engine compiles it, so a bad one is named with its line. */
  private checkCompiles(spec: FilterSpec): void {
    const tryRegex = (source: string, path: (string | number)[]) => {
      try {
        new RegExp(source);
      } catch (err) {
        const reason = (err as Error).message;
        this.problem(path, (t) => t('filterFile.error.pattern', { reason }));
      }
    };
    if (spec.messagePrefix !== undefined) tryRegex(spec.messagePrefix, ['messagePrefix']);
    spec.ignore?.forEach((p, i) => tryRegex(p, ['ignore', i]));
    if (spec.lineFormat !== undefined) tryRegex(spec.lineFormat.pattern, ['lineFormat', 'pattern']);
    this.data.rules.forEach((entry, i) => {
      if ('include' in entry) return;
      const rule = spec.rules.find((r) => r.id === entry.id)!;
      try {
        filterRegexes({ ...spec, rules: [rule] });
      } catch (err) {
        // The engine's message starts with the filter and rule, which the path already says.
        const reason = (err as Error).message.replace(
          /^[^:]*: rule [^:]*: (?:invalid pattern: )?/,
          '',
        );
        this.problem(['rules', i, 'pattern'], (t) => t('filterFile.error.pattern', { reason }));
      }
    });
  }

  private samples(modes: readonly string[], defaultMode: string, rules: RuleSpec[]): Sample[] {
    const ids = new Set(rules.map((r) => r.id));
    return this.data.samples.map((s, i): Sample => {
      const sampleModes = s.mode ?? [defaultMode];
      for (const mode of s.mode ?? [])
        if (!modes.includes(mode))
          this.problem(['samples', i, 'mode'], (t) =>
            t('filterFile.error.unknownMode', { list: modes.join(', '), got: mode }),
          );
      if (typeof s.rule === 'string' && !ids.has(s.rule))
        this.problem(['samples', i, 'rule'], (t) =>
          t('filterFile.error.unknownRule', { got: String(s.rule) }),
        );
      const expect: SampleExpectation = { result: s.result };
      for (const key of ['address', 'host', 'user', 'rule'] as const)
        if (s[key] !== undefined) expect[key] = s[key];
      if (s.injection !== undefined) expect.injection = s.injection;
      return {
        at: lineOf(this.file, ['samples', String(i), 'line']) ?? 0,
        text: s.line,
        modes: sampleModes,
        expect,
      };
    });
  }

  /**
   * Every sample passes, every rule has one, and one shows a line the filter leaves alone.
   * An imported filter's samples are made from its own patterns, and some of fail2ban's
   * rules can never match first (the importer lists them): those need none.
   */
  private checkSamples(spec: FilterSpec, samples: Sample[], imported: boolean): void {
    const checks = runSamples(spec, samples);
    checks.forEach((c) => {
      if (c.problems.length === 0) return;
      const i = samples.indexOf(c.sample);
      const problems = `${c.problems.join('; ')} (mode ${c.mode})`;
      this.problem(['samples', i, 'line'], (t) => t('filterFile.error.sample', { problems }));
    });
    const covered = new Set(checks.map((c) => c.event?.rule).filter((r) => r != null));
    this.data.rules.forEach((entry, i) => {
      if (imported || 'include' in entry || covered.has(entry.id)) return;
      this.problem(['rules', i, 'id'], (t) =>
        t('filterFile.error.ruleWithoutSample', { rule: entry.id }),
      );
    });
    if (!samples.some((s) => s.expect.result === 'none'))
      this.problem(['samples'], (t) => t('filterFile.error.noNoneSample'));
  }
}
