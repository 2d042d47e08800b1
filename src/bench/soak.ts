/**
 * `npm run soak [-- --rotations N --kills N --rate LINES_PER_S --seed N --quick --keep]`
 *
 * Exactly-once under rotation and crashes: writes numbered sshd failure lines
 * to a log file at a steady rate, rotates it the ways logrotate does (rename +
 * create, copytruncate, compress, delaycompress, dateext) and kill -9s and
 * restarts `sheriff watch` at random. At the end it counts, from the events the
 * daemon stored in SQLite, how many numbers are missing and how many appear
 * twice. Both must be 0. `--quick` is a short run (20 rotations, 5 kills).
 * Not part of the runtime; the suite runs a short version (soak.system.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pick, seededRandom } from '../random.js';
import { openStore } from '../store/index.js';
import { describeStyle, LogRotator, type RotateStyle } from '../testing/logrotate.js';

export interface SoakOptions {
  rotations: number;
  kills: number;
  /** Lines written per second. */
  rate: number;
  seed: number;
  /** Keep the work directory (log files, store, daemon output) for a look afterwards. */
  keep?: boolean;
  /** Progress lines; none when absent. */
  progress?: (text: string) => void;
}

export interface SoakResult {
  written: number;
  stored: number;
  lost: number;
  duplicated: number;
  rotations: number;
  rotationsByStyle: Record<string, number>;
  kills: number;
  seconds: number;
  /** Lines written per second, as achieved. */
  rate: number;
  /** Source errors counted by every daemon (a rest not found would be one). */
  sourceErrors: number;
  /** Work directory, when kept. */
  dir: string | null;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Numbered names, then dated ones (logrotate's config changed once): the two are not mixed. */
const FAMILIES: RotateStyle[][] = [
  [
    {},
    { copytruncate: true },
    { compress: true },
    { compress: true, delaycompress: true },
    { copytruncate: true, compress: true },
    { copytruncate: true, compress: true, delaycompress: true },
  ],
  [
    { dateext: true },
    { dateext: true, compress: true },
    { dateext: true, compress: true, delaycompress: true },
    { dateext: true, copytruncate: true, compress: true },
  ],
];

/** An sshd failure whose user name carries the line's number. */
const failureLine = (n: number): string =>
  `2026-12-06T21:00:00+00:00 web1 sshd[${1000 + (n % 30000)}]: Failed password for invalid user ` +
  `u${n} from 203.0.113.${n % 250} port ${1024 + (n % 60000)} ssh2\n`;

/** Like rsyslog: appends whole lines to its open file, reopens the path when told (HUP). */
class LineWriter {
  n = 0;
  private fd: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  write(count: number): void {
    let s = '';
    for (let i = 0; i < count; i++) s += failureLine(this.n++);
    writeSync(this.fd, s);
  }
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }
  close(): void {
    closeSync(this.fd);
  }
}

class Daemon {
  private child: ChildProcess | null = null;
  private exited: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly config: string,
    private readonly output: string,
  ) {}
  get running(): boolean {
    return this.child !== null;
  }
  start(): void {
    const out = openSync(this.output, 'a');
    const child = spawn(
      process.execPath,
      [join(root, 'bin', 'launch.js'), '--config', this.config, 'watch'],
      { stdio: ['ignore', out, out], env: { ...process.env, SHERIFF_LANG: 'en' } },
    );
    closeSync(out);
    this.exited = new Promise((done) => child.once('exit', done));
    this.child = child;
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill(signal);
    await this.exited;
  }
}

/**
 * Whether the daemon has read everything written, from its /metrics (lag 0).
 * The store is not opened while the daemon runs: the soak measures the source,
 * not a reader's effect on the store.
 */
async function caughtUp(port: number): Promise<boolean> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return /^sheriff_source_lag\{[^}]*\} 0$/m.test(text);
  } catch {
    return false; // not listening (yet)
  }
}

