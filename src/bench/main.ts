/**
 * `npm run bench [-- --quick] [--lines N --runs N --out DIR --latency-trials N --latency-baseline DIR --only a,b]`
 *
 * Measures Sheriff against its peers (fail2ban, SSHGuard) and the floor (bare
 * Node doing only the I/O), in the same run, on this machine, and prints
 * ratios, then one table of the targets with PASS/MISS. It is a report: it
 * never fails on a missed bar, and it asserts no absolute time. Not part of
 * the test suite. `--quick` is the short run a developer makes before every
 * commit touching the hot path (under two minutes).
 *
 * Parts (`--only` takes a comma-separated list): throughput (wall time, then CPU time, which
 * a busy machine disturbs less), attackers (replay's speed and memory at 10k–1M distinct
 * attackers, and on several files at once), latency, storm, startup, idle, firewall.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_START, writeAuthLog, writeMixedAuthLog } from './authlog-generator.js';
import { LATENCY_DEFAULTS, runLatencyTargets } from './latency.js';
import { table } from './table.js';
import type { TargetRow } from './targets.js';
import { runThroughput, type LogProfile } from './throughput.js';

const PARTS = [
  'throughput',
  'attackers',
  'latency',
  'storm',
  'startup',
  'idle',
  'firewall',
  'fleet',
] as const;
type Part = (typeof PARTS)[number];
/** A quick run measures the hot path only: what a commit touching it can change. */
const NOT_QUICK: readonly Part[] = ['startup', 'idle', 'firewall'];
/** Run only when asked for (`--fleet`, `--only fleet`). */
const NOT_DEFAULT: readonly Part[] = ['fleet'];
const QUICK = { lines: 100_000, runs: 1, latencyTrials: LATENCY_DEFAULTS.quickTrials };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const usage =
  'usage: npm run bench [-- --quick] [--fleet] [--lines N --runs N --out DIR --latency-trials N(>=20) --latency-baseline DIR --only PART,…]\n' +
  `parts: ${PARTS.join(', ')}\n`;

function parse(): {
  quick: boolean;
  lines: number;
  runs: number;
  out: string;
  latencyTrials: number;
  latencyBaseline: string | undefined;
  parts: readonly Part[];
} {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      fleet: { type: 'boolean', default: false },
      lines: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string', default: join(root, 'bench-out') },
      'latency-trials': { type: 'string' },
      // Another built checkout, measured beside this one in the latency part (an A/B of a change).
      'latency-baseline': { type: 'string' },
      only: { type: 'string' },
    },
  });
  const quick = values.quick;
  const num = (v: string | undefined, quickValue: number, full: number) =>
    v === undefined ? (quick ? quickValue : full) : Number(v);
  const lines = num(values.lines, QUICK.lines, 1_000_000);
  const runs = num(values.runs, QUICK.runs, 3);
  const latencyTrials = num(values['latency-trials'], QUICK.latencyTrials, LATENCY_DEFAULTS.trials);
  const only = values.only?.split(',').map((s) => s.trim());
  const bad = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
  if (
    !Number.isInteger(lines) ||
    lines < 1 ||
    !Number.isInteger(runs) ||
    runs < 1 ||
    !Number.isInteger(latencyTrials) ||
    latencyTrials < 20 ||
    bad.length > 0
  ) {
    if (bad.length > 0) process.stderr.write(`unknown part: ${bad.join(', ')}\n`);
    process.stderr.write(usage);
    process.exit(2);
  }
  // `--fleet` alone runs the fleet only; beside `--only`, it adds it.
  const chosen =
    (only as Part[] | undefined) ??
    (values.fleet
      ? []
      : PARTS.filter((p) => !NOT_DEFAULT.includes(p) && (!quick || !NOT_QUICK.includes(p))));
  const parts: readonly Part[] =
    values.fleet && !chosen.includes('fleet') ? [...chosen, 'fleet'] : chosen;
  const latencyBaseline =
    values['latency-baseline'] === undefined ? undefined : resolve(values['latency-baseline']);
  return { quick, lines, runs, out: resolve(values.out), latencyTrials, latencyBaseline, parts };
}

const args = parse();
const log = (s = '') => process.stdout.write(s + '\n');
const progress = (s: string) => process.stderr.write(s + '\n');

