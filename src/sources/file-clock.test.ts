/**
 * The file source's timing goes through its clock: when no watch can be had
 * (the directory does not exist yet), only the poll finds the file, and it
 * runs when the clock moves; a deleted file's grace period is the clock's.
 */
import assert from 'node:assert/strict';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../testing/manual-clock.js';
import { waitFor } from '../testing/wait.js';
import { FileSource } from './file.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-file-clock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Reads `source` in the background, keeping its lines, until `stop`. */
function follow(source: FileSource) {
  const ac = new AbortController();
  const lines: string[] = [];
  const done = (async () => {
    for await (const b of source.lines(null, ac.signal)) lines.push(...b.lines);
  })();
  return {
    lines,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

describe('file source on a manual clock', () => {
  it('polls when the clock says: a file in a directory made later is found on the next poll', async () => {
    const clock = new ManualClock();
    const path = join(dir, 'later', 'auth.log');
    const source = new FileSource({ path, pollIntervalMs: 1000, startAtBeginning: true, clock });
    const reading = follow(source);
    try {
      await waitFor('the source waiting on its poll', () => clock.pending === 1);
      mkdirSync(join(dir, 'later'));
      writeFileSync(path, 'first line\n');
      await clock.advance(1000);
      await waitFor('the line', () => reading.lines.length > 0);
      assert.deepEqual(reading.lines, ['first line']);
    } finally {
      await reading.stop();
    }
    assert.equal(clock.pending, 0, 'its wait is cancelled when it stops');
  });

  it("lets go of a deleted file after its grace period on the clock, not the machine's", async () => {
    const clock = new ManualClock();
    const path = join(dir, 'deleted.log');
    writeFileSync(path, 'one\n');
    const source = new FileSource({
      path,
      pollIntervalMs: 1000,
      startAtBeginning: true,
      deletedGraceMs: 10_000,
      clock,
    });
    const reading = follow(source);
    try {
      await waitFor('the first line', () => reading.lines.length === 1);
      unlinkSync(path);
      await clock.advance(1000);
      await waitFor('a look at the deleted file', () => clock.pending === 1);
      assert.match(source.health().position ?? '', /deleted\.log@4$/);
      // Still held: a writer with it open may add more.
      await clock.advance(10_000);
      await waitFor('the file let go', () => source.health().lag === null);
    } finally {
      await reading.stop();
    }
  });
});
