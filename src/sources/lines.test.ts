import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_MAX_LINE_BYTES,
  LineSplitter,
  type SkipReason,
  type SplitterCounts,
} from './lines.js';

interface Run {
  /** "n:text" for lines, "n!reason" for skipped lines, in the order the sink saw them. */
  events: string[];
  counts: SplitterCounts;
  /** `consumed` after each push, then after end(). */
  consumed: number[];
}

/** Feeds `input` cut at `cuts` (byte offsets), then ends. Reuses one chunk buffer on purpose. */
function run(input: Buffer, cuts: number[], max?: number, onPush?: (s: LineSplitter) => void): Run {
  const events: string[] = [];
  const sink = {
    line: (text: string, n: number) => events.push(`${n}:${text}`),
    skipped: (reason: SkipReason, n: number) => events.push(`${n}!${reason}`),
  };
  const s = max === undefined ? new LineSplitter(sink) : new LineSplitter(sink, max);
  const consumed: number[] = [];
  const scratch = Buffer.alloc(input.length);
  let from = 0;
  for (const to of [...cuts, input.length]) {
    const chunk = scratch.subarray(0, to - from);
    input.copy(chunk, 0, from, to);
    s.push(chunk);
    chunk.fill(0x41); // the caller reuses its buffer: the splitter must have copied what it keeps
    consumed.push(s.consumed);
    onPush?.(s);
    from = to;
  }
  s.end();
  consumed.push(s.consumed);
  return { events, counts: { ...s.counts }, consumed };
}

/** Byte offset just after the last newline in input[0, end). */
function completeBytes(input: Buffer, end: number): number {
  return input.subarray(0, end).lastIndexOf(10) + 1;
}

function bytewise(n: number): number[] {
  return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
}

/** Every cut in one place and in two places, and 1-byte chunks, give `want`; `consumed` stays right. */
function assertEveryChunking(input: Buffer, want: Omit<Run, 'consumed'>, max?: number): void {
  const cutSets: number[][] = [[], bytewise(input.length)];
  for (let i = 0; i <= input.length; i++) {
    cutSets.push([i]);
    for (let j = i; j <= input.length; j += 3) cutSets.push([i, j]);
  }
  for (const cuts of cutSets) {
    const r = run(input, cuts, max);
    assert.deepEqual({ events: r.events, counts: r.counts }, want, `cuts ${cuts.join(',')}`);
    const expected = [...cuts, input.length].map((c) => completeBytes(input, c));
    expected.push(input.length);
    assert.deepEqual(r.consumed, expected, `consumed with cuts ${cuts.join(',')}`);
  }
}

const counts = (lines: number, tooLong = 0, invalidUtf8 = 0, nul = 0): SplitterCounts => ({
  lines,
  tooLong,
  invalidUtf8,
  nul,
});

