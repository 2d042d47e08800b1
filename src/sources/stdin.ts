/**
 * Lines from standard input (or any readable stream), read to its end: each
 * batch holds every line the stream had buffered. Cannot resume (cursor null).
 */
import type { Readable } from 'node:stream';
import type { Millis } from '../domain.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines.js';
import type { LineBatch, Source, SourceHealth } from './source.js';

export interface StdinOptions {
  /** The stream to read (default process.stdin); string chunks are read as UTF-8. */
  stream?: Readable;
  maxLineBytes?: number;
}

/** Bytes read before a batch is handed out, however much more the stream has buffered. */
const BATCH_BYTES = 1 << 20;

export class StdinSource implements Source {
  readonly id = 'stdin';
  readonly kind = 'stdin' as const;
  private readonly stream: Readable;
  private readonly maxLineBytes: number;
  private bytes = 0;
  private lastLineAt: Millis | null = null;
  private linesRead = 0;
  private skipped = 0;
  private errors = 0;
  private lastError: string | null = null;

  constructor(opts: StdinOptions = {}) {
    this.stream = opts.stream ?? process.stdin;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  health(): SourceHealth {
    const { lastLineAt, linesRead, skipped, errors, lastError } = this;
    const position = `stdin, ${this.bytes} bytes read`;
    return { id: this.id, position, lag: null, lastLineAt, linesRead, skipped, errors, lastError };
  }

  lines(_cursor: string | null, signal: AbortSignal): AsyncIterable<LineBatch> {
    return this.read(signal);
  }

  private async *read(signal: AbortSignal): AsyncGenerator<LineBatch> {
    const stream = this.stream;
    let out: string[] = [];
    const splitter = new LineSplitter(
      { line: (text) => out.push(text), skipped: () => void this.skipped++ },
      this.maxLineBytes,
    );
    let ended = stream.readableEnded;
    let failed: Error | null = stream.errored;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const onEnd = () => {
      ended = true;
      notify();
    };
    const onError = (err: Error) => {
      failed = err;
      notify();
    };
    stream.on('readable', notify);
    stream.on('end', onEnd);
    stream.on('error', onError);
    signal.addEventListener('abort', notify);
    const batch = (): LineBatch => {
      const lines = out;
      out = [];
      this.linesRead += lines.length;
      this.lastLineAt = Date.now();
      return { lines, cursor: null };
    };
    try {
      while (!signal.aborted) {
        let chunk: unknown;
        let n = 0;
        while (n < BATCH_BYTES && (chunk = stream.read()) !== null) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          splitter.push(buf);
          n += buf.length;
        }
        this.bytes += n;
        if (out.length > 0) {
          yield batch();
          continue;
        }
        if (n > 0) continue;
        if (failed !== null) {
          this.errors++;
          this.lastError = `stdin: ${failed.message}`;
          return;
        }
        if (ended || stream.readableEnded || stream.destroyed) {
          splitter.end(); // a last line without a newline
          if (out.length > 0) yield batch();
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      stream.off('readable', notify);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal.removeEventListener('abort', notify);
    }
  }
}
