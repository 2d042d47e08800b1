/**
 * `sheriff test-filter [FILE|-] --filter NAME [--mode M] [--json] [--now ISO] [--timezone TZ]`
 * Classification only, like fail2ban-regex: no thresholds, no trusted networks.
 * The --json form is a contract: one object per input line, in order; a line whose
 * address could be read in two places (and so has none) also has `ambiguous: true`.
 */
import type { Command } from 'commander';
import type { AuthEvent } from '../domain.js';
import { compileFilter, FilterSpecError } from '../filters/engine.js';
import { filterRegistry } from '../filters/registry.js';
import { LineParser } from '../parse/line.js';
import { readInto } from '../sources/file-once.js';
import { LineSplitter } from '../sources/lines.js';
import { BufferedOutput, parseNow, parseZone, UsageError, type CliContext } from './common.js';

interface Options {
  filter: string;
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
    .requiredOption('--filter <name>', t('testFilter.opt.filter'))
    .option('--mode <mode>', t('testFilter.opt.mode'))
    .option('--json', t('testFilter.opt.json'))
    .option('--now <iso>', t('opt.now'))
    .option('--timezone <tz>', t('opt.timezone'))
    .action((file: string, opts: Options) => testFilter(file, opts, ctx));
}

async function testFilter(file: string, opts: Options, ctx: CliContext): Promise<void> {
  const { t } = ctx;
  const filters = filterRegistry();
  const spec = filters.spec(opts.filter);
  if (spec === undefined)
    throw new UsageError(
      t('cli.error.unknownFilter', {
        name: opts.filter,
        list: filters.names().join(', '),
      }),
    );
  let classifier;
  try {
    classifier = compileFilter(spec, opts.mode ?? spec.defaultMode);
  } catch (err) {
    if (err instanceof FilterSpecError) throw new UsageError(err.message);
    throw err;
  }
  const zone = parseZone(opts.timezone);
  const now = parseNow(opts.now, t) ?? Date.now();
  const parser = new LineParser({ zone, reference: () => now });
  const out = new BufferedOutput(ctx.stdout);
  const programs = spec.programs === null ? null : new Set(spec.programs);

  const results = { fail: 0, success: 0, nofail: 0, none: 0 };
  let malformed = 0;
  const rules = new Map<string, number>();
  const addresses = new Map<string, number>();
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

  const splitter = new LineSplitter({
    line(text, n) {
      const record = parser.parse(text);
      if (record === null) malformed++;
      const event = record === null ? null : classifier.classify(record);
      results[event?.result ?? 'none']++;
      if (opts.json) return emitJson(n, event);
      if (event !== null) {
        rules.set(event.rule ?? '-', (rules.get(event.rule ?? '-') ?? 0) + 1);
        if (event.result === 'fail') {
          if (event.ip !== null)
            addresses.set(event.ip, (addresses.get(event.ip) ?? 0) + event.attempts);
          else if (event.ambiguous) ambiguous++;
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
    const byCount = <K>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1]);
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
