/**
 * `npm run bench [-- --lines N --runs N --out DIR --latency-trials N --only throughput|latency]`
 *
 * Measures Sheriff against its peers (fail2ban-regex, SSHGuard's sshg-parser) and the
 * floor (a Node loop that only splits lines) on the same generated auth.log, in the
 * same run, on this machine, and prints ratios. It is a report: it never fails on a
 * missed bar, and it asserts no absolute time. Not part of the test suite.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_START, writeAuthLog, writeDistinctFailures } from './authlog-generator.js';
import { LATENCY_DEFAULTS, runLatency, writeLatencyResults } from './latency.js';
import {
  findTools,
  FIXED_NOW,
  RSS_METHOD,
  RUN_TIMEOUT_S,
  runTimed,
  type RunResult,
  type Tool,
} from './peers.js';
import { table } from './table.js';

const BARS = { vsFail2ban: 25, vsSshg: 1.5, rssMiB: 256 };
/** fail2ban-regex runs over the first lines only when the whole file would take longer than this. */
const FAIL2BAN_SAMPLE_LINES = 100_000;
const FAIL2BAN_FULL_LIMIT_S = 60;

interface Input {
  name: string;
  path: string;
  lines: number;
  bytes: number;
}

interface Measurement {
  tool: Tool;
  input: Input;
  seconds: number[];
  best: number;
  linesPerSecond: number;
  peakRssMiB: number | null;
  found: string;
  /** The untimed run that kept the output. */
  check?: { seconds: number; peakRssMiB: number | null };
  error?: string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: argv } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: join(root, 'bench-out') },
    // Latency (latency.ts): runs after the throughput table unless --only says otherwise.
    'latency-trials': { type: 'string', default: String(LATENCY_DEFAULTS.trials) },
    only: { type: 'string' },
  },
});
const LINES = Number(argv.lines);
const RUNS = Number(argv.runs);
const OUT = resolve(argv.out);
const LATENCY_TRIALS = Number(argv['latency-trials']);
const ONLY = argv.only;
if (
  !Number.isInteger(LINES) ||
  LINES < 1 ||
  !Number.isInteger(RUNS) ||
  RUNS < 1 ||
  !Number.isInteger(LATENCY_TRIALS) ||
  LATENCY_TRIALS < 20 ||
  (ONLY !== undefined && ONLY !== 'throughput' && ONLY !== 'latency')
) {
  process.stderr.write(
    'usage: npm run bench [-- --lines N --runs N --out DIR --latency-trials N(>=20) --only throughput|latency]\n',
  );
  process.exit(2);
}
const log = (s = '') => process.stdout.write(s + '\n');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => bytes / 2 ** 20;

