/**
 * `sheriff replay` over several files on every core: the input is cut into parts
 * (planParts: whole compressed files, ranges of whole lines of plain ones) dealt
 * out in turn to this thread and to worker threads (replay-worker.ts), which
 * read, parse and classify their parts side by side and post their events in
 * batches; this thread reads its own parts as a sequential read does, and takes
 * the workers' events part by part, in the order of the input, into the one
 * detecting pipeline (trackers, history, findings). Detection sees the events in
 * the order a sequential run does, so it finds the same.
 * This thread reads too, rather than only detecting: detection is about a tenth
 * of the work, and the events of what it reads need no hand-over. It reads less
 * than a worker, though (ownShare): it also detects everything. The workers are
 * started before the configuration is read (startThreads), and read their parts
 * as soon as the jails are known (ParallelRead.begin).
 * The filters' per-connection state (an sshd pid's earlier lines) crosses a
 * part's start in a sequential read: a connection cut by a log rotation is
 * known in the next file by its first lines. Whoever reads a part after another
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
import { isGzip, lineStart, type ByteRange } from '../sources/file-once.js';
import { readEvent, type BatchMessage } from './replay-batch.js';
import { openConnections } from './replay-tail.js';
import type { FromWorker, ToWorker } from './replay-worker.js';

/** The detecting side of a parallel read: the pipeline, and this thread's own reading. */
export interface ParallelReplay {
  /** The detecting pipeline: its jails are the input's settings' and its counts take the workers'. */
  pipeline: Pipeline;
  /** Bytes of the files read so far (the files before, and this one's so far). */
  progress: (bytes: number) => void;
  /** Sets the replay's clock (the latest time read) where events not sent moved it. */
  setClock: (time: number) => void;
  /** The zone and reference year the lines are read with, and the reference's setter. */
  times: ParseOptions;
  setReference: (reference: number) => void;
  /**
   * Reads file `index` (only `range` of it when given) on this thread into the pipeline, as a
   * sequential read does (`done`: the bytes before, for progress), counting what it passes over.
   */
  readHere: (index: number, done: number, range?: ByteRange) => Promise<void>;
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

/** A part of the input one thread reads: a whole file, or a range of whole lines of a plain one. */
export interface Part {
  file: number;
  range: ByteRange | null;
  /** 0: this thread; w ≥ 1: worker w - 1. */
  thread: number;
}

/**
 * What a worker's part costs this thread (taking its events, detecting, printing the
 * findings), against what reading it costs the worker. Measured on the bench's rotated logs
 * with two threads: about 0.12 once both are warm, but this thread's first part is slower
 * than the worker's (its JIT warms up while the worker's does, and it prints its findings);
 * 0.2 gave the two threads the closest finishing times (0.11 to 0.3 tried).
 */
const DETECT_SHARE = 0.2;
/** No part is cut smaller than this: each costs a warm-up (replay-tail.ts). */
const MIN_PART = 1 << 20;
/**
 * Each thread's range in a round, about. The last round's worker part is detected after its
 * worker is done, and a thread faster than its share waits for the others at each round's
 * end: small rounds keep both short. Each part costs a warm-up, though (replay-tail.ts).
 */
const ROUND_BYTES_PER_THREAD = 32 << 20;

/**
 * The share of the input this thread reads, so that it is as busy as each worker: it reads
 * its share, and detects the events of the others' at DETECT_SHARE of what reading costs.
 */
export function ownShare(threads: number): number {
  const each = 1 / (threads - 1);
  return Math.max(0, (each - DETECT_SHARE) / (each + 1 - DETECT_SHARE));
}

/**
 * The parts `threads` threads read `files` in, in input order. The input is taken in rounds
 * (about one file per thread each, smaller for big files); each round is cut into one range
 * per thread, this one's first, where lines start. A compressed file (read from its start
 * only) is not cut: it goes whole to the thread whose range it starts in. Nor is a part cut
 * smaller than `minPart`.
 */
export async function planParts(
  files: readonly string[],
  sizes: readonly number[],
  threads: number,
  { minPart, roundPerThread } = { minPart: MIN_PART, roundPerThread: ROUND_BYTES_PER_THREAD },
): Promise<Part[]> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const mine = ownShare(threads);
  const shares = [mine, ...Array<number>(threads - 1).fill((1 - mine) / (threads - 1))];
  const rounds = Math.max(
    1,
    Math.ceil(files.length / threads),
    Math.round(total / (threads * roundPerThread)),
  );
  // Where each thread's range begins in the whole input, in order.
  const edges: { at: number; thread: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    let at = (r * total) / rounds;
    for (const [thread, share] of shares.entries()) {
      if (share > 0) edges.push({ at, thread });
      at += (share * total) / rounds;
    }
  }
  const parts: Part[] = [];
  const add = (part: Part) => {
    const last = parts.at(-1);
    if (last?.file === part.file && last.thread === part.thread && last.range && part.range)
      last.range.end = part.range.end;
    else parts.push(part);
  };
  let base = 0;
  let e = 0;
  for (const [file, path] of files.entries()) {
    const size = sizes[file]!;
    while (e + 1 < edges.length && edges[e + 1]!.at <= base) e++;
    let thread = edges[e]!.thread;
    let cuttable = size >= 2 * minPart;
    try {
      cuttable &&= !(await isGzip(path));
    } catch {
      cuttable = false; // its own reading reports it
    }
    if (!cuttable) {
      add({ file, range: null, thread });
    } else {
      let start = 0;
      for (let k = e + 1; k < edges.length && edges[k]!.at < base + size; k++) {
        const cut = edges[k]!.at - base;
        if (size - cut < minPart) break;
        // Too close to the part's start to be worth a part: the next thread takes it all.
        if (cut - start >= minPart) {
          const end = await lineStart(path, Math.round(cut));
          add({ file, range: { start, end }, thread });
          start = end;
        }
        thread = edges[k]!.thread;
      }
      add({ file, range: { start, end: size }, thread });
    }
    base += size;
  }
  return parts;
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

/** What the workers are given, and what this thread restarts its filters with. */
export interface ParallelInput {
  files: readonly string[];
  sizes: readonly number[];
  /** Per file: the reference time for years the lines leave out. */
  references: readonly number[];
  settings: readonly JailSettings[];
  filters: Pick<FilterRegistry, 'spec'>;
  timezone: string | undefined;
}

/** Threads started before the replay has read its configuration (startThreads). */
export interface Started {
  threads: number;
  /** The sizes the parts were planned for. */
  sizes: readonly number[];
  workers: Worker[];
  parts: Promise<Part[]>;
}

/**
 * The workers for reading `files` on `threads` threads, started first: they load their
 * modules, and this thread plans their parts, while it reads the configuration. Until
 * ParallelRead takes them they keep nothing alive, so a replay that fails before (a
 * configuration error) still exits.
 */
export function startThreads(
  files: readonly string[],
  sizes: readonly number[],
  threads: number,
): Started {
  const workers = Array.from({ length: threads - 1 }, () => {
    const w = new Worker(new URL('./replay-worker.js', import.meta.url));
    w.on('error', (err: Error) => deaths.set(w, err));
    w.unref();
    return w;
  });
  const parts = planParts(files, sizes, threads);
  // Reported when awaited (ParallelRead.begin), not as unhandled when the replay fails first.
  parts.catch(() => undefined);
  return { threads, sizes, workers, parts };
}

/** Started workers that died before ParallelRead took them, and why. */
const deaths = new WeakMap<Worker, Error>();

/**
 * Several files read on several threads: begun as soon as the jails are known (the workers
 * are given their parts and read ahead), then `read` takes everything into the pipeline.
 */
export class ParallelRead {
  private readonly queues: FileQueue[];
  /** A worker that died (not a file that could not be read): the replay fails with its error. */
  private readonly crash: { error: Error | null } = { error: null };

