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

async function isGzip(path: string): Promise<boolean> {
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
  /** Raw bytes read so far (compressed bytes for gzip). */
  progress?: (bytes: number) => void;
  /** Awaited after each chunk, so a slow consumer (a pipe) holds reading back. */
  afterChunk?: () => Promise<void> | void;
}

/** Feeds `path` ('-' for stdin) to `splitter`. */
export async function readInto(
  path: string,
  splitter: LineSplitter,
  hooks: ReadHooks = {},
): Promise<void> {
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
  const { progress, afterChunk } = hooks;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
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
