/**
 * Reads a whole file once, plain or gzip (recognised by its magic bytes, not
 * its name), into a LineSplitter. Used by replay and test-filter.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LineSplitter } from './lines.js';

const CHUNK = 1 << 20;

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export interface ReadHooks {
  /** Raw bytes read so far (compressed bytes for gzip; from `range.start` for a range). */
  progress?: (bytes: number) => void;
  /** Awaited after each chunk, so a slow consumer (a pipe) holds reading back. */
  afterChunk?: () => Promise<void> | void;
  /** Only these bytes of a plain file. */
  range?: ByteRange;
}

/** Bytes `start` to `end` (exclusive) of a plain file: whole lines, as `lineStart` finds them. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Feeds `path` ('-' for stdin) to `splitter`. */
export async function readInto(
  path: string,
  splitter: LineSplitter,
  hooks: ReadHooks = {},
): Promise<void> {
  if (hooks.range !== undefined) return readPlain(path, splitter, hooks);
  if (path !== '-' && !(await isGzip(path))) return readPlain(path, splitter, hooks);
  let raw: Readable;
  let stream: Readable;
  if (path === '-') {
    raw = process.stdin;
    stream = raw;
  } else {
    raw = createReadStream(path, { highWaterMark: CHUNK });
    stream = raw.pipe(createGunzip({ chunkSize: CHUNK }));
    raw.on('error', (err) => stream.destroy(err));
  }
  let bytes = 0;
  const { progress, afterChunk } = hooks;
  if (progress) raw.on('data', (b: Buffer) => progress((bytes += b.length)));
  for await (const chunk of stream) {
    splitter.push(chunk as Buffer);
    if (afterChunk) await afterChunk();
  }
  splitter.end();
}

/**
 * A plain file read into one buffer, reused for every chunk (the splitter copies what
 * it keeps): a stream's fresh megabyte per chunk is external memory that the garbage
 * collector answers with full collections.
 */
async function readPlain(path: string, splitter: LineSplitter, hooks: ReadHooks): Promise<void> {
  const { progress, afterChunk, range = { start: 0, end: Infinity } } = hooks;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    for (;;) {
      const want = Math.min(CHUNK, range.end - range.start - bytes);
      if (want <= 0) break;
      const { bytesRead } = await fh.read(buf, 0, want, range.start + bytes);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      progress?.(bytes);
      splitter.push(buf.subarray(0, bytesRead));
      if (afterChunk) await afterChunk();
    }
  } finally {
    await fh.close();
  }
  splitter.end();
}

/**
 * Where the first line starting at or after `offset` of a plain file begins (the file's size
 * when none does): a cut there splits the file into whole lines.
 */
export async function lineStart(path: string, offset: number): Promise<number> {
  if (offset <= 0) return 0;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 << 10);
    // The byte before the offset ends a line, or the line it is in ends at the next newline.
    for (let at = offset - 1; ;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return at;
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl !== -1) return at + nl + 1;
      at += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
