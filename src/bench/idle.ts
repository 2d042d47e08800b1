/**
 * Idle memory: the resident set (VmRSS) of `sheriff watch` with the default
 * configuration (web console on, policy approve) once it has started and sat
 * idle, beside fail2ban-server's with one sshd jail, and Node processes for
 * scale, each watching an empty log file of its own. Also the peak during
 * start-up (VmHWM).
 *
 * Sheriff twice: as contrib/sheriff.service runs it, where systemd keeps the
 * stall watchdog (WATCHDOG_USEC; systemd's side of systemd-notify is a stand-in
 * that accepts every ping), and run by hand, with its own watchdog thread. The
 * floor: Node with what the daemon cannot do without (better-sqlite3, pino,
 * an HTTP server), doing nothing else, with the daemon's V8 flags (bin/sheriff).
 * Each resident set is split into anonymous memory (V8's heap, malloc) and file
 * pages (mostly the node binary's code that ran, shared with other Node processes).
 *
 * Sheriff gets only what keeps it off the machine: its own store and log file,
 * the dry-run firewall and a free port for the console. fail2ban-server runs from
 * a private conf dir with a no-op action (fail2ban-private.ts). Every program is
 * started with an argument array, never a shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail2banFiltersInstalled, privateFail2ban } from './fail2ban-private.js';
import { table } from './table.js';
import { atMost, type PartOptions, type TargetRow } from './targets.js';

export type IdleOptions = PartOptions;

export const IDLE_BAR_MIB = 64;
/** From ready to the reading: timers have run, start-up garbage had its chance to go. */
const IDLE_MS = { quick: 5_000, full: 20_000 };
const READY_TIMEOUT_MS = 60_000;

interface Memory {
  rssMiB: number;
  peakMiB: number;
  /** VmRSS split: anonymous pages (V8's heap, malloc) and file pages (code and data mapped from files). */
  anonMiB: number;
  fileMiB: number;
}

