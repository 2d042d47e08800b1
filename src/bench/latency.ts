/**
 * Detection latency: from the moment the line that completes a finding is
 * appended to a watched log file, to the moment the finding is available, for
 * Sheriff (`sheriff watch`), fail2ban's server (polling and pyinotify backends),
 * SSHGuard (`sshg-logtail | sshg-parser | sshg-blocker`) and a floor (a bare
 * Node fs.watch reader, latency-floor.ts). Median and p95 over N trials, in the
 * same run, on this machine, reported as ratios to Sheriff.
 *
 * One trial: write MAXRETRY - 1 failures for a fresh address, wait until the
 * tool has processed them, wait a random 0–1 s (so a polling tool is caught at
 * every phase of its poll, not always just after one), then append the
 * completing failure with writeSync and take the time as it returns; the trial
 * ends when the tool's output delivers the finding for that address into this
 * process (the time is taken as the chunk arrives, before it is parsed). The
 * first trial of each tool is a warm-up and is discarded. The tools run side by
 * side and take turns, one trial each in a random order (measureInterleaved), so
 * a load that changes during the run falls on every tool alike.
 *
 * Nothing touches the firewall: fail2ban runs with a no-op action (actionban =
 * true) from a private conf dir, socket, pidfile and database; sshg-blocker's
 * "block ADDR …" commands go to this process instead of an sshg-fw-* backend.
 * Every program is started with an argument array, never a shell.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  watch,
  writeFileSync,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { F2B_FILTER_DIR, fail2banFiltersInstalled, privateFail2ban } from './fail2ban-private.js';
import { table } from './table.js';
import { atMost, type TargetRow } from './targets.js';

/** The issue's bar is over at least 200 trials; quick mode (before a commit) takes fewer. */
export const LATENCY_DEFAULTS = { trials: 200, quickTrials: 50, quickJitterMs: 200 };
const MAXRETRY = 3;
const FINDTIME_S = 600;
/** After the priming failures were seen processed (or, for tools that show nothing, a fixed wait). */
const SETTLE_MS = 100;
/** A random extra wait of 0..JITTER_MS before the completing line. */
const JITTER_MS = 1000;
const TRIAL_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Sheriff's median, at most. */
const BAR_MEDIAN_MS = 1;

export interface LatencyOptions {
  root: string;
  trials: number;
  /** Only these tools (ids: sheriff, sheriff-notify, floor, sshguard, fail2ban-pyinotify, fail2ban-polling); default all. */
  only?: readonly string[];
  /**
   * Another built Sheriff checkout, measured beside this one as "sheriff-baseline" (A/B of a
   * change on the same load: `git worktree add /tmp/base main && (cd /tmp/base && npm run build)`).
   */
  baseline?: string;
  /** The random wait before each completing line, at most; default 1000 ms. */
  jitterMs?: number;
  /** The report (stdout). */
  log: (s?: string) => void;
  /** Progress (stderr). */
  progress: (s: string) => void;
}

interface ToolResult {
  id: string;
  label: string;
  observedAt: string;
  version: string;
  missing: string | null;
  error: string | null;
  samplesMs: number[];
  medianMs: number | null;
  p95Ms: number | null;
  minMs: number | null;
  maxMs: number | null;
  /** This tool's p95 / Sheriff's p95. */
  p95VsSheriff: number | null;
}

export interface LatencyReport {
  date: string;
  loadAverage: { start: number; end: number };
  settings: {
    trials: number;
    warmupDiscarded: number;
    maxretry: number;
    findtimeSeconds: number;
    settleMs: number;
    jitterMs: number;
    trialTimeoutMs: number;
    p95: string;
  };
  tools: ToolResult[];
  bars: { bar: string; value: string; pass: boolean | null }[];
  notes: string[];
}

// ---------------------------------------------------------------------------
// Lines out of a tool, time-stamped on arrival.

interface Waiter {
  test: (line: string) => boolean;
  need: number;
  seen: number;
  done: (at: bigint) => void;
  fail: (err: Error) => void;
}

