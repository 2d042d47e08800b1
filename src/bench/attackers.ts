/**
 * Replay at scale: `sheriff replay --json` over logs of 10k, 100k and 1M
 * distinct attacking addresses (one failure each, writeDistinctFailures), its
 * peak RSS at each so the growth shows, and its speed on as many distinct
 * addresses as the ordinary log has lines, against that ordinary auth.log in
 * the same run. Then `replay` over several rotated files with two threads
 * against one (`--threads 1`), and whether both print the same.
 * Runs are interleaved (ordinary, distinct; one thread, two) and the best of
 * `runs` counts, so a drift of the shared machine touches both sides alike.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { DEFAULT_START, writeAuthLog, writeDistinctFailures } from './authlog-generator.js';
import { findTools, FIXED_NOW, runTimed, type Command, type RunResult } from './peers.js';
import { table } from './table.js';
import { atLeast, atMost, type TargetRow } from './targets.js';

export interface AttackersOptions {
  /** The repository (bin/sheriff). */
  root: string;
  outDir: string;
  /** 100k-line logs and one run each, instead of 1M lines and `runs`. */
  quick: boolean;
  runs?: number;
  log?: (line: string) => void;
  progress?: (line: string) => void;
}

const BARS = { distinctVsOrdinary: 0.8, rssMiB: 256, twoThreads: 1.6 };
const FILES = 4;
const DAY_S = 86_400;

interface Timed {
  seconds: number;
  peakMiB: number | null;
}