describe('LineSplitter', () => {
  it('yields exactly the lines whatever the chunking, inside multi-byte characters too', () => {
    const input = Buffer.from(
      'first line\nsecond é 한국어 😀 line\r\n\nthird\nlast without newline',
    );
    assertEveryChunking(input, {
      events: [
        '1:first line',
        '2:second é 한국어 😀 line',
        '3:',
        '4:third',
        '5:last without newline',
      ],
      counts: counts(5),
    });
  });

  it('gives the same lines from a chunk far larger than one decoded block', () => {
    // Lines of every kind, around and across the 32 KiB blocks the fast path decodes at once:
    // multi-byte characters, a CR, a NUL, a line that is not UTF-8, lines longer than a block.
    const kinds = [
      (k: number) => `line ${k} é 한국어 😀`,
      (k: number) => `${k}\r`,
      (k: number) => `nul ${k}\0`,
      (k: number) => 'x'.repeat(40_000 + k),
      (k: number) => 'y'.repeat(k % 300),
    ];
    const parts: Buffer[] = [];
    const want: string[] = [];
    let n = 0;
    for (let k = 0; k < 2000; k++) {
      n++;
      if (k % 97 === 0) {
        parts.push(Buffer.from([0x61, 0xff, 0x0a]));
        want.push(`${n}!invalid-utf8`);
        continue;
      }
      const text = kinds[k % 7 === 0 ? 3 : k % 5]!(k);
      parts.push(Buffer.from(text + '\n'));
      want.push(text.includes('\0') ? `${n}!nul` : `${n}:${text.replace(/\r$/, '')}`);
    }
    const input = Buffer.concat(parts);
    for (const cuts of [[], [input.length >> 1], [70_001, 70_002, 1_000_003]]) {
      const r = run(input, cuts, 1024 * 1024);
      assert.deepEqual(r.events, want, `cuts ${cuts.join(',')}`);
      assert.equal(r.consumed.at(-1), input.length);
    }
  });

  it('strips one CR before LF, and keeps a CR anywhere else', () => {
    const input = Buffer.from('a\r\nb\rc\r\nd\r\r\n\r\ne\r');
    assertEveryChunking(input, {
      events: ['1:a', '2:b\rc', '3:d\r', '4:', '5:e'],
      counts: counts(5),
    });
  });

  it('holds a final line without newline until end()', () => {
    const got: string[] = [];
    const s = new LineSplitter({ line: (t) => got.push(t) });
    s.push(Buffer.from('one\ntw'));
    s.push(Buffer.from('o'));
    assert.deepEqual(got, ['one']);
    assert.equal(s.consumed, 4);
    s.end();
    assert.deepEqual(got, ['one', 'two']);
    assert.equal(s.consumed, 7);
    s.end();
    assert.deepEqual(got, ['one', 'two'], 'a second end() adds nothing');
  });

  it('drops a byte order mark only at the start of the input, whatever the chunking', () => {
    const input = Buffer.from('\uFEFFfirst\nsecond\n\uFEFFthird\n');
    assertEveryChunking(input, {
      events: ['1:first', '2:second', '3:\uFEFFthird'],
      counts: counts(3),
    });
  });

  it('adds no empty line after a final newline, nor for empty input', () => {
    assertEveryChunking(Buffer.from('x\n'), { events: ['1:x'], counts: counts(1) });
    assertEveryChunking(Buffer.alloc(0), { events: [], counts: counts(0) });
  });

  it('skips NUL and invalid UTF-8 lines, counts them, and keeps the line numbers right', () => {
    const input = Buffer.concat([
      Buffer.from('ok1\nbad\0nul\nok2\n'),
      Buffer.from([0xff, 0xfe, 0x0a]), // not UTF-8 at all
      Buffer.from('ok3\n'),
      Buffer.from([0x61, 0xc0, 0xaf, 0x0a]), // overlong "/"
      Buffer.from([0xed, 0xa0, 0x80, 0x0a]), // a UTF-16 surrogate
      Buffer.from([0x61, 0xe2, 0x82, 0x0a]), // a character cut short by the newline
      Buffer.from('\0\nok4\r\n'),
      Buffer.from([0x62, 0xe2, 0x82]), // a cut-short character at the end of the input
    ]);
    assertEveryChunking(input, {
      events: [
        '1:ok1',
        '2!nul',
        '3:ok2',
        '4!invalid-utf8',
        '5:ok3',
        '6!invalid-utf8',
        '7!invalid-utf8',
        '8!invalid-utf8',
        '9!nul',
        '10:ok4',
        '11!invalid-utf8',
      ],
      counts: counts(4, 0, 5, 2),
    });
  });

  it('applies the byte limit the same way whatever the chunking', () => {
    const input = Buffer.from('12345678\n123456789\n한국어\n한국\r\nab\n123456789');
    assertEveryChunking(
      input,
      {
        events: ['1:12345678', '2!too-long', '3!too-long', '4:한국', '5:ab', '6!too-long'],
        counts: counts(3, 3),
      },
      8,
    );
  });

  it('skips a 1 MiB line as too long without holding it, and the next line still arrives', () => {
    const big = Buffer.alloc(1024 * 1024, 0x78);
    const input = Buffer.concat([Buffer.from('before\n'), big, Buffer.from('\nafter\nlast')]);
    const want = {
      events: ['1:before', '2!too-long', '3:after', '4:last'],
      counts: counts(3, 1),
    };
    for (const size of [1 << 12, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 300_001, input.length]) {
      const cuts: number[] = [];
      for (let c = size; c < input.length; c += size) cuts.push(c);
      let held = 0;
      const r = run(input, cuts, undefined, (s) => {
        // White box: what the splitter keeps between pushes stays under the limit.
        held = Math.max(held, (s as unknown as { pendingBytes: number }).pendingBytes);
      });
      assert.deepEqual({ events: r.events, counts: r.counts }, want, `chunks of ${size}`);
      assert.ok(held <= DEFAULT_MAX_LINE_BYTES, `chunks of ${size} held ${held} bytes`);
      assert.equal(r.consumed.at(-2), input.length - 4, `consumed, chunks of ${size}`);
      assert.equal(r.consumed.at(-1), input.length);
    }
  });

  it('skips an over-long last line without newline at end()', () => {
    const input = Buffer.concat([
      Buffer.from('a\n'),
      Buffer.alloc(DEFAULT_MAX_LINE_BYTES + 1, 0x79),
    ]);
    const r = run(input, [2, 1000, 60_000]);
    assert.deepEqual(r.events, ['1:a', '2!too-long']);
    assert.deepEqual(r.counts, counts(1, 1));
    assert.equal(r.consumed.at(-1), input.length);
  });

  it('keeps a line of exactly the default limit', () => {
    const line = 'z'.repeat(DEFAULT_MAX_LINE_BYTES);
    const input = Buffer.from(`${line}\n${line}z\nend\n`);
    for (const cuts of [[], [1000, 70_000], [DEFAULT_MAX_LINE_BYTES + 1]]) {
      const r = run(input, cuts);
      assert.deepEqual(r.events, [`1:${line}`, '2!too-long', '3:end'], `cuts ${cuts.join(',')}`);
    }
  });

  it('works without a skipped() callback', () => {
    const got: [string, number][] = [];
    const s = new LineSplitter({ line: (t, n) => got.push([t, n]) });
    s.push(Buffer.from('a\n\0\nb\n'));
    assert.deepEqual(got, [
      ['a', 1],
      ['b', 3],
    ]);
    assert.deepEqual(s.counts, counts(2, 0, 0, 1));
  });
});