/** The lines a tool writes, each with the hrtime at which it reached this process. */
class LineTap {
  private readonly lines: { text: string; at: bigint }[] = [];
  private rest = '';
  private waiters: Waiter[] = [];
  private failed: Error | null = null;

  /** Feeds a chunk; `at` defaults to now (take it before any parsing). */
  push(chunk: string, at: bigint = process.hrtime.bigint()): void {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      this.lines.push({ text: line, at });
      for (const w of this.waiters) {
        if (w.test(line) && ++w.seen >= w.need) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.done(at);
        }
      }
    }
    this.rest = text.slice(start);
  }

  /** Ends every wait: the tool is gone. */
  fail(err: Error): void {
    this.failed ??= err;
    for (const w of this.waiters) w.fail(err);
    this.waiters = [];
  }

  /** Arrival time of the `need`-th line (counting lines already seen) that passes `test`. */
  waitFor(test: (line: string) => boolean, timeoutMs: number, what: string, need = 1) {
    return new Promise<bigint>((done, fail) => {
      let seen = 0;
      for (const l of this.lines)
        if (test(l.text) && ++seen >= need) {
          done(l.at);
          return;
        }
      if (this.failed) {
        fail(this.failed);
        return;
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const w: Waiter = {
        test,
        need,
        seen,
        done: (at) => {
          clearTimeout(timer);
          done(at);
        },
        fail: (err) => {
          clearTimeout(timer);
          fail(err);
        },
      };
      this.waiters.push(w);
    });
  }

  /** The lines seen so far that pass `test`. */
  seen(test: (line: string) => boolean): string[] {
    return this.lines.filter((l) => test(l.text)).map((l) => l.text);
  }

  tail(n = 5): string {
    return this.lines
      .slice(-n)
      .map((l) => l.text)
      .join(' | ');
  }
}

/** Follows a file another process appends to (fail2ban's log): inotify, plus a 10 ms poll. */
class FileTail {
  private readonly fd: number;
  private pos = 0;
  private readonly buf = Buffer.allocUnsafe(1 << 16);
  private readonly decoder = new StringDecoder('utf8');
  private readonly watcher: FSWatcher;
  private readonly timer: NodeJS.Timeout;

  constructor(
    path: string,
    private readonly tap: LineTap,
  ) {
    this.fd = openSync(path, 'r');
    this.watcher = watch(path, () => this.drain());
    this.timer = setInterval(() => this.drain(), 10);
  }

  private drain(): void {
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (n === 0) return;
      const at = process.hrtime.bigint();
      this.pos += n;
      this.tap.push(this.decoder.write(this.buf.subarray(0, n)), at);
    }
  }

  close(): void {
    this.watcher.close();
    clearInterval(this.timer);
    closeSync(this.fd);
  }
}

// ---------------------------------------------------------------------------
// Processes.

/** The processes and clean-ups of one tool run; stop() undoes them all. */
class Procs {
  private readonly children: ChildProcess[] = [];
  private readonly cleanups: (() => void)[] = [];
  readonly output = new Map<string, string>();

  spawn(name: string, file: string, args: string[], stdio: (string | Readable)[]): ChildProcess {
    const child = spawn(file, args, {
      stdio: stdio as ('pipe' | 'ignore' | Readable)[],
      env: { ...process.env, SHERIFF_LANG: 'en', LC_ALL: 'C.UTF-8' },
    });
    this.children.push(child);
    child.on('error', () => {}); // reported through the tap (exit) or spawn checks
    return child;
  }

  /** Keeps the last bytes a stream writes, for error messages. */
  keep(name: string, stream: Readable | null): void {
    stream?.setEncoding('utf8').on('data', (s: string) => {
      this.output.set(name, ((this.output.get(name) ?? '') + s).slice(-2000));
    });
  }

