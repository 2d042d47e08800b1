/**
 * journald through `journalctl --follow --output=json`: one JSON record a line,
 * yielded raw (src/parse/journal.ts reads them, trusting `_COMM`). A batch's
 * cursor is the `__CURSOR` of its last record; a restart resumes with
 * `--after-cursor`, so journalctl exiting (or being killed) neither loses nor
 * repeats a record. journalctl is run without a shell, from an argument array.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import type { Millis } from '../domain.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines.js';
import type { LineBatch, Source, SourceHealth } from './source.js';

export interface JournaldOptions {
  /** Stable id keying the saved cursor (default `journald`). */
  id?: string;
  /** `_SYSTEMD_UNIT=` matches (default ssh.service, sshd.service). */
  units?: readonly string[];
  /** `_COMM=` matches, at most 15 bytes each (default sshd, sshd-session). No units and no programs: the whole journal. */
  programs?: readonly string[];
  /** Path of journalctl (default `journalctl`, looked up in PATH). */
  journalctlPath?: string;
  /** Wait before restarting an exited journalctl: doubles from `initialMs` up to `maxMs`. */
  restartDelay?: { initialMs: number; maxMs: number };
  /** SIGTERM, then SIGKILL after this long (default 2 s). */
  stopTimeoutMs?: number;
  maxRecordBytes?: number;
}

export const DEFAULT_UNITS = ['ssh.service', 'sshd.service'];
export const DEFAULT_PROGRAMS = ['sshd', 'sshd-session'];
/** Lines queued before journalctl's output is paused until the consumer catches up. */
const MAX_QUEUED = 10_000;
const COMM_MAX_BYTES = 15; // the kernel's TASK_COMM_LEN - 1

/** Where journalctl starts: strictly after a cursor, or at an instant (`--since=@seconds`). */
export type JournalStart = { cursor: string } | { sinceMs: Millis };

/** journalctl's arguments: `FIELD=value` matches joined by `+` (OR). */
export function journalctlArgs(
  start: JournalStart,
  units: readonly string[],
  programs: readonly string[],
): string[] {
  const args = ['--follow', '--output=json', '--no-tail'];
  if ('cursor' in start) args.push(`--after-cursor=${start.cursor}`);
  else {
    const ms = Math.floor(start.sinceMs);
    args.push(`--since=@${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`);
  }
  return [...args, ...journalMatches(units, programs)];
}

/** journalctl's match arguments for these units or programs: `FIELD=value` joined by `+` (OR). */
export function journalMatches(units: readonly string[], programs: readonly string[]): string[] {
  const matches = [...units.map((u) => `_SYSTEMD_UNIT=${u}`), ...programs.map((p) => `_COMM=${p}`)];
  return matches.flatMap((m, i) => (i > 0 ? ['+', m] : [m]));
}

function checkMatch(kind: string, value: string, maxBytes = Infinity): string {
  if (value.length === 0 || /[\0-\x1f\x7f]/.test(value) || Buffer.byteLength(value) > maxBytes)
    throw new Error(`journald: invalid ${kind} ${JSON.stringify(value)}`);
  return value;
}

/** The `__CURSOR` of a complete journal JSON record, or null (truncated, not an object). */
export function cursorOf(line: string): string | null {
  if (line.charCodeAt(0) !== 123) return null;
  try {
    const r = JSON.parse(line) as unknown;
    const c = r !== null && typeof r === 'object' ? (r as { __CURSOR?: unknown }).__CURSOR : null;
    return typeof c === 'string' && c.length > 0 ? c : null;
  } catch {
    return null;
  }
}

/** One journalctl process: its output goes through a LineSplitter of its own. */
class Journalctl {
  readonly proc: ChildProcess;
  readonly startedAt = Date.now();
  closed = false;
  records = 0;
  exit = '';
  private stderr = '';
  private readonly done: Promise<void>;

