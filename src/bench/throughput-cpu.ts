/**
 * Throughput in CPU time: the same runs as throughput.ts (test-filter, replay,
 * sshg-parser and the floor on every log profile, start-up included), but each
 * measured by the CPU seconds (user + system) its process used, from GNU time.
 * On a machine other work shares, wall time waits for the scheduler; CPU time
 * mostly does not, so these ratios move far less from run to run. Interleaved,
 * best of N. A report: it asserts no absolute time.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findTools, type Tool } from './peers.js';
import { table } from './table.js';
import { atLeast, type TargetRow } from './targets.js';
import { writeRegexPlan } from './regex-floor.js';
import { REGEX_PLAN, THROUGHPUT_BARS, type ThroughputOptions } from './throughput.js';

const GNU_TIME = '/usr/bin/time';
const TOOLS = [
  'floor',
  'regex-floor',
  'sheriff-test-filter',
  'sheriff-replay',
  'sshg-parser',
] as const;

/** CPU seconds (user + system) of one run of `tool` over `input`, or an error. */
function cpuSeconds(tool: Tool, input: string, scratch: string): Promise<number> {
  const cmd = tool.command(input);
  // sshg-parser reads standard input: GNU time runs it through sh with the file as stdin.
  const [file, args] =
    cmd.stdin === undefined
      ? [cmd.file, cmd.args]
      : ['/bin/sh', ['-c', 'exec "$0" "$@" < "$SHERIFF_BENCH_STDIN"', cmd.file, ...cmd.args]];
  const out = `${scratch}.cpu`;
  const child = spawn(GNU_TIME, ['-f', '%U %S', '-o', out, file, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SHERIFF_LANG: 'en', LC_ALL: 'C.UTF-8', SHERIFF_BENCH_STDIN: cmd.stdin },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 2000) stderr += s;
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => {
      if (code !== 0) return fail(new Error(`${tool.id}: exit ${code}: ${stderr.slice(0, 300)}`));
      readFile(out, 'utf8')
        .then(async (text) => {
          const [user, system] = text.trim().split('\n').pop()!.split(' ').map(Number);
          await rm(out, { force: true });
          done(user! + system!);
        })
        .catch(fail);
    });
  });
}

export async function runCpuThroughput(o: ThroughputOptions): Promise<TargetRow[]> {
  const regexPlan = join(o.outDir, REGEX_PLAN);
  await writeRegexPlan(regexPlan);
  const tools = (await findTools(o.root, { regexPlan })).filter(
    (t) => (TOOLS as readonly string[]).includes(t.id) && t.missing === null,
  );
  const rows: TargetRow[] = [];
  o.log(`Throughput in CPU time (user + system, start-up included), best of ${o.runs}:`);
  const t = [['tool', 'input', 'lines', 'best CPU s', 'lines per CPU s', '× sshg', '× floor']];
  for (const profile of o.profiles) {
    const path = join(o.outDir, `cpu.${profile.name}`);
    o.progress(`generating ${profile.name} for the CPU-time runs…`);
    const lines = await profile.write(path, o.lines);
    const best = new Map<string, number>();
    for (let run = 1; run <= o.runs; run++)
      for (const tool of tools) {
        o.progress(`  cpu run ${run}/${o.runs}: ${tool.id} on ${profile.name}…`);
        const s = await cpuSeconds(tool, path, join(o.outDir, tool.id));
        best.set(tool.id, Math.min(best.get(tool.id) ?? Infinity, s));
      }
    await rm(path, { force: true });
    const rate = (id: string) => lines / (best.get(id) ?? NaN);
    for (const tool of tools) {
      const r = rate(tool.id);
      t.push([
        tool.label,
        profile.name,
        lines.toLocaleString('en-US'),
        best.get(tool.id)!.toFixed(3),
        Math.round(r).toLocaleString('en-US'),
        `${(r / rate('sshg-parser')).toFixed(2)}×`,
        `${(r / rate('floor')).toFixed(2)}×`,
      ]);
    }
    const ratio = (a: string, b: string) => {
      const r = rate(a) / rate(b);
      return Number.isFinite(r) ? r : null;
    };
    const bar = (target: string, against: string, of: string, min: number) => {
      const r = ratio(of, against);
      rows.push({
        target: `${target} in CPU time (${profile.name})`,
        bar: `≥ ${min}×`,
        measured: r === null ? 'n/a' : `${r.toFixed(2)}×`,
        verdict: atLeast(r, min),
      });
    };
    bar('test-filter vs sshg-parser', 'sshg-parser', 'sheriff-test-filter', THROUGHPUT_BARS.vsSshg);
    bar('test-filter vs the floor', 'floor', 'sheriff-test-filter', THROUGHPUT_BARS.vsFloor);
    bar(
      'replay --json vs test-filter',
      'sheriff-test-filter',
      'sheriff-replay',
      THROUGHPUT_BARS.replayVsTestFilter,
    );
  }
  o.log(table(t));
  o.log();
  return rows;
}