interface IdleResult {
  label: string;
  memory: Memory | null;
  error: string | null;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return {
    rssMiB: kb('VmRSS') / 1024,
    peakMiB: kb('VmHWM') / 1024,
    anonMiB: kb('RssAnon') / 1024,
    fileMiB: kb('RssFile') / 1024,
  };
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Waits until `ready()` holds (polled), the child exits, or the time is up. */
async function waitReady(child: ChildProcess, ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!ready()) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`);
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${READY_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** Starts one program, waits until it is ready and then idle, reads its memory, stops it. */
async function measure(
  label: string,
  start: (dir: string) => Promise<{ child: ChildProcess; ready: () => boolean }>,
  idleMs: number,
): Promise<IdleResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sheriff-idle-'));
  let child: ChildProcess | null = null;
  try {
    const started = await start(dir);
    child = started.child;
    await waitReady(child, started.ready, label);
    await sleep(idleMs);
    return { label, memory: memoryOf(child.pid!), error: null };
  } catch (err) {
    return { label, memory: null, error: (err as Error).message };
  } finally {
    if (child !== null) await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

function collect(child: ChildProcess): () => string {
  let text = '';
  const keep = (s: string) => {
    if (text.length < 100_000) text += s;
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  return () => text;
}

const env: NodeJS.ProcessEnv = { ...process.env, SHERIFF_LANG: 'en', LC_ALL: 'C.UTF-8' };

/** systemd's watchdog timeout in contrib/sheriff.service (WatchdogSec=30s), in µs. */
const SERVICE_WATCHDOG_USEC = '30000000';

/**
 * The service's environment: its state directory (where the compile cache would go),
 * systemd's watchdog variables, and systemd-notify a stand-in.
 */
async function serviceEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await mkdir(join(dir, 'state'));
  await writeFile(join(bin, 'systemd-notify'), '#!/bin/sh\nexit 0\n');
  await chmod(join(bin, 'systemd-notify'), 0o755);
  return {
    ...env,
    PATH: `${bin}${delimiter}${env.PATH ?? ''}`,
    STATE_DIRECTORY: join(dir, 'state'),
    NOTIFY_SOCKET: join(dir, 'notify'),
    WATCHDOG_USEC: SERVICE_WATCHDOG_USEC,
  };
}

function sheriff(root: string, asService: boolean) {
  return async (dir: string) => {
    const log = join(dir, 'auth.log');
    await writeFile(log, '');
    const config = join(dir, 'sheriff.yaml');
    await writeFile(
      config,
      [
        'sources:',
        `  - { type: file, path: ${JSON.stringify(log)} }`,
        `store: { path: ${JSON.stringify(join(dir, 'sheriff.db'))} }`,
        'log: { format: json }',
        // Never the machine's firewall; a free port for the console (on by default).
        'response: { firewall: dry-run }',
        'web: { port: 0 }',
        '',
      ].join('\n'),
    );
    const child = spawn(resolve(root, 'bin/sheriff'), ['--config', config, 'watch'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: asService ? await serviceEnv(dir) : env,
    });
    const output = collect(child);
    return {
      child,
      ready: () => output().includes('"source_ready"') && output().includes('"web_listening"'),
    };
  };
}

function fail2ban(server: string) {
  return async (dir: string) => {
    const log = join(dir, 'auth.log');
    await writeFile(log, '');
    const f2b = privateFail2ban(dir, log, { backend: 'auto', maxretry: 5, findtimeSeconds: 600 });
    const child = spawn(server, f2b.args, { stdio: ['ignore', 'ignore', 'ignore'], env });
    return {
      child,
      ready: () => readFileSync(f2b.log, 'utf8').includes("Jail 'sshd' started"),
    };
  };
}

/**
 * The V8 flags bin/sheriff gives `sheriff watch`, read from the script itself: the
 * floor runs with them, as they decide which of V8's compilers an idle process holds.
 */
export function daemonV8Flags(root: string): string[] {
  const script = readFileSync(resolve(root, 'bin/sheriff'), 'utf8');
  const flags = /^\s*watch\)\s*\n\s*flags='([^']*)'/m.exec(script)?.[1];
  if (flags === undefined) throw new Error("bin/sheriff: no flags='…' for watch");
  return flags.split(/\s+/).filter((f) => f !== '');
}

/** Node with the daemon's own libraries loaded and doing their idle minimum, nothing of Sheriff. */
function nodeFloor(root: string) {
  return async (dir: string) => {
    await writeFile(join(dir, 'auth.log'), '');
    const code = [
      "import Database from 'better-sqlite3';",
      "import pino from 'pino';",
      "import { watch } from 'node:fs';",
      `const dir = ${JSON.stringify(dir)};`,
      "new Database(dir + '/store.db').pragma('journal_mode = WAL');",
      "watch(dir + '/auth.log', () => {});",
      "process.getBuiltinModule('node:http').createServer(() => {}).listen(0, '127.0.0.1', () => pino().info('ready'));",
    ].join('\n');
    // From the root, so that the libraries resolve from its node_modules; the daemon's V8 flags.
    const child = spawn(
      process.execPath,
      [...daemonV8Flags(root), '--input-type=module', '-e', code],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    const output = collect(child);
    return { child, ready: () => output().includes('"ready"') };
  };
}

function bareNode(): Promise<{ child: ChildProcess; ready: () => boolean }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {
    stdio: 'ignore',
    env,
  });
  return Promise.resolve({ child, ready: () => true });
}

/** Measures each program in turn and prints a table; returns the target row. */
export async function benchIdle(opts: IdleOptions): Promise<TargetRow[]> {
  const idleMs = opts.quick ? IDLE_MS.quick : IDLE_MS.full;
  const server = onPath('fail2ban-server');
  const runs: [string, Parameters<typeof measure>[1] | string][] = [
    ['sheriff watch (defaults, as the service)', sheriff(opts.root, true)],
    ['sheriff watch (defaults, run by hand)', sheriff(opts.root, false)],
    [
      'fail2ban-server (sshd jail)',
      server === null
        ? 'not installed (apt-get install fail2ban)'
        : fail2banFiltersInstalled()
          ? fail2ban(server)
          : 'its sshd filter is not installed',
    ],
    ['node + better-sqlite3, pino, HTTP', nodeFloor(opts.root)],
    ['node (an idle timer)', bareNode],
  ];
  const results: IdleResult[] = [];
  for (const [label, start] of runs) {
    opts.progress?.(`idle: ${label}…`);
    results.push(
      typeof start === 'string'
        ? { label, memory: null, error: start }
        : await measure(label, start, idleMs),
    );
  }
  const mib = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));
  const f2b = results[2]!.memory;
  const rows = [
    ['program', 'idle RSS MiB', 'anon', 'file', 'peak RSS MiB', '× fail2ban-server', ''],
  ];
  for (const r of results)
    rows.push([
      r.label,
      mib(r.memory?.rssMiB),
      mib(r.memory?.anonMiB),
      mib(r.memory?.fileMiB),
      mib(r.memory?.peakMiB),
      r.memory && f2b ? `${(r.memory.rssMiB / f2b.rssMiB).toFixed(2)}×` : '-',
      r.error ?? '',
    ]);
  opts.log(
    `Idle memory, ${idleMs / 1000} s after start-up (VmRSS = anon + file; peak = VmHWM; MiB = 2^20 bytes):`,
  );
  opts.log(table(rows));
  await mkdir(opts.outDir, { recursive: true });
  await writeFile(
    join(opts.outDir, 'idle.json'),
    JSON.stringify({ idleMs, results }, null, 2) + '\n',
  );
  const own = results[0]!.memory?.rssMiB ?? null;
  return [
    {
      target: `idle RSS of sheriff watch with the defaults, as the service${f2b ? ` (fail2ban-server: ${f2b.rssMiB.toFixed(1)} MiB)` : ''}`,
      bar: `≤ ${IDLE_BAR_MIB} MiB`,
      measured:
        own === null
          ? `failed: ${results[0]!.error}`
          : `${own.toFixed(1)} MiB (run by hand: ${mib(results[1]!.memory?.rssMiB)})`,
      verdict: own === null ? 'MISS' : atMost(own, IDLE_BAR_MIB),
    },
  ];
}
