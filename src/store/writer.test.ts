import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import {
  Store,
  StoreWriter,
  type StoreWriterOptions,
  type WriteFailure,
  type WriteRecovery,
} from './index.js';
import { ManualScheduler, sampleEvent as ev, sampleFinding, T0 } from './testing.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-store-writer-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `w${++n}.db`);

/** A store, a read-only view of it (another process's eyes), and a writer on manual time. */
function setup(options: StoreWriterOptions = {}) {
  const path = freshPath();
  const store = Store.open(path);
  const reader = Store.open(path, { readonly: true });
  const clock = new ManualScheduler();
  const errors: [unknown, WriteFailure][] = [];
  const recoveries: WriteRecovery[] = [];
  const writer = new StoreWriter(store, {
    scheduler: clock,
    onError: (err, info) => errors.push([err, info]),
    onRecover: (info) => recoveries.push(info),
    ...options,
  });
  const lines = () =>
    reader.events
      .queryEvents({ limit: 10_000 })
      .map((e) => e.line)
      .reverse();
  const done = () => {
    writer.close();
    reader.close();
    store.close();
  };
  return { path, store, reader, clock, writer, errors, recoveries, lines, done };
}

const batch = (sourceId: string, cursor: string | null, ...lines: string[]) => ({
  sourceId,
  cursor,
  events: lines.map((line) => ev({ line, source: sourceId })),
});

