/**
 * `sheriff replay FILE... [--json] [--jail NAME] [--maxretry N] [--findtime DUR] [--timezone TZ] [--now ISO] [--threads N]`
 * The live detector over old logs in virtual time: event times drive every window.
 * It runs the jails of sheriff.yaml (modes, thresholds, trusted networks), so an
 * admin can try a configuration on old logs; flags override it. The long-horizon
 * detector searches the replayed failures on every hour of the logs' time, and
 * findings on an admin's address are marked as the daemon would never ban them
 * (replay-history.ts).
 * Without --now, each file's modification time is the reference for missing years.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { jailSettings } from '../app/jail-settings.js';
import type { SheriffConfig } from '../app/config.js';
import { DurationError, parseDuration } from '../config/duration.js';
import { defaultJail, type JailSettings } from '../detect/jail.js';
import { buildJail, Pipeline } from '../detect/pipeline.js';
import type { Finding } from '../domain.js';
import type { FilterRegistry } from '../filters/registry.js';
import { trustedNetworks } from '../intel/trusted.js';
import { LineParser } from '../parse/line.js';
import type { TimeZone } from '../parse/zone.js';
import { readInto, type ByteRange } from '../sources/file-once.js';
import { LineSplitter } from '../sources/lines.js';
import {
  BufferedOutput,
  parseCount,
  parseNow,
  parseZone,
  ProgressBar,
  UsageError,
  type CliContext,
} from './common.js';
import type { AdminMark } from './replay-history.js';
import type { Started } from './replay-parallel.js';

interface Options {
  json?: boolean;
  jail?: string;
  maxretry?: string;
  findtime?: string;
  now?: string;
  timezone?: string;
  longHorizon?: boolean;
  threads?: string;
}

export function registerReplay(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('replay')
    .description(t('replay.description'))
    .argument('<files...>', t('replay.arg.files'))
    .option('--json', t('replay.opt.json'))
    .option('--jail <names>', t('replay.opt.jail'))
    .option('--maxretry <n>', t('replay.opt.maxretry'))
    .option('--findtime <duration>', t('replay.opt.findtime'))
    .option('--now <iso>', t('opt.now'))
    .option('--timezone <tz>', t('opt.timezone'))
    .option('--long-horizon', t('replay.opt.longHorizon'))
    .option('--threads <n>', t('replay.opt.threads'))
    .action(async (files: string[], opts: Options) => {
      const started = await threadsAhead(files, opts, ctx);
      // Loaded when the command runs: startup loads no package but commander.
      const [{ loadConfig }, { filterRegistry }] = await Promise.all([
        import('../app/load-config.js'),
        import('../filters/registry.js'),
      ]);
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      await replay(files, opts, config, filterRegistry(config.filters.dir), ctx, started);
    });
}

/**
 * Several files: the worker threads that will read them beside this one, started first so
 * they load their modules while this thread reads the configuration (a tenth of a second
 * of the second core's time otherwise lost). A guess from the files' sizes: when a file
 * cannot be read or --threads is wrong, none (replay reports either).
 */
async function threadsAhead(
  files: string[],
  opts: Options,
  ctx: CliContext,
): Promise<Started | undefined> {
  if (files.length < 2) return undefined;
  const parallel = await import('./replay-parallel.js');
  try {
    const sizes = files.map((f) => statSync(f).size);
    const threads = parseCount('--threads', opts.threads, 1, ctx.t);
    const n = parallel.parallelThreads(files, sizes, opts.longHorizon === true, threads);
    return n > 0 ? parallel.startThreads(files, sizes, n) : undefined;
  } catch {
    return undefined;
  }
}

