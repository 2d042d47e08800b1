/**
 * `sheriff replay` over several files on every core: the files are dealt out in
 * turn to this thread and to worker threads (replay-worker.ts), which read,
 * parse and classify whole files side by side and post their events in
 * batches; this thread reads its own files as a sequential read does, and takes
 * the workers' events file by file, in the order given, into the one detecting
 * pipeline (trackers, history, findings). Detection sees the events in the
 * order a sequential run does, so it finds the same.
 * This thread reads files too, rather than only detecting: detection is about a
 * tenth of the work, and the events of the files it reads need no hand-over.
 * The filters' per-connection state (an sshd pid's earlier lines) crosses a
 * file boundary in a sequential read: a connection cut by a log rotation is
 * known in the next file by its first lines. Whoever reads a file after another
 * thread read the one before first reads that one's last minutes
 * (replay-tail.ts), so it knows those connections too.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JailSettings } from '../detect/jail.js';
import type { Pipeline, PipelineCounts } from '../detect/pipeline.js';
import { compileFilter } from '../filters/engine.js';
import type { FilterRegistry } from '../filters/registry.js';
import type { ParseOptions } from '../parse/line.js';
import { readEvent, type BatchMessage } from './replay-batch.js';
import { openConnections } from './replay-tail.js';
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
  /** The zone and reference year the lines are read with, and the reference's setter. */
  times: ParseOptions;
  setReference: (reference: number) => void;
  /**
   * Reads file `index` on this thread into the pipeline, as a sequential read does
   * (`done`: the bytes of the files before, for progress), counting what it passes over.
   */
  readHere: (index: number, done: number) => Promise<void>;
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
 * A thread more pays for its start (its own modules and filters, about what classifying
 * 10 MiB of log costs) only with this much to read.
 */
const BYTES_PER_THREAD = 32 << 20;

/**
 * Threads for these files, this one included: `threads` when asked for, else one per core
 * and per BYTES_PER_THREAD of them. 0 when one thread reads them (one file, stdin, one core,
 * little to read).
 */
export function parallelThreads(
  files: readonly string[],
  sizes: readonly number[],
  longHorizon: boolean,
  threads?: number,
): number {
  // The long-horizon searches run between chunks of the sequential read, and take the time.
  if (files.length < 2 || longHorizon || files.includes('-')) return 0;
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const wanted = threads ?? Math.min(availableParallelism(), Math.floor(bytes / BYTES_PER_THREAD));
  const n = Math.min(files.length, wanted);
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

/**
 * Reads `files` into `pipeline` on `threads` threads: this one reads every `threads`-th file
 * itself (the first, …) and `threads - 1` workers the others, in turn. Returns the lines the
 * workers passed over (`readHere` counts this thread's own).
 */
export async function replayParallel(r: ParallelReplay, threads: number): Promise<Skipped> {
  const setup: WorkerSetup = {
    jails: r.settings.map(({ trusted: _, ...s }) => s),
    specs: Object.fromEntries(r.settings.map((s) => [s.filter, r.filters.spec(s.filter)!])),
    timezone: r.timezone,
  };
  const queues = r.files.map(() => new FileQueue());
  const owner: (Worker | null)[] = r.files.map(() => null);
  const pool: Worker[] = [];
  /** A worker that died (not a file that could not be read): the replay fails with its error. */
  const crash: { error: Error | null } = { error: null };
  for (let i = 0; i < threads - 1; i++) {
    const w = new Worker(new URL('./replay-worker.js', import.meta.url), { workerData: setup });
    w.on('message', (m: FromWorker) => queues[m.index]!.put(m));
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
    // Each worker is given its files at once, in order: it runs ahead as far as its bound lets it.
    for (const [index, path] of r.files.entries()) {
      if (index % threads === 0) continue;
      const w = pool[(index % threads) - 1]!;
      owner[index] = w;
      const m: ToWorker = {
        type: 'file',
        index,
        path,
        reference: r.references[index]!,
        previous: { path: r.files[index - 1]!, reference: r.references[index - 1]! },
      };
      w.postMessage(m);
    }
    let done = 0;
    for (const [index, queue] of queues.entries()) {
      const w = owner[index] ?? null;
      if (w === null) {
        if (index > 0) await restartFilters(r, index);
        await r.readHere(index, done);
        done += r.sizes[index]!;
        continue;
      }
      for (;;) {
        const m = await queue.next();
        if ('batch' in m) {
          const b = m.batch;
          for (let i = 0; i < b.count; i++) {
            if (!Number.isNaN(b.clock[i]!)) r.setClock(b.clock[i]!);
            pipeline.event(readEvent(b, i, filters), jails[b.jail[i]!]!, '');
          }
          const ack: ToWorker = { type: 'ack' };
          w.postMessage(ack);
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

/**
 * Before this thread reads file `index` after others read the ones before it: fresh filters
 * for the jails, which know the connections the file before leaves open (replay-tail.ts).
 */
async function restartFilters(r: ParallelReplay, index: number): Promise<void> {
  r.setReference(r.references[index - 1]!);
  const jails = r.pipeline.jails;
  const fresh = jails.map((j) => ({
    ...j,
    classifier: compileFilter(r.filters.spec(j.settings.filter)!, j.settings.mode, {
      times: r.times,
    }),
  }));
  await openConnections(fresh, r.files[index - 1]!, r.times);
  for (const [k, j] of jails.entries()) j.classifier = fresh[k]!.classifier;
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