/** The generated logs every throughput measurement runs on. */
const PROFILES: readonly LogProfile[] = [
  {
    name: 'auth.log',
    describe:
      'OpenSSH 9.2 (sshd[pid]) for its first 40% and OpenSSH 9.8+ (sshd-session[pid]) after, a few hundred attacking addresses, CRON, sudo, su, logind; a tool that does not know sshd-session finds less (see "found").',
    write: (path, lines) => writeAuthLog(path, { lines, seed: 2024, start: DEFAULT_START }),
  },
  {
    name: 'auth-mixed.log',
    describe:
      'RFC 3339 high-precision times, 5,000 attackers (half IPv6), mostly invalid users, 30% lines of other programs (kernel firewall, postfix, systemd, nginx, dhclient), OpenSSH 9.8+ (sshd-session) only.',
    write: (path, lines) => writeMixedAuthLog(path, { lines, seed: 2025, start: DEFAULT_START }),
  },
];

/** Merges `value` under `key` into results.json, keeping what else is there. */
async function saveResults(key: string, value: unknown): Promise<void> {
  const path = join(args.out, 'results.json');
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet
  }
  results[key] = value;
  await writeFile(
    path,
    JSON.stringify(
      results,
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n',
  );
}

/** A report's old-style bars as target rows. */
const toRows = (bars: readonly { bar: string; value: string; pass: boolean | null }[]) =>
  bars.map((b): TargetRow => ({
    target: b.bar,
    bar: '',
    measured: b.value,
    verdict: b.pass === null ? 'n/a' : b.pass ? 'PASS' : 'MISS',
  }));

await mkdir(args.out, { recursive: true });
const loadAtStart = loadavg()[0]!;
log(
  `Sheriff benchmark${args.quick ? ' (quick)' : ''}: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
log(
  `Load average at start: ${loadAtStart.toFixed(2)} (anything well above 0 makes the numbers noisier).`,
);
log();
await saveResults('run', {
  date: new Date().toISOString(),
  quick: args.quick,
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  loadAverageAtStart: loadAtStart,
  parts: args.parts,
});

const targets: TargetRow[] = [];
const common = { quick: args.quick, outDir: args.out, root, log, progress };
for (const part of args.parts) {
  if (part === 'throughput') {
    const o = {
      root,
      outDir: args.out,
      lines: args.lines,
      runs: args.runs,
      profiles: PROFILES,
      log,
      progress,
    };
    if (!args.quick) {
      log(`Throughput: ${args.lines.toLocaleString('en-US')} lines per log, best of ${args.runs}.`);
      const r = await runThroughput(o);
      targets.push(...r.rows);
      await saveResults('throughput', r.results);
    }
    const { runCpuThroughput } = await import('./throughput-cpu.js');
    targets.push(...(await runCpuThroughput(o)));
  } else if (part === 'attackers') {
    const { runAttackers } = await import('./attackers.js');
    targets.push(...(await runAttackers({ ...common, runs: args.runs })));
  } else if (part === 'latency') {
    const r = await runLatencyTargets({
      ...common,
      trials: args.latencyTrials,
      baseline: args.latencyBaseline,
    });
    targets.push(...r.rows);
    await saveResults('latency', r.report);
  } else if (part === 'storm') {
    const { runStorm } = await import('./storm.js');
    targets.push(...(await runStorm(common)));
  } else if (part === 'startup') {
    const { benchStartup } = await import('./startup.js');
    targets.push(...(await benchStartup(common)));
  } else if (part === 'idle') {
    const { benchIdle } = await import('./idle.js');
    targets.push(...(await benchIdle(common)));
  } else if (part === 'fleet') {
    const { runFleet } = await import('./fleet.js');
    targets.push(...(await runFleet(common)));
  } else {
    // Firewall batching: needs root and a network namespace.
    const { runFirewallBench } = await import('./nft-bench.js');
    const r = await runFirewallBench({ log, progress });
    targets.push(...toRows([{ bar: r.bar.text, value: r.bar.value, pass: r.bar.pass }]));
    await saveResults('firewall', r);
  }
  log();
}

log('Targets:');
log(
  table([
    ['', 'target', 'bar', 'measured'],
    ...targets.map((t) => [t.verdict, t.target, t.bar, t.measured]),
  ]),
);
await saveResults('targets', targets);
log();
log(
  `Load average at the end: ${loadavg()[0]!.toFixed(2)}. Results written to ${join(args.out, 'results.json')}.`,
);
