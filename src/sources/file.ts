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
 *   Files rotated that were never at the path when it looked (a slow reader,
 *   rotations close together; a copytruncate of a successor not read yet) are
 *   found among the rotated copies as on start, and read in their place.
 *
 * On start, when the file in the cursor is no longer at the path (rotated
 * while Sheriff was down), it is looked for among the rotated copies by its
 * content (see file-rotated.ts), compressed or not: its rest is read, then
 * every newer copy whole, oldest first, then the file at the path. What
 * cannot be found is counted as an error, never passed over quietly.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { systemClock, type Clock } from '../clock.js';
import type { Millis } from '../domain.js';
import * as fc from './file-cursor.js';
import { closeQuietly, openFile, type Opened } from './file-cursor.js';
import * as fr from './file-rotated.js';
import { Waker } from './file-wake.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines.js';
import type { LineBatch, Source, SourceHealth } from './source.js';

export interface FileSourceOptions {
  path: string;
  /**
   * Where rotated copies go besides logrotate's usual names beside the file
   * (`.1`, `.2.gz`, `-20261206`, …): paths or globs (`*`, `?` in the last part),
   * relative to the file's directory, e.g. `old/auth.log.*` for an olddir.
   */
  rotated?: string[];
  /** Default 1000 ms. */
  pollIntervalMs?: number;
  maxLineBytes?: number;
  /** Without a cursor, start at the file's beginning instead of its end. */
  startAtBeginning?: boolean;
  /** How long a deleted, still open file may stay idle before it is closed; default 10 s. */
  deletedGraceMs?: number;
  /** The poll timer and the grace periods' time; default the system's. */
  clock?: Clock;
}

const CHUNK = 1 << 20;
/** A batch is yielded at the end of the data, or after this many bytes (some 10,000 lines). */
const BATCH_BYTES = 1 << 20;
/** Files held open to read next at most (one per rotation not yet followed). */
const MAX_PENDING = 64;

/** A rotated file still to be read, from `off` (in its decompressed content). */
type Backlog = fr.RotatedFile & { off: number };

/** A file to read after the current one: a successor at the path, or a rotated copy. */
type Next = Opened | fr.RotatedFile;
const isGzip = (o: Next): o is fr.RotatedFile => 'gz' in o && o.gz;

/** A gzip file that ends early, probably still being written: tried again at the next poll. */
class NotYet extends Error {}

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

/** An open file, and the path it was opened by. */
type Handle = Pick<Opened, 'fh' | 'name'>;
/** A file held, with a cursor at its start that knows it by its content now. */
interface Known {
  id: fc.Ident;
  name: string;
  at: fc.FileCursor;
}

/** A cursor at the start of the file `id` whose content starts with `head`. */
function headCursor(id: fc.FileId, head: Buffer): fc.FileCursor {
  const { dev, ino } = id;
  return { v: 1, dev, ino, off: 0, headLen: head.length, head: fc.hashHead(head) };
}

export class FileSource implements Source {
  readonly id: string;
  readonly kind = 'file' as const;
  private readonly path: string;
  private readonly names: fr.RotatedNames;
  private readonly pollMs: number;
  private readonly graceMs: number;
  private readonly maxLineBytes: number;
  private readonly startAtBeginning: boolean;
  private readonly clock: Clock;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly headBuf = Buffer.allocUnsafe(fc.HEAD_BYTES);