  /** Fails the tap when `child` ends or cannot start. */
  guard(name: string, child: ChildProcess, tap: LineTap): void {
    child.once('error', (err) => tap.fail(new Error(`${name}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      const out = (this.output.get(name) ?? '').trim().split('\n').slice(-3).join(' | ');
      tap.fail(new Error(`${name} exited (${code ?? signal})${out ? `: ${out}` : ''}`));
    });
  }

  onStop(f: () => void): void {
    this.cleanups.push(f);
  }

  async stop(): Promise<void> {
    for (const f of this.cleanups.splice(0).reverse()) {
      try {
        f();
      } catch {
        // already gone
      }
    }
    await Promise.all(
      this.children.splice(0).map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
        const exited = new Promise<void>((done) => c.once('exit', () => done()));
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(t);
      }),
    );
  }
}

/** Waits until process `pid` holds `path` open (it is following the file). */
async function waitOpen(pid: number | undefined, path: string, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (pid === undefined) break;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === path) return;
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // not started yet, or gone
    }
    await sleep(10);
  }
  throw new Error(`${what} did not open ${path} within ${START_TIMEOUT_MS} ms`);
}

function canExec(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && canExec(join(dir, name))) return join(dir, name);
  }
  return null;
}

function capture(file: string, args: string[]): Promise<string | null> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      done(err ? null : (stdout || stderr).trim()),
    );
  });
}
const dpkgVersion = (pkg: string) => capture('dpkg-query', ['-W', '-f=${Version}', pkg]);

// ---------------------------------------------------------------------------
// The tools.

interface Harness {
  tap: LineTap;
  isFinding(line: string, ip: string): boolean;
  /** Resolves once the tool has seen the `n` priming failures of `ip`. */
  processed(ip: string, n: number): Promise<void>;
}

interface Peer {
  id: string;
  label: string;
  observedAt: string;
  version: string;
  missing: string | null;
  start(dir: string, logPath: string, procs: Procs): Promise<Harness>;
}

const settled = () => sleep(SETTLE_MS).then(() => undefined);

/** A JSON log line with event "finding" for `ip` (Sheriff, and the floor). */
function jsonFinding(line: string, ip: string): boolean {
  if (!line.includes('"finding"')) return false;
  try {
    const v = JSON.parse(line) as { event?: unknown; ip?: unknown };
    return v.event === 'finding' && v.ip === ip;
  } catch {
    return false;
  }
}

/**
 * `sheriff watch` as configured by default (jail policy approve: a finding also asks for an
 * approval), or with `policy: notify` (a finding is only stored and logged). The firewall is
 * dry-run either way.
 */
function sheriffPeer(root: string, version: string, notify: boolean, baseline = false): Peer {
  const bin = resolve(root, 'bin/sheriff');
  return {
    id: baseline ? 'sheriff-baseline' : notify ? 'sheriff-notify' : 'sheriff',
    label: baseline
      ? `sheriff watch (baseline ${root})`
      : notify
        ? 'sheriff watch (policy notify)'
        : 'sheriff watch',
    observedAt: 'stderr: JSON line "event":"finding"',
    version,
    missing: null,
    async start(dir, logPath, procs) {
      const config = join(dir, 'sheriff.yaml');
      writeFileSync(
        config,
        [
          'sources:',
          `  - { type: file, path: ${JSON.stringify(logPath)} }`,
          `store: { path: ${JSON.stringify(join(dir, 'sheriff.db'))} }`,
          'log: { level: info, format: json }',
          // Never the machine's firewall: the dry-run backend.
          'response: { firewall: dry-run }',
          'jails:',
          `  sshd: { maxretry: ${MAXRETRY}, findtime: 10m${notify ? ', policy: notify' : ''} }`,
          '',
        ].join('\n'),
      );
      const tap = new LineTap();
      const child = procs.spawn(
        'sheriff',
        bin,
        ['--config', config, 'watch'],
        ['ignore', 'pipe', 'pipe'],
      );
      child.stderr!.setEncoding('utf8').on('data', (s: string) => tap.push(s));
      procs.keep('sheriff', child.stdout);
      procs.guard('sheriff', child, tap);
      await tap.waitFor((l) => l.includes('"daemon_started"'), START_TIMEOUT_MS, 'daemon_started');
      // Belt and braces: a Sheriff that announces a real firewall backend is stopped at once.
      const real = tap
        .seen((l) => l.includes('"event":"firewall"'))
        .filter((l) => !l.includes('"kind":"dry-run"'));
      if (real.length > 0)
        throw new Error(
          `sheriff chose a real firewall backend, stopped: ${real[0]!.slice(0, 200)}`,
        );
      await waitOpen(child.pid, logPath, 'sheriff');
      await settled();
      return { tap, isFinding: jsonFinding, processed: settled };
    },
  };
}

function floorPeer(root: string): Peer {
  return {
    id: 'floor',
    label: 'floor (node fs.watch + readSync)',
    observedAt: 'stderr: JSON line "event":"finding"',
    version: `node ${process.version}`,
    missing: null,
    async start(_dir, logPath, procs) {
      const tap = new LineTap();
      const child = procs.spawn(
        'floor',
        process.execPath,
        [resolve(root, 'dist/bench/latency-floor.js'), logPath, String(MAXRETRY)],
        ['ignore', 'ignore', 'pipe'],
      );
      child.stderr!.setEncoding('utf8').on('data', (s: string) => tap.push(s));
      procs.guard('floor', child, tap);
      await tap.waitFor((l) => l.includes('"ready"'), START_TIMEOUT_MS, 'ready');
      await settled();
      return { tap, isFinding: jsonFinding, processed: settled };
    },
  };
}

interface SshgPaths {
  logtail: string;
  parser: string;
  blocker: string;
}

function sshguardPeer(paths: SshgPaths | null, version: string): Peer {
  return {
    id: 'sshguard',
    label: 'sshg-logtail | sshg-parser | sshg-blocker',
    observedAt: 'sshg-blocker stdout: "block ADDR …"',
    version,
    missing: paths === null ? 'not installed (apt-get install sshguard)' : null,
    async start(_dir, logPath, procs) {
      const p = paths!;
      const tap = new LineTap();
      // logtail's stdout becomes parser's stdin, parser's stdout blocker's stdin: kernel pipes,
      // nothing of this process in between. The parent's own ends are closed at once, so it
      // never reads (and steals) from them.
      const logtail = procs.spawn('sshg-logtail', p.logtail, [logPath], ['ignore', 'pipe', 'pipe']);
      const parser = procs.spawn('sshg-parser', p.parser, [], [logtail.stdout!, 'pipe', 'pipe']);
      logtail.stdout!.destroy();
      const blocker = procs.spawn(
        'sshg-blocker',
        p.blocker,
        // 3 attacks of danger 10 reach the threshold of 30; -s and -p as in sshguard.conf.
        ['-a', String(MAXRETRY * 10), '-p', '120', '-s', '1800'],
        [parser.stdout!, 'pipe', 'pipe'],
      );
      parser.stdout!.destroy();
      blocker.stdout!.setEncoding('utf8').on('data', (s: string) => tap.push(s));
      for (const [name, c] of [
        ['sshg-logtail', logtail],
        ['sshg-parser', parser],
        ['sshg-blocker', blocker],
      ] as const) {
        procs.keep(name, c.stderr);
        procs.guard(name, c, tap);
      }
      await waitOpen(logtail.pid, logPath, 'sshg-logtail (tail -F)');
      await settled();
      return {
        tap,
        isFinding: (line, ip) => line.startsWith(`block ${ip} `),
        processed: settled,
      };
    },
  };
}

function fail2banPeer(
  backend: 'polling' | 'pyinotify',
  server: string | null,
  version: string,
  missing: string | null,
): Peer {
  return {
    id: `fail2ban-${backend}`,
    label: `fail2ban-server (backend ${backend})`,
    observedAt: 'its log file: "[sshd] Ban ADDR"',
    version,
    missing,
    async start(dir, logPath, procs) {
      const f2b = privateFail2ban(dir, logPath, {
        backend,
        maxretry: MAXRETRY,
        findtimeSeconds: FINDTIME_S,
      });
      const f2bLog = f2b.log;
      const tap = new LineTap();
      const tail = new FileTail(f2bLog, tap);
      procs.onStop(() => tail.close());
      const child = procs.spawn('fail2ban-server', server!, f2b.args, ['ignore', 'pipe', 'pipe']);
      procs.keep('fail2ban-server', child.stdout);
      procs.keep('fail2ban-server', child.stderr);
      procs.guard('fail2ban-server', child, tap);
      await tap.waitFor(
        (l) => l.includes("Jail 'sshd' started"),
        START_TIMEOUT_MS,
        "Jail 'sshd' started",
      );
      await settled();
      return {
        tap,
        isFinding: (line, ip) => line.endsWith(`] Ban ${ip}`),
        async processed(ip, n) {
          await tap.waitFor(
            (l) => l.includes(`] Found ${ip} `),
            TRIAL_TIMEOUT_MS,
            `${n} × "Found ${ip}"`,
            n,
          );
          await settled();
        },
      };
    },
  };
}

async function findPeers(root: string, baseline?: string): Promise<Peer[]> {
  const sheriffVersion = await sheriffVersionOf(root);

  const listed = ((await capture('dpkg', ['-L', 'sshguard'])) ?? '').split('\n');
  const sshgFile = (name: string) =>
    [
      listed.find((l) => l.endsWith(`/${name}`)),
      `/usr/libexec/sshguard/${name}`,
      `/usr/lib/sshguard/${name}`,
    ].find((p): p is string => p !== undefined && canExec(p));
  const [logtail, parser, blocker] = ['sshg-logtail', 'sshg-parser', 'sshg-blocker'].map(sshgFile);
  const sshgPaths =
    logtail && parser && blocker ? { logtail, parser, blocker } : (null as SshgPaths | null);
  const sshgDeb = await dpkgVersion('sshguard');
  const sshgVersion = sshgPaths
    ? `sshguard ${sshgDeb ? `Debian ${sshgDeb}` : '(version unknown)'}, ${dirnameOf(sshgPaths.blocker)}`
    : '';

  const server = onPath('fail2ban-server');
  let f2bVersion = '';
  let python: string | null = null;
  let pyinotify: string | null = null;
  let f2bMissing: string | null = null;
  if (server === null) f2bMissing = 'not installed (apt-get install fail2ban)';
  else if (!fail2banFiltersInstalled())
    f2bMissing = `not installed (${F2B_FILTER_DIR}/sshd.conf missing)`;
  if (server !== null) {
    python = /^#!\s*(\S+)/.exec(readFileSync(server, 'utf8').split('\n', 1)[0] ?? '')?.[1] ?? null;
    const own = await capture(server, ['--version']);
    const deb = await dpkgVersion('fail2ban');
    const py = python ? await capture(python, ['--version']) : null;
    f2bVersion = [own, deb && `Debian ${deb}`, py].filter(Boolean).join(', ');
    if (python && (await capture(python, ['-c', 'import pyinotify; print(pyinotify.__version__)'])))
      pyinotify = (await dpkgVersion('python3-pyinotify')) ?? 'installed';
  }
  return [
    sheriffPeer(root, sheriffVersion, false),
    ...(baseline === undefined
      ? []
      : [sheriffPeer(baseline, await sheriffVersionOf(baseline), false, true)]),
    sheriffPeer(root, sheriffVersion, true),
    floorPeer(root),
    sshguardPeer(sshgPaths, sshgVersion),
    fail2banPeer(
      'pyinotify',
      server,
      `${f2bVersion}, python3-pyinotify ${pyinotify}`,
      f2bMissing ??
        (pyinotify === null ? 'not installed (apt-get install python3-pyinotify)' : null),
    ),
    fail2banPeer('polling', server, f2bVersion, f2bMissing),
  ];
}

async function sheriffVersionOf(root: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const rev = await capture('git', ['-C', root, 'describe', '--always', '--dirty']);
  return `sheriff ${pkg.version}${rev ? ` (${rev})` : ''}, node ${process.version}`;
}

function dirnameOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

// ---------------------------------------------------------------------------
// Trials.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** A classic syslog line in local time (every tool reads these as local time). */
function failLine(ip: string, port: number): string {
  const d = new Date();
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${stamp} bench sshd[${4000 + (port % 1000)}]: Failed password for root from ${ip} port ${port} ssh2\n`;
}

/** Fresh addresses from the documentation ranges (RFC 5737), never trusted by any tool. */
function* addresses(): Generator<string> {
  for (const net of ['192.0.2', '198.51.100', '203.0.113'])
    for (let i = 1; i < 255; i++) yield `${net}.${i}`;
}
const ADDRESSES = 3 * 254;

/** One tool, started and followed through its trials. */
interface Running {
  peer: Peer;
  dir: string;
  procs: Procs;
  h: Harness | null;
  fd: number | null;
  samples: number[];
  error: string | null;
}

async function open(peer: Peer, progress: (s: string) => void): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), `sheriff-latency-${peer.id}-`));
  const logPath = join(dir, 'auth.log');
  writeFileSync(logPath, '');
  const r: Running = { peer, dir, procs: new Procs(), h: null, fd: null, samples: [], error: null };
  try {
    progress(`latency: starting ${peer.label}…`);
    r.h = await peer.start(dir, logPath, r.procs);
    r.fd = openSync(logPath, 'a');
  } catch (err) {
    r.error = err instanceof Error ? err.message : String(err);
  }
  return r;
}