/** A free port on 127.0.0.1 for the daemon's console (its /metrics). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Numbers stored as events, read from the store after the daemon stopped. */
function storedNumbers(db: string): number[] {
  const store = openStore(db, { readonly: true });
  try {
    const rows = store.db.prepare("SELECT user FROM events WHERE jail = 'sshd'").pluck().all();
    return rows.map((u) => Number(String(u).slice(1)));
  } finally {
    store.close();
  }
}

/**
 * Source errors over every daemon's life, from their logs (`source_error`, with
 * the count so far): a killed daemon's errors are not in the last one's status.
 */
function sourceErrors(daemonLog: string): number {
  const byPid = new Map<number, number>();
  for (const text of readFileSync(daemonLog, 'utf8').split('\n')) {
    if (!text.includes('"source_error"')) continue;
    const e = JSON.parse(text) as { pid: number; errors: number };
    byPid.set(e.pid, Math.max(byPid.get(e.pid) ?? 0, e.errors));
  }
  return [...byPid.values()].reduce((a, b) => a + b, 0);
}

export async function soak(o: SoakOptions): Promise<SoakResult> {
  const say = o.progress ?? (() => {});
  const rnd = seededRandom(o.seed);
  const dir = await mkdtemp(join(tmpdir(), 'sheriff-soak-'));
  const log = join(dir, 'auth.log');
  const db = join(dir, 'sheriff.db');
  const config = join(dir, 'sheriff.yaml');
  writeFileSync(log, '');
  const port = await freePort();
  writeFileSync(
    config,
    [
      `store: { path: ${JSON.stringify(db)}, retention: { maxEvents: 100000000 } }`,
      `sources: [{ type: file, path: ${JSON.stringify(log)}, startAtBeginning: true, pollInterval: 200ms }]`,
      'log: { level: info, format: json }',
      // Never the machine's firewall; findings are only noted.
      'response: { firewall: dry-run }',
      'jails: { sshd: { policy: notify } }',
      `web: { port: ${port} }`,
      '',
    ].join('\n'),
  );
  const daemonLog = join(dir, 'daemon.log');
  const daemon = new Daemon(config, daemonLog);
  const writer = new LineWriter(log);
  // Every copy is kept: a daemon killed over and over may fall far behind, and catch up at the end.
  const rotator = new LogRotator(log, o.rotations + 10);
  const byStyle: Record<string, number> = {};
  let rotations = 0;
  let kills = 0;
  let started = performance.now();
  // Rotations and kills spread over the same span; lines at o.rate all along.
  const spanMs = Math.max(o.rotations * 150, o.kills * 2000, 5000);
  const rotateEvery = spanMs / Math.max(1, o.rotations);
  const killEvery = spanMs / Math.max(1, o.kills);
  let family = 0;
  const tickMs = 10;
  let nextRotation = rotateEvery;
  let nextKill = killEvery * (0.5 + rnd());
  let restartAt: number | null = null;
  let nextSay = 0;
  try {
    // The first start has no cursor: it must have opened the file before the first rotation.
    await catchUp(port, daemon, say);
    started = performance.now();
    while (rotations < o.rotations || kills < o.kills) {
      const t = performance.now() - started;
      // Lines owed at this moment: the writer keeps to the rate whatever the pauses.
      const owed = Math.floor((t / 1000) * o.rate) - writer.n;
      if (owed > 0) writer.write(owed);
      if (rotations < o.rotations && t >= nextRotation) {
        // Halfway, logrotate's config changes from numbered names to dated ones.
        const wanted = rotations >= o.rotations / 2 ? 1 : 0;
        if (wanted !== family) {
          // Its cursor in the file at the path (read to its end, then stopped cleanly),
          // the old names can go.
          writer.write(1);
          const paused = performance.now();
          await catchUp(port, daemon, say);
          await daemon.kill('SIGTERM');
          for (const n of readdirSync(dir)) if (/^auth\.log[.-]/.test(n)) rmSync(join(dir, n));
          daemon.start();
          family = wanted;
          // The clock stood still meanwhile: no burst of the lines it would owe.
          started += performance.now() - paused;
          nextRotation = performance.now() - started;
        }
        const style = pick(rnd, FAMILIES[family]!);
        rotator.rotate(style, () => {
          if (style.copytruncate) return;
          writer.write(Math.floor(rnd() * 20)); // to the old file, before the writer's HUP
          writer.reopen();
        });
        rotations++;
        const name = describeStyle(style);
        byStyle[name] = (byStyle[name] ?? 0) + 1;
        nextRotation += rotateEvery * (0.5 + rnd());
      }
      if (kills < o.kills && daemon.running && t >= nextKill) {
        await daemon.kill('SIGKILL');
        kills++;
        restartAt = t + rnd() * 1000; // down for up to a second, while lines and rotations go on
        nextKill = restartAt + killEvery * (0.5 + rnd());
      }
      if (!daemon.running && restartAt !== null && t >= restartAt) {
        daemon.start();
        restartAt = null;
      }
      if (t >= nextSay) {
        say(`${rotations} rotations, ${kills} kills, ${writer.n} lines written`);
        nextSay = t + 1000;
      }
      await sleep(tickMs);
    }
    const seconds = (performance.now() - started) / 1000;
    const written = writer.n;
    writer.close();
    await catchUp(port, daemon, say);
    await daemon.kill('SIGTERM'); // writes what it has queued
    const numbers = storedNumbers(db);
    const seen = new Uint8Array(written);
    let duplicated = 0;
    for (const n of numbers) {
      if (!Number.isInteger(n) || n < 0 || n >= written) continue;
      if (seen[n]) duplicated++;
      seen[n] = 1;
    }
    const lost = seen.reduce((k, v) => k + (v ? 0 : 1), 0);
    return {
      written,
      stored: numbers.length,
      lost,
      duplicated: duplicated + numbers.filter((n) => !(n >= 0 && n < written)).length,
      rotations,
      rotationsByStyle: byStyle,
      kills,
      seconds,
      rate: written / seconds,
      sourceErrors: sourceErrors(daemonLog),
      dir: o.keep ? dir : null,
    };
  } finally {
    await daemon.kill('SIGKILL');
    if (!o.keep) await rm(dir, { recursive: true, force: true });
  }
}