  private running = false;
  private cur: Cur | null = null;
  /** Files to read after the current one, oldest first, held open. */
  private pending: Next[] = [];
  /** Rotated files to read, oldest first, before the current one. */
  private backlog: Backlog[] = [];
  /** Since when the first backlog file has ended early (a gzip being written). */
  private endedEarlySince: Millis | null = null;
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
    this.names = new fr.RotatedNames(this.path, opts.rotated);
    this.pollMs = opts.pollIntervalMs ?? 1000;
    this.graceMs = opts.deletedGraceMs ?? 10_000;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.startAtBeginning = opts.startAtBeginning ?? false;
    this.clock = opts.clock ?? systemClock;
    this.waker = new Waker(this.path, (name) => this.names.concerns(name), this.pollMs, this.clock);
  }

  health(): SourceHealth {
    const cur = this.cur;
    const off = cur ? cur.base + cur.splitter.consumed : 0;
    const next = this.backlog[0];
    // Unread bytes (compressed ones for gzip) in the backlog, the files after the current one, and it.
    const ahead = this.pending.reduce(
      (n, o) => n + o.id.size,
      this.backlog.reduce((n, r) => n + r.id.size - (r.gz ? 0 : r.off), 0),
    );
    return {
      id: this.id,
      position: next ? `${next.name}@${next.off}` : cur ? `${cur.name}@${off}` : this.position,
      lag: cur ? ahead + Math.max(0, this.sizeNow(cur) - off) : next ? ahead : null,
      lastLineAt: this.lastLineAt,
      linesRead: this.linesRead,
      skipped: this.skipped,
      errors: this.errors,
      lastError: this.lastError,
    };
  }

  /** The file's size now, not at the last wake-up: what a busy reader has not seen yet is lag too. */
  private sizeNow(cur: Cur): number {
    try {
      return Math.max(cur.size, fc.identOf(cur.fh).size);
    } catch {
      return cur.size;
    }
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
            // Where it starts: also says it has started.
            const first = this.backlog[0];
            if (first) yield this.backlogBatch(first, first.off);
            else if (this.cur) yield this.batch();
          }
          // Not even an empty generator on an ordinary wake-up: every step before the lines
          // are handed on is latency.
          if (this.backlog.length > 0) yield* this.readBacklog(signal);
          if (!signal.aborted) yield* this.cycle(signal);
        } catch (err) {
          if (!(err instanceof NotYet)) this.errors++;
          this.lastError = err instanceof Error ? err.message : String(err);
          this.waker.clear(); // retry at the next poll, not at once
        }
        if (!signal.aborted) await this.waker.wait();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.waker.close();
      if (this.cur) this.position = this.health().position;
      const open = [
        ...this.backlog.map((r) => r.fh),
        ...this.pending.map((o) => o.fh),
        ...(this.cur ? [this.cur.fh] : []),
      ];
      this.cur = null;
      this.pending = [];
      this.backlog = [];
      this.out = [];
      await Promise.all(open.map(closeQuietly));
      this.running = false;
    }
  }

  /** Opens the file to start in, if there is one yet. */
  private async start(c: fc.FileCursor | null): Promise<void> {
    // The file at the path first: a rotation after this leaves it among the copies,
    // where it is recognised and passed over, rather than unseen.
    const at = await openFile(this.path);
    try {
      await this.startWith(at, c);
    } catch (err) {
      if (at && this.cur?.fh !== at.fh && !this.pending.some((o) => o.fh === at.fh)) {
        await closeQuietly(at.fh);
      }
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
    const matches = (o: Opened): boolean =>
      (o.head = fc.matchesCursor(o, c) ?? undefined) !== undefined;
    if (at && matches(at)) return this.use(at, c.off);
    // The path holds another file: ours was rotated, and perhaps others after it.
    const held = at ? [{ id: at.id, head: fc.readHead(at.fh) }] : [];
    const files = await fr.rotatedSince(this.names, c, held);
    if (!files) {
      this.fail(
        `${this.path} changed and the rest of the file in the cursor (from byte ${c.off}) ` +
          `was not found among its rotated copies: lines written to it after that are lost`,
      );
      if (at) await this.use(at, 0);
      return;
    }
    const newest = files.at(-1)!;
    this.backlog = files.map((r, i) => ({ ...r, off: i === 0 ? c.off : 0 }));
    if (!newest.gz) {
      // The newest copy may still be written to, until the writer reopens the path
      // (rename + create): follow it like the file at the path, with that as its successor.
      this.backlog.pop();
      await this.use(newest, files.length === 1 ? c.off : 0);
      if (at) this.pending.push(at);
    } else if (at) await this.use(at, 0);
  }

  /** Reads the rotated files in the backlog, oldest first, each to its end. */
  private async *readBacklog(signal: AbortSignal): AsyncGenerator<LineBatch> {
    for (let r = this.backlog[0]; r && !signal.aborted; r = this.backlog[0]) {
      const base = r.off;
      const splitter = this.splitter();
      let unyielded = 0;
      try {
        for await (const chunk of fr.contentFrom(r, base, CHUNK)) {
          splitter.push(chunk);
          if ((unyielded += chunk.length) >= BATCH_BYTES) {
            yield this.backlogBatch(r, base + splitter.consumed);
            unyielded = 0;
            if (signal.aborted) return;
          }
        }
        splitter.end(); // it is whole: a last line without a newline will get none
      } catch (err) {
        this.out = []; // read again from r.off, the last position handed out
        const now = this.clock.now();
        this.endedEarlySince ??= now;
        if (fr.isTruncatedGzip(err) && now - this.endedEarlySince < this.graceMs) {
          throw new NotYet(`${r.name} ends early (still being compressed?); reading it again`);
        }
        const why = err instanceof Error ? err.message : String(err);
        this.fail(`${r.name} could not be read past byte ${r.off} (${why}): the rest is lost`);
        this.backlog.shift();
        await closeQuietly(r.fh);
        continue;
      }
      yield this.backlogBatch(r, base + splitter.consumed);
      if (signal.aborted) return;
      if (this.endedEarlySince !== null && this.lastError?.startsWith(r.name))
        this.lastError = null;
      this.endedEarlySince = null;
      this.backlog.shift();
      await closeQuietly(r.fh);
    }
  }

  /** Lines read from a backlog file, and the cursor at `off` in it. */
  private backlogBatch(r: Backlog, off: number): LineBatch {
    r.off = off;
    const lines = this.takeLines();
    const { dev, ino } = r.id;
    const head = fc.hashHead(r.head);
    return {
      lines,
      cursor: fc.encodeCursor({ v: 1, dev, ino, off, headLen: r.head.length, head }),
    };
  }

  private fail(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  /** One wake-up: read what is new, then look for rotation. */
  private async *cycle(signal: AbortSignal): AsyncGenerator<LineBatch> {
    if (!this.cur) {
      const next = this.pending.shift() ?? (await openFile(this.path));
      if (!next) return;
      if (isGzip(next)) {
        // Whole and no longer written to: read like a file rotated while stopped.
        this.backlog.push({ ...next, off: 0 });
        this.waker.again();
        return;
      }
      await this.use(next, 0);
      yield this.batch();
    }
    const cur = this.cur!;
    const p = fc.statPath(this.path);
    const atPath = p !== null && fc.sameFile(p, cur);
    if (p && !atPath && !this.pending.some((o) => fc.sameFile(p, o.id)))
      await this.addSuccessor(cur);
    // Successors first, then the current file: what it holds after that is all
    // that a single writer wrote before it moved on.
    let successorHasData = false;
    for (const o of this.pending) {
      o.id = fc.identOf(o.fh);
      successorHasData ||= o.id.size > 0;
    }
    const id = fc.identOf(cur.fh);
    cur.size = id.size;
    // Shrunk, or (at the same size) truncated and written again up to where we were;
    // at the path or not: it may have been truncated (copytruncate) before it was renamed.
    if (id.size < cur.pos || (id.size === cur.pos && !this.sameHead(cur))) {
      cur.truncated = true;
    }
    if (!cur.truncated)
      for (const batch of this.drain(signal, id.size)) {
        yield batch;
        // Behind: the reads are synchronous, so timers and I/O (the store writer, the
        // console, /metrics) get their turn between batches, not only after the backlog.
        if (cur.pos < id.size) await yieldToLoop();
      }
    if (signal.aborted) return;
    if (cur.truncated) {
      await this.onTruncate(cur);
      this.waker.again();
    } else if (!atPath && (successorHasData || (id.nlink === 0 && this.idle(cur)))) {
      // Done with it: a last line without a newline will get none.
      cur.splitter.end();
      // Copies of the next one's content made before it was read (copytruncate at the path).
      this.pending.unshift(...(await this.rotatedAfter([cur], this.pending)));
      if (this.out.length > 0 || this.offset(cur) !== cur.yieldedOff) yield this.batch();
      if (signal.aborted) return;
      this.position = this.health().position;
      this.cur = null;
      await closeQuietly(cur.fh);
      this.waker.again(); // the next cycle takes the successor, or waits for one
    }
  }

  /**
   * Holds the new file at the path, after the files rotated since the last one
   * held: when the reader was slow (a large batch) and the file was rotated more
   * than once meanwhile, those were never at the path when it looked.
   */
  private async addSuccessor(cur: Cur): Promise<void> {
    const o = await openFile(this.path);
    if (!o) return;
    if (fc.sameFile(o.id, cur) || this.pending.some((f) => fc.sameFile(o.id, f.id))) {
      await closeQuietly(o.fh);
      return;
    }
    let between: fr.RotatedFile[];
    try {
      between = await this.rotatedAfter([cur, ...this.pending], [o]);
    } catch (err) {
      await closeQuietly(o.fh);
      throw err;
    }
    this.pending.push(...between, o);
    // Bounded: a path replaced over and over by empty files must not pile up descriptors.
    const over = this.pending.splice(0, Math.max(0, this.pending.length - MAX_PENDING));
    if (over.length > 0) {
      await Promise.all(over.map((f) => closeQuietly(f.fh)));
      this.fail(
        `${this.path} was rotated more than ${MAX_PENDING} times before Sheriff could read on: ` +
          `${over.map((f) => f.name).join(', ')} will not be read, their lines are lost`,
      );
    }
  }

  /**
   * The rotated copies newer than the newest of `after` (with content), oldest
   * first, but those of `held`: files rotated that were never opened. Those of a
   * held file are known by its inode, or by its content now (renamed and
   * compressed since). Read now, as a file empty when first held may have been
   * written and rotated since.
   */
  private async rotatedAfter(after: Handle[], held: Handle[]): Promise<fr.RotatedFile[]> {
    const known = ({ fh, name }: Handle): Known => {
      const id = fc.identOf(fh);
      return { id, name, at: headCursor(id, fc.readHead(fh)) };
    };
    const mine = after.map(known);
    const others = held.map(known);
    // An empty file's copy is known by its inode only: the newest with content, if any.
    const last = mine.findLast((k) => k.at.headLen > 0) ?? mine.at(-1)!;
    const files = await fr.rotatedSince(this.names, last.at, []);
    if (!files) {
      // Deleted (and recreated): nothing was rotated. Moved elsewhere: copies cannot be looked for.
      if (last.id.nlink > 0) {
        this.fail(
          `${last.name} was moved where its rotated copies are not looked for ` +
            `(see the source's rotated: setting): files rotated after it may be missed`,
        );
      }
      return [];
    }
    const isHeld = (r: fr.RotatedFile): boolean =>
      [...mine, ...others].some((k) => fc.sameFile(r.id, k.id) || fr.matchesCursor(r, k.at));
    // The first is the last one, under its rotated name.
    const kept = files.slice(1).filter((r) => !isHeld(r));
    await Promise.all(files.filter((r) => !kept.includes(r)).map((r) => closeQuietly(r.fh)));
    return kept;
  }

  private idle(cur: Cur): boolean {
    return this.clock.now() - cur.grewAt >= this.graceMs;
  }

  private offset(cur: Cur): number {
    return cur.base + cur.splitter.consumed;
  }

  /** Reads [cur.pos, size), yielding every BATCH_BYTES and at the end. */
  private *drain(signal: AbortSignal, size: number): Generator<LineBatch> {
    const cur = this.cur!;
    let more = true;
    while (more) {
      let bytes = 0;
      while (bytes < BATCH_BYTES) {
        const n = cur.pos < size ? this.readChunk(cur, Math.min(CHUNK, size - cur.pos)) : 0;
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
  private readChunk(cur: Cur, len: number): number {
    const bytesRead = readSync(cur.fh.fd, this.buf, 0, len, cur.pos);
    if (bytesRead === 0) return 0;
    // Checked after the read: if the head is still ours, so were the bytes read.
    if (!this.sameHead(cur)) {
      cur.truncated = true;
      return 0;
    }
    cur.splitter.push(this.buf.subarray(0, bytesRead));
    cur.pos += bytesRead;
    cur.size = Math.max(cur.size, cur.pos);
    cur.grewAt = this.clock.now();
    return bytesRead;
  }

  /**
   * Whether the file still starts with the head we know (which grows up to HEAD_BYTES).
   * Read into one buffer kept for it: this runs on every wake-up, before the lines are
   * handed on, and a fresh buffer each time cost more than the read
   * (bench/latency-probe.ts).
   */
  private sameHead(cur: Cur): boolean {
    const head = fc.readHead(cur.fh, fc.HEAD_BYTES, this.headBuf);
    const known = cur.head.length;
    if (head.length < known || head.compare(cur.head, 0, known, 0, known) !== 0) return false;
    if (head.length > known) {
      cur.head = Buffer.from(head);
      cur.headHash = null;
    }
    return true;
  }

  /**
   * The file at the path was truncated (copytruncate): read its rest from its
   * rotated copy, and any newer copies, then the file again from 0.
   */
  private async onTruncate(cur: Cur): Promise<void> {
    cur.truncated = false;
    const off = this.offset(cur);
    const c: fc.FileCursor = {
      v: 1,
      dev: cur.dev,
      ino: cur.ino,
      off,
      headLen: cur.head.length,
      head: fc.hashHead(cur.head),
    };
    // An empty head tells nothing apart: no copy can be recognised.
    const held = [{ id: cur, head: Buffer.alloc(0) }];
    const files = c.headLen > 0 ? await fr.rotatedSince(this.names, c, held) : null;
    let from = 0;
    if (files) {
      // Renamed (and compressed) since it was truncated: its copy, and the newer ones (held
      // as its successors), are not read here; what it holds now is read from it.
      const now = headCursor(cur, fc.readHead(cur.fh));
      const own = files.findIndex((r, i) => i > 0 && fr.matchesCursor(r, now));
      if (own > 0) await Promise.all(files.splice(own).map((r) => closeQuietly(r.fh)));
      this.backlog.push(...files.map((r, i) => ({ ...r, off: i === 0 ? off : 0 })));
    } else {
      const head = fc.readHead(cur.fh, cur.head.length);
      const shortened = cur.head.length > 0 && head.equals(cur.head);
      // Shortened with the same head: carry on from its new end; else it is a new file.
      if (shortened) from = fc.identOf(cur.fh).size;
      this.fail(
        `${this.path} was truncated and no rotated copy of it was found: ` +
          `lines written after byte ${off} may be lost`,
      );
    }
    cur.pos = cur.base = from;
    cur.splitter = this.splitter();
    cur.head = fc.readHead(cur.fh);
    cur.headHash = null;
    cur.yieldedOff = -1;
  }

  /** Makes `o` the current file, read from `off`. */
  private async use(o: Opened, off: number): Promise<void> {
    let head: Buffer;
    try {
      head = o.head ?? fc.readHead(o.fh);
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
      grewAt: this.clock.now(),
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

  private takeLines(): string[] {
    const lines = this.out;
    this.out = [];
    if (lines.length > 0) {
      this.linesRead += lines.length;
      this.lastLineAt = this.clock.now();
    }
    return lines;
  }

  private batch(): LineBatch {
    const cur = this.cur!;
    const off = this.offset(cur);
    cur.yieldedOff = off;
    const head = (cur.headHash ??= fc.hashHead(cur.head));
    const lines = this.takeLines();
    const { dev, ino } = cur;
    return {
      lines,
      cursor: fc.encodeCursor({ v: 1, dev, ino, off, headLen: cur.head.length, head }),
    };
  }
}
