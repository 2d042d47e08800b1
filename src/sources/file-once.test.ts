/**
 * readInto: a plain file (read into one reused buffer) and the same file gzipped give
 * the splitter the same lines, across the reads' chunk boundaries.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readInto } from './file-once.js';
import { LineSplitter } from './lines.js';

describe('readInto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-file-once-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Over 3 MiB: several reads, lines cut between them; no newline after the last line.
  const want = Array.from({ length: 60_000 }, (_, k) => `${k} ${'é한'.repeat(k % 13)} ${k % 251}`);
  const text = want.join('\n');

  const linesOf = async (path: string) => {
    const got: string[] = [];
    let progressed = 0;
    const splitter = new LineSplitter({ line: (l) => got.push(l) });
    await readInto(path, splitter, { progress: (b) => (progressed = b) });
    return { got, progressed };
  };

  it('reads every line of a plain file, and reports the bytes read', async () => {
    const path = join(dir, 'plain.log');
    writeFileSync(path, text);
    const { got, progressed } = await linesOf(path);
    assert.deepEqual(got, want);
    assert.equal(progressed, Buffer.byteLength(text));
  });

  it('reads the same lines from the file gzipped', async () => {
    const path = join(dir, 'rotated.log.1');
    writeFileSync(path, gzipSync(text));
    assert.deepEqual((await linesOf(path)).got, want);
  });
});