/** The configured jails (or those --jail names), with --maxretry and --findtime over them. */
function jailsFrom(
  opts: Options,
  config: SheriffConfig,
  filters: FilterRegistry,
  ctx: CliContext,
): JailSettings[] {
  const { t } = ctx;
  const maxretry = parseCount('--maxretry', opts.maxretry, 1, t);
  let findtime: number | undefined;
  try {
    findtime = opts.findtime === undefined ? undefined : parseDuration(opts.findtime);
  } catch (err) {
    if (err instanceof DurationError) throw new UsageError(`--findtime: ${err.message}`);
    throw err;
  }
  // A jail named by --jail runs with its configured settings even when disabled there.
  const configured = new Map(
    jailSettings(
      {
        trusted: config.trusted,
        jails: Object.fromEntries(
          Object.entries(config.jails).map(([name, j]) => [name, { ...j, enabled: true }]),
        ),
      },
      filters,
    ).map((j) => [j.name, j]),
  );
  const jails =
    opts.jail === undefined
      ? jailSettings(config, filters)
      : opts.jail.split(',').map((raw) => {
          const name = raw.trim();
          const own = configured.get(name);
          if (own !== undefined) return own;
          const spec = filters.spec(name);
          if (spec === undefined) {
            const list = [...new Set([...configured.keys(), ...filters.names()])];
            throw new UsageError(t('cli.error.unknownJail', { name, list: list.join(', ') }));
          }
          return defaultJail(name, trustedNetworks(config.trusted), spec.defaultMode);
        });
  for (const jail of jails) {
    if (maxretry !== undefined) jail.maxretry = maxretry;
    if (findtime !== undefined) jail.findtime = findtime;
  }
  return jails;
}