  private constructor(
    private readonly input: ParallelInput,
    private readonly parts: Part[],
    private readonly pool: Worker[],
  ) {
    this.queues = parts.map(() => new FileQueue());
  }

  /**
   * Gives the workers (`started`'s when it planned as many threads) the jails and their
   * parts: they read ahead as far as their bound lets them. They keep the process alive
   * only once `read` runs (which ends them), so a replay that fails before still exits.
   */
  static async begin(
    input: ParallelInput,
    threads: number,
    started?: Started,
  ): Promise<ParallelRead> {
    const same =
      started?.threads === threads && started.sizes.every((size, i) => size === input.sizes[i]);
    const own = same ? started : startThreads(input.files, input.sizes, threads);
    if (own !== started) for (const w of started?.workers ?? []) void w.terminate();
    const read = new ParallelRead(input, await own.parts, own.workers);
    read.start();
    return read;
  }

  private start(): void {
    const { input, parts, pool, queues } = this;
    const failed = (err: Error) => {
      this.crash.error = err;
      for (const q of queues) q.put({ type: 'error', index: -1, message: err.message });
    };
    for (const w of pool) {
      w.on('message', (m: FromWorker) => queues[m.index]!.put(m));
      w.on('error', failed);
    }
    const died = pool.map((w) => deaths.get(w)).find((e) => e !== undefined);
    if (died !== undefined) failed(died);
    const setup: ToWorker = {
      type: 'setup',
      jails: input.settings.map(({ trusted: _, ...s }) => s),
      specs: Object.fromEntries(
        input.settings.map((s) => [s.filter, input.filters.spec(s.filter)!]),
      ),
      timezone: input.timezone,
    };
    for (const w of pool) w.postMessage(setup);
    // Each worker is given its parts at once, in order: it runs ahead as far as its bound lets it.
    for (const [index, part] of parts.entries()) {
      if (part.thread === 0) continue;
      const before = parts[index - 1];
      const m: ToWorker = {
        type: 'file',
        index,
        path: input.files[part.file]!,
        range: part.range,
        reference: input.references[part.file]!,
        previous:
          before === undefined
            ? null
            : {
                path: input.files[before.file]!,
                end: before.range?.end ?? null,
                reference: input.references[before.file]!,
              },
      };
      pool[part.thread - 1]!.postMessage(m);
    }
  }

