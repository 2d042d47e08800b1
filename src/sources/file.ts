/**
 * Follows a log file like `tail -F`, through every kind of rotation, so that
 * each line is delivered exactly once, even across restarts.
 *
 * Wake-ups come from fs.watch (inotify) on the file and its directory, with no
 * debounce, and from a poll timer that repeats every check a lost event would
 * have triggered. Each cycle stats the path and the open descriptor, then:
 * - the descriptor is still the file at the path: read to its end; if it
 *   shrank below our position or its head changed, it was truncated
 *   (copytruncate): read the rest from the rotated copy, found by its head,
 *   then the truncated file from 0;
 * - the path holds another file (rename + create, delete + recreate) or
 *   nothing: keep reading the old descriptor, and hold the new file open too
 *   (so that a second rotation cannot take it away unread). Once a successor
 *   has data, a single writer has stopped writing the old file: read the old
 *   one to the end seen after that, then the successor from 0. A deleted file
 *   with no successor is let go after `deletedGraceMs` without growth.
 */
import type { FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Millis } from '../domain.js';
import * as fc from './file-cursor.js';
import { closeQuietly, openFile, type Opened } from './file-cursor.js';
import { Waker } from './file-wake.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines.js';
import type { LineBatch, Source, SourceHealth } from './source.js';

export interface FileSourceOptions {
  path: string;
  /** Where a copytruncate'd or renamed file's rest may be found (relative to its directory); default [`<path>.1`]. */
  rotated?: string[];
  /** Default 1000 ms. */
  pollIntervalMs?: number;
  maxLineBytes?: number;
  /** Without a cursor, start at the file's beginning instead of its end. */
  startAtBeginning?: boolean;
  /** How long a deleted, still open file may stay idle before it is closed; default 10 s. */
  deletedGraceMs?: number;
}

const CHUNK = 1 << 20;
/** A batch is yielded at the end of the data, or after this many bytes. */
const BATCH_BYTES = 4 << 20;
/** Successors held open at most (one per rotation not yet followed). */
const MAX_PENDING = 8;

/** The file being read. */
interface Cur {
  fh: FileHandle;
  /** The path it was opened by, for health(). */
  name: string;
  dev: string;
  ino: string;
  size: number;
  /** Bytes read and pushed into the splitter. */
  pos: number;
  /** The offset the splitter started at: the cursor offset is base + splitter.consumed. */
  base: number;
  splitter: LineSplitter;
  /** The first min(size, HEAD_BYTES) bytes, as far as known. */
  head: Buffer;
  headHash: string | null;
  yieldedOff: number;
  grewAt: Millis;
  /** Its head changed under us: truncated and written again. */
  truncated: boolean;
}

export class FileSource implements Source {
  readonly id: string;
  readonly kind = 'file' as const;
  private readonly path: string;
  private readonly rotated: string[];
  private readonly pollMs: number;
  private readonly graceMs: number;
  private readonly maxLineBytes: number;
  private readonly startAtBeginning: boolean;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  private running = false;
  private cur: Cur | null = null;
  /** Files seen at the path after the current one, oldest first, held open. */
  private pending: Opened[] = [];
  private out: string[] = [];
  private readonly waker: Waker;

  private linesRead = 0;
  private skipped = 0;
  private errors = 0;
  private lastError: string | null = null;
  private lastLineAt: Millis | null = null;
  private position: string | null = null;

  constructor(opts: FileSourceOptions) {
    this.path = resolve(opts.path);
    this.id = `file:${this.path}`;
    const dir = dirname(this.path);
    this.rotated = (opts.rotated ?? [`${this.path}.1`]).map((p) => resolve(dir, p));
    this.pollMs = opts.pollIntervalMs ?? 1000;
    this.graceMs = opts.deletedGraceMs ?? 10_000;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.startAtBeginning = opts.startAtBeginning ?? false;
    this.waker = new Waker(this.path, [this.path, ...this.rotated], this.pollMs);
  }

  health(): SourceHealth {
    const cur = this.cur;
    const off = cur ? cur.base + cur.splitter.consumed : 0;
    return {
      id: this.id,
      position: cur ? `${cur.name}@${off}` : this.position,
      // Unread bytes in the current file, and in those that came after it.
      lag: cur ? this.pending.reduce((n, o) => n + o.id.size, Math.max(0, cur.size - off)) : null,
      lastLineAt: this.lastLineAt,
      linesRead: this.linesRead,
      skipped: this.skipped,
      errors: this.errors,
      lastError: this.lastError,
    };
  }

