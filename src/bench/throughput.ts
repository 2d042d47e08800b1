/**
 * Throughput: Sheriff's `test-filter` and `replay` against fail2ban-regex,
 * SSHGuard's sshg-parser and the floor (a Node loop that only splits lines),
 * on the same generated logs, in the same run, best of N, wall time from spawn
 * to exit (start-up included). Every generated log profile is measured, so the
 * speed is not tuned to one file.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  findTools,
  FIXED_NOW,
  RSS_METHOD,
  RUN_TIMEOUT_S,
  runTimed,
  type RunResult,
  type Tool,
} from './peers.js';
import { writeRegexPlan } from './regex-floor.js';
import { table } from './table.js';
import { atLeast, type TargetRow } from './targets.js';

/** The bars (18): ratios in the same run. */
export const THROUGHPUT_BARS = {
  vsFail2ban: 35,
  vsSshg: 2.3,
  vsFloor: 0.6,
  /** replay's rate over test-filter's. */
  replayVsTestFilter: 0.85,
};
/** The regex floor's plan, in the output directory. */
export const REGEX_PLAN = 'sshd-regex-plan.json';
/** fail2ban-regex runs over the first lines only when the whole file would take longer than this. */
const FAIL2BAN_SAMPLE_LINES = 100_000;
const FAIL2BAN_FULL_LIMIT_S = 60;

/** A generated log: its name and how to write it with so many lines (returns the lines written). */
export interface LogProfile {
  name: string;
  describe: string;
  write(path: string, lines: number): Promise<number>;
}

export interface ThroughputOptions {
  root: string;
  outDir: string;
  lines: number;
  runs: number;
  profiles: readonly LogProfile[];
  log(s?: string): void;
  progress(s: string): void;
}

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
  error?: string;
}

export interface ThroughputReport {
  rows: TargetRow[];
  results: Record<string, unknown>;
}

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