/** Waits until the (running) daemon has read every line written. */
async function catchUp(port: number, daemon: Daemon, say: (text: string) => void): Promise<void> {
  if (!daemon.running) daemon.start();
  const since = performance.now();
  say('catching up');
  // Twice in a row: a lag of 0 seen just before a rotation is looked at would be too early.
  for (let zeros = 0; zeros < 2; zeros = (await caughtUp(port)) ? zeros + 1 : 0) {
    await sleep(1000);
    say(`catching up: ${Math.round((performance.now() - since) / 1000)} s`);
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      rotations: { type: 'string' },
      kills: { type: 'string' },
      rate: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const opts: SoakOptions = {
    rotations: num(values.rotations, values.quick ? 20 : 1000),
    kills: num(values.kills, values.quick ? 5 : 100),
    rate: num(values.rate, 10_000),
    seed: num(values.seed, 1),
    keep: values.keep,
    progress: (t) => process.stderr.write(`\r${t}\x1b[K`),
  };
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0)) {
      process.stderr.write(`--${k}: expected a whole number, got ${String(v)}\n`);
      process.exit(2);
    }
  }
  const r = await soak(opts);
  process.stderr.write('\n');
  process.stdout.write(
    [
      `lines written   ${r.written} in ${r.seconds.toFixed(0)} s (${Math.round(r.rate)} lines/s)`,
      `rotations       ${r.rotations} (${Object.entries(r.rotationsByStyle)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
      `kill -9s        ${r.kills}`,
      `events stored   ${r.stored}`,
      `lost            ${r.lost}`,
      `duplicated      ${r.duplicated}`,
      `source errors   ${r.sourceErrors}`,
      ...(r.dir ? [`kept in         ${r.dir}`] : []),
      '',
    ].join('\n'),
  );
  process.exit(r.lost === 0 && r.duplicated === 0 ? 0 : 1);
}
