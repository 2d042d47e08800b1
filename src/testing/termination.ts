/**
 * Termination as a tested property: a target's inputs (parser-targets.ts) run
 * in a worker thread while this thread watches a heartbeat in shared memory. A
 * synchronous infinite loop cannot be interrupted from inside, and would stall
 * a test run without a word; here an input that makes no progress for
 * `stallMs` ends the worker and comes back as a failure naming the input.
 * A parser that throws fails too: no input may throw out of the path.
 */
import { Worker } from 'node:worker_threads';
import type { TargetName } from './parser-targets.js';
import { HANG_GUARD_MS } from './wait.js';

/** Slots of the shared progress array. */
export const PROGRESS = { chunk: 0, index: 1, beats: 2 } as const;

export interface WorkerJob {
  target: TargetName;
  runs: number;
  seed: number;
  /** Inputs drawn (and sent to the parent, to name a hanging one) at a time. */
  chunk: number;
  progress: SharedArrayBuffer;
}

export type WorkerMessage =
  /** The worker's modules are loaded: the stall clock starts here, not at its creation. */
  | { type: 'loaded' }
  | { type: 'chunk'; chunk: number; inputs: unknown[] }
  | { type: 'threw'; chunk: number; index: number; message: string }
  | { type: 'done'; count: number; busyMs: number };

export interface TerminationOptions {
  target: TargetName;
  /** Drawn inputs (ignored by targets that list all their cases). */
  runs: number;
  seed?: number;
  chunk?: number;
  /** No progress on one input for this long is a hang. A hang guard: generous, never a bar. */
  stallMs?: number;
}

export interface TerminationFailure {
  kind: 'hang' | 'threw';
  input: unknown;
  message: string;
}

export interface TerminationResult {
  target: TargetName;
  seed: number;
  /** Inputs run to the end. */
  count: number;
  /** Time spent in the target itself (generation excluded). */
  busyMs: number;
  failure: TerminationFailure | null;
}

/** Runs a target's inputs in a worker; resolves (never rejects on a hang or throw) with what happened. */
export function runTermination(opts: TerminationOptions): Promise<TerminationResult> {
  const seed = opts.seed ?? Date.now() % 1_000_000;
  const stallMs = opts.stallMs ?? HANG_GUARD_MS;
  const progress = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const beats = new Int32Array(progress);
  const job: WorkerJob = {
    target: opts.target,
    runs: opts.runs,
    seed,
    chunk: opts.chunk ?? 500,
    progress,
  };
  const worker = new Worker(new URL('./termination-worker.js', import.meta.url), {
    workerData: job,
  });
  const result = (count: number, busyMs: number, failure: TerminationFailure | null) => ({
    target: opts.target,
    seed,
    count,
    busyMs,
    failure,
  });
  return new Promise((resolve, reject) => {
    const chunks = new Map<number, unknown[]>();
    let lastBeat = -1;
    let lastChange = Date.now();
    const finish = (r: TerminationResult) => {
      clearInterval(watch);
      void worker.terminate();
      resolve(r);
    };
    const watch = setInterval(() => {
      const b = Atomics.load(beats, PROGRESS.beats);
      if (b !== lastBeat) {
        lastBeat = b;
        lastChange = Date.now();
        return;
      }
      if (Date.now() - lastChange < stallMs) return;
      const chunk = Atomics.load(beats, PROGRESS.chunk);
      const index = Atomics.load(beats, PROGRESS.index);
      const where =
        b === 0
          ? 'before the first input (in setup or drawing inputs)'
          : `on input ${index} of chunk ${chunk}`;
      finish(
        result(Math.max(0, b - 1), NaN, {
          kind: 'hang',
          input: b === 0 ? undefined : chunks.get(chunk)?.[index],
          message: `${opts.target}: no progress for ${stallMs} ms ${where} (seed ${seed})`,
        }),
      );
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'loaded') lastChange = Date.now();
      else if (m.type === 'chunk') {
        chunks.clear(); // only the chunk being run can hang
        chunks.set(m.chunk, m.inputs);
      } else if (m.type === 'threw')
        finish(
          result(NaN, NaN, {
            kind: 'threw',
            input: chunks.get(m.chunk)?.[m.index],
            message: `${opts.target}: threw on input ${m.index} of chunk ${m.chunk} (seed ${seed}): ${m.message}`,
          }),
        );
      else finish(result(m.count, m.busyMs, null));
    });
    worker.on('error', (err: Error) => {
      clearInterval(watch);
      reject(err);
    });
  });
}

/** A failure as one readable paragraph: what happened and the input, escaped. */
export function describeFailure(f: TerminationFailure): string {
  const input = JSON.stringify(f.input, (_k, v: unknown) =>
    v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v,
  );
  return `${f.message}\ninput: ${input}`;
}
