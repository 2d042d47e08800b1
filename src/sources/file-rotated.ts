/**
 * The rotated copies of a followed file, as logrotate leaves them: `auth.log.1`,
 * `auth.log.2.gz`, `auth.log-20261206`, `auth.log-20261206.gz`, and whatever the
 * config's `rotated:` globs name (e.g. an `olddir`). A file is recognised by its
 * content (the fingerprint of its first bytes, decompressed for gzip) and inode,
 * never by its name: names move at every rotation, and compression makes a new
 * inode. Names only give the order, newest first.
 */
import type { FileHandle } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import * as fc from './file-cursor.js';
import { closeQuietly, type Ident } from './file-cursor.js';

/** A rotated file held open. Its content (decompressed for gzip) no longer changes. */
export interface RotatedFile {
  fh: FileHandle;
  id: Ident;
  name: string;
  gz: boolean;
  /** The first min(length, HEAD_BYTES) bytes of its content, as far as known. */
  head: Buffer;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** A gzip member's header and trailer alone take this many bytes. */
const GZIP_MIN_BYTES = 18;
/** Compressed bytes read to learn a gzip file's head: far more than HEAD_BYTES of log text need. */
const GZ_HEAD_READ = 64 * 1024;

/** Suffixes logrotate gives: `.N` (numbered), `-DATE…` (dateext), each with an optional `.gz`. */
const SUFFIX = /^(?:\.(\d+)|(-\d[\d._-]*?))(\.gz)?$/;

/** Compiles a shell-style glob of one path component (`*`, `?`) to a RegExp. */
function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\*?]/g, (ch) =>
    ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : `\\${ch}`,
  );
  return new RegExp(`^${body}$`);
}

/** Finds the rotated copies of `path`: logrotate's usual names beside it, and `globs`. */
export class RotatedNames {
  private readonly dir: string;
  private readonly base: string;
  /** Per directory, the name patterns to list there. */
  private readonly patterns = new Map<string, RegExp[]>();

  /** `globs`: paths or globs in their last component, relative to the file's directory. */
  constructor(path: string, globs: readonly string[] = []) {
    this.dir = dirname(path);
    this.base = basename(path);
    for (const g of globs) {
      const full = resolve(this.dir, g);
      const dir = dirname(full);
      this.patterns.set(dir, [...(this.patterns.get(dir) ?? []), globRegExp(basename(full))]);
    }
  }

  /** Whether a name in the file's directory may be a rotated copy (for the directory watch). */
  concerns(name: string): boolean {
    if (name === this.base || this.isUsual(name)) return true;
    return (this.patterns.get(this.dir) ?? []).some((re) => re.test(name));
  }

  private isUsual(name: string): boolean {
    return name.startsWith(this.base) && SUFFIX.test(name.slice(this.base.length));
  }

  /** Full paths of the rotated copies present now, newest first. */
  async list(): Promise<string[]> {
    const found = new Set<string>();
    const dirs = new Set([this.dir, ...this.patterns.keys()]);
    for (const dir of dirs) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if (fc.isMissing(err)) continue;
        throw err;
      }
      const globs = this.patterns.get(dir) ?? [];
      for (const name of names) {
        if (dir === this.dir && name === this.base) continue;
        if ((dir === this.dir && this.isUsual(name)) || globs.some((re) => re.test(name)))
          found.add(join(dir, name));
      }
    }
    // Where logrotate is compressing `X` into `X.gz`, X is whole and X.gz may not be yet.
    const names = [...found].filter((n) => !(n.endsWith('.gz') && found.has(n.slice(0, -3))));
    return names.sort((a, b) => this.newerFirst(a, b));
  }

  /** `.1` before `.2`; `-20261207` before `-20261206`; otherwise by name. */
  private newerFirst(a: string, b: string): number {
    const ka = this.orderKey(basename(a));
    const kb = this.orderKey(basename(b));
    if (typeof ka === 'number' && typeof kb === 'number') return ka - kb;
    if (typeof ka === 'string' && typeof kb === 'string') return kb.localeCompare(ka, 'en');
    if (ka !== kb) return typeof ka === 'number' ? -1 : 1;
    return a.localeCompare(b, 'en');
  }

  private orderKey(name: string): number | string | null {
    const m = name.startsWith(this.base) ? SUFFIX.exec(name.slice(this.base.length)) : null;
    if (!m) return null;
    if (m[1] !== undefined) return Number(m[1]);
    // Dates of different widths (a dateformat change) compare by their digits, padded.
    return m[2]!.replace(/\D/g, '').padEnd(20, '0');
  }
}

/** Opens a rotated file and reads its head (gzip recognised by its magic bytes). Null when gone. */
export async function openRotated(name: string): Promise<RotatedFile | null> {
  const o = await fc.openFile(name);
  if (!o) return null;
  try {
    const start = fc.readHead(o.fh, GZ_HEAD_READ);
    const gz = start.subarray(0, 2).equals(GZIP_MAGIC);
    const head = gz ? gunzipHead(start) : start.subarray(0, fc.HEAD_BYTES);
    return { fh: o.fh, id: o.id, name, gz, head: Buffer.from(head) };
  } catch (err) {
    await closeQuietly(o.fh);
    throw err;
  }
}

