import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { LineBatch } from './source.js';
import { StdinSource } from './stdin.js';

async function collect(src: StdinSource, signal = new AbortController().signal) {
  const batches: LineBatch[] = [];
  for await (const b of src.lines(null, signal)) batches.push(b);
  return batches;
}

describe('StdinSource', () => {
  it('reads a stream to its end, skipping bad lines, keeping a last line without newline', async () => {
    const stream = Readable.from([
      Buffer.from('one\ntw'),
      Buffer.from('o\r\nbad \0 byte\n'),
      Buffer.from([0x4e, 0xff, 0x0a]),
      Buffer.from('last'),
    ]);
    const src = new StdinSource({ stream });
    assert.equal(src.id, 'stdin');
    assert.equal(src.kind, 'stdin');
    const batches = await collect(src);
    assert.deepEqual(
      batches.flatMap((b) => b.lines),
      ['one', 'two', 'last'],
    );
    assert.ok(batches.every((b) => b.cursor === null));
    const h = src.health();
    assert.deepEqual([h.linesRead, h.skipped, h.errors], [3, 2, 0]);
  });

  it('hands out every buffered line in one batch, and reads string chunks', async () => {
    const stream = new PassThrough();
    for (let i = 0; i < 100; i++) stream.write(`line ${i}\n`);
    stream.end();
    const batches = await collect(new StdinSource({ stream }));
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.lines.length, 100);
    const strings = await collect(new StdinSource({ stream: Readable.from(['a\nb', '\nc\n']) }));
    assert.deepEqual(
      strings.flatMap((b) => b.lines),
      ['a', 'b', 'c'],
    );
  });

  it('returns on abort, and on a stream error (reported in health)', async () => {
    const open = new PassThrough();
    const ac = new AbortController();
    const src = new StdinSource({ stream: open });
    const it = src.lines(null, ac.signal)[Symbol.asyncIterator]();
    open.write('x\n');
    assert.deepEqual((await it.next()).value, { lines: ['x'], cursor: null });
    const pending = it.next();
    ac.abort();
    assert.equal((await pending).done, true);

    const failing = new PassThrough();
    const src2 = new StdinSource({ stream: failing });
    const all = collect(src2);
    failing.destroy(new Error('boom'));
    assert.deepEqual(await all, []);
    assert.equal(src2.health().errors, 1);
    assert.equal(src2.health().lastError, 'stdin: boom');
  });
});