async function replay(
  files: string[],
  opts: Options,
  config: SheriffConfig,
  filters: FilterRegistry,
  ctx: CliContext,
  started: Started | undefined,
): Promise<void> {
  const { t } = ctx;
  const zone = parseZone(opts.timezone);
  const fixedNow = parseNow(opts.now, t);
  const sizes: number[] = [];
  const mtimes: number[] = [];
  for (const f of files) {
    try {
      const st = await stat(f);
      sizes.push(st.size);
      mtimes.push(st.mtimeMs);
    } catch (err) {
      throw new UsageError(t('cli.error.read', { path: f, reason: (err as Error).message }));
    }
  }
  const out = new BufferedOutput(ctx.stdout);
  let reference = fixedNow ?? mtimes[0] ?? Date.now();
  // Virtual time: lines without a timestamp count at the latest time seen.
  let lastTime = reference;
  const times = { zone, reference: () => reference };
  const settings = jailsFrom(opts, config, filters, ctx);
  const jails = settings.map((s) => buildJail(s, { times, filters }));
  // Several files: read by this thread and worker threads side by side, detected here in
  // order. The workers start reading now.
  const parallel = files.length > 1 ? await import('./replay-parallel.js') : null;
  const threads = parseCount('--threads', opts.threads, 1, t);
  const side = parallel?.parallelThreads(files, sizes, opts.longHorizon === true, threads) ?? 0;
  const threaded =
    parallel !== null && side > 0
      ? await parallel.ParallelRead.begin(
          {
            files,
            sizes,
            references: mtimes.map((m) => fixedNow ?? m),
            settings,
            filters,
            timezone: opts.timezone,
          },
          side,
          started,
        )
      : null;
  const parser = new LineParser(times);
  // Loaded when the command runs: startup loads no package but commander (the store's SQLite).
  const { ReplayHistory } = await import('./replay-history.js');
  const history = new ReplayHistory(settings, config.response.admins, opts.longHorizon === true);
  const report = (f: Finding) => {
    const mark = history.adminMark(f);
    out.write(opts.json ? findingJson(f, zone, mark) : findingText(f, zone, mark, ctx) + '\n');
  };
  const pipeline = new Pipeline(
    jails,
    parser,
    () => lastTime,
    (f) => {
      history.finding(f);
      report(f);
    },
    (e, jail) => {
      if (e.time !== null) lastTime = e.time;
      history.event(e, jail.settings.name);
    },
  );
  const c = pipeline.counts;
  const longHorizon = (found: Finding[]) => {
    for (const f of found) {
      c.findings[f.kind]++;
      report(f);
    }
  };
  const total = sizes.reduce((a, b) => a + b, 0);
  const bar = opts.json ? null : new ProgressBar(ctx.stderr, total);
  const skipped = { tooLong: 0, invalidUtf8: 0, nul: 0 };
  /** Reads file `i` (or `range` of it) on this thread (`done`: the bytes before it). */
  const readFile = async (i: number, done: number, range?: ByteRange): Promise<void> => {
    const file = files[i]!;
    reference = fixedNow ?? mtimes[i]!;
    const splitter = new LineSplitter({ line: (text) => pipeline.line(text) });
    try {
      await readInto(file, splitter, {
        range,
        progress: (bytes) => bar?.update(done + bytes),
        afterChunk: async () => {
          longHorizon(await history.runUntil(lastTime));
          await out.drain();
        },
      });
    } catch (err) {
      throw new UsageError(t('cli.error.read', { path: file, reason: (err as Error).message }));
    }
    skipped.tooLong += splitter.counts.tooLong;
    skipped.invalidUtf8 += splitter.counts.invalidUtf8;
    skipped.nul += splitter.counts.nul;
  };
  try {
    if (threaded !== null) {
      const read = await threaded.read({
        pipeline,
        times,
        setReference: (ms) => (reference = ms),
        readHere: readFile,
        progress: (bytes) => bar?.update(bytes),
        setClock: (time) => (lastTime = time),
        afterBatch: () => out.drain(),
        readError: (path, reason) => new UsageError(t('cli.error.read', { path, reason })),
      });
      skipped.tooLong += read.tooLong;
      skipped.invalidUtf8 += read.invalidUtf8;
      skipped.nul += read.nul;
    } else {
      let done = 0;
      for (const i of files.keys()) {
        await readFile(i, done);
        done += sizes[i]!;
      }
    }
    longHorizon(await history.finish(lastTime));
  } finally {
    history.close();
  }
  bar?.clear();
  const trackers = jails.map((j) => j.tracker.stats());
  const tracked = trackers.reduce((a, s) => a + s.tracked, 0);
  const evictions = trackers.reduce((a, s) => a + s.evictions, 0);
  const trusted = trackers.reduce((a, s) => a + s.internalLines, 0);
  const findings = Object.values(c.findings).reduce((a, n) => a + n, 0);
  if (opts.json) {
    out.write(
      JSON.stringify({
        type: 'summary',
        files: files.length,
        lines: c.lines + skipped.tooLong + skipped.invalidUtf8 + skipped.nul,
        skipped: { ...skipped, malformed: c.malformed },
        events: c.events,
        ambiguous: c.ambiguous,
        probes: c.probes,
        findings: c.findings,
        tracked,
        evictions,
        internalLines: trusted,
      }) + '\n',
    );
  } else {
    const passedOver = skipped.tooLong + skipped.invalidUtf8 + skipped.nul + c.malformed;
    out.write(
      t('replay.summary', {
        files: files.length,
        lines: c.lines,
        fail: c.events.fail,
        success: c.events.success,
        findings,
        bruteforce: c.findings.bruteforce,
        slow: c.findings['slow-bruteforce'],
        compromise: c.findings.compromise,
        skipped: passedOver,
      }) + '\n',
    );
    out.write(t('replay.summary.memory', { tracked, evictions, trusted }) + '\n');
    if (c.ambiguous > 0) out.write(t('replay.summary.ambiguous', { count: c.ambiguous }) + '\n');
    if (c.probes > 0) out.write(t('replay.summary.probes', { count: c.probes }) + '\n');
  }
  await out.flush();
}

function findingJson(f: Finding, zone: TimeZone, admin: AdminMark | null): string {
  return (
    JSON.stringify({
      type: 'finding',
      kind: f.kind,
      jail: f.jail,
      scope: f.scope,
      ip: f.ip,
      count: f.count,
      first: zone.format(f.first),
      last: zone.format(f.last),
      users: f.users,
      admin,
    }) + '\n'
  );
}

function findingText(f: Finding, zone: TimeZone, admin: AdminMark | null, ctx: CliContext): string {
  const { t } = ctx;
  const users = f.users.length > 0 ? t('replay.finding.users', { users: f.users.join(', ') }) : '';
  const ip = f.scope === 'prefix' ? t('replay.finding.prefix', { ip: f.ip }) : f.ip;
  const text = t(`replay.finding.${f.kind}`, {
    time: zone.format(f.last),
    jail: f.jail,
    ip,
    count: f.count,
    first: zone.format(f.first),
    users,
  });
  return admin === null ? text : text + t(`replay.finding.admin.${admin}`);
}
