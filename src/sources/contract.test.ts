/**
 * One contract, every source: a real file in a temp directory, journald through a fake
 * journalctl (no journal can be produced here; journald.test.ts uses the real one when the
 * machine has a journal), the syslog server over real TCP and UDP on 127.0.0.1, and stdin from
 * a stream. Each yields lines in order as batches with cursors (null where it cannot resume),
 * resumes strictly after a cursor where it can, stops promptly on abort, reports what it read
 * in health(), and passes over a line longer than its limit or one it cannot decode, counted,
 * without throwing. What only one source does stays in its own test file.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fakeJournalctl, type FakeJournalctl } from '../testing/fake-journalctl.js';
import { waitFor } from '../testing/wait.js';
import { FileSource } from './file.js';
import { JournaldSource } from './journald.js';
import type { LineBatch, Source } from './source.js';
import { StdinSource } from './stdin.js';
import { SyslogServerSource } from './syslog-server.js';

/** Only a hang guard: a source stops within milliseconds of the abort. */
const HANG_GUARD_MS = 30_000;

/** The limit every source is given: long lines are cheap to make. */
const MAX = 1024;

/** One source to test, and the way bytes reach it. */
interface Opened {
  source: Source;
  /** Resolves once the source is reading, so nothing written after is missed. */
  ready(): Promise<void>;
  /** Sends these logical lines, in order, in one write. */
  write(texts: string[]): Promise<void>;
  /** Sends what the source must pass over: too long, or bytes it cannot decode. */
  writeBad(): Promise<void>;
  /** What the source yields for a logical line (journald yields the JSON record). */
  text: (yielded: string) => string;
  close(): Promise<void>;
}

interface Harness {
  name: string;
  kind: Source['kind'];
  /** Whether batches carry cursors a new instance resumes after. */
  resumable: boolean;
  /** A source over the same input as every earlier `open` of this test (a new instance). */
  open(): Promise<Opened>;
  /** Starts a new, empty input for the next test. */
  reset(): Promise<void>;
}

let base: string;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'sheriff-source-contract-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

const INVALID_UTF8 = Buffer.from([
  0x3c, 0x31, 0x33, 0x3e, 0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x0a,
]);
const lineBytes = (texts: string[]) => Buffer.from(texts.map((t) => `${t}\n`).join(''));

function file(): Harness {
  let path = '';
  let n = 0;
  return {
    name: 'file',
    kind: 'file',
    resumable: true,
    reset: async () => {
      path = join(base, `auth-${++n}.log`);
      await writeFile(path, '');
    },
    open: () => {
      const source = new FileSource({
        path,
        pollIntervalMs: 20,
        maxLineBytes: MAX,
        startAtBeginning: true,
      });
      return Promise.resolve({
        source,
        // The file exists and is read from its beginning: nothing written can be missed.
        ready: () => Promise.resolve(),
        write: (texts) => appendFile(path, lineBytes(texts)),
        writeBad: () =>
          appendFile(path, Buffer.concat([lineBytes(['x'.repeat(MAX * 3)]), INVALID_UTF8])),
        text: (l) => l,
        close: () => Promise.resolve(),
      });
    },
  };
}

function journald(): Harness {
  let fake: FakeJournalctl | null = null;
  let seq = 0;
  const record = (text: string) =>
    JSON.stringify({
      __CURSOR: `s=contract;i=${++seq}`,
      __REALTIME_TIMESTAMP: String(Date.now() * 1000),
      _COMM: 'sshd',
      _PID: '4242',
      MESSAGE: text,
    });
  return {
    name: 'journald',
    kind: 'journald',
    resumable: true,
    reset: async () => {
      fake = await fakeJournalctl(base, []);
    },
    open: () => {
      const f = fake!;
      const started = f.invocations().length;
      const source = new JournaldSource({
        units: ['ssh.service'],
        programs: [],
        journalctlPath: f.path,
        restartDelay: { initialMs: 20, maxMs: 200 },
        maxRecordBytes: MAX,
      });
      return Promise.resolve({
        source,
        // The fake logs its start after reading the journal: later records are followed.
        ready: async () =>
          void (await waitFor('journalctl', () => f.invocations().length > started)),
        write: (texts) => Promise.resolve(f.append(texts.map(record))),
        // journalctl prints JSON (never invalid UTF-8): a record over the limit, and one cut short.
        writeBad: () =>
          Promise.resolve(f.append([record('x'.repeat(MAX * 3)), record('cut').slice(0, 20)])),
        text: (l) => (JSON.parse(l) as { MESSAGE: string }).MESSAGE,
        close: () => Promise.resolve(),
      });
    },
  };
}

