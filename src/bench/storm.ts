/**
 * The storm: `sheriff watch` fed the bench's auth.log live, at a steady rate
 * (20,000 lines/s for 2 minutes; `--quick`: 20 s), with the default
 * configuration (jail policy approve, the web console on) and a dry-run
 * firewall. It measures whether the daemon keeps up (its /metrics source lag
 * 2 s after the writer stops, and how long until it reads 0) and its peak RSS
 * (VmHWM). A report, never a test: it asserts nothing.
 *
 *   node dist/bench/storm.js [--quick] [--seconds N] [--rate N] [--policy approve|notify]
 *
 * The writer appends whole lines with writeSync every 10 ms, as many as the
 * rate owes at that moment (a pause of the writer is caught up at once, like
 * a busy syslog daemon). The lines are the bench log's (authlog-generator.ts,
 * seed 2024), timestamps as generated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_START, writeAuthLog } from './authlog-generator.js';
import { atMost, type TargetRow } from './targets.js';

export const STORM_BARS = { rate: 20_000, behindAfterMs: 2000, rssMiB: 256 };
/** How long the bench waits for the daemon to catch up after the writer stopped, at most. */
const CATCH_UP_LIMIT_MS = 120_000;
const TICK_MS = 10;
const START_TIMEOUT_MS = 60_000;

export interface StormOptions {
  quick: boolean;
  /** Where the generated log and the daemon's files go (a temporary directory inside). */
  outDir: string;
  /** Seconds of writing; default 120 (quick: 20). */
  seconds?: number;
  /** Lines per second; default 20,000. */
  rate?: number;
  /** The jail policy; default the default (approve). */
  policy?: 'approve' | 'notify';
  /** The Sheriff checkout to run (its bin/launch.js); default this one. */
  root?: string;
  /** Keep the work directory (the daemon's log and store) for a look afterwards. */
  keep?: boolean;
  /** The report (stdout). */
  log?: (s?: string) => void;
  /** Progress (stderr). */
  progress?: (s: string) => void;
}

