/**
 * A worker thread of `sheriff replay` over several files (replay-parallel.ts):
 * it reads the files it is given, parses and classifies their lines with the
 * jails' filters, and posts the events in batches (replay-batch.ts). Detection
 * stays on the main thread, in file order. A worker runs ahead of the main
 * thread by at most `MAX_AHEAD` batches, so memory stays bounded when the main
 * thread is busy with an earlier file.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { JailSettings } from '../detect/jail.js';
import { buildJail, Pipeline, type Jail, type PipelineCounts } from '../detect/pipeline.js';
import type { AuthEvent } from '../domain.js';
import type { FilterSpec } from '../filters/spec.js';
import { CidrSet } from '../net/cidr.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { readInto } from '../sources/file-once.js';
import { LineSplitter } from '../sources/lines.js';
import { BatchWriter, type BatchMessage } from './replay-batch.js';

/** What a worker needs to classify as the main thread would. */
export interface WorkerSetup {
  /** The jails, without what only detection reads (trusted networks are not cloned). */
  jails: Omit<JailSettings, 'trusted'>[];
  /** The jails' filters, as read by the main thread (a worker loads no YAML). */
  specs: Record<string, FilterSpec>;
  timezone: string | undefined;
}

/** A file to classify, and the file before it (whose last lines open its connections). */
export interface FileTask {
  index: number;
  path: string;
  reference: number;
  previous: { path: string; reference: number } | null;
}

export type ToWorker = ({ type: 'file' } & FileTask) | { type: 'ack' };

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

/** Batches posted and not yet taken by the main thread, at most. */
export const MAX_AHEAD = 32;
/**
 * The end of the file before, read again to open the connections that run on into this
 * one (an sshd connection cut by the rotation): what the sequential read would know. Its
 * connections live minutes; this is hours of an ordinary log and seconds of a flood.
 */
const TAIL_BYTES = 8 << 20;

/** Classifies and forgets: the filters' connections are what it is for. */
class Warmup extends Pipeline {
  override event(): void {}
}

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
  const setup = workerData as WorkerSetup;
  const zone = TimeZone.of(setup.timezone);
  let reference = 0;
  const times = { zone, reference: () => reference };
  const filters = { spec: (name: string) => setup.specs[name] };
  const none = new CidrSet([]);
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
      const warmup = new Warmup(
        jails,
        new LineParser(times),
        () => 0,
        () => undefined,
      );
      for (const line of await tailLines(task.previous.path)) warmup.line(line);
    }
    reference = task.reference;
    const batch = new BatchWriter();
    const pipeline = new Classifier(jails, new LineParser(times), batch);
    const splitter = new LineSplitter({ line: (text) => pipeline.line(text) });
    let bytes = 0;
    const post = () => {
      const { message, transfer } = batch.take();
      const m: FromWorker = { type: 'batch', index, bytes, batch: message };
      port.postMessage(m, transfer);
      ahead++;
    };
    await readInto(path, splitter, {
      progress: (b) => (bytes = b),
      afterChunk: async () => {
        post();
        while (ahead >= MAX_AHEAD) await new Promise<void>((r) => (resume = r));
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
    if (m.type === 'ack') {
      ahead--;
      if (ahead < MAX_AHEAD && resume !== null) {
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

/**
 * The last lines of a file (about TAIL_BYTES of them): read from the end of a plain file;
 * a compressed one is inflated whole, keeping its end. Empty when it cannot be read (its
 * own reading reports that).
 */
async function tailLines(path: string): Promise<string[]> {
  const lines: string[] = [];
  let first = 0;
  let kept = 0;
  const keep = (text: string) => {
    lines.push(text);
    kept += text.length + 1;
    while (kept > TAIL_BYTES && first < lines.length) kept -= lines[first++]!.length + 1;
  };
  try {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const magic = Buffer.alloc(2);
      await fh.read(magic, 0, 2, 0);
      if (magic[0] === 0x1f && magic[1] === 0x8b) {
        await readInto(path, new LineSplitter({ line: keep }));
      } else {
        const start = Math.max(0, size - TAIL_BYTES);
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
    return [];
  }
  return lines.slice(first);
}
