/**
 * `npm run fuzz [-- --lines N --seed S --only detect,syslog-tcp]`
 *
 * The termination properties of the test suite (src/parse/termination.test.ts)
 * at scale: N hostile lines (default 1,000,000) through the whole
 * parse → filter → detect path, and a share of N through each other target
 * (line splitting, syslog UDP and TCP framing, journald JSON, timestamps,
 * every filter, addresses). Each target runs in a worker watched for
 * progress, so a hang is reported with its input instead of stalling the run.
 * Prints inputs/s (time in the target only, input generation excluded), peak
 * RSS and the hangs and throws found; exits 1 if there is any.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { TargetName } from '../testing/parser-targets.js';
import { describeFailure, runTermination, type TerminationResult } from '../testing/termination.js';
import { table } from './table.js';

/** Share of --lines each target runs; the whole detection path gets all of them. */
const SHARES: [TargetName, number][] = [
  ['detect', 1],
  ['parse', 0.2],
  ['filters', 0.2],
  ['timestamps', 0.1],
  ['split', 0.05],
  ['syslog-udp', 0.1],
  ['syslog-tcp', 0.05],
  ['journal', 0.05],
  ['ip', 0.05],
];

const { values: argv } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const lines = Number(argv.lines);
const seed = Number(argv.seed);
const only = argv.only?.split(',');
if (!Number.isInteger(lines) || lines < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- [--lines N] [--seed S] [--only target,…]\n');
  process.exit(2);
}

process.stdout.write(
  `fuzz: ${lines.toLocaleString('en')} lines, seed ${seed}, node ${process.version}, ` +
    `${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}\n`,
);
const results: TerminationResult[] = [];
for (const [target, share] of SHARES) {
  if (only !== undefined && !only.includes(target)) continue;
  const runs = Math.max(1, Math.round(lines * share));
  const r = await runTermination({ target, runs, seed, chunk: 10_000, stallMs: 30_000 });
  results.push(r);
  const state = r.failure === null ? 'ok' : r.failure.kind;
  process.stdout.write(`  ${target}: ${r.count.toLocaleString('en')} inputs, ${state}\n`);
}

const peakRssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  '\n' +
    table([
      ['target', 'inputs', 'inputs/s', 'hangs', 'throws'],
      ...results.map((r) => [
        r.target,
        r.count.toLocaleString('en'),
        Number.isFinite(r.busyMs)
          ? Math.round(r.count / (r.busyMs / 1000)).toLocaleString('en')
          : '-',
        r.failure?.kind === 'hang' ? '1' : '0',
        r.failure?.kind === 'threw' ? '1' : '0',
      ]),
    ]) +
    `\npeak RSS (whole process, workers included): ${peakRssMiB.toFixed(0)} MiB\n`,
);
const failures = results.flatMap((r) => (r.failure === null ? [] : [r.failure]));
for (const f of failures) process.stdout.write(`\n${describeFailure(f)}\n`);
process.exit(failures.length === 0 ? 0 : 1);