/** Trial `i` (0 is the warm-up, not kept) of a started tool, for the fresh address `ip`. */
async function trial(r: Running, i: number, ip: string, jitterMs: number): Promise<void> {
  const { h, fd } = r;
  if (r.error !== null || h === null || fd === null) return;
  try {
    // Ports from the trial number: every line of every trial is distinct.
    const port = 40000 + i * MAXRETRY;
    for (let k = 0; k < MAXRETRY - 1; k++) writeSync(fd, failLine(ip, port + k));
    await h.processed(ip, MAXRETRY - 1);
    await sleep(Math.random() * jitterMs);
    const line = failLine(ip, port + MAXRETRY - 1);
    const found = h.tap.waitFor(
      (l) => h.isFinding(l, ip),
      TRIAL_TIMEOUT_MS,
      `the finding for ${ip}`,
    );
    writeSync(fd, line);
    const t0 = process.hrtime.bigint();
    const t1 = await found;
    if (t1 < t0) throw new Error(`the finding for ${ip} came before its completing line`);
    if (i > 0) r.samples.push(Number(t1 - t0) / 1e6);
  } catch (err) {
    r.error = err instanceof Error ? err.message : String(err);
  }
}

async function close(r: Running): Promise<void> {
  if (r.fd !== null) closeSync(r.fd);
  await r.procs.stop();
  await rm(r.dir, { recursive: true, force: true });
}

