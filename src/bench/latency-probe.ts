/**
 * Where Sheriff's detection latency goes: a diagnostic, run on demand, not part
 * of `npm run bench`.
 *
 *   node dist/bench/latency-probe.js [--trials N] [--pace paced|hot]
 *
 * In one process (no child, no pipe), with Sheriff's own modules, it times each
 * stage from the append of the completing line to the finding being logged:
 *
 *   append ─► wake: an fs.watch listener of the probe on the same file fires
 *          ─► batch: FileSource.lines() (sources/file.ts) yields the batch
 *          ─► finding: Pipeline.line() (detect/pipeline.ts) calls onFinding
 *          ─► logged: findingText() + logger.warn() as Daemon.alert() does, return
 *
 * (Daemon.alert() also stores the finding, and with policy approve requests an approval,
 * before it logs; the store insert is timed on its own below.)
 *
 * and, for comparison, two bare readers on the same kind of trial: fs.watch +
 * one FileHandle.read (one thread-pool round trip), and fs.watch + readSync.
 * "paced" spaces trials like the benchmark (100 ms + random 0–1 s); "hot" runs
 * them back to back (5 ms), to tell cold-path cost from steady-state cost.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  readSync,
  statSync,
  watch,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { jailSettings } from '../app/jail-settings.js';
import { parseConfig } from '../app/parse-config.js';
import { buildJail, Pipeline } from '../detect/pipeline.js';
import type { Finding } from '../domain.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import { findingText } from '../notify/format.js';
import { filterRegistry } from '../filters/registry.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { FileSource } from '../sources/file.js';
import { Store } from '../store/index.js';

const { values: argv } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    pace: { type: 'string', default: 'paced' },
  },
});
const TRIALS = Number(argv.trials);
const HOT = argv.pace === 'hot';
const MAXRETRY = 3;
const now = () => process.hrtime.bigint();

/** Garbage collections, on performance.now()'s clock, to tell a GC pause from the rest. */
const gcs: { start: number; end: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    gcs.push({ start: e.startTime, end: e.startTime + e.duration });
}).observe({ entryTypes: ['gc'] });
const msSince = (a: bigint, b: bigint) => Number(b - a) / 1e6;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');
function failLine(ip: string, port: number): string {
  const d = new Date();
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} bench sshd[4242]: Failed password for root from ${ip} port ${port} ssh2\n`;
}
const ip = (i: number) => `203.0.113.${(i % 254) + 1}`;
const pause = () => sleep(HOT ? 5 : 100 + Math.random() * 1000);

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const med = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  const p95 = s[Math.max(0, Math.ceil(0.95 * s.length) - 1)]!;
  return `median ${med.toFixed(3)}  p95 ${p95.toFixed(3)}  max ${s[s.length - 1]!.toFixed(3)}`;
}

/** A trial loop: prime, pause, append the completing line, await `done` for it. */
async function trials(
  file: string,
  done: (ip: string) => Promise<void>,
  onStart: (t0: bigint, ip: string) => void,
): Promise<void> {
  const fd = openSync(file, 'a');
  let port = 40000;
  try {
    for (let i = 0; i <= TRIALS; i++) {
      const a = ip(i);
      for (let k = 0; k < MAXRETRY - 1; k++) writeSync(fd, failLine(a, port++));
      await sleep(HOT ? 5 : 100);
      await pause();
      const wait = done(a);
      writeSync(fd, failLine(a, port++));
      onStart(now(), a);
      await wait;
    }
  } finally {
    closeSync(fd);
  }
}

/** Sheriff's stages, in process. */
async function probeSheriff(dir: string): Promise<void> {
  const file = join(dir, 'sheriff.log');
  closeSync(openSync(file, 'w'));
  const config = parseConfig(
    `sources: [{type: file, path: ${JSON.stringify(file)}}]\njails: {sshd: {maxretry: ${MAXRETRY}, findtime: 10m}}\nlog: {level: info, format: json}\n`,
    'probe.yaml',
  );
  const filters = filterRegistry(config.filters.dir);
  const jails = jailSettings(config, filters).map((s) => buildJail(s, { filters }));
  const parser = new LineParser({ zone: TimeZone.local(), reference: Date.now });
  const t = translator('en');
  const sink = new Writable({
    write(_chunk: Buffer, _enc, cb) {
      cb();
    },
  });
  const logger = createLogger(config.log, sink);
  const rows: Record<string, number[]> = {
    'append → wake (fs.watch listener)': [],
    'wake → batch (FileSource.cycle)': [],
    'batch → finding (Pipeline.line)': [],
    'finding → text (findingText)': [],
    'text → logged (logger.warn)': [],
    'append → logged (total)': [],
    'lines in the batch': [],
  };
  let t0 = 0n;
  let p0 = 0;
  const spans: { start: number; end: number; ms: number }[] = [];
  let tWake = 0n;
  let target = '';
  let resolveDone: (() => void) | null = null;
  let tBatch = 0n;
  let tFound = 0n;
  let tText = 0n;
  let warm = true;
  const pipeline = new Pipeline(jails, parser, Date.now, (f: Finding) => {
    tFound = now();
    const text = findingText(f, t);
    tText = now();
    logger.warn(
      {
        event: 'finding',
        kind: f.kind,
        jail: f.jail,
        scope: f.scope,
        ip: f.ip,
        count: f.count,
        first: f.first,
        last: f.last,
      },
      text,
    );
    const tLogged = now();
    const p1 = performance.now();
    if (f.ip !== target || resolveDone === null) return;
    if (!warm) {
      rows['append → wake (fs.watch listener)']!.push(msSince(t0, tWake));
      rows['wake → batch (FileSource.cycle)']!.push(msSince(tWake, tBatch));
      rows['batch → finding (Pipeline.line)']!.push(msSince(tBatch, tFound));
      rows['finding → text (findingText)']!.push(msSince(tFound, tText));
      rows['text → logged (logger.warn)']!.push(msSince(tText, tLogged));
      rows['append → logged (total)']!.push(msSince(t0, tLogged));
      spans.push({ start: p0, end: p1, ms: msSince(t0, tLogged) });
    }
    warm = false;
    const r = resolveDone;
    resolveDone = null;
    r();
  });
  // On the directory too, and before the source's watchers: inotify reports an append to both,
  // libuv calls a path's listeners in the order they were added, and the source's directory
  // listener, when its event comes first, runs the whole pipeline before a file listener's turn.
  const onWake = () => {
    if (tWake === 0n) tWake = now();
  };
  const w: FSWatcher[] = [watch(file, onWake), watch(dirname(file), onWake)];
  const source = new FileSource({ path: file });
  const abort = new AbortController();
  const reader = (async () => {
    for await (const batch of source.lines(null, abort.signal)) {
      tBatch = now();
      if (resolveDone !== null && !warm) rows['lines in the batch']!.push(batch.lines.length);
      for (const line of batch.lines) pipeline.line(line);
    }
  })();
  await sleep(200);
  try {
    await trials(
      file,
      (a) =>
        new Promise<void>((done) => {
          target = a;
          tWake = 0n;
          resolveDone = done;
        }),
      (start) => {
        t0 = start;
        p0 = performance.now();
      },
    );
  } finally {
    abort.abort();
    for (const x of w) x.close();
    await reader;
  }
  await sleep(50); // GC entries are delivered asynchronously
  const hit = spans.filter((sp) => gcs.some((g) => g.start < sp.end && g.end > sp.start));
  const clean = spans.filter((sp) => !hit.includes(sp)).map((sp) => sp.ms);
  rows['total, trials without a GC inside'] = clean;
  rows['total, trials with a GC inside'] = hit.map((sp) => sp.ms);
  print('Sheriff in process: FileSource → Pipeline → findingText → pino (to a null stream)', rows);
}

type BareMode = 'sync1' | 'async1' | 'sync4' | 'async4';
const BARE_TITLES: Record<BareMode, string> = {
  sync1: 'Bare: fs.watch + readSync',
  async1: 'Bare: fs.watch + FileHandle.read (1 thread-pool round trip)',
  sync4:
    "Bare: fs.watch + FileSource's syscalls, sync (statSync, fstatSync, readSync, readSync head)",
  async4:
    "Bare: fs.watch + FileSource's syscalls, async (stat, fh.stat, fh.read, fh.read head: 4 round trips)",
};

/**
 * A bare reader: fs.watch, then the same reads with either one syscall or the four
 * FileSource.cycle() makes for one appended line (stat of the path, fstat of the
 * descriptor, the read, the head re-read of sameHead()), sync or through the thread pool.
 */
async function probeBare(dir: string, mode: BareMode): Promise<void> {
  const file = join(dir, `${mode}.log`);
  closeSync(openSync(file, 'w'));
  const fh = await open(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 16);
  const head = Buffer.allocUnsafe(1024);
  const sync = mode.startsWith('sync');
  const four = mode.endsWith('4');
  let pos = 0;
  let t0 = 0n;
  let target = '';
  let resolveDone: (() => void) | null = null;
  let warm = true;
  const rows: Record<string, number[]> = { 'append → lines read': [] };
  let busy = false;
  let again = false;
  const onLines = (text: string) => {
    const t1 = now();
    // The priming lines were read before the wait began: this is the completing one.
    if (resolveDone !== null && text.includes(`from ${target} port`)) {
      if (!warm) rows['append → lines read']!.push(msSince(t0, t1));
      warm = false;
      const r = resolveDone;
      resolveDone = null;
      r();
    }
  };
  const drain = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        if (four) {
          if (sync) {
            statSync(file);
            fstatSync(fh.fd);
          } else {
            await stat(file);
            await fh.stat();
          }
        }
        for (;;) {
          const n = sync
            ? readSync(fh.fd, buf, 0, buf.length, pos)
            : (await fh.read(buf, 0, buf.length, pos)).bytesRead;
          if (n === 0) break;
          if (four) {
            if (sync) readSync(fh.fd, head, 0, head.length, 0);
            else await fh.read(head, 0, head.length, 0);
          }
          pos += n;
          onLines(buf.toString('utf8', 0, n));
        }
      } while (again);
    } finally {
      busy = false;
    }
  };
  const w = watch(file, () => void drain());
  try {
    await trials(
      file,
      (a) =>
        new Promise<void>((done) => {
          target = a;
          resolveDone = done;
        }),
      (start) => {
        t0 = start;
      },
    );
  } finally {
    w.close();
    await fh.close();
  }
  print(BARE_TITLES[mode], rows);
}

function print(title: string, rows: Record<string, number[]>): void {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of Object.entries(rows)) {
    if (v.length === 0) continue;
    if (k === 'lines in the batch') {
      process.stdout.write(`  ${k.padEnd(38)} ${[...new Set(v)].join(', ')}\n`);
      continue;
    }
    process.stdout.write(`  ${k.padEnd(38)} ms: ${stats(v)}  (n ${v.length})\n`);
  }
}

/** One finding log call, paced like a trial: Sheriff's logger (createLogger, with redact paths) vs bare pino. */
async function probeLogger(): Promise<void> {
  const sink = () =>
    new Writable({
      write(_chunk: Buffer, _enc, cb) {
        cb();
      },
    }) as unknown as NodeJS.WritableStream;
  const loggers = {
    'createLogger (log.ts, 10 redact paths)': createLogger(
      { level: 'info', format: 'json' },
      sink(),
    ),
    'pino, same base, no redact': pino({ level: 'info', base: { pid: process.pid } }, sink()),
  };
  const rows: Record<string, number[]> = {};
  for (const k of Object.keys(loggers)) rows[k] = [];
  const f = {
    event: 'finding',
    kind: 'bruteforce',
    jail: 'sshd',
    scope: 'address',
    ip: '203.0.113.9',
    count: 3,
    first: Date.now() - 2000,
    last: Date.now(),
  };
  const msg = '🚨 [sshd] Brute force from 203.0.113.9: 3 failed logins in 2s (users tried: "root")';
  for (let i = 0; i <= TRIALS; i++) {
    for (const [k, l] of Object.entries(loggers)) {
      await pause();
      const t0 = now();
      l.warn(f, msg);
      if (i > 0) rows[k]!.push(msSince(t0, now()));
    }
  }
  print('One finding log line (to a null stream), alternating loggers', rows);
}

/** Daemon.alert() stores each finding at once (FindingStore.insert, one autocommit INSERT) before logging it. */
async function probeStore(dir: string): Promise<void> {
  const store = Store.open(join(dir, 'probe.db'));
  const rows: Record<string, number[]> = { 'FindingStore.insert (WAL, synchronous NORMAL)': [] };
  try {
    for (let i = 0; i <= TRIALS; i++) {
      await pause();
      const f: Finding = {
        kind: 'bruteforce',
        jail: 'sshd',
        scope: 'address',
        ip: ip(i),
        count: MAXRETRY,
        first: Date.now() - 2000,
        last: Date.now(),
        users: ['root'],
      };
      const t0 = now();
      store.findings.insert(f, Date.now());
      if (i > 0) rows['FindingStore.insert (WAL, synchronous NORMAL)']!.push(msSince(t0, now()));
    }
  } finally {
    store.close();
  }
  print('Storing one finding, paced like a trial', rows);
}

const dir = await mkdtemp(join(tmpdir(), 'sheriff-latency-probe-'));
try {
  process.stdout.write(
    `${TRIALS} trials after a warm-up, pace ${HOT ? 'hot (5 ms apart)' : 'paced (100 ms + 0–1 s apart)'}, node ${process.version}\n`,
  );
  await probeSheriff(dir);
  for (const mode of ['sync1', 'async1', 'sync4', 'async4'] as const) await probeBare(dir, mode);
  await probeLogger();
  await probeStore(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
