/**
 * `sheriff test-filter [FILE|-] (--filter NAME | --spec FILE.yaml) [--mode M] [--json] [--now ISO] [--timezone TZ]`
 * Classification only, like fail2ban-regex: no thresholds, no trusted networks.
 * `--spec` tries a filter file that is not installed: the file is checked (with its
 * samples and, where recheck is installed, its regexes) before any line is read.
 * The --json form is a contract: one object per input line, in order; a line whose
 * address could be read in two places (and so has none) also has `ambiguous: true`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AuthEvent } from '../domain.js';
import type { FilterRegistry } from '../filters/registry.js';
import type { FilterSpec } from '../filters/spec.js';
import { BufferedOutput, parseNow, parseZone, UsageError, type CliContext } from './common.js';

interface Options {
  filter?: string;
  spec?: string;
  mode?: string;
  json?: boolean;
  now?: string;
  timezone?: string;
}

const MISSES_SHOWN = 10;
const TOP_ADDRESSES = 10;

export function registerTestFilter(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('test-filter')
    .description(t('testFilter.description'))
    .argument('[file]', t('testFilter.arg.file'), '-')
    .option('--filter <name>', t('testFilter.opt.filter'))
    .option('--spec <file>', t('testFilter.opt.spec'))
    .option('--mode <mode>', t('testFilter.opt.mode'))
    .option('--json', t('testFilter.opt.json'))
    .option('--now <iso>', t('opt.now'))
    .option('--timezone <tz>', t('opt.timezone'))
    .action(async (file: string, opts: Options) => {
      if ((opts.filter === undefined) === (opts.spec === undefined))
        throw new UsageError(t('testFilter.error.filterOrSpec'));
      // Loaded when the command runs: startup loads no package but commander.
      const [{ loadConfig }, { filterRegistry }] = await Promise.all([
        import('../app/load-config.js'),
        import('../filters/registry.js'),
      ]);
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      const filters = filterRegistry(config.filters.dir);
      const spec =
        opts.spec === undefined
          ? namedFilter(filters, opts.filter!, ctx)
          : await specFile(opts.spec, filters, ctx);
      await testFilter(file, spec, opts, ctx);
    });
}

function namedFilter(filters: FilterRegistry, name: string, ctx: CliContext): FilterSpec {
  const spec = filters.spec(name);
  if (spec === undefined)
    throw new UsageError(
      ctx.t('cli.error.unknownFilter', { name, list: filters.names().join(', ') }),
    );
  return spec;
}

/** The filter file at `path`, refused (ConfigError, exit 2) when a sample fails or a regex is unsafe. */
async function specFile(
  path: string,
  filters: FilterRegistry,
  ctx: CliContext,
): Promise<FilterSpec> {
  const { t } = ctx;
  const [{ parseFilterFile }, { checkFilterRedos }, { configError }] = await Promise.all([
    import('../filters/load.js'),
    import('../filters/redos.js'),
    import('../config/errors.js'),
  ]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(t('cli.error.read', { path, reason: (err as Error).message }));
  }
  const filter = parseFilterFile(text, path, {
    origin: 'user',
    checkSamples: true,
    include: (name) => filters.get(name),
  });
  const redos = await checkFilterRedos(filter);
  if (redos !== null && redos.vulnerable.length > 0) throw configError(redos.vulnerable, undefined);
  ctx.stderr.write(t('testFilter.spec.samplesOk', { path, count: filter.samples.length }) + '\n');
  for (const warning of redos?.undecided ?? []) ctx.stderr.write(warning(t) + '\n');
  if (redos === null) ctx.stderr.write(t('testFilter.spec.redosUnchecked') + '\n');
  return filter.spec;
}