describe('StoreWriter', () => {
  it('add() only queues; the timer writes N batches in one transaction, cursors included', () => {
    const t = setup({ flushMs: 200 });
    for (let i = 1; i <= 10; i++) t.writer.add(batch(i % 2 ? 'a' : 'b', `c${i}`, `line ${i}`));
    t.writer.add({ sourceId: 'a', cursor: 'c11', findings: [sampleFinding()] });
    assert.deepEqual(t.lines(), []);
    assert.equal(t.writer.stats().queuedEvents, 10);
    t.clock.advance(199);
    assert.deepEqual(t.lines(), []);
    t.clock.advance(1);
    const s = t.writer.stats();
    assert.equal(s.transactions, 1);
    assert.equal(s.writtenEvents, 10);
    assert.equal(s.writtenFindings, 1);
    assert.equal(s.queuedEvents, 0);
    assert.deepEqual(
      t.lines(),
      Array.from({ length: 10 }, (_, i) => `line ${i + 1}`),
    );
    assert.equal(t.reader.positions.get('a'), 'c11');
    assert.equal(t.reader.positions.get('b'), 'c10');
    assert.equal(t.reader.findings.recent()[0]?.createdAt, T0);
    assert.deepEqual(t.clock.pending(), []);
    t.done();
  });

  it('flushes on the next tick once maxBatch events are queued', () => {
    const t = setup({ flushMs: 200, maxBatch: 3 });
    t.writer.add(batch('a', '1', 'x', 'y'));
    assert.deepEqual(t.clock.pending(), [200]);
    t.writer.add(batch('a', '2', 'z'));
    assert.deepEqual(t.clock.pending(), [0]);
    t.clock.advance(0);
    assert.deepEqual(t.lines(), ['x', 'y', 'z']);
    assert.equal(t.writer.stats().transactions, 1);
    t.done();
  });

  it('cursor-only batches advance the cursor; null cursors store events only', () => {
    const t = setup();
    t.writer.add(batch('a', 'a1', 'one'));
    t.writer.add({ sourceId: 'a', cursor: 'a2' }); // merged into the queued batch
    t.writer.add({ sourceId: 'b', cursor: 'b1' }); // nothing queued for b: queued alone
    t.writer.add(batch('stdin', null, 'from stdin'));
    t.writer.add({ sourceId: 'stdin', cursor: null }); // nothing at all
    t.clock.advance(200);
    assert.deepEqual(t.lines(), ['one', 'from stdin']);
    assert.deepEqual(
      t.reader.positions.all().map((p) => [p.sourceId, p.cursor]),
      [
        ['a', 'a2'],
        ['b', 'b1'],
      ],
    );
    t.done();
  });

  it('a crash between flushes keeps each batch whole: its events and its cursor, or neither', () => {
    const t = setup();
    t.writer.add(batch('a', 'A', 'a-1', 'a-2'));
    t.clock.advance(200);
    t.writer.add(batch('a', 'B', 'b-1', 'b-2', 'b-3'));
    t.writer.add(batch('z', 'Z', 'z-1'));
    t.store.db.close(); // the crash: the queue is never written
    t.reader.close();
    const reopened = Store.open(t.path);
    assert.deepEqual(
      reopened.events
        .queryEvents()
        .map((e) => e.line)
        .sort(),
      ['a-1', 'a-2'],
    );
    assert.equal(reopened.positions.get('a'), 'A');
    assert.equal(reopened.positions.get('z'), null);
    reopened.close();
  });

  it('kill -9 while writing: every source resumes exactly after its stored events', async () => {
    const storeUrl = new URL('./index.js', import.meta.url).href;
    // Source "s" reads lines 1, 2, 3, …; every 7th line produces no event.
    const child = `
      import { Store, StoreWriter } from ${JSON.stringify(storeUrl)};
      const store = Store.open(process.env.SHERIFF_TEST_DB);
      const writer = new StoreWriter(store, { flushMs: 1, maxBatch: 40 });
      let i = 0, ready = false;
      const pump = () => {
        for (let k = 0; k < 25; k++) {
          i++;
          const events = i % 7 === 0 ? [] : [{ time: ${T0} + i, jail: 'sshd', filter: 'sshd', rule: 'r',
            result: 'fail', ip: '203.0.113.5', host: null, user: 'u', attempts: 1, source: 's', line: 'line ' + i }];
          writer.add({ sourceId: 's', cursor: String(i), events });
        }
        if (!ready && writer.stats().transactions >= 3) { ready = true; process.stdout.write('ready\\n'); }
        setImmediate(pump);
      };
      pump();
    `;
    for (let round = 0; round < 3; round++) {
      const path = freshPath();
      const proc = spawn(process.execPath, ['--input-type=module', '-e', child], {
        env: { ...process.env, SHERIFF_TEST_DB: path },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // Ready, or gone: a child that fails before writing must not leave the test waiting.
      const exited = once(proc, 'exit');
      const early = await Promise.race([once(proc.stdout, 'data').then(() => null), exited]);
      if (early !== null) throw new Error(`the writing child exited (${early[0]}) before it wrote`);
      await sleep(10 + round * 40);
      proc.kill('SIGKILL');
      await exited;

      const s = Store.open(path);
      const cursor = Number(s.positions.get('s'));
      const stored = s.events
        .queryEvents({ limit: 10_000 })
        .map((e) => Number(e.line.slice('line '.length)))
        .sort((a, b) => a - b);
      s.close();
      assert.ok(cursor > 0, 'something was written before the kill');
      const expected = Array.from({ length: cursor }, (_, i) => i + 1).filter((i) => i % 7 !== 0);
      assert.deepEqual(stored, expected, `round ${round}: cursor ${cursor}`);
    }
  });

  it('disk full: keeps the queue, retries with capped backoff, reports once, writes all on recovery', () => {
    const t = setup({ backoffMinMs: 1000, backoffMaxMs: 30_000 });
    t.writer.add(batch('a', 'a1', 'before'));
    t.clock.advance(200);
    const pages = t.store.db.pragma('page_count', { simple: true }) as number;
    t.store.db.pragma(`max_page_count = ${pages}`); // no room to grow: SQLITE_FULL
    const big = 'x'.repeat(3000);
    t.writer.add(batch('a', 'a2', `${big} 1`, `${big} 2`));
    t.clock.advance(200);
    assert.equal(t.errors.length, 1);
    const [err, info] = t.errors[0]!;
    assert.equal((err as { code?: string }).code, 'SQLITE_FULL');
    assert.deepEqual(info, {
      kind: 'full',
      code: 'SQLITE_FULL',
      since: T0 + 400,
      retryInMs: 1000,
      queuedEvents: 2,
    });
    assert.deepEqual(t.clock.pending(), [1000]);

    // More arrives during the outage: queued, no early flush, no second report.
    t.writer.add(batch('b', 'b1', `${big} 3`));
    assert.deepEqual(t.clock.pending(), [1000]);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      t.clock.advance(t.clock.pending()[0]!);
      delays.push(t.clock.pending()[0]!);
    }
    assert.deepEqual(delays, [2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    assert.equal(t.errors.length, 1);
    assert.equal(t.writer.stats().outage?.failures, 9);
    assert.equal(t.writer.stats().queuedEvents, 3);
    // Nothing stored before the outage was lost.
    assert.deepEqual(t.lines(), ['before']);
    assert.equal(t.reader.positions.get('a'), 'a1');

    t.store.db.pragma('max_page_count = 4294967294');
    t.clock.advance(30_000);
    assert.equal(t.recoveries.length, 1);
    assert.equal(t.recoveries[0]!.failures, 9);
    assert.equal(t.recoveries[0]!.droppedEvents, 0);
    assert.deepEqual(t.lines(), ['before', `${big} 1`, `${big} 2`, `${big} 3`]);
    assert.equal(t.reader.positions.get('a'), 'a2');
    assert.equal(t.reader.positions.get('b'), 'b1');
    assert.equal(t.writer.stats().outage, null);
    assert.deepEqual(t.clock.pending(), []);

    // Back to normal batching.
    t.writer.add(batch('a', 'a3', 'after'));
    assert.deepEqual(t.clock.pending(), [200]);
    t.done();
  });

  it('read-only database: the same outage handling, and a new outage is reported again', () => {
    const t = setup();
    t.store.db.pragma('query_only = ON');
    t.writer.add(batch('a', 'a1', 'one'));
    t.clock.advance(200);
    assert.equal(t.errors.length, 1);
    assert.equal(t.errors[0]![1].kind, 'readonly');
    assert.match(t.errors[0]![1].code ?? '', /^SQLITE_READONLY/);
    t.store.db.pragma('query_only = OFF');
    t.clock.advance(1000);
    assert.equal(t.recoveries.length, 1);
    assert.deepEqual(t.lines(), ['one']);

    t.store.db.pragma('query_only = ON');
    t.writer.add(batch('a', 'a2', 'two'));
    t.clock.advance(200);
    assert.equal(t.errors.length, 2);
    assert.deepEqual(t.clock.pending(), [1000], 'backoff starts again at its minimum');
    t.store.db.pragma('query_only = OFF');
    t.done(); // close() writes what is left
    const s = Store.open(t.path);
    assert.equal(s.events.count(), 2);
    assert.equal(s.positions.get('a'), 'a2');
    s.close();
  });

  it('a real read-only handle is reported as read-only', () => {
    const path = freshPath();
    Store.open(path).close();
    const ro = Store.open(path, { readonly: true });
    const errors: WriteFailure[] = [];
    const w = new StoreWriter(ro, {
      scheduler: new ManualScheduler(),
      onError: (_e, i) => errors.push(i),
    });
    w.add(batch('a', 'a1', 'one'));
    assert.equal(w.flush(), false);
    assert.equal(errors[0]?.kind, 'readonly');
    assert.deepEqual(w.close(), { flushed: false, unwrittenEvents: 1 });
    ro.close();
  });

  it('the queue cap drops the oldest events, counts them, and pins their source cursor', () => {
    const t = setup({ maxQueue: 5, maxBatch: 100 });
    t.store.positions.set('a', 'a0', T0);
    t.writer.add(batch('a', 'a1', 'a1-1', 'a1-2', 'a1-3'));
    t.writer.add(batch('b', 'b1', 'b1-1', 'b1-2'));
    assert.equal(t.writer.stats().droppedEvents, 0);
    t.writer.add(batch('a', 'a2', 'a2-1', 'a2-2'));
    let s = t.writer.stats();
    assert.equal(s.droppedEvents, 2);
    assert.equal(s.queuedEvents, 5);
    assert.deepEqual(s.pinnedSources, ['a']);
    t.writer.add({ sourceId: 'a', cursor: 'a3' });
    t.writer.add({ sourceId: 'b', cursor: 'b2' });
    t.clock.advance(200);
    assert.deepEqual(t.lines(), ['a1-3', 'b1-1', 'b1-2', 'a2-1', 'a2-2']);
    // a1-1 and a1-2 were never written, so no cursor past them is stored:
    // a restart re-reads a from a0. b lost nothing and advances.
    assert.equal(t.reader.positions.get('a'), 'a0');
    assert.equal(t.reader.positions.get('b'), 'b2');
    // The pin holds for the writer's life; a's later events are still written.
    t.writer.add(batch('a', 'a4', 'a4-1'));
    t.clock.advance(200);
    assert.equal(t.reader.positions.get('a'), 'a0');
    assert.equal(t.lines().at(-1), 'a4-1');
    s = t.writer.stats();
    assert.equal(s.droppedEvents, 2);
    assert.equal(s.writtenEvents, 6);
    t.done();
  });

  it('the cap drops findings only when no event is left to drop', () => {
    const t = setup({ maxQueue: 2, maxBatch: 100 });
    t.writer.add({
      sourceId: 'c',
      cursor: 'c1',
      findings: [sampleFinding(), sampleFinding({ ip: '198.51.100.1' })],
    });
    t.writer.add(batch('d', 'd1', 'd-1'));
    let s = t.writer.stats();
    assert.deepEqual([s.droppedEvents, s.droppedFindings, s.pinnedSources], [1, 0, ['d']]);
    t.writer.add({
      sourceId: 'c',
      cursor: 'c2',
      findings: [sampleFinding({ ip: '198.51.100.2' })],
    });
    s = t.writer.stats();
    assert.deepEqual([s.droppedEvents, s.droppedFindings, s.pinnedSources], [1, 1, ['c', 'd']]);
    t.clock.advance(200);
    assert.deepEqual(
      t.reader.findings
        .recent()
        .map((f) => f.ip)
        .sort(),
      ['198.51.100.1', '198.51.100.2'],
    );
    assert.equal(t.reader.positions.get('c'), null);
    assert.equal(t.reader.positions.get('d'), null);
    t.done();
  });

  it('a long outage with a flood stays within the cap and drains in bounded transactions', () => {
    const t = setup({ maxQueue: 1000, maxBatch: 100 });
    t.store.db.pragma('query_only = ON');
    for (let i = 1; i <= 5000; i++) {
      t.writer.add(batch(i % 2 ? 'a' : 'b', String(i), `l${i}`));
      t.writer.add({ sourceId: 'c', cursor: String(i) }); // cursor-only, never grows the queue
      if (i % 500 === 0) t.clock.advance(t.clock.pending()[0]!);
    }
    let s = t.writer.stats();
    assert.equal(s.queuedEvents, 1000);
    assert.equal(s.droppedEvents, 4000);
    t.store.db.pragma('query_only = OFF');
    t.clock.tick(t.clock.pending()[0]);
    s = t.writer.stats();
    assert.equal(s.outage, null);
    assert.equal(s.writtenEvents, 100, 'one bounded transaction per tick');
    assert.deepEqual(t.clock.pending(), [0], 'the rest follows at once');
    for (let i = 0; i < 9; i++) t.clock.tick(0);
    s = t.writer.stats();
    assert.equal(s.queuedEvents, 0);
    assert.equal(s.transactions, 10);
    assert.deepEqual(t.clock.pending(), []);
    assert.deepEqual(
      t.lines(),
      Array.from({ length: 1000 }, (_, i) => `l${4001 + i}`),
    );
    assert.equal(t.reader.positions.get('a'), null);
    assert.equal(t.reader.positions.get('c'), '5000');
    assert.equal(t.recoveries[0]?.droppedEvents, 4000);
    t.done();
  });

  it('close() writes the queue synchronously; add() after close throws', () => {
    const t = setup();
    t.writer.add(batch('a', 'a1', 'one'));
    assert.deepEqual(t.writer.close(), { flushed: true, unwrittenEvents: 0 });
    assert.deepEqual(t.lines(), ['one']);
    assert.equal(t.reader.positions.get('a'), 'a1');
    assert.deepEqual(t.clock.pending(), []);
    assert.throws(() => t.writer.add(batch('a', 'a2', 'two')), /after close/);
    t.done();
  });

  it('add() refuses a malformed record at once, queueing nothing', () => {
    const t = setup();
    assert.throws(
      () =>
        t.writer.add({ sourceId: 'a', cursor: '1', events: [ev({ result: 'none' as 'fail' })] }),
      TypeError,
    );
    assert.throws(
      () => t.writer.add({ sourceId: 'a', cursor: '1', events: [ev({ time: 1.5 })] }),
      TypeError,
    );
    assert.throws(
      () =>
        t.writer.add({
          sourceId: 'a',
          cursor: '1',
          findings: [sampleFinding({ users: [1 as unknown as string] })],
        }),
      TypeError,
    );
    assert.equal(t.writer.stats().queuedEvents, 0);
    assert.deepEqual(t.clock.pending(), []);
    t.done();
  });
});