  async *lines(cursor: string | null, signal: AbortSignal): AsyncGenerator<LineBatch> {
    if (this.running) throw new Error(`${this.id}: lines() is already running`);
    this.running = true;
    const onAbort = this.waker.wake;
    signal.addEventListener('abort', onAbort);
    let from: fc.FileCursor | null = null;
    if (cursor !== null) {
      from = fc.decodeCursor(cursor);
      if (!from) this.lastError = `unreadable cursor ignored: ${cursor.slice(0, 200)}`;
    }
    let started = false;
    try {
      this.waker.watchDir();
      while (!signal.aborted) {
        this.waker.clear();
        try {
          if (!started) {
            await this.start(from);
            started = true;
            if (this.cur) yield this.batch(); // where it starts: also says it has started
          }
          yield* this.cycle(signal);
        } catch (err) {
          this.errors++;
          this.lastError = err instanceof Error ? err.message : String(err);
          this.waker.clear(); // retry at the next poll, not at once
        }
        if (!signal.aborted) await this.waker.wait();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.waker.close();
      if (this.cur) this.position = this.health().position;
      const open = [...this.pending.map((o) => o.fh), ...(this.cur ? [this.cur.fh] : [])];
      this.cur = null;
      this.pending = [];
      this.out = [];
      await Promise.all(open.map(closeQuietly));
      this.running = false;
    }
  }

  /** Opens the file to start in, if there is one yet. */
  private async start(c: fc.FileCursor | null): Promise<void> {
    const at = await openFile(this.path);
    try {
      await this.startWith(at, c);
    } catch (err) {
      if (at && this.cur?.fh !== at.fh) await closeQuietly(at.fh);
      throw err;
    }
  }

  private async startWith(at: Opened | null, c: fc.FileCursor | null): Promise<void> {
    if (!c) {
      // None yet: wait for it, then read it from 0.
      if (at) await this.use(at, this.startAtBeginning ? 0 : await fc.lastLineEnd(at));
      return;
    }
    // The head read to match becomes the one to check later reads against.
    const matches = async (o: Opened): Promise<boolean> =>
      (o.head = (await fc.matchesCursor(o, c)) ?? undefined) !== undefined;
    if (at && (await matches(at))) return this.use(at, c.off);
    // The path holds another file: the rest of ours may be in a rotated copy.
    const copy = await this.findRotated(matches, c);
    if (copy) {
      if (at) await closeQuietly(at.fh);
      await this.use(copy, c.off);
    } else {
      this.lastError = `${this.path} changed and the rest of the file in the cursor was not found`;
      if (at) await this.use(at, 0);
    }
  }

  /** One wake-up: read what is new, then look for rotation. */
  private async *cycle(signal: AbortSignal): AsyncGenerator<LineBatch> {
    if (!this.cur) {
      const next = this.pending.shift() ?? (await openFile(this.path));
      if (!next) return;
      await this.use(next, 0);
      yield this.batch();
    }
    const cur = this.cur!;
    const p = await fc.statPath(this.path);
    const atPath = p !== null && fc.sameFile(p, cur);
    if (p && !atPath && !this.pending.some((o) => fc.sameFile(p, o.id))) await this.addSuccessor();
    // Successors first, then the current file: what it holds after that is all
    // that a single writer wrote before it moved on.
    let successorHasData = false;
    for (const o of this.pending) {
      o.id = await fc.identOf(o.fh);
      successorHasData ||= o.id.size > 0;
    }
    const id = await fc.identOf(cur.fh);
    cur.size = id.size;
    // Shrunk, or (at the same size) truncated and written again up to where we were.
    if (atPath && (id.size < cur.pos || (id.size === cur.pos && !(await this.sameHead(cur))))) {
      cur.truncated = true;
    }
    if (!cur.truncated) yield* this.drain(signal, id.size);
    if (signal.aborted) return;
    if (cur.truncated) {
      await this.onTruncate(cur);
      this.waker.again();
    } else if (!atPath && (successorHasData || (id.nlink === 0 && this.idle(cur)))) {
      // Done with it: a last line without a newline will get none.
      cur.splitter.end();
      if (this.out.length > 0 || this.offset(cur) !== cur.yieldedOff) yield this.batch();
      if (signal.aborted) return;
      this.position = this.health().position;
      this.cur = null;
      await closeQuietly(cur.fh);
      this.waker.again(); // the next cycle takes the successor, or waits for one
    }
  }

  private async addSuccessor(): Promise<void> {
    const o = await openFile(this.path);
    if (!o) return;
    const cur = this.cur;
    if ((cur && fc.sameFile(o.id, cur)) || this.pending.some((f) => fc.sameFile(o.id, f.id))) {
      await closeQuietly(o.fh);
    } else {
      // Bounded: a path replaced over and over by empty files must not pile up descriptors.
      if (this.pending.push(o) > MAX_PENDING) await closeQuietly(this.pending.shift()!.fh);
    }
  }

  private idle(cur: Cur): boolean {
    return Date.now() - cur.grewAt >= this.graceMs;
  }

  private offset(cur: Cur): number {
    return cur.base + cur.splitter.consumed;
  }

  /** Reads [cur.pos, size), yielding every BATCH_BYTES and at the end. */
  private async *drain(signal: AbortSignal, size: number): AsyncGenerator<LineBatch> {
    const cur = this.cur!;
    let more = true;
    while (more) {
      let bytes = 0;
      while (bytes < BATCH_BYTES) {
        const n = cur.pos < size ? await this.readChunk(cur, Math.min(CHUNK, size - cur.pos)) : 0;
        if (n === 0) {
          more = false;
          break;
        }
        bytes += n;
      }
      if (signal.aborted) return;
      if (this.out.length > 0 || this.offset(cur) !== cur.yieldedOff) yield this.batch();
    }
  }

  /** Reads one chunk at cur.pos and pushes it, unless the file's head changed meanwhile. */
  private async readChunk(cur: Cur, len: number): Promise<number> {
    const { bytesRead } = await cur.fh.read(this.buf, 0, len, cur.pos);
    if (bytesRead === 0) return 0;
    // Checked after the read: if the head is still ours, so were the bytes read.
    if (!(await this.sameHead(cur))) {
      cur.truncated = true;
      return 0;
    }
    cur.splitter.push(this.buf.subarray(0, bytesRead));
    cur.pos += bytesRead;
    cur.size = Math.max(cur.size, cur.pos);
    cur.grewAt = Date.now();
    return bytesRead;
  }

  /** Whether the file still starts with the head we know (which grows up to HEAD_BYTES). */
  private async sameHead(cur: Cur): Promise<boolean> {
    const head = await fc.readHead(cur.fh);
    if (head.length < cur.head.length || !head.subarray(0, cur.head.length).equals(cur.head)) {
      return false;
    }
    if (head.length > cur.head.length) {
      cur.head = head;
      cur.headHash = null;
    }
    return true;
  }

  /** The file at the path was truncated: continue in its rotated copy, else start over. */
  private async onTruncate(cur: Cur): Promise<void> {
    cur.truncated = false;
    const copy = await this.findRotated(async (o) => {
      if (fc.sameFile(o.id, cur)) return false;
      const h = await fc.readHead(o.fh, cur.head.length);
      return h.length > 0 && h.equals(cur.head.subarray(0, h.length));
    }, null);
    if (copy) {
      // Same bytes at the same offsets: keep the splitter and read on in the copy.
      // The truncated file, now another one than ours, becomes the successor.
      await closeQuietly(cur.fh);
      Object.assign(cur, { fh: copy.fh, name: copy.name, dev: copy.id.dev, ino: copy.id.ino });
      cur.size = copy.id.size;
      cur.grewAt = Date.now();
      if (copy.id.size < cur.head.length) {
        cur.head = cur.head.subarray(0, copy.id.size);
        cur.headHash = null;
      }
      return;
    }
    const head = await fc.readHead(cur.fh, cur.head.length);
    const shortened = cur.head.length > 0 && head.equals(cur.head);
    const size = (await fc.identOf(cur.fh)).size;
    this.lastError = `${this.path} was truncated and no rotated copy of it was found`;
    // Shortened with the same head: carry on from its new end; else it is a new file.
    cur.pos = cur.base = shortened ? size : 0;
    cur.splitter = this.splitter();
    cur.head = await fc.readHead(cur.fh);
    cur.headHash = null;
    cur.yieldedOff = -1;
  }

  /** Finds a rotated file accepted by `ok`, preferring the cursor's inode. */
  private findRotated(ok: (o: Opened) => Promise<boolean>, c: fc.FileId | null) {
    return fc.findFile(this.rotated, ok, c, (err) => {
      this.errors++;
      this.lastError = err instanceof Error ? err.message : String(err);
    });
  }

  /** Makes `o` the current file, read from `off`. */
  private async use(o: Opened, off: number): Promise<void> {
    let head: Buffer;
    try {
      head = o.head ?? (await fc.readHead(o.fh));
    } catch (err) {
      await closeQuietly(o.fh);
      throw err;
    }
    const { dev, ino, size } = o.id;
    this.cur = {
      fh: o.fh,
      name: o.name,
      dev,
      ino,
      size,
      pos: off,
      base: off,
      splitter: this.splitter(),
      head,
      headHash: null,
      yieldedOff: -1,
      grewAt: Date.now(),
      truncated: false,
    };
    if (o.name === this.path) this.waker.watchFile(ino);
  }

  private splitter(): LineSplitter {
    const sink = {
      line: (text: string): void => void this.out.push(text),
      skipped: (): void => void this.skipped++,
    };
    return new LineSplitter(sink, this.maxLineBytes);
  }

  private batch(): LineBatch {
    const cur = this.cur!;
    const off = this.offset(cur);
    cur.yieldedOff = off;
    const head = (cur.headHash ??= fc.hashHead(cur.head));
    const lines = this.out;
    this.out = [];
    if (lines.length > 0) {
      this.linesRead += lines.length;
      this.lastLineAt = Date.now();
    }
    const { dev, ino } = cur;
    return {
      lines,
      cursor: fc.encodeCursor({ v: 1, dev, ino, off, headLen: cur.head.length, head }),
    };
  }
}
