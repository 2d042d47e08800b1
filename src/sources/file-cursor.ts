/**
 * The file source's cursor and file identity: device + inode, a byte offset and
 * a fingerprint of the file's head, so that a restarted daemon can tell whether
 * the file at a path (or a rotated copy of it) is the one the cursor was taken in.
 */
import { createHash } from 'node:crypto';
import { fstatSync, readSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/** The fingerprint covers the first min(size, HEAD_BYTES) bytes of a file. */
export const HEAD_BYTES = 1024;

export interface FileCursor {
  v: 1;
  /** st_dev and st_ino as decimal strings (inode numbers may exceed 2^53). */
  dev: string;
  ino: string;
  /** Byte offset just after the last line delivered. */
  off: number;
  /** How many head bytes `head` hashes (fewer than HEAD_BYTES for a short file). */
  headLen: number;
  /** sha256 (hex) of the first `headLen` bytes. */
  head: string;
}

export function hashHead(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex');
}

export function encodeCursor(c: FileCursor): string {
  return JSON.stringify(c);
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Parses a cursor; null when it is not one of ours. */
export function decodeCursor(text: string): FileCursor | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { dev, ino, off, headLen, head } = v as Record<string, unknown>;
  if ((v as { v?: unknown }).v !== 1) return null;
  if (typeof dev !== 'string' || typeof ino !== 'string' || !isCount(off)) return null;
  if (!isCount(headLen) || headLen > HEAD_BYTES) return null;
  if (typeof head !== 'string' || !/^[0-9a-f]{64}$/.test(head)) return null;
  return { v: 1, dev, ino, off, headLen, head };
}

export interface Ident {
  dev: string;
  ino: string;
  size: number;
  nlink: number;
}

function toIdent(s: { dev: bigint; ino: bigint; size: bigint; nlink: bigint }): Ident {
  return { dev: String(s.dev), ino: String(s.ino), size: Number(s.size), nlink: Number(s.nlink) };
}

export interface FileId {
  dev: string;
  ino: string;
}

export const sameFile = (a: Ident, b: FileId): boolean => a.dev === b.dev && a.ino === b.ino;

export function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/*
 * The stats and head reads are synchronous: a local file's stat or 1 KiB pread takes
 * microseconds, while a trip through the thread pool each costs a wake-up its latency
 * (and its tail, on a busy machine). A wake-up reads what is new without an await.
 */

export function identOf(fh: FileHandle): Ident {
  return toIdent(fstatSync(fh.fd, { bigint: true }));
}

/** stat(path), or null when nothing is there. */
export function statPath(path: string): Ident | null {
  try {
    return toIdent(statSync(path, { bigint: true }));
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/**
 * Reads up to `len` bytes from the start of the file, in one read: a regular
 * file's pread is short only at its end, and a second read could see another
 * file (truncated and written again in between) and glue the two together.
 * Into `into` when given (a view of it is returned, valid until its next use).
 */
export function readHead(fh: FileHandle, len = HEAD_BYTES, into = Buffer.alloc(len)): Buffer {
  return into.subarray(0, readSync(fh.fd, into, 0, len, 0));
}

/**
 * Whether an open file is the one `c` was taken in: its head hashes the same
 * (an empty head proves nothing, so then the inode must match too). Returns the
 * head read (up to HEAD_BYTES), which later reads must keep seeing, or null.
 */
export function matchesCursor(o: Opened, c: FileCursor): Buffer | null {
  if (o.id.size < Math.max(c.headLen, c.off)) return null;
  if (c.headLen === 0 && !sameFile(o.id, c)) return null;
  const head = readHead(o.fh);
  if (head.length < c.headLen || hashHead(head.subarray(0, c.headLen)) !== c.head) return null;
  return head;
}

/** A file opened for reading, with its identity at opening time. */
export interface Opened {
  fh: FileHandle;
  id: Ident;
  /** The path it was opened by. */
  name: string;
  /** Its first bytes, when already read. */
  head?: Buffer;
}

export const closeQuietly = (fh: FileHandle): Promise<void> => fh.close().catch(() => undefined);

/** Opens a file, or null when nothing is there. */
export async function openFile(name: string): Promise<Opened | null> {
  let fh: FileHandle;
  try {
    fh = await open(name, 'r');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  try {
    return { fh, id: identOf(fh), name };
  } catch (err) {
    await closeQuietly(fh);
    throw err;
  }
}

/** The offset after the last complete line (0 for a short file without any newline). */
export async function lastLineEnd(o: Opened): Promise<number> {
  const size = o.id.size;
  const n = Math.min(size, 64 * 1024);
  const buf = Buffer.alloc(n);
  const { bytesRead } = await o.fh.read(buf, 0, n, size - n);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
  if (nl !== -1) return size - n + nl + 1;
  return n === size ? 0 : size;
}