/** Copies the first `n` lines of `src` to `dst`. */
async function headLines(src: string, dst: string, n: number): Promise<number> {
  const out = createWriteStream(dst);
  let count = 0;
  for await (const chunk of createReadStream(src, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    let end = buf.length;
    for (let at = 0; count < n;) {
      const nl = buf.indexOf(10, at);
      if (nl === -1) break;
      count++;
      at = nl + 1;
      if (count === n) end = at;
    }
    if (!out.write(buf.subarray(0, end))) await once(out, 'drain');
    if (count >= n) break;
  }
  out.end();
  await finished(out);
  return count;
}

async function input(name: string, path: string, lines: number): Promise<Input> {
  return { name, path, lines, bytes: (await stat(path)).size };
}

const failure = (r: RunResult) =>
  r.timedOut
    ? `timed out after ${RUN_TIMEOUT_S} s`
    : `exit ${r.exitCode}: ${r.stderr.trim().slice(0, 300)}`;

/**
 * One run with the output kept in OUT: it shows what the tool found. Before the timed
 * runs it also warms the page cache; for the RSS-only input it is the measurement.
 */
async function checkRun(tool: Tool, inp: Input): Promise<Measurement> {
  const scratch = join(OUT, `${tool.id}.${inp.name}`);
  const m: Measurement = {
    tool,
    input: inp,
    seconds: [],
    best: NaN,
    linesPerSecond: NaN,
    peakRssMiB: null,
    found: '',
  };
  const r = await runTimed(tool.command(inp.path), `${scratch}.out`, scratch);
  if (r.exitCode !== 0) {
    m.error = failure(r);
    return m;
  }
  m.found = tool.found(await readFile(`${scratch}.out`, 'utf8'));
  m.check = { seconds: r.seconds, peakRssMiB: r.peakRss === null ? null : mib(r.peakRss) };
  return m;
}

async function timeRuns(ms: Measurement[]): Promise<void> {
  // Round-robin, so a slow drift of the machine touches every tool alike.
  for (let run = 1; run <= RUNS; run++) {
    for (const m of ms) {
      if (m.error !== undefined) continue;
      process.stderr.write(`  run ${run}/${RUNS}: ${m.tool.id} on ${m.input.name}…\n`);
      const r = await runTimed(m.tool.command(m.input.path), '/dev/null', join(OUT, m.tool.id));
      if (r.exitCode !== 0) {
        m.error = failure(r);
        continue;
      }
      m.seconds.push(r.seconds);
      if (r.peakRss !== null) m.peakRssMiB = Math.max(m.peakRssMiB ?? 0, mib(r.peakRss));
    }
  }
  for (const m of ms) summarise(m);
}

function summarise(m: Measurement): void {
  if (m.seconds.length === 0) return;
  m.best = Math.min(...m.seconds);
  m.linesPerSecond = m.input.lines / m.best;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  log(
    `Sheriff benchmark: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  log(
    `${fmt(LINES)} lines per file, best of ${RUNS} runs, wall time from spawn to exit (start-up included).`,
  );
  const loadAtStart = loadavg()[0]!;
  log(
    `Load average at start: ${loadAtStart.toFixed(2)} (anything well above 0 makes the numbers noisier).`,
  );
  log();

  process.stderr.write('generating logs…\n');
  const authPath = join(OUT, 'auth.log');
  const distinctPath = join(OUT, 'auth-distinct.log');
  const auth = await input(
    'auth.log',
    authPath,
    await writeAuthLog(authPath, { lines: LINES, seed: 2024, start: DEFAULT_START }),
  );
  const distinct = await input(
    'auth-distinct.log',
    distinctPath,
    await writeDistinctFailures(distinctPath, { lines: LINES, seed: 7, start: DEFAULT_START }),
  );

  const tools = await findTools(root);
  const byId = new Map(tools.map((t) => [t.id, t]));
  const get = (id: string) => byId.get(id)!;
  const notes: string[] = [
    `auth.log is OpenSSH 9.2 (sshd[pid]) for its first 40% and OpenSSH 9.8+ (sshd-session[pid]) after; a tool that does not know sshd-session finds less (see "found").`,
  ];

  // fail2ban-regex is slow: probe it on the first lines, and keep to them if the whole file would take too long.
  const f2b = get('fail2ban-regex');
  let f2bInput = auth;
  if (f2b.missing === null && LINES > FAIL2BAN_SAMPLE_LINES) {
    const samplePath = join(OUT, 'auth-head.log');
    const sample = await input(
      'auth-head.log',
      samplePath,
      await headLines(authPath, samplePath, FAIL2BAN_SAMPLE_LINES),
    );
    process.stderr.write('probing fail2ban-regex on the first lines…\n');
    const probe = await runTimed(f2b.command(samplePath), '/dev/null', join(OUT, 'probe'));
    const projected = (probe.seconds * LINES) / sample.lines;
    if (projected > FAIL2BAN_FULL_LIMIT_S) {
      f2bInput = sample;
      notes.push(
        `fail2ban-regex was measured on the first ${fmt(sample.lines)} lines only (the whole file would take ~${projected.toFixed(0)} s per run).`,
      );
    } else {
      notes.push(
        `fail2ban-regex runs over the whole file (a probe on the first ${fmt(sample.lines)} lines took ${probe.seconds.toFixed(2)} s).`,
      );
    }
  }

  // Throughput: best of RUNS over the realistic log.
  const ms: Measurement[] = [];
  for (const [id, inp] of [
    ['floor', auth],
    ['sheriff-test-filter', auth],
    ['sheriff-replay', auth],
    ['fail2ban-regex', f2bInput],
    ['sshg-parser', auth],
  ] as const) {
    const tool = get(id);
    if (tool.missing !== null) continue;
    process.stderr.write(`check run: ${id} on ${inp.name}…\n`);
    ms.push(await checkRun(tool, inp));
  }
  await timeRuns(ms);

  // Memory under a million distinct addresses: one run is enough for a peak (and it is slow).
  process.stderr.write(`single run: sheriff-replay on ${distinct.name}…\n`);
  const wide = await checkRun(get('sheriff-replay'), distinct);
  if (wide.check) {
    wide.seconds = [wide.check.seconds];
    wide.peakRssMiB = wide.check.peakRssMiB;
    summarise(wide);
  }
  ms.push(wide);

  const rate = (id: string) =>
    ms.find((m) => m.tool.id === id && m.input !== distinct)?.linesPerSecond ?? NaN;
  const base = {
    fail2ban: rate('fail2ban-regex'),
    sshg: rate('sshg-parser'),
    floor: rate('floor'),
  };
  const ratio = (v: number, b: number) =>
    Number.isFinite(v) && Number.isFinite(b) ? `${(v / b).toFixed(2)}×` : 'n/a';

  log('Versions:');
  for (const t of tools) log(`  ${t.id.padEnd(20)} ${t.missing ?? t.version}`);
  log();
  const rows = [
    [
      'tool',
      'input',
      'lines',
      'best s',
      'lines/s',
      '× fail2ban',
      '× sshg',
      '× floor',
      'peak RSS MiB',
      'found',
    ],
  ];
  for (const m of ms) {
    if (m.error !== undefined) {
      const dashes = Array<string>(6).fill('-');
      rows.push([m.tool.label, m.input.name, fmt(m.input.lines), ...dashes, `FAILED ${m.error}`]);
      continue;
    }
    const v = m.linesPerSecond;
    rows.push([
      m === wide ? `${m.tool.label} (1 run)` : m.tool.label,
      m.input.name,
      fmt(m.input.lines),
      m.best.toFixed(3),
      fmt(v),
      ratio(v, base.fail2ban),
      ratio(v, base.sshg),
      ratio(v, base.floor),
      m.peakRssMiB?.toFixed(1) ?? 'n/a',
      m.found,
    ]);
  }
  for (const t of tools)
    if (t.missing !== null) rows.push([t.label, ...Array<string>(8).fill('-'), t.missing]);
  log(table(rows));
  log();
  for (const n of notes) log(`Note: ${n}`);
  log(
    `Note: peak RSS is ${RSS_METHOD}, the largest over the timed runs (the one run for ${distinct.name}); MiB = 2^20 bytes.`,
  );
  log(
    `Note: sheriff is given --now ${FIXED_NOW} --timezone UTC; every timed run writes its output to /dev/null.`,
  );
  log();

  const rss = (inp: Input) =>
    ms.find((m) => m.tool.id === 'sheriff-replay' && m.input === inp)?.peakRssMiB ?? null;
  log('Peak RSS of sheriff replay:');
  for (const inp of [auth, distinct])
    log(
      `  ${inp.name.padEnd(18)} ${rss(inp)?.toFixed(1) ?? 'n/a'} MiB  (${fmt(inp.lines)} lines, ${inp === distinct ? `${fmt(inp.lines)} distinct addresses` : 'a few hundred addresses'})`,
    );
  log();

  const bars: { bar: string; value: string; pass: boolean | null }[] = [];
  for (const id of ['sheriff-test-filter', 'sheriff-replay']) {
    const v = rate(id);
    for (const [name, b, target] of [
      ['fail2ban-regex', base.fail2ban, BARS.vsFail2ban],
      ['sshg-parser', base.sshg, BARS.vsSshg],
    ] as const) {
      const r = v / b;
      bars.push({
        bar: `${id} ≥ ${target}× ${name}`,
        value: Number.isFinite(r) ? `${r.toFixed(2)}×` : 'peer not measured',
        pass: Number.isFinite(r) ? r >= target : null,
      });
    }
  }
  for (const inp of [auth, distinct]) {
    const r = rss(inp);
    bars.push({
      bar: `sheriff replay peak RSS on ${inp.name} ≤ ${BARS.rssMiB} MiB`,
      value: r === null ? 'not measured' : `${r.toFixed(1)} MiB`,
      pass: r === null ? null : r <= BARS.rssMiB,
    });
  }
  log('Bars:');
  const width = Math.max(...bars.map((b) => b.bar.length));
  for (const b of bars)
    log(
      `  ${b.pass === null ? 'N/A ' : b.pass ? 'PASS' : 'MISS'}  ${b.bar.padEnd(width)}  ${b.value}`,
    );

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? null,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    settings: { lines: LINES, runs: RUNS, fixedNow: FIXED_NOW, rssMethod: RSS_METHOD },
    inputs: [auth, distinct, ...(f2bInput === auth ? [] : [f2bInput])],
    tools: tools.map((t) => ({ id: t.id, label: t.label, version: t.version, missing: t.missing })),
    measurements: ms.map((m) => ({
      tool: m.tool.id,
      input: m.input.name,
      lines: m.input.lines,
      seconds: m.seconds,
      bestSeconds: m.best,
      linesPerSecond: m.linesPerSecond,
      ratios: {
        fail2ban: m.linesPerSecond / base.fail2ban,
        sshg: m.linesPerSecond / base.sshg,
        floor: m.linesPerSecond / base.floor,
      },
      peakRssMiB: m.peakRssMiB,
      found: m.found,
      error: m.error ?? null,
    })),
    bars,
    notes,
  };
  const jsonPath = join(OUT, 'results.json');
  await writeFile(
    jsonPath,
    JSON.stringify(
      results,
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n',
  );
  log();
  log(`Load average at the end: ${loadavg()[0]!.toFixed(2)}. Results written to ${jsonPath}`);
}

if (ONLY !== 'latency') await main();

// --- Latency (src/bench/latency.ts): its own table, under `latency` in results.json. ---
if (ONLY !== 'throughput') {
  await mkdir(OUT, { recursive: true });
  log();
  const report = await runLatency({
    root,
    trials: LATENCY_TRIALS,
    log,
    progress: (s) => process.stderr.write(s + '\n'),
  });
  const jsonPath = join(OUT, 'results.json');
  await writeLatencyResults(jsonPath, report);
  log();
  log(`Latency results written to ${jsonPath} (key "latency").`);
}

// --- Firewall batching (src/bench/nft-bench.ts): with the full bench only; needs root. ---
if (ONLY === undefined) {
  const { runFirewallBench, writeFirewallResults } = await import('./nft-bench.js');
  log();
  const firewall = await runFirewallBench({ log, progress: (s) => process.stderr.write(s + '\n') });
  await writeFirewallResults(join(OUT, 'results.json'), firewall);
}