export async function runAttackers(o: AttackersOptions): Promise<TargetRow[]> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const progress = o.progress ?? ((s: string) => process.stderr.write(s + '\n'));
  const lines = o.quick ? 100_000 : 1_000_000;
  const runs = o.quick ? 1 : (o.runs ?? 3);
  const scales = o.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const sheriff = (await findTools(o.root)).find((t) => t.id === 'sheriff-replay')!;
  const fixed = ['--now', FIXED_NOW, '--timezone', 'UTC'];
  const replay = (files: string[], ...more: string[]): Command => ({
    file: sheriff.command(files[0]!).file,
    args: ['replay', ...files, '--json', ...fixed, ...more],
  });
  const timed = async (cmd: Command, out = '/dev/null'): Promise<Timed> => {
    const r: RunResult = await runTimed(cmd, out, join(o.outDir, 'attackers'));
    if (r.exitCode !== 0) throw new Error(`${cmd.args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
    return { seconds: r.seconds, peakMiB: r.peakRss === null ? null : r.peakRss / 2 ** 20 };
  };

  progress('attackers: generating logs…');
  const ordinary = join(o.outDir, `attackers-ordinary-${lines}.log`);
  await writeAuthLog(ordinary, { lines, seed: 2024, start: DEFAULT_START });
  const distinct = new Map<number, string>();
  for (const n of scales) {
    const path = join(o.outDir, `attackers-distinct-${n}.log`);
    await writeDistinctFailures(path, { lines: n, seed: 7, start: DEFAULT_START });
    distinct.set(n, path);
  }
  // Rotated logs: whole days apart, so no connection runs from one into the next.
  const perFile = Math.round(lines / 2);
  const rotated: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const path = join(o.outDir, `attackers-rotated-${i}.log`);
    const start = DEFAULT_START + i * Math.ceil(perFile / 80_000 + 1) * DAY_S;
    await writeAuthLog(path, { lines: perFile, seed: 100 + i, start });
    rotated.push(path);
  }

  // RSS at each scale (one run each; the largest is also the speed comparison's).
  const rss = new Map<number, number | null>();
  for (const n of scales) {
    progress(`attackers: replay of ${n} distinct addresses…`);
    rss.set(n, (await timed(replay([distinct.get(n)!]))).peakMiB);
  }
  const widest = distinct.get(lines) ?? distinct.get(scales.at(-1)!)!;
  const widestLines = distinct.has(lines) ? lines : scales.at(-1)!;

  // Speed: distinct vs ordinary at equal line counts, interleaved, best of `runs`.
  const best = { ordinary: Infinity, distinct: Infinity, one: Infinity, two: Infinity };
  let peak = { ordinary: 0, distinct: 0 };
  for (let run = 1; run <= runs; run++) {
    progress(`attackers: run ${run}/${runs}: ordinary vs distinct…`);
    const a = await timed(replay([ordinary]));
    const b = await timed(replay([widest]));
    best.ordinary = Math.min(best.ordinary, a.seconds);
    best.distinct = Math.min(best.distinct, b.seconds);
    peak = {
      ordinary: Math.max(peak.ordinary, a.peakMiB ?? 0),
      distinct: Math.max(peak.distinct, b.peakMiB ?? 0),
    };
  }

  // Several files: one thread vs two, and the same output.
  const oneOut = join(o.outDir, 'attackers-rotated.threads-1.out');
  const twoOut = join(o.outDir, 'attackers-rotated.threads-2.out');
  await timed(replay(rotated, '--threads', '1'), oneOut);
  await timed(replay(rotated, '--threads', '2'), twoOut);
  const same = (await readFile(oneOut, 'utf8')) === (await readFile(twoOut, 'utf8'));
  for (let run = 1; run <= runs; run++) {
    progress(`attackers: run ${run}/${runs}: ${FILES} files, one thread vs two…`);
    best.one = Math.min(best.one, (await timed(replay(rotated, '--threads', '1'))).seconds);
    best.two = Math.min(best.two, (await timed(replay(rotated, '--threads', '2'))).seconds);
  }

  const rate = (n: number, s: number) => n / s;
  const ratio = rate(widestLines, best.distinct) / rate(lines, best.ordinary);
  const speedup = best.one / best.two;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const mib = (v: number | null | undefined) => (v == null ? 'n/a' : `${v.toFixed(1)} MiB`);
  log(`Replay at scale (${cpus().length} cores, best of ${runs}):`);
  log(
    table([
      ['input', 'lines', 'best s', 'lines/s', 'peak RSS'],
      [
        'ordinary auth.log',
        fmt(lines),
        best.ordinary.toFixed(3),
        fmt(rate(lines, best.ordinary)),
        mib(peak.ordinary),
      ],
      ...scales.map((n) => [
        `${fmt(n)} distinct attackers`,
        fmt(n),
        n === widestLines ? best.distinct.toFixed(3) : '',
        n === widestLines ? fmt(rate(n, best.distinct)) : '',
        mib(rss.get(n)),
      ]),
      [
        `${FILES} rotated files, 1 thread`,
        fmt(perFile * FILES),
        best.one.toFixed(3),
        fmt(rate(perFile * FILES, best.one)),
        '',
      ],
      [
        `${FILES} rotated files, 2 threads`,
        fmt(perFile * FILES),
        best.two.toFixed(3),
        fmt(rate(perFile * FILES, best.two)),
        '',
      ],
    ]),
  );
  const widestRss = rss.get(widestLines) ?? null;
  const twoCores = cpus().length >= 2;
  return [
    {
      target: `replay, ${fmt(widestLines)} distinct attackers vs the ordinary log`,
      bar: `≥ ${BARS.distinctVsOrdinary}×`,
      measured: `${ratio.toFixed(2)}×`,
      verdict: atLeast(ratio, BARS.distinctVsOrdinary),
    },
    {
      target: `replay peak RSS, ${fmt(widestLines)} distinct attackers`,
      bar: `≤ ${BARS.rssMiB} MiB`,
      measured: mib(widestRss),
      verdict: atMost(widestRss, BARS.rssMiB),
    },
    {
      target: 'replay peak RSS by distinct attackers',
      bar: 'shown',
      measured: scales.map((n) => `${fmt(n)}: ${mib(rss.get(n))}`).join(', '),
      verdict: 'n/a',
    },
    {
      target: `replay of ${FILES} files, 2 threads vs 1`,
      bar: `≥ ${BARS.twoThreads}×`,
      measured: twoCores ? `${speedup.toFixed(2)}×` : 'one core',
      verdict: twoCores ? atLeast(speedup, BARS.twoThreads) : 'n/a',
    },
    {
      target: `replay of ${FILES} files, 2 threads: same output as 1`,
      bar: 'identical',
      measured: same ? 'identical' : 'DIFFERENT',
      verdict: same ? 'PASS' : 'MISS',
    },
  ];
}
