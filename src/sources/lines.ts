/**
 * Splits a byte stream into lines, whatever it carries. Over-long lines,
 * invalid UTF-8, NUL bytes and binary garbage never throw: they are counted
 * and passed over, and a 1 MiB line is never held in memory whole.
 */

export type SkipReason = 'too-long' | 'invalid-utf8' | 'nul';

export interface LineSink {
  /** A complete, valid line (without its newline or a trailing CR) and its 1-based number. */
  line(text: string, n: number): void;
  skipped?(reason: SkipReason, n: number): void;
}

export interface SplitterCounts {
  lines: number;
  tooLong: number;
  invalidUtf8: number;
  nul: number;
}

/** 64 KiB: far above any real log line (rsyslog's default limit is 8 KiB). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** Bytes decoded into one string at most (whole lines; a longer line is decoded alone). */
const DECODE_BLOCK = 32 * 1024;

export class LineSplitter {
  readonly counts: SplitterCounts = { lines: 0, tooLong: 0, invalidUtf8: 0, nul: 0 };
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while discarding the rest of an over-long line. */
  private discarding = false;
  /** Bytes of the over-long line dropped so far, for `consumed`. */
  private discardedBytes = 0;
  // ignoreBOM: a U+FEFF starting a decode call is kept, so chunking cannot change a line (see check()).
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Byte offset just after the last complete line handed out (for resumable sources). */
  consumed = 0;

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      let earlier = 0; // bytes of this line in earlier chunks
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(start, nl));
        const whole = Buffer.concat(this.pending, this.pendingBytes + nl - start);
        earlier = this.pendingBytes;
        this.pending = [];
        this.pendingBytes = 0;
        this.emit(whole, 0, whole.length);
      } else if (this.discarding) {
        this.discarding = false;
        earlier = this.discardedBytes;
        this.discardedBytes = 0;
        this.skip('too-long');
      } else {
        // Fast path: decode complete lines a block at a time. A block's string stays small
        // enough to die young: a string of a megabyte is born in the old generation,
        // which only a full (mark-compact) collection frees.
        const last = Math.max(nl, chunk.lastIndexOf(10, start + DECODE_BLOCK));
        this.emitBlock(chunk, start, last);
        this.consumed += last + 1 - start;
        start = last + 1;
        continue;
      }
      this.consumed += earlier + nl + 1 - start;
      start = nl + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /** Flushes a last line that had no newline (end of a file read once). */
  end(): void {
    if (this.discarding) {
      this.discarding = false;
      this.consumed += this.discardedBytes;
      this.discardedBytes = 0;
      this.skip('too-long');
    } else if (this.pendingBytes > 0) {
      const whole = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.consumed += whole.length;
      this.emit(whole, 0, whole.length);
    }
  }

  private hold(rest: Buffer): void {
    if (this.discarding) {
      this.discardedBytes += rest.length;
      return;
    }
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.discardedBytes = this.pendingBytes + rest.length;
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  /** Lines in buf[start, end) where end is a newline. */
  private emitBlock(buf: Buffer, start: number, end: number): void {
    let text: string;
    try {
      text = this.decoder.decode(buf.subarray(start, end));
    } catch {
      // Some line in the block is not UTF-8: fall back to line by line.
      for (let s = start; ;) {
        const nl = buf.indexOf(10, s);
        this.emit(buf, s, nl);
        if (nl >= end) return;
        s = nl + 1;
      }
    }
    // One memchr over the bytes instead of a scan of every line.
    const mayHaveNul = buf.subarray(start, end).indexOf(0) !== -1;
    let s = 0;
    for (;;) {
      const nl = text.indexOf('\n', s);
      const e = nl === -1 ? text.length : nl;
      this.check(text, s, e, mayHaveNul);
      if (nl === -1) break;
      s = nl + 1;
    }
  }

  private emit(buf: Buffer, start: number, end: number): void {
    if (end - start > this.maxLineBytes) return this.skip('too-long');
    let text: string;
    try {
      text = this.decoder.decode(buf.subarray(start, end));
    } catch {
      return this.skip('invalid-utf8');
    }
    this.check(text, 0, text.length);
  }

  /** `mayHaveNul` is false when the caller already knows the text holds no NUL byte. */
  private check(text: string, start: number, end: number, mayHaveNul = true): void {
    // The limit is in bytes (CR included), as for lines that span chunks; a UTF-16 unit is at most 3.
    if (end - start > this.maxLineBytes / 3) {
      if (Buffer.byteLength(text.slice(start, end)) > this.maxLineBytes)
        return this.skip('too-long');
    }
    let e = end;
    if (e > start && text.charCodeAt(e - 1) === 13) e--;
    // A byte order mark is dropped only at the very start of the input.
    if (
      e > start &&
      text.charCodeAt(start) === 0xfeff &&
      this.counts.lines + this.skippedCount() === 0
    )
      start++;
    const line = text.slice(start, e);
    if (mayHaveNul && line.indexOf('\0') !== -1) return this.skip('nul');
    this.counts.lines++;
    this.sink.line(line, this.counts.lines + this.skippedCount());
  }

  private skippedCount(): number {
    return this.counts.tooLong + this.counts.invalidUtf8 + this.counts.nul;
  }

  private skip(reason: SkipReason): void {
    if (reason === 'too-long') this.counts.tooLong++;
    else if (reason === 'invalid-utf8') this.counts.invalidUtf8++;
    else this.counts.nul++;
    this.sink.skipped?.(reason, this.counts.lines + this.skippedCount());
  }
}