export async function runThroughput(o: ThroughputOptions): Promise<ThroughputReport> {
  const regexPlan = join(o.outDir, REGEX_PLAN);
  await writeRegexPlan(regexPlan);
  const tools = await findTools(o.root, { regexPlan });
  const byId = new Map(tools.map((t) => [t.id, t]));
  const get = (id: string) => byId.get(id)!;
  const notes: string[] = [];

  /** One untimed run with the output kept: it shows what the tool found and warms the page cache. */
  const checkRun = async (tool: Tool, inp: Input): Promise<Measurement> => {
    const scratch = join(o.outDir, `${tool.id}.${inp.name}`);
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
    if (r.exitCode !== 0) m.error = failure(r);
    else m.found = tool.found(await readFile(`${scratch}.out`, 'utf8'));
    return m;
  };

  const all: Measurement[] = [];
  const rows: TargetRow[] = [];
  for (const profile of o.profiles) {
    o.progress(`generating ${profile.name}…`);
    const path = join(o.outDir, profile.name);
    const inp = await input(profile.name, path, await profile.write(path, o.lines));
    notes.push(`${profile.name}: ${profile.describe}`);

    // fail2ban-regex is slow: probe it on the first lines, and keep to them if the whole file would take too long.
    const f2b = get('fail2ban-regex');
    let f2bInput = inp;
    if (f2b.missing === null && o.lines > FAIL2BAN_SAMPLE_LINES) {
      const headName = `${profile.name}.head`;
      const headPath = join(o.outDir, headName);
      const sample = await input(
        headName,
        headPath,
        await headLines(path, headPath, FAIL2BAN_SAMPLE_LINES),
      );
      o.progress(`probing fail2ban-regex on the first lines of ${profile.name}…`);
      const probe = await runTimed(f2b.command(headPath), '/dev/null', join(o.outDir, 'probe'));
      const projected = (probe.seconds * o.lines) / sample.lines;
      if (projected > FAIL2BAN_FULL_LIMIT_S) {
        f2bInput = sample;
        notes.push(
          `fail2ban-regex was measured on the first ${fmt(sample.lines)} lines of ${profile.name} only (the whole file would take ~${projected.toFixed(0)} s per run).`,
        );
      }
    }

    const ms: Measurement[] = [];
    for (const [id, on] of [
      ['floor', inp],
      ['regex-floor', inp],
      ['sheriff-test-filter', inp],
      ['sheriff-replay', inp],
      ['fail2ban-regex', f2bInput],
      ['sshg-parser', inp],
    ] as const) {
      const tool = get(id);
      if (tool.missing !== null) continue;
      o.progress(`check run: ${id} on ${on.name}…`);
      ms.push(await checkRun(tool, on));
    }
    // Round-robin, so a slow drift of the machine touches every tool alike.
    for (let run = 1; run <= o.runs; run++) {
      for (const m of ms) {
        if (m.error !== undefined) continue;
        o.progress(`  run ${run}/${o.runs}: ${m.tool.id} on ${m.input.name}…`);
        const r = await runTimed(
          m.tool.command(m.input.path),
          '/dev/null',
          join(o.outDir, m.tool.id),
        );
        if (r.exitCode !== 0) {
          m.error = failure(r);
          continue;
        }
        m.seconds.push(r.seconds);
        if (r.peakRss !== null) m.peakRssMiB = Math.max(m.peakRssMiB ?? 0, mib(r.peakRss));
      }
    }
    for (const m of ms) {
      if (m.seconds.length === 0) continue;
      m.best = Math.min(...m.seconds);
      m.linesPerSecond = m.input.lines / m.best;
    }
    all.push(...ms);

    const rate = (id: string) =>
      ms.find((m) => m.tool.id === id && m.error === undefined)?.linesPerSecond ?? NaN;
    const base = {
      fail2ban: rate('fail2ban-regex'),
      sshg: rate('sshg-parser'),
      floor: rate('floor'),
    };
    const ratio = (v: number, b: number) =>
      Number.isFinite(v) && Number.isFinite(b) ? v / b : null;
    const x = (r: number | null) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

    o.log(
      `Throughput on ${profile.name} (${fmt(inp.lines)} lines, ${(inp.bytes / 2 ** 20).toFixed(1)} MiB):`,
    );
    const t = [
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
        t.push([
          m.tool.label,
          m.input.name,
          fmt(m.input.lines),
          ...Array<string>(6).fill('-'),
          `FAILED ${m.error}`,
        ]);
        continue;
      }
      const v = m.linesPerSecond;
      t.push([
        m.tool.label,
        m.input.name,
        fmt(m.input.lines),
        m.best.toFixed(3),
        fmt(v),
        x(ratio(v, base.fail2ban)),
        x(ratio(v, base.sshg)),
        x(ratio(v, base.floor)),
        m.peakRssMiB?.toFixed(1) ?? 'n/a',
        m.found,
      ]);
    }
    for (const tool of tools)
      if (tool.missing !== null) t.push([tool.label, ...Array<string>(8).fill('-'), tool.missing]);
    o.log(table(t));
    const rf = rate('regex-floor');
    if (Number.isFinite(rf))
      o.log(
        `The regex floor alone is ${x(ratio(rf, base.sshg))} sshg-parser, ${x(ratio(rf, base.fail2ban))} fail2ban-regex and ${x(ratio(rf, base.floor))} the floor: a bar above that is out of reach for any JavaScript filter that runs these regexes.`,
      );
    o.log();

    const tf = rate('sheriff-test-filter');
    const rp = rate('sheriff-replay');
    const bar = (target: string, b: string, r: number | null, min: number) =>
      rows.push({
        target: `${target} (${profile.name})`,
        bar: b,
        measured: x(r),
        verdict: atLeast(r, min),
      });
    bar(
      'test-filter vs fail2ban-regex',
      `≥ ${THROUGHPUT_BARS.vsFail2ban}×`,
      ratio(tf, base.fail2ban),
      THROUGHPUT_BARS.vsFail2ban,
    );
    bar(
      'test-filter vs sshg-parser',
      `≥ ${THROUGHPUT_BARS.vsSshg}×`,
      ratio(tf, base.sshg),
      THROUGHPUT_BARS.vsSshg,
    );
    bar(
      'test-filter vs the floor',
      `≥ ${THROUGHPUT_BARS.vsFloor}×`,
      ratio(tf, base.floor),
      THROUGHPUT_BARS.vsFloor,
    );
    bar(
      'replay --json vs test-filter',
      `≥ ${THROUGHPUT_BARS.replayVsTestFilter}×`,
      ratio(rp, tf),
      THROUGHPUT_BARS.replayVsTestFilter,
    );
  }

  o.log('Versions:');
  for (const tool of tools) o.log(`  ${tool.id.padEnd(20)} ${tool.missing ?? tool.version}`);
  o.log();
  notes.push(
    `peak RSS is ${RSS_METHOD}, the largest over the timed runs; MiB = 2^20 bytes.`,
    'the regex floor reads and splits as the floor does, takes the message to start after the first ": ", and runs on sshd\'s messages only what the engine runs: the prefix skipped, the rules chosen by their leading literal, each regex sticky at the message start until one matches (no header parsing, no state, no events).',
    `sheriff is given --now ${FIXED_NOW} --timezone UTC; every timed run writes its output to /dev/null.`,
  );
  for (const n of notes) o.log(`Note: ${n}`);
  o.log();

  return {
    rows,
    results: {
      settings: { lines: o.lines, runs: o.runs, fixedNow: FIXED_NOW, rssMethod: RSS_METHOD },
      tools: tools.map((tool) => ({
        id: tool.id,
        label: tool.label,
        version: tool.version,
        missing: tool.missing,
      })),
      measurements: all.map((m) => ({
        tool: m.tool.id,
        input: m.input.name,
        lines: m.input.lines,
        bytes: m.input.bytes,
        seconds: m.seconds,
        bestSeconds: m.best,
        linesPerSecond: m.linesPerSecond,
        peakRssMiB: m.peakRssMiB,
        found: m.found,
        error: m.error ?? null,
      })),
      notes,
    },
  };
}