  /**
   * Reads the input into `r.pipeline`: this thread its own parts, the workers' events as they
   * come, all in the input's order. Returns the lines the workers passed over (`readHere`
   * counts this thread's own).
   */
  async read(r: ParallelReplay): Promise<Skipped> {
    for (const w of this.pool) w.ref();
    try {
      return await this.detect(r);
    } finally {
      await Promise.all(this.pool.map((w) => w.terminate()));
    }
  }

  private async detect(r: ParallelReplay): Promise<Skipped> {
    const { input, parts, pool, queues } = this;
    const skipped: Skipped = { tooLong: 0, invalidUtf8: 0, nul: 0 };
    const { pipeline } = r;
    const jails = pipeline.jails;
    const filters = jails.map((j) => j.classifier.filter);
    const c = pipeline.counts;
    const length = (p: Part) =>
      p.range === null ? input.sizes[p.file]! : p.range.end - p.range.start;
    let done = 0;
    for (const [index, part] of parts.entries()) {
      if (part.thread === 0) {
        const before = parts[index - 1];
        if (before !== undefined && before.thread !== 0) await restartFilters(input, r, before);
        await r.readHere(part.file, done, part.range ?? undefined);
        done += length(part);
        continue;
      }
      const w = pool[part.thread - 1]!;
      for (;;) {
        const m = await queues[index]!.next();
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
        if (this.crash.error !== null) throw this.crash.error;
        if (m.type === 'error') throw r.readError(input.files[part.file]!, m.message);
        if (!Number.isNaN(m.clock)) r.setClock(m.clock);
        addCounts(c, m.counts);
        skipped.tooLong += m.skipped.tooLong;
        skipped.invalidUtf8 += m.skipped.invalidUtf8;
        skipped.nul += m.skipped.nul;
        break;
      }
      done += length(part);
    }
    return skipped;
  }
}

/**
 * Before this thread reads a part after another thread read the one before (`before`): fresh
 * filters for the jails, which know the connections that part leaves open (replay-tail.ts).
 */
async function restartFilters(
  input: ParallelInput,
  r: ParallelReplay,
  before: Part,
): Promise<void> {
  r.setReference(input.references[before.file]!);
  const jails = r.pipeline.jails;
  const fresh = jails.map((j) => ({
    ...j,
    classifier: compileFilter(input.filters.spec(j.settings.filter)!, j.settings.mode, {
      times: r.times,
    }),
  }));
  await openConnections(fresh, input.files[before.file]!, r.times, before.range?.end);
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