/** The first HEAD_BYTES of a gzip stream's content, from its first bytes (it may be cut short). */
function gunzipHead(start: Buffer): Buffer {
  try {
    // A sync flush at the end: a stream cut short yields what it has, without an error.
    const out = gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH });
    return out.subarray(0, fc.HEAD_BYTES);
  } catch {
    return Buffer.alloc(0); // not even a whole gzip header yet
  }
}

/**
 * Whether two heads are surely the same file's: whole (HEAD_BYTES) and equal.
 * Shorter ones prove nothing: log lines start alike (a timestamp, a host), so
 * a short file may well be the start of another.
 */
export function sameContent(a: Buffer, b: Buffer): boolean {
  return a.length === fc.HEAD_BYTES && a.equals(b);
}

/** Whether `r` is the file cursor `c` was taken in (the size is checked while reading a gzip). */
export function matchesCursor(r: RotatedFile, c: fc.FileCursor): boolean {
  if (!r.gz && r.id.size < Math.max(c.headLen, c.off)) return false;
  if (c.headLen === 0) return fc.sameFile(r.id, c);
  return r.head.length >= c.headLen && fc.hashHead(r.head.subarray(0, c.headLen)) === c.head;
}

/** A gzip file that ends before its end: being written (logrotate's compress), or cut off. */
export function isTruncatedGzip(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'Z_BUF_ERROR';
}

/** The bytes of an open file from `pos` on, by pread: the handle stays ours to close. */
async function* bytesFrom(fh: FileHandle, pos: number, chunk: number): AsyncGenerator<Buffer> {
  for (;;) {
    const buf = Buffer.allocUnsafe(chunk);
    const { bytesRead } = await fh.read(buf, 0, chunk, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** The content of `r` from byte `off` on (decompressed for gzip), in chunks of up to `chunk` bytes. */
export async function* contentFrom(
  r: RotatedFile,
  off: number,
  chunk: number,
): AsyncGenerator<Buffer> {
  if (!r.gz) {
    yield* bytesFrom(r.fh, off, chunk);
    return;
  }
  let rawBytes = 0;
  const raw = Readable.from(bytesFrom(r.fh, 0, chunk), { objectMode: false });
  raw.on('data', (b: Buffer) => void (rawBytes += b.length));
  const gunzip = createGunzip({ chunkSize: chunk });
  raw.on('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  try {
    let skip = off;
    for await (const data of gunzip) {
      const b = data as Buffer;
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      yield b.subarray(skip);
      skip = 0;
    }
    // zlib ends an empty input quietly: shorter than a gzip header and trailer is not whole.
    if (rawBytes < GZIP_MIN_BYTES) {
      throw Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' });
    }
  } finally {
    raw.unpipe(gunzip);
    raw.destroy();
    gunzip.destroy();
  }
}

/** A file already held open (the live one), which the rotated copies must not repeat. */
export interface Held {
  id: fc.FileId;
  head: Buffer;
}

/**
 * Opens the rotated copies, newest first, each once (a second name, inode or
 * content is dropped), up to the first that `last` accepts, or all.
 */
async function openAll(
  names: RotatedNames,
  held: Held[],
  last: (r: RotatedFile) => boolean,
): Promise<RotatedFile[]> {
  // A rotation between listing and opening could move a copy past us: list until it holds still.
  for (let attempt = 0; ; attempt++) {
    const listed = await names.list();
    const opened: RotatedFile[] = [];
    try {
      for (const name of listed) {
        const r = await openRotated(name);
        if (!r) continue;
        const seen = [...held, ...opened];
        if (seen.some((h) => fc.sameFile(r.id, h.id) || sameContent(r.head, h.head))) {
          await closeQuietly(r.fh);
        } else opened.push(r);
        if (opened.at(-1) === r && last(r)) break;
      }
      if (attempt >= 4 || (await stillThere(listed, opened))) return opened;
    } catch (err) {
      await Promise.all(opened.map((r) => closeQuietly(r.fh)));
      throw err;
    }
    await Promise.all(opened.map((r) => closeQuietly(r.fh)));
  }

  async function stillThere(listed: string[], opened: RotatedFile[]): Promise<boolean> {
    const now = await names.list();
    if (now.length !== listed.length || now.some((n, i) => n !== listed[i])) return false;
    for (const r of opened) {
      const id = fc.statPath(r.name);
      if (!id || !fc.sameFile(id, r.id)) return false;
    }
    return true;
  }
}

/**
 * The file cursor `c` was taken in, found among the rotated copies, and every
 * copy newer than it, oldest first (so: to be read in this order, the first
 * from `c.off`, then the file at the path). Null when it is not among them.
 */
export async function rotatedSince(
  names: RotatedNames,
  c: fc.FileCursor,
  held: Held[],
): Promise<RotatedFile[] | null> {
  // Older copies need not be opened once it is surely found: by its inode, or a whole head.
  const surely = (r: RotatedFile): boolean =>
    matchesCursor(r, c) && (fc.sameFile(r.id, c) || c.headLen === fc.HEAD_BYTES);
  const all = await openAll(names, held, surely);
  const matching = all.filter((r) => matchesCursor(r, c));
  const mine = matching.find((r) => fc.sameFile(r.id, c)) ?? matching[0];
  const k = mine ? all.indexOf(mine) : -1;
  await Promise.all(all.slice(k + 1).map((r) => closeQuietly(r.fh)));
  return mine ? all.slice(0, k + 1).reverse() : null;
}