async function testFilter(
  file: string,
  spec: FilterSpec,
  opts: Options,
  ctx: CliContext,
): Promise<void> {
  const { t } = ctx;
  const [
    { compileFilter, FilterSpecError },
    { LineParser, unparsedRecord },
    { readInto },
    { LineSplitter },
  ] = await Promise.all([
    import('../filters/engine.js'),
    import('../parse/line.js'),
    import('../sources/file-once.js'),
    import('../sources/lines.js'),
  ]);
  const zone = parseZone(opts.timezone);
  const now = parseNow(opts.now, t) ?? Date.now();
  const times = { zone, reference: () => now };
  let classifier;
  try {
    classifier = compileFilter(spec, opts.mode ?? spec.defaultMode, { times });
  } catch (err) {
    if (err instanceof FilterSpecError) throw new UsageError(err.message);
    throw err;
  }
  const parser = new LineParser(times);
  const out = new BufferedOutput(ctx.stdout);
  const programs = spec.programs === null ? null : new Set(spec.programs);

  const results = { fail: 0, success: 0, nofail: 0, none: 0 };
  let malformed = 0;
  const rules = new Map<string, { n: number }>();
  const addresses = new Map<string, { n: number }>();
  let hostFailures = 0;
  let ambiguous = 0;
  const misses: { n: number; text: string }[] = [];
  let missCount = 0;

  const emitJson = (n: number, event: AuthEvent | null) => {
    out.write(
      JSON.stringify({
        n,
        result: event?.result ?? 'none',
        host: event?.host ?? null,
        ip: event?.ip ?? null,
        user: event?.user ?? null,
        rule: event?.rule ?? null,
        time: event?.time == null ? null : zone.format(event.time),
        ...(event?.ambiguous ? { ambiguous: true } : {}),
      }) + '\n',
    );
  };

  // An attack comes in runs of lines from one address: its counter is kept at hand.
  let lastIp = '';
  let lastCount = { n: 0 };
  const splitter = new LineSplitter({
    line(text, n) {
      const record = parser.parse(text);
      if (record === null) malformed++;
      const event = classifier.classify(record ?? unparsedRecord(text), text);
      // A switch, not results[result]++: a property named by a value costs a lookup every line.
      switch (event?.result) {
        case 'fail':
          results.fail++;
          break;
        case 'success':
          results.success++;
          break;
        case 'nofail':
          results.nofail++;
          break;
        default:
          results.none++;
      }
      if (opts.json) return emitJson(n, event);
      if (event !== null) {
        count(rules, event.rule ?? '-', 1);
        if (event.result === 'fail') {
          if (event.ip === lastIp) lastCount.n += event.attempts;
          else if (event.ip !== null) {
            lastCount = count(addresses, event.ip, event.attempts);
            lastIp = event.ip;
          } else if (event.ambiguous) ambiguous++;
          else hostFailures++;
        }
      } else if (record !== null && record.program !== null && programs?.has(record.program)) {
        missCount++;
        if (misses.length < MISSES_SHOWN) misses.push({ n, text });
      }
    },
    skipped(_reason, n) {
      results.none++;
      if (opts.json) emitJson(n, null);
    },
  });

  try {
    await readInto(file, splitter, { afterChunk: () => out.drain() });
  } catch (err) {
    throw new UsageError(t('cli.error.read', { path: file, reason: (err as Error).message }));
  }
  if (!opts.json) {
    const c = splitter.counts;
    const skipped = c.tooLong + c.invalidUtf8 + c.nul + malformed;
    const lines: string[] = [
      t('testFilter.summary.title', {
        filter: spec.name,
        mode: classifier.mode,
        source: file === '-' ? 'stdin' : file,
      }),
      t('testFilter.summary.lines', {
        lines: c.lines + c.tooLong + c.invalidUtf8 + c.nul,
        skipped,
        tooLong: c.tooLong,
        invalidUtf8: c.invalidUtf8,
        nul: c.nul,
        malformed,
      }),
      t('testFilter.summary.results', results),
      t('testFilter.summary.rules'),
    ];
    const byCount = <K>(m: Map<K, { n: number }>) =>
      [...m].map(([k, c]) => [k, c.n] as const).sort((a, b) => b[1] - a[1]);
    for (const [rule, count] of byCount(rules))
      lines.push(t('testFilter.summary.rule', { rule, count }));
    if (rules.size === 0) lines.push(t('testFilter.summary.none'));
    lines.push(t('testFilter.summary.addresses'));
    for (const [ip, count] of byCount(addresses).slice(0, TOP_ADDRESSES))
      lines.push(t('testFilter.summary.address', { ip, count }));
    if (addresses.size === 0) lines.push(t('testFilter.summary.none'));
    if (hostFailures > 0) lines.push(t('testFilter.summary.hosts', { count: hostFailures }));
    if (ambiguous > 0) lines.push(t('testFilter.summary.ambiguous', { count: ambiguous }));
    if (programs !== null) {
      lines.push(
        t('testFilter.summary.misses', {
          programs: [...programs].join('/'),
          shown: misses.length,
          total: missCount,
        }),
      );
      for (const m of misses)
        lines.push(t('testFilter.summary.miss', { n: m.n, text: m.text.slice(0, 200) }));
      if (missCount === 0) lines.push(t('testFilter.summary.none'));
    }
    out.write(lines.join('\n') + '\n');
  }
  await out.flush();
}

/** Adds `by` to `key`'s count, and returns the counter: one lookup (a counter object, not get then set). */
function count(counts: Map<string, { n: number }>, key: string, by: number): { n: number } {
  let c = counts.get(key);
  if (c === undefined) counts.set(key, (c = { n: by }));
  else c.n += by;
  return c;
}