  constructor(
    path: string,
    args: string[],
    line: (text: string) => void,
    skipped: () => void,
    notify: () => void,
    maxBytes: number,
  ) {
    // A partial record left when journalctl dies is dropped with this splitter (end() is never
    // called); the restart's --after-cursor prints it again whole.
    const splitter = new LineSplitter({ line, skipped }, maxBytes);
    this.proc = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    this.proc.stdout?.on('data', (b: Buffer) => {
      splitter.push(b);
      notify(); // once a chunk: every record it completed goes into one batch
    });
    this.proc.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-1024);
    });
    this.done = new Promise((resolve) => {
      const finish = (why: string) => {
        if (this.closed) return;
        this.closed = true;
        this.exit = why;
        resolve();
        notify();
      };
      this.proc.on('error', (err) => {
        if (this.proc.pid === undefined) finish(`cannot run ${path}: ${err.message}`);
      });
      this.proc.on('close', (code, signal) => {
        const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = this.stderr.trim().split('\n').pop() ?? '';
        finish(`journalctl ${how}${tail ? `: ${tail}` : ''}`);
      });
    });
  }

  get stderrText(): string {
    return this.stderr;
  }

  pause(): void {
    this.proc.stdout?.pause();
  }

  resume(): void {
    this.proc.stdout?.resume();
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.done;
    clearTimeout(timer);
  }
}

export class JournaldSource implements Source {
  readonly kind = 'journald' as const;
  readonly id: string;
  private readonly units: readonly string[];
  private readonly programs: readonly string[];
  private readonly path: string;
  private readonly restart: { initialMs: number; maxMs: number };
  private readonly stopTimeoutMs: number;
  private readonly maxRecordBytes: number;
  private readonly stats: Omit<SourceHealth, 'id' | 'lag'> = {
    position: null,
    lastLineAt: null,
    linesRead: 0,
    skipped: 0,
    errors: 0,
    lastError: null,
  };

  constructor(opts: JournaldOptions = {}) {
    this.id = opts.id ?? 'journald';
    this.units = (opts.units ?? DEFAULT_UNITS).map((u) => checkMatch('unit', u));
    this.programs = (opts.programs ?? DEFAULT_PROGRAMS).map((p) =>
      checkMatch('program (_COMM)', p, COMM_MAX_BYTES),
    );
    this.path = opts.journalctlPath ?? 'journalctl';
    this.restart = opts.restartDelay ?? { initialMs: 1000, maxMs: 60_000 };
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 2000;
    this.maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  health(): SourceHealth {
    return { id: this.id, lag: null, ...this.stats };
  }

  lines(cursor: string | null, signal: AbortSignal): AsyncIterable<LineBatch> {
    return this.follow(cursor, signal);
  }

  private async *follow(cursor: string | null, signal: AbortSignal): AsyncGenerator<LineBatch> {
    // "Now" is the instant lines() was called, so a restart before any record arrived keeps it.
    const sinceMs = Date.now();
    if (cursor !== null) this.stats.position = cursor;
    /** Cursor of the last record queued: where a restarted journalctl resumes. */
    let resume = cursor;
    /** The caller's cursor has not been confirmed by a record read after it yet. */
    let untried = cursor !== null;
    let queue: string[] = [];
    let child: Journalctl | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const onLine = (text: string) => {
      const c = cursorOf(text);
      if (c === null) {
        this.stats.skipped++;
        return;
      }
      queue.push(text);
      resume = c;
      untried = false;
      this.stats.lastLineAt = Date.now();
      if (child !== null) child.records++;
      if (queue.length >= MAX_QUEUED) child?.pause();
    };
    const onSkipped = () => void this.stats.skipped++;
    signal.addEventListener('abort', notify);
    let wait = this.restart.initialMs;
    try {
      while (!signal.aborted) {
        if (queue.length > 0) {
          const batch: LineBatch = { lines: queue, cursor: resume };
          queue = [];
          this.stats.linesRead += batch.lines.length;
          this.stats.position = batch.cursor;
          yield batch;
          child?.resume();
          continue;
        }
        if (child === null) {
          const start: JournalStart = resume !== null ? { cursor: resume } : { sinceMs };
          const args = journalctlArgs(start, this.units, this.programs);
          child = new Journalctl(this.path, args, onLine, onSkipped, notify, this.maxRecordBytes);
          continue;
        }
        if (child.closed) {
          this.stats.errors++;
          this.stats.lastError = child.exit;
          if (untried && child.records === 0 && /cursor/i.test(child.stderrText)) {
            // A malformed saved cursor is refused on every attempt: start at "now" instead.
            this.stats.lastError += ' (saved cursor refused; reading from the start time)';
            resume = null;
            untried = false;
          }
          const ranLong = Date.now() - child.startedAt >= this.restart.maxMs;
          if (child.records > 0 || ranLong) wait = this.restart.initialMs;
          child = null;
          try {
            await delay(wait, undefined, { signal });
          } catch {
            break; // aborted
          }
          wait = Math.min(wait * 2, this.restart.maxMs);
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', notify);
      await child?.stop(this.stopTimeoutMs);
    }
  }
}
