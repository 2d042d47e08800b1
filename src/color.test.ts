import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { colorWanted } from './color.js';
import { createLogger } from './log.js';

const tty = Object.assign(new PassThrough(), { isTTY: true });
const pipe = new PassThrough();

describe('colour', () => {
  it('on a terminal only; NO_COLOR (any value) forbids it, FORCE_COLOR asks for it', () => {
    assert.equal(colorWanted(tty, {}), true);
    assert.equal(colorWanted(pipe, {}), false);
    assert.equal(colorWanted(tty, { NO_COLOR: '1' }), false);
    assert.equal(colorWanted(tty, { NO_COLOR: '' }), true);
    assert.equal(colorWanted(pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(colorWanted(tty, { FORCE_COLOR: '0' }), false);
    assert.equal(colorWanted(tty, { NO_COLOR: 'x', FORCE_COLOR: '1' }), false);
  });

  it('the pretty log: one line per record, coloured on a terminal, plain with NO_COLOR', () => {
    const read = (s: PassThrough) => String(s.read() ?? '');
    const run = (stream: PassThrough & { isTTY?: boolean }) => {
      const log = createLogger({ level: 'info', format: 'pretty' }, stream);
      log.warn({ event: 'finding', ip: '203.0.113.9', count: 5, users: ['a', 'b'] }, 'brute force');
      return read(stream);
    };
    const coloured = run(Object.assign(new PassThrough(), { isTTY: true }));
    assert.equal(coloured.trimEnd().split('\n').length, 1, coloured);
    assert.match(coloured, /\x1b\[/);
    assert.match(coloured, /brute force.*"ip":"203\.0\.113\.9"/);
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const plain = run(Object.assign(new PassThrough(), { isTTY: true }));
      assert.doesNotMatch(plain, /\x1b\[/);
      assert.equal(plain.trimEnd().split('\n').length, 1, plain);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});
