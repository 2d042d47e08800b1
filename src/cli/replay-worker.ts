/**
 * A worker thread of `sheriff replay` over several files (replay-parallel.ts):
 * it reads the files it is given, parses and classifies their lines with the
 * jails' filters, and posts the events in batches (replay-batch.ts). Detection
 * stays on the main thread, in file order. A worker runs ahead of the main
 * thread by at most `MAX_AHEAD_BYTES` of batches, so memory stays bounded when the main
 * thread is busy with an earlier file.
 * It is started before the main thread has read the configuration (its modules load
 * meanwhile), so the jails come in its first message, not in its workerData.
 */
import { parentPort } from 'node:worker_threads';
import type { JailSettings } from '../detect/jail.js';
import { buildJail, Pipeline, type Jail, type PipelineCounts } from '../detect/pipeline.js';
import type { AuthEvent } from '../domain.js';
import type { FilterSpec } from '../filters/spec.js';
import { CidrSet } from '../net/cidr.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { readInto, type ByteRange } from '../sources/file-once.js';
import { LineSplitter } from '../sources/lines.js';
import { BatchWriter, type BatchMessage } from './replay-batch.js';
import { openConnections } from './replay-tail.js';

/** What a worker needs to classify as the main thread would. */
export interface WorkerSetup {
  /** The jails, without what only detection reads (trusted networks are not cloned). */
  jails: Omit<JailSettings, 'trusted'>[];
  /** The jails' filters, as read by the main thread (a worker loads no YAML). */
  specs: Record<string, FilterSpec>;
  timezone: string | undefined;
}

/**
 * A part to classify (a file, or `range` of it), and the part before it: the last lines of
 * its file before `end` (to its end when null) open this part's connections.
 */
export interface FileTask {
  index: number;
  path: string;
  range: ByteRange | null;
  reference: number;
  previous: { path: string; end: number | null; reference: number } | null;
}

export type ToWorker =
  ({ type: 'setup' } & WorkerSetup) | ({ type: 'file' } & FileTask) | { type: 'ack' };

export type FromWorker =
  | { type: 'batch'; index: number; bytes: number; batch: BatchMessage }
  | {
      type: 'done';
      index: number;
      /** Counted here: the lines, and the events not sent. */
      counts: PipelineCounts;
      /** The latest time of the events not sent after the last batch, or NaN. */
      clock: number;
      skipped: { tooLong: number; invalidUtf8: number; nul: number };
    }
  | { type: 'error'; index: number; message: string };

/**
 * Batches posted and not yet taken by the main thread, at most (their size): room for a
 * whole rotated file of an ordinary server's, so the worker of the next file does not wait
 * for the main thread to finish the one before.
 */
export const MAX_AHEAD_BYTES = 48 << 20;
/**
 * A pipeline that stops after classifying: the events detection reads (failures, logins) go
 * into the batch; the others are only counted here, and the time they carry goes with the next.
 */
class Classifier extends Pipeline {
  /** The latest time of an event not sent since the last one sent, or NaN. */
  latest = NaN;

  constructor(
    jails: Jail[],
    parser: LineParser,
    private readonly out: BatchWriter,
  ) {
    super(
      jails,
      parser,
      () => 0,
      () => undefined,
    );
  }

  override event(event: AuthEvent, jail: Jail, text: string): void {
    if (event.result === 'nofail' && !event.accepted) {
      super.event(event, jail, text);
      if (event.time !== null) this.latest = event.time;
      return;
    }
    this.out.add(event, this.jails.indexOf(jail), this.latest);
    this.latest = NaN;
  }
}

if (parentPort !== null) {
  const port = parentPort;
  /** The first message's; tasks come after it. */
  let setup: WorkerSetup = { jails: [], specs: {}, timezone: undefined };
  let reference = 0;
  const times = { zone: TimeZone.of(undefined), reference: () => reference };
  const filters = { spec: (name: string) => setup.specs[name] };
  const none = new CidrSet([]);
  /** The sizes of the batches posted and not taken yet, oldest first, and their sum. */
  const posted: number[] = [];
  let ahead = 0;
  let resume: (() => void) | null = null;
  const queue: FileTask[] = [];
  let running = false;

  const classify = async (task: FileTask): Promise<void> => {
    const { index, path } = task;
    // Fresh filters for each file, with the connections the file before leaves open.
    const jails = setup.jails.map((s) => buildJail({ ...s, trusted: none }, { times, filters }));
    if (task.previous !== null) {
      reference = task.previous.reference;
      await openConnections(jails, task.previous.path, times, task.previous.end ?? undefined);
    }
    reference = task.reference;
    const batch = new BatchWriter();
    const pipeline = new Classifier(jails, new LineParser(times), batch);
    const splitter = new LineSplitter({ line: (text) => pipeline.line(text) });
    let bytes = 0;
    const post = () => {
      const { message, transfer, size } = batch.take();
      const m: FromWorker = { type: 'batch', index, bytes, batch: message };
      port.postMessage(m, transfer);
      posted.push(size);
      ahead += size;
    };
    await readInto(path, splitter, {
      range: task.range ?? undefined,
      progress: (b) => (bytes = b),
      afterChunk: async () => {
        post();
        while (ahead >= MAX_AHEAD_BYTES) await new Promise<void>((r) => (resume = r));
      },
    });
    if (batch.size > 0) post();
    const { tooLong, invalidUtf8, nul } = splitter.counts;
    const m: FromWorker = {
      type: 'done',
      index,
      counts: pipeline.counts,
      clock: pipeline.latest,
      skipped: { tooLong, invalidUtf8, nul },
    };
    port.postMessage(m);
  };

  const next = async (): Promise<void> => {
    if (running) return;
    running = true;
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      try {
        await classify(f);
      } catch (err) {
        port.postMessage({ type: 'error', index: f.index, message: (err as Error).message });
      }
    }
    running = false;
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'setup') {
      setup = m;
      times.zone = TimeZone.of(m.timezone);
      return;
    }
    if (m.type === 'ack') {
      ahead -= posted.shift()!;
      if (ahead < MAX_AHEAD_BYTES && resume !== null) {
        const r = resume;
        resume = null;
        r();
      }
      return;
    }
    queue.push(m);
    void next();
  });
}