/**
 * Every tool is started first, then the trials take turns (trial i of each tool, in a fresh
 * random order, before trial i + 1 of any): on a machine whose load changes during the run,
 * each tool meets the same load, so the ratios compare the tools, not the moments.
 */
async function measureInterleaved(
  peers: readonly Peer[],
  trials: number,
  jitterMs: number,
  progress: (s: string) => void,
): Promise<Running[]> {
  const running: Running[] = [];
  try {
    for (const peer of peers) running.push(await open(peer, progress));
    const ips = addresses();
    for (let i = 0; i <= trials; i++) {
      const ip = ips.next().value as string;
      for (const r of shuffled(running)) await trial(r, i, ip, jitterMs);
      if (i === 0 || i % 10 === 0 || i === trials)
        progress(`  trial ${i}/${trials}${i === 0 ? ' (warm-up)' : ''}`);
    }
    return running;
  } finally {
    await Promise.all(running.map(close));
  }
}

function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

const ms = (v: number | null) =>
  v === null ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);

export async function runLatency(opts: LatencyOptions): Promise<LatencyReport> {
  const { log, progress } = opts;
  const trials = Math.min(opts.trials, ADDRESSES - 1);
  const jitterMs = opts.jitterMs ?? JITTER_MS;
  const loadAtStart = loadavg()[0]!;
  const only = opts.only;
  const peers = (await findPeers(opts.root, opts.baseline)).filter(
    (p) =>
      p.id === 'sheriff' ||
      p.id === 'sheriff-baseline' ||
      only === undefined ||
      only.includes(p.id),
  );
  const measured = await measureInterleaved(
    peers.filter((p) => p.missing === null),
    trials,
    jitterMs,
    progress,
  );
  const results: ToolResult[] = peers.map((peer) => {
    const m = measured.find((r) => r.peer === peer);
    const samples = m?.samples ?? [];
    const ok = m !== undefined && m.error === null && samples.length > 0;
    return {
      id: peer.id,
      label: peer.label,
      observedAt: peer.observedAt,
      version: peer.version,
      missing: peer.missing,
      error: m?.error ?? null,
      samplesMs: samples.map((v) => Math.round(v * 1000) / 1000),
      medianMs: ok ? median(samples) : null,
      p95Ms: ok ? percentile(samples, 95) : null,
      minMs: ok ? Math.min(...samples) : null,
      maxMs: ok ? Math.max(...samples) : null,
      p95VsSheriff: null,
    };
  });
  const sheriff = results.find((r) => r.id === 'sheriff')!;
  for (const r of results)
    if (r.p95Ms !== null && sheriff.p95Ms !== null) r.p95VsSheriff = r.p95Ms / sheriff.p95Ms;

  log(
    `Latency: append of the line that completes a finding → the finding is available (maxretry ${MAXRETRY}, findtime ${FINDTIME_S} s).`,
  );
  log(
    `${trials} timed trials per tool after 1 discarded warm-up, the tools taking turns (one trial each, in a random order); each trial is a fresh address; p95 is nearest-rank.`,
  );
  log(`Load average at start: ${loadAtStart.toFixed(2)}.`);
  log();
  log('Versions:');
  for (const r of results) log(`  ${r.id.padEnd(18)} ${r.missing ?? r.version}`);
  log();
  const rows = [
    ['tool', 'trials', 'median ms', 'p95 ms', 'min ms', 'max ms', 'p95 × sheriff', 'observed at'],
  ];
  for (const r of results) {
    if (r.missing !== null || r.error !== null) {
      rows.push([
        r.label,
        String(r.samplesMs.length),
        ...Array<string>(5).fill('-'),
        r.missing ?? `FAILED: ${r.error}`,
      ]);
      continue;
    }
    rows.push([
      r.label,
      String(r.samplesMs.length),
      ms(r.medianMs),
      ms(r.p95Ms),
      ms(r.minMs),
      ms(r.maxMs),
      r.p95VsSheriff === null ? 'n/a' : `${r.p95VsSheriff.toFixed(2)}×`,
      r.observedAt,
    ]);
  }
  log(table(rows));
  log();

  const sshg = results.find((r) => r.id === 'sshguard');
  const sshgP95 = sshg?.p95Ms ?? null;
  const bars: LatencyReport['bars'] = [
    {
      bar: `sheriff median ≤ ${BAR_MEDIAN_MS} ms`,
      value: sheriff.medianMs === null ? 'not measured' : `${ms(sheriff.medianMs)} ms`,
      pass: sheriff.medianMs === null ? null : sheriff.medianMs <= BAR_MEDIAN_MS,
    },
    {
      bar: 'sheriff p95 < sshguard p95',
      value:
        sheriff.p95Ms === null || sshgP95 === null
          ? `${sshg?.missing ?? sshg?.error ?? 'not measured'}`
          : `${ms(sheriff.p95Ms)} ms vs ${ms(sshgP95)} ms`,
      pass: sheriff.p95Ms === null || sshgP95 === null ? null : sheriff.p95Ms < sshgP95,
    },
  ];
  log('Latency bars:');
  const width = Math.max(...bars.map((b) => b.bar.length));
  for (const b of bars)
    log(
      `  ${b.pass === null ? 'N/A ' : b.pass ? 'PASS' : 'MISS'}  ${b.bar.padEnd(width)}  ${b.value}`,
    );
  const notes = [
    `Each trial writes ${MAXRETRY - 1} failures for a fresh address, waits until the tool has processed them (fail2ban: its "Found ADDR" log lines, then ${SETTLE_MS} ms; the others show nothing per failure: ${SETTLE_MS} ms), then a random 0–${jitterMs} ms, then appends the completing failure with writeSync.`,
    "The clock starts when writeSync returns and stops when the finding reaches this process (the chunk is time-stamped on arrival, before it is parsed); fail2ban's log file is followed with fs.watch plus a 10 ms poll.",
    'Sheriff runs with response.firewall: dry-run; "sheriff watch" keeps the default jail policy (approve: the finding is logged, then stored and an approval requested), the notify row only logs and stores it. ' +
      'fail2ban runs from a private conf dir (filter.d/sshd.conf from /etc/fail2ban) with a no-op action (actionban = true); sshg-blocker writes its "block" commands to this process, not to a firewall backend.',
    'The floor is a bare Node process (dist/bench/latency-floor.js): fs.watch, readSync, a regex, a count, one JSON line on stderr; Sheriff minus the floor is what its own pipeline adds.',
  ];
  log();
  for (const n of notes) log(`Note: ${n}`);
  return {
    date: new Date().toISOString(),
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    settings: {
      trials,
      warmupDiscarded: 1,
      maxretry: MAXRETRY,
      findtimeSeconds: FINDTIME_S,
      settleMs: SETTLE_MS,
      jitterMs,
      trialTimeoutMs: TRIAL_TIMEOUT_MS,
      p95: 'nearest-rank',
    },
    tools: results,
    bars,
    notes,
  };
}

