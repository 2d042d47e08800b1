/**
 * A part of `sheriff replay`'s input read on its own (a file, or a range of one,
 * by a worker thread, or by the main thread between other threads' parts) starts
 * with the filters' connections the lines before it leave open: an sshd
 * connection cut by a log rotation (or a cut between two threads' ranges) is
 * known after it by its first lines, as in a sequential read. This reads the
 * lines before again, and only their last minutes: a connection quiet for
 * CONNECTION_IDLE_MS is started afresh by its next line (filters/engine.ts), so
 * older lines change nothing.
 */
import { open } from 'node:fs/promises';
import { Pipeline, type Jail } from '../detect/pipeline.js';
import type { Millis } from '../domain.js';
import { CONNECTION_IDLE_MS } from '../filters/engine.js';
import { LineParser, type ParseOptions } from '../parse/line.js';
import { readInto } from '../sources/file-once.js';
import { LineSplitter } from '../sources/lines.js';

/** At most this much of the file before is read: hours of an ordinary log, seconds of a flood. */
const TAIL_BYTES = 8 << 20;
/** Read first: an ordinary log's last minutes, so a part's start costs little more than this. */
const FIRST_BYTES = 256 << 10;
/** Twice the idle time, for times that step back a little at a rotation. */
const TAIL_SPAN_MS = 2 * CONNECTION_IDLE_MS;

/** Classifies and forgets: the filters' connections are what it is for. */
class Warmup extends Pipeline {
  override event(): void {}
}

/**
 * Classifies the last minutes of `previous` (up to byte `end` of it, a line's start; to its
 * end when not given) with `jails`' filters, the events dropped (their trackers are not
 * touched): the connections it leaves open. `times`: the file before's zone and reference year.
 */
export async function openConnections(
  jails: readonly Jail[],
  previous: string,
  times: ParseOptions,
  end?: number,
): Promise<void> {
  const dated = new LineParser(times);
  const timeOf = (line: string) => dated.parse(line)?.time ?? null;
  let tail = await tailLines(previous, end, FIRST_BYTES);
  let from = recentFrom(tail.lines, timeOf);
  // No line before the last minutes in the short read: they may begin before it.
  if (from === 0 && !tail.whole) {
    tail = await tailLines(previous, end, TAIL_BYTES);
    from = recentFrom(tail.lines, timeOf);
  }
  const lines = tail.lines;
  const warmup = new Warmup(
    jails,
    new LineParser(times),
    () => 0,
    () => undefined,
  );
  for (let i = from; i < lines.length; i++) warmup.line(lines[i]!);
}

/**
 * Where the last TAIL_SPAN_MS of `lines` begin (by the times `timeOf` reads, scanning back
 * from the end, so only those lines are parsed): 0 when no line has a time.
 */
export function recentFrom(
  lines: readonly string[],
  timeOf: (line: string) => Millis | null,
): number {
  let last: Millis | null = null;
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = timeOf(lines[i]!);
    if (t === null) continue;
    last ??= t;
    if (t < last - TAIL_SPAN_MS) return i + 1;
  }
  return 0;
}

/**
 * The last lines of a file before byte `end` (about `bytes` of them, TAIL_BYTES of a
 * compressed one, which is inflated whole, keeping its end), and whether they are all there
 * are. Empty when it cannot be read (its own reading reports that).
 */
async function tailLines(
  path: string,
  end: number | undefined,
  bytes: number,
): Promise<{ lines: string[]; whole: boolean }> {
  const lines: string[] = [];
  let first = 0;
  let kept = 0;
  const keep = (text: string) => {
    lines.push(text);
    kept += text.length + 1;
    while (kept > TAIL_BYTES && first < lines.length) kept -= lines[first++]!.length + 1;
  };
  let whole = true;
  try {
    const fh = await open(path, 'r');
    try {
      const size = end ?? (await fh.stat()).size;
      const magic = Buffer.alloc(2);
      await fh.read(magic, 0, 2, 0);
      if (magic[0] === 0x1f && magic[1] === 0x8b) {
        await readInto(path, new LineSplitter({ line: keep }));
      } else {
        const start = Math.max(0, size - bytes);
        whole = start === 0;
        const buf = Buffer.alloc(size - start);
        await fh.read(buf, 0, buf.length, start);
        // From the first whole line on.
        const from = start === 0 ? 0 : buf.indexOf(10) + 1;
        const splitter = new LineSplitter({ line: keep });
        if (from > 0 || start === 0) splitter.push(buf.subarray(from));
        splitter.end();
      }
    } finally {
      await fh.close();
    }
  } catch {
    return { lines: [], whole: true };
  }
  return { lines: lines.slice(first), whole };
}