function syslog(protocol: 'tcp' | 'udp'): Harness {
  return {
    name: `syslog over ${protocol}`,
    kind: 'syslog',
    resumable: false,
    reset: () => Promise.resolve(),
    open: () => {
      const source = new SyslogServerSource({
        listen: { host: '127.0.0.1', port: 0 },
        protocols: [protocol],
        maxMessageBytes: MAX,
      });
      let tcp: Socket | null = null;
      const udp = createSocket('udp4');
      const send = async (bytes: Buffer[]) => {
        const ports = await source.listening();
        if (protocol === 'udp') {
          for (const b of bytes)
            await new Promise<void>((resolve, reject) =>
              udp.send(b, ports.udp!, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
            );
          return;
        }
        if (tcp === null) {
          const s = connect(ports.tcp!, '127.0.0.1');
          await new Promise<void>((resolve, reject) =>
            s.once('connect', resolve).once('error', reject),
          );
          tcp = s;
        }
        const s: Socket = tcp;
        await new Promise<void>((resolve) => s.write(Buffer.concat(bytes), () => resolve()));
      };
      // UDP: a datagram a line; TCP: newline-framed lines on one connection.
      const frames = (texts: string[]) =>
        protocol === 'udp' ? texts.map((t) => Buffer.from(t)) : [lineBytes(texts)];
      return Promise.resolve({
        source,
        ready: async () => void (await source.listening()),
        write: (texts) => send(frames(texts)),
        writeBad: () => send([...frames([`<13>${'x'.repeat(MAX * 3)}`]), INVALID_UTF8]),
        text: (l) => l,
        close: () => {
          tcp?.destroy();
          return new Promise<void>((resolve) => udp.close(() => resolve()));
        },
      });
    },
  };
}

function stdin(): Harness {
  return {
    name: 'stdin',
    kind: 'stdin',
    resumable: false,
    reset: () => Promise.resolve(),
    open: () => {
      const stream = new PassThrough();
      const write = (b: Buffer) => new Promise<void>((resolve) => stream.write(b, () => resolve()));
      return Promise.resolve({
        source: new StdinSource({ stream, maxLineBytes: MAX }),
        ready: () => Promise.resolve(),
        write: (texts) => write(lineBytes(texts)),
        writeBad: () => write(Buffer.concat([lineBytes(['x'.repeat(MAX * 3)]), INVALID_UTF8])),
        text: (l) => l,
        close: () => new Promise<void>((resolve) => stream.end(resolve)),
      });
    },
  };
}

/** Reads `source` from `cursor` in the background until stopped. */
function run(source: Source, cursor: string | null) {
  const ac = new AbortController();
  const batches: LineBatch[] = [];
  const done = (async () => {
    for await (const b of source.lines(cursor, ac.signal)) batches.push(b);
  })();
  return {
    batches,
    lines: () => batches.flatMap((b) => b.lines),
    done,
    /** Aborts and waits for the source to return; rejects if it threw or (hang guard) never returns. */
    async stop() {
      ac.abort();
      const guard = new AbortController();
      await Promise.race([
        done,
        delay(HANG_GUARD_MS, undefined, { signal: guard.signal }).then(() => {
          throw new Error(`${source.id} did not stop within ${HANG_GUARD_MS} ms of the abort`);
        }),
      ]).finally(() => guard.abort());
    },
  };
}

const texts = (from: number, to: number) =>
  Array.from(
    { length: to - from + 1 },
    (_, i) => `<38>Dec  7 00:00:0${(from + i) % 10} web1 sshd[4242]: line ${from + i}`,
  );

for (const h of [file(), journald(), syslog('tcp'), syslog('udp'), stdin()]) {
  describe(`source contract: ${h.name}`, () => {
    it('yields the lines in order, as batches with cursors (null where it cannot resume)', async () => {
      await h.reset();
      const o = await h.open();
      const r = run(o.source, null);
      try {
        await o.ready();
        await o.write(texts(1, 3));
        await waitFor('three lines', () => r.lines().length >= 3);
        await o.write(texts(4, 6));
        await waitFor('six lines', () => r.lines().length >= 6);
        assert.deepEqual(r.lines().map(o.text), texts(1, 6));
        for (const b of r.batches) {
          if (h.resumable) {
            assert.equal(typeof b.cursor, 'string');
            assert.equal(JSON.parse(JSON.stringify(b.cursor)), b.cursor, 'JSON-serialisable');
          } else assert.equal(b.cursor, null);
        }
      } finally {
        await r.stop();
        await o.close();
      }
    });

    if (h.resumable)
      it('resumes strictly after a cursor: nothing lost, nothing repeated', async () => {
        await h.reset();
        const first = await h.open();
        const r1 = run(first.source, null);
        await first.ready();
        await first.write(texts(1, 1));
        await waitFor('line 1', () => r1.lines().length >= 1);
        await first.write(texts(2, 3));
        await waitFor('line 3', () => r1.lines().length >= 3);
        await r1.stop();
        await first.close();
        const afterFirst = r1.batches.find((b) => b.lines.length > 0)!.cursor!;
        const afterAll = r1.batches.at(-1)!.cursor!;

        const second = await h.open();
        await second.write(texts(4, 5)); // written while nothing reads
        const r2 = run(second.source, afterAll);
        try {
          await waitFor('lines 4 and 5', () => r2.lines().length >= 2);
          assert.deepEqual(r2.lines().map(second.text), texts(4, 5));
        } finally {
          await r2.stop();
          await second.close();
        }
        assert.equal(second.source.id, first.source.id, 'the id keys the saved cursor');

        const third = await h.open();
        const r3 = run(third.source, afterFirst);
        try {
          await waitFor('lines 2 to 5', () => r3.lines().length >= 4);
          assert.deepEqual(r3.lines().map(third.text), texts(2, 5));
        } finally {
          await r3.stop();
          await third.close();
        }
      });

    it('stops promptly on abort, waiting or not, without throwing', async () => {
      await h.reset();
      const o = await h.open();
      const r = run(o.source, null);
      try {
        await o.ready();
        await o.write(texts(1, 1));
        await waitFor('a line', () => r.lines().length >= 1);
      } finally {
        await r.stop(); // rejects if the source threw; hangs (the test's guard) if it did not stop
        await o.close();
      }
      const aborted = new AbortController();
      aborted.abort();
      const late = await h.open();
      const batches: LineBatch[] = [];
      for await (const b of late.source.lines(null, aborted.signal)) batches.push(b);
      await late.close();
      assert.deepEqual(batches, [], 'an aborted signal yields nothing');
    });

    it('reports in health() what it read: stable id, its kind, count and time of the last line', async () => {
      await h.reset();
      const o = await h.open();
      assert.equal(o.source.kind, h.kind);
      const before = o.source.health();
      assert.deepEqual([before.id, before.linesRead, before.lastLineAt], [o.source.id, 0, null]);
      const r = run(o.source, null);
      try {
        await o.ready();
        await o.write(texts(1, 4));
        await waitFor('four lines', () => r.lines().length >= 4);
        const health = o.source.health();
        assert.equal(health.linesRead, 4);
        assert.equal(typeof health.lastLineAt, 'number');
        assert.deepEqual([health.errors, health.lastError, health.skipped], [0, null, 0]);
      } finally {
        await r.stop();
        await o.close();
      }
    });

    it('passes over a line longer than its limit and one it cannot decode, counted, and reads on', async () => {
      await h.reset();
      const o = await h.open();
      const r = run(o.source, null);
      try {
        await o.ready();
        await o.write(texts(1, 1));
        await waitFor('line 1', () => r.lines().length >= 1);
        await o.writeBad();
        await o.write(texts(2, 2));
        await waitFor('line 2', () => r.lines().length >= 2);
        assert.deepEqual(r.lines().map(o.text), texts(1, 2));
        await waitFor('both counted', () => o.source.health().skipped >= 2);
        assert.equal(o.source.health().skipped, 2);
        assert.equal(o.source.health().errors, 0);
      } finally {
        await r.stop();
        await o.close();
      }
    });
  });
}