export interface StormResult {
  seconds: number;
  rate: number;
  policy: 'approve' | 'notify';
  linesWritten: number;
  bytesWritten: number;
  /** Bytes the daemon had not read when the writer stopped, and 2 s later (null: no answer). */
  lagAtStopBytes: number | null;
  lagAfter2sBytes: number | null;
  /** From the writer's stop until the daemon had read everything (null: not within the limit). */
  catchUpMs: number | null;
  /** The largest lag seen while writing. */
  maxLagBytes: number;
  peakRssMiB: number | null;
  /** CPU time (user + system) the daemon used from the writer's start until it caught up (or gave up). */
  cpuSeconds: number | null;
  findings: number | null;
  approvalsPending: number | null;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** The daemon's /metrics, or null while it does not answer. */
async function metrics(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

const metric = (text: string | null, name: string): number | null => {
  if (text === null) return null;
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m === null ? null : Number(m[1]);
};

/** User + system CPU seconds of a process so far (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function vmHwmMiB(pid: number | undefined): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]) / 1024;
  } catch {
    return null;
  }
}

/** Whole lines of `path`, handed out `n` at a time, from a 4 MiB buffer. */
class LineFeed {
  private readonly fd: number;
  private buf = Buffer.alloc(0);
  private at = 0;
  private pos = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }
  /** Up to `n` lines (fewer at the end of the file), newlines included. */
  take(n: number): { bytes: Buffer; lines: number } {
    const parts: Buffer[] = [];
    let lines = 0;
    while (lines < n) {
      if (this.at >= this.buf.length && !this.refill()) break;
      let end = this.at;
      while (lines < n) {
        const nl = this.buf.indexOf(10, end);
        if (nl === -1) break;
        end = nl + 1;
        lines++;
      }
      parts.push(this.buf.subarray(this.at, end));
      this.at = end;
      if (lines < n && this.at < this.buf.length) {
        // A line across the buffer's end: keep its start for the next buffer.
        if (!this.refill()) break;
      }
    }
    return { bytes: Buffer.concat(parts), lines };
  }
  private refill(): boolean {
    const rest = this.buf.subarray(this.at);
    const chunk = Buffer.allocUnsafe(4 << 20);
    const n = readSync(this.fd, chunk, 0, chunk.length, this.pos);
    if (n === 0) return false;
    this.pos += n;
    this.buf = Buffer.concat([rest, chunk.subarray(0, n)]);
    this.at = 0;
    return true;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export async function storm(o: StormOptions): Promise<StormResult> {
  const say = o.progress ?? (() => {});
  const seconds = o.seconds ?? (o.quick ? 20 : 120);
  const rate = o.rate ?? STORM_BARS.rate;
  const dir = await mkdtemp(join(o.outDir, 'storm-'));
  const source = join(dir, 'source.log');
  const target = join(dir, 'auth.log');
  const config = join(dir, 'sheriff.yaml');
  const port = await freePort();
  say(`storm: generating ${(seconds * rate).toLocaleString('en-US')} lines…`);
  await writeAuthLog(source, { lines: seconds * rate, seed: 2024, start: DEFAULT_START });
  writeFileSync(target, '');
  writeFileSync(
    config,
    [
      'sources:',
      `  - { type: file, path: ${JSON.stringify(target)} }`,
      `store: { path: ${JSON.stringify(join(dir, 'sheriff.db'))} }`,
      'log: { level: info, format: json }',
      // Never the machine's firewall.
      'response: { firewall: dry-run }',
      ...(o.policy === 'notify' ? ['jails: { sshd: { policy: notify } }'] : []),
      // The console is on by default; here on a free port, for its /metrics.
      `web: { port: ${port} }`,
      '',
    ].join('\n'),
  );
  const daemonLog = join(dir, 'daemon.log');
  const out = openSync(daemonLog, 'a');
  // Through bin/sheriff, as the service runs it: the V8 flags it gives `watch` are part of the daemon.
  const child: ChildProcess = spawn(
    join(o.root ?? root, 'bin', 'sheriff'),
    ['--config', config, 'watch'],
    { stdio: ['ignore', out, out], env: { ...process.env, SHERIFF_LANG: 'en' } },
  );
  closeSync(out);
  const exited = new Promise((done) => child.once('exit', done));
  const feed = new LineFeed(source);
  const fd = openSync(target, 'a');
  try {
    const since = performance.now();
    while ((await metrics(port)) === null) {
      if (child.exitCode !== null || performance.now() - since > START_TIMEOUT_MS)
        throw new Error(
          `sheriff watch did not start: ${readFileSync(daemonLog, 'utf8').slice(-1000)}`,
        );
      await sleep(100);
    }
    say('storm: writing');
    let written = 0;
    let bytes = 0;
    let maxLag = 0;
    let nextLook = 1000;
    const t0 = performance.now();
    const cpu0 = cpuSeconds(child.pid);
    for (;;) {
      const t = performance.now() - t0;
      if (t >= seconds * 1000) break;
      const owed = Math.floor((t / 1000) * rate) - written;
      if (owed > 0) {
        const chunk = feed.take(owed);
        if (chunk.lines === 0) break;
        writeSync(fd, chunk.bytes);
        written += chunk.lines;
        bytes += chunk.bytes.length;
      }
      if (t >= nextLook) {
        nextLook += 1000;
        // Not awaited: a slow answer must not hold the writer up.
        void metrics(port).then((m) => {
          maxLag = Math.max(maxLag, metric(m, 'sheriff_source_lag') ?? 0);
        });
        say(
          `storm: ${Math.round(t / 1000)} s, ${written.toLocaleString('en-US')} lines, lag ${maxLag.toLocaleString('en-US')} B max, RSS peak ${vmHwmMiB(child.pid)?.toFixed(0)} MiB`,
        );
      }
      await sleep(TICK_MS);
    }
    const stoppedAt = performance.now();
    const writeSeconds = (stoppedAt - t0) / 1000;
    const lagAtStop = metric(await metrics(port), 'sheriff_source_lag');
    // Caught up: the first of two answers in a row saying lag 0, timed when it arrived
    // (a daemon too busy to answer is not caught up).
    let catchUpMs: number | null = null;
    let lagAfter2s: number | null = null;
    while (performance.now() - stoppedAt < CATCH_UP_LIMIT_MS) {
      const sent = performance.now() - stoppedAt;
      const lag = metric(await metrics(port), 'sheriff_source_lag');
      const at = performance.now() - stoppedAt;
      if (lagAfter2s === null && sent >= STORM_BARS.behindAfterMs) lagAfter2s = lag;
      if (lag !== 0) catchUpMs = null;
      else if (catchUpMs === null) catchUpMs = at;
      else if (at >= STORM_BARS.behindAfterMs) break;
      await sleep(100);
    }
    const cpu1 = cpuSeconds(child.pid);
    const last = await metrics(port);
    return {
      seconds: writeSeconds,
      policy: o.policy ?? 'approve',
      rate: written / writeSeconds,
      linesWritten: written,
      bytesWritten: bytes,
      lagAtStopBytes: lagAtStop,
      lagAfter2sBytes: lagAfter2s,
      catchUpMs,
      maxLagBytes: maxLag,
      peakRssMiB: vmHwmMiB(child.pid),
      cpuSeconds: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
      findings: metric(last, 'sheriff_findings_total'),
      approvalsPending: metric(last, 'sheriff_approvals_pending'),
    };
  } finally {
    closeSync(fd);
    feed.close();
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
    if (o.keep) say(`storm: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

const mib = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)} MiB`);
const kb = (v: number | null) =>
  v === null ? 'no answer' : v === 0 ? '0 B' : `${(v / 1024).toFixed(0)} KiB`;

/** The storm's rows for the bench's verdict table. */
export function stormRows(r: StormResult): TargetRow[] {
  const rate = Math.round(r.rate).toLocaleString('en-US');
  return [
    {
      target: `storm: read everything after the writer stops (${rate} lines/s for ${r.seconds.toFixed(0)} s, ${r.policy}, console on)`,
      bar: `within ${STORM_BARS.behindAfterMs / 1000} s, at ≥ 95% of ${STORM_BARS.rate.toLocaleString('en-US')} lines/s`,
      measured: `${r.catchUpMs === null ? 'never' : `${(r.catchUpMs / 1000).toFixed(1)} s`} (${kb(r.lagAtStopBytes)} behind at the stop, ${kb(r.lagAfter2sBytes)} 2 s later)`,
      verdict:
        r.rate < STORM_BARS.rate * 0.95
          ? 'MISS'
          : r.catchUpMs === null
            ? 'MISS'
            : atMost(r.catchUpMs, STORM_BARS.behindAfterMs),
    },
    {
      target: 'storm: peak RSS of sheriff watch (VmHWM)',
      bar: `≤ ${STORM_BARS.rssMiB} MiB`,
      measured: mib(r.peakRssMiB),
      verdict: atMost(r.peakRssMiB, STORM_BARS.rssMiB),
    },
  ];
}

/** The bench's entry: the storm, its table lines on `log`, its rows. */
export async function runStorm(o: StormOptions): Promise<TargetRow[]> {
  const log = o.log ?? (() => {});
  const load = loadavg()[0]!;
  const r = await storm(o);
  log(
    `Storm: ${r.linesWritten.toLocaleString('en-US')} lines of the bench log appended live at ${Math.round(r.rate).toLocaleString('en-US')} lines/s for ${r.seconds.toFixed(0)} s (load average ${load.toFixed(2)} at the start).`,
  );
  log(
    `  lag at the stop ${kb(r.lagAtStopBytes)}, 2 s later ${kb(r.lagAfter2sBytes)}, caught up after ${r.catchUpMs === null ? 'never' : `${(r.catchUpMs / 1000).toFixed(1)} s`}; largest lag while writing ${kb(r.maxLagBytes)}; peak RSS ${mib(r.peakRssMiB)}; CPU ${r.cpuSeconds === null ? 'n/a' : r.catchUpMs === null ? `${r.cpuSeconds.toFixed(1)} s (not all lines read)` : `${r.cpuSeconds.toFixed(1)} s (${((r.cpuSeconds / r.linesWritten) * 1e6).toFixed(1)} µs a line: ${((r.cpuSeconds / r.seconds) * 100).toFixed(0)}% of a core at this rate)`}; findings ${r.findings ?? 'n/a'}, approvals pending ${r.approvalsPending ?? 'n/a'}`,
  );
  return stormRows(r);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      policy: { type: 'string', default: 'approve' },
      out: { type: 'string', default: tmpdir() },
      keep: { type: 'boolean', default: false },
      root: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const rows = await runStorm({
    quick: values.quick,
    outDir: resolve(values.out),
    ...(values.seconds === undefined ? {} : { seconds: num(values.seconds)! }),
    ...(values.rate === undefined ? {} : { rate: num(values.rate)! }),
    policy: values.policy === 'notify' ? 'notify' : 'approve',
    keep: values.keep,
    ...(values.root === undefined ? {} : { root: resolve(values.root) }),
    log: (s = '') => process.stdout.write(s + '\n'),
    progress: (s) => process.stderr.write(s + '\n'),
  });
  for (const r of rows)
    process.stdout.write(`${r.verdict}  ${r.target}  ${r.bar}  ${r.measured}\n`);
}