/** The bench's verdict rows: the bars as the issue sets them, over this run's trials. */
export function latencyRows(report: LatencyReport): TargetRow[] {
  const sheriff = report.tools.find((t) => t.id === 'sheriff');
  const sshg = report.tools.find((t) => t.id === 'sshguard');
  const n = sheriff?.samplesMs.length ?? 0;
  const median = sheriff?.medianMs ?? null;
  const p95 = sheriff?.p95Ms ?? null;
  const sshgP95 = sshg?.p95Ms ?? null;
  return [
    {
      target: `append → finding, sheriff watch median (policy approve, ${n} trials)`,
      bar: `≤ ${BAR_MEDIAN_MS} ms`,
      measured: median === null ? (sheriff?.error ?? 'not measured') : `${ms(median)} ms`,
      verdict: atMost(median, BAR_MEDIAN_MS),
    },
    {
      target: `append → finding, sheriff watch p95 vs SSHGuard's pipeline p95 (${n} trials)`,
      bar: '< sshguard p95',
      measured:
        p95 === null || sshgP95 === null
          ? (sshg?.missing ?? sshg?.error ?? sheriff?.error ?? 'not measured')
          : `${ms(p95)} ms vs ${ms(sshgP95)} ms (${(p95 / sshgP95).toFixed(2)}×)`,
      verdict: p95 === null || sshgP95 === null ? 'n/a' : p95 < sshgP95 ? 'PASS' : 'MISS',
    },
  ];
}

/**
 * The bench's entry: the latency table on `log`, the report (results.json's `latency`) and the
 * verdict rows. Quick: Sheriff and SSHGuard only, 50 trials, 0–200 ms apart.
 */
export async function runLatencyTargets(o: {
  quick: boolean;
  root: string;
  trials?: number;
  /** See LatencyOptions.baseline. */
  baseline?: string | undefined;
  log: (s?: string) => void;
  progress: (s: string) => void;
}): Promise<{ rows: TargetRow[]; report: LatencyReport }> {
  const report = await runLatency({
    root: o.root,
    ...(o.baseline === undefined ? {} : { baseline: o.baseline }),
    trials: o.trials ?? (o.quick ? LATENCY_DEFAULTS.quickTrials : LATENCY_DEFAULTS.trials),
    ...(o.quick ? { only: ['sshguard'], jitterMs: LATENCY_DEFAULTS.quickJitterMs } : {}),
    log: o.log,
    progress: o.progress,
  });
  return { rows: latencyRows(report), report };
}
