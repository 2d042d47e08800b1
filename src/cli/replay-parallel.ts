/**
 * `sheriff replay` over several files on every core: worker threads
 * (replay-worker.ts) read, parse and classify whole files side by side, and
 * this thread takes their events file by file, in the order given, into the
 * one detecting pipeline (trackers, history, findings). Detection sees the
 * events in the order a sequential run does, so it finds the same.
 * The filters' per-connection state (an sshd pid's earlier lines) crosses a
 * file boundary in a sequential read: a connection cut by a log rotation is
 * known in the next file by its first lines. Each worker reads the end of the
 * file before its own first (replay-worker.ts), so it knows those connections
 * too.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JailSettings } from '../detect/jail.js';
import type { Pipeline, PipelineCounts } from '../detect/pipeline.js';
import type { FilterRegistry } from '../filters/registry.js';
import { readEvent, type BatchMessage } from './replay-batch.js';
import type { FromWorker, ToWorker, WorkerSetup } from './replay-worker.js';

export interface ParallelReplay {
  files: readonly string[];
  sizes: readonly number[];
  /** Per file: the reference time for years the lines leave out. */
  references: readonly number[];
  settings: readonly JailSettings[];
  filters: Pick<FilterRegistry, 'spec'>;
  timezone: string | undefined;
  /** The detecting pipeline: its jails are `settings`' and its counts take the workers'. */
  pipeline: Pipeline;
  /** Bytes of the files read so far (the files before, and this one's so far). */
  progress: (bytes: number) => void;
  /** Sets the replay's clock (the latest time read) where events not sent moved it. */
  setClock: (time: number) => void;
  /** Awaited after each batch, so a slow output holds reading back. */
  afterBatch: () => Promise<void>;
  /** The error to throw for a file that could not be read. */
  readError: (path: string, reason: string) => Error;
}

export interface Skipped {
  tooLong: number;
  invalidUtf8: number;
  nul: number;
}

/**
 * Worker threads for these files (at most `threads`, else one per core): 0 when one
 * thread reads them as well (one file, stdin, one core).
 */
export function parallelWorkers(
  files: readonly string[],
  longHorizon: boolean,
  threads = availableParallelism(),
): number {
  // The long-horizon searches run between chunks of the sequential read, and take the time.
  if (files.length < 2 || longHorizon || files.includes('-')) return 0;
  const n = Math.min(files.length, threads);
  return n < 2 ? 0 : n;
}

type FileResult = Extract<FromWorker, { type: 'done' | 'error' }>;

/** What one file's worker has sent and this thread has not taken yet. */
class FileQueue {
  readonly batches: { bytes: number; batch: BatchMessage }[] = [];
  end: FileResult | null = null;
  private wake: (() => void) | null = null;

  put(m: FromWorker): void {
    if (m.type === 'batch') this.batches.push({ bytes: m.bytes, batch: m.batch });
    else this.end = m;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async next(): Promise<{ bytes: number; batch: BatchMessage } | FileResult> {
    while (this.batches.length === 0 && this.end === null)
      await new Promise<void>((r) => (this.wake = r));
    return this.batches.shift() ?? this.end!;
  }
}

/** Reads `files` in worker threads into `pipeline`; the lines passed over. */
export async function replayParallel(r: ParallelReplay, workers: number): Promise<Skipped> {
  const setup: WorkerSetup = {
    jails: r.settings.map(({ trusted: _, ...s }) => s),
    specs: Object.fromEntries(r.settings.map((s) => [s.filter, r.filters.spec(s.filter)!])),
    timezone: r.timezone,
  };
  const queues = r.files.map(() => new FileQueue());
  const owner: Worker[] = [];
  const pool: Worker[] = [];
  let assigned = 0;
  /** A worker that died (not a file that could not be read): the replay fails with its error. */
  const crash: { error: Error | null } = { error: null };
  const give = (w: Worker) => {
    if (assigned >= r.files.length) return;
    const index = assigned++;
    owner[index] = w;
    const m: ToWorker = {
      type: 'file',
      index,
      path: r.files[index]!,
      reference: r.references[index]!,
      previous:
        index === 0 ? null : { path: r.files[index - 1]!, reference: r.references[index - 1]! },
    };
    w.postMessage(m);
  };
  for (let i = 0; i < workers; i++) {
    const w = new Worker(new URL('./replay-worker.js', import.meta.url), { workerData: setup });
    w.on('message', (m: FromWorker) => {
      queues[m.index]!.put(m);
      if (m.type !== 'batch') give(w);
    });
    w.on('error', (err: Error) => {
      crash.error = err;
      for (const q of queues) q.put({ type: 'error', index: -1, message: err.message });
    });
    pool.push(w);
  }
  const skipped: Skipped = { tooLong: 0, invalidUtf8: 0, nul: 0 };
  const { pipeline } = r;
  const jails = pipeline.jails;
  const filters = jails.map((j) => j.classifier.filter);
  const c = pipeline.counts;
  try {
    for (const w of pool) give(w);
    let done = 0;
    for (const [index, queue] of queues.entries()) {
      for (;;) {
        const m = await queue.next();
        if ('batch' in m) {
          const b = m.batch;
          for (let i = 0; i < b.count; i++) {
            if (!Number.isNaN(b.clock[i]!)) r.setClock(b.clock[i]!);
            pipeline.event(readEvent(b, i, filters), jails[b.jail[i]!]!, '');
          }
          const ack: ToWorker = { type: 'ack' };
          owner[index]!.postMessage(ack);
          r.progress(done + m.bytes);
          await r.afterBatch();
          continue;
        }
        if (crash.error !== null) throw crash.error;
        if (m.type === 'error') throw r.readError(r.files[index]!, m.message);
        if (!Number.isNaN(m.clock)) r.setClock(m.clock);
        addCounts(c, m.counts);
        skipped.tooLong += m.skipped.tooLong;
        skipped.invalidUtf8 += m.skipped.invalidUtf8;
        skipped.nul += m.skipped.nul;
        break;
      }
      done += r.sizes[index]!;
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return skipped;
}

/** Adds what a worker counted to the detecting pipeline's counts. */
function addCounts(c: PipelineCounts, w: PipelineCounts): void {
  c.lines += w.lines;
  c.malformed += w.malformed;
  c.events.fail += w.events.fail;
  c.events.success += w.events.success;
  c.events.nofail += w.events.nofail;
  c.probes += w.probes;
  c.ambiguous += w.ambiguous;
}
