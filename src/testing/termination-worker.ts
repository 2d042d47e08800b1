/**
 * Runs one termination target's inputs (see termination.ts) in a worker thread.
 * Before each input it bumps a counter and records the input's place in a
 * SharedArrayBuffer, so the parent can tell a hang from slow progress and name
 * the input that hung, even while this thread spins.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { TARGETS, type Target } from './parser-targets.js';
import { PROGRESS, type WorkerJob, type WorkerMessage } from './termination.js';

// Loading the targets' modules (filter files among them) is no input's time.
parentPort!.postMessage({ type: 'loaded' } satisfies WorkerMessage);
const job = workerData as WorkerJob;
const target = TARGETS[job.target] as Target<unknown>;
const progress = new Int32Array(job.progress);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

function* chunks(): Generator<unknown[]> {
  if (target.cases !== undefined) {
    const all = target.cases();
    for (let i = 0; i < all.length; i += job.chunk) yield all.slice(i, i + job.chunk);
    return;
  }
  const inputs = target.inputs!();
  for (let done = 0, n = 0; done < job.runs; n++) {
    const numRuns = Math.min(job.chunk, job.runs - done);
    yield fc.sample(inputs, { seed: job.seed + n, numRuns });
    done += numRuns;
  }
}

const run = target.setup();
let count = 0;
let busyMs = 0;
let chunkNo = 0;
for (const inputs of chunks()) {
  post({ type: 'chunk', chunk: chunkNo, inputs });
  Atomics.store(progress, PROGRESS.chunk, chunkNo);
  const start = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    Atomics.store(progress, PROGRESS.index, i);
    Atomics.add(progress, PROGRESS.beats, 1);
    try {
      run(inputs[i]);
    } catch (err) {
      post({
        type: 'threw',
        chunk: chunkNo,
        index: i,
        message: String((err as Error)?.stack ?? err),
      });
    }
  }
  busyMs += performance.now() - start;
  count += inputs.length;
  chunkNo++;
}
post({ type: 'done', count, busyMs });
