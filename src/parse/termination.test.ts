/**
 * No input may hang or stall the pipeline: every parser a log line or a
 * network byte reaches terminates (and does not throw) on hostile input. Each
 * target runs in a worker watched from here (src/testing/termination.ts), so a
 * hang fails the test naming its input instead of stalling the suite. The
 * seed is printed on failure; `npm run fuzz` runs the same targets a million
 * times.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetName } from '../testing/parser-targets.js';
import { describeFailure, runTermination } from '../testing/termination.js';

/** Drawn inputs per target: enough to cut and mutate every format, few enough for seconds. */
const RUNS: Partial<Record<TargetName, number>> = {
  split: 1500,
  parse: 4000,
  timestamps: 4000,
  filters: 4000,
  detect: 2000,
  'syslog-udp': 1500,
  'syslog-tcp': 1000,
  journal: 1500,
  ip: 3000,
};

async function terminates(target: TargetName, runs = 0): Promise<void> {
  const r = await runTermination({ target, runs });
  assert.equal(r.failure, null, r.failure === null ? '' : describeFailure(r.failure));
}

describe('termination on hostile input', () => {
  it('every prefix of every real line: parsed and classified by every filter', () =>
    terminates('prefixes'));
  for (const [target, runs] of Object.entries(RUNS))
    it(`${target}: ${runs} cut, mutated and random inputs`, () =>
      terminates(target as TargetName, runs));

  it('the guard itself: a target that spins is reported with the input that hung', async () => {
    const r = await runTermination({ target: 'spin', runs: 0, stallMs: 500 });
    assert.equal(r.failure?.kind, 'hang');
    assert.equal(r.failure?.input, 'spin');
    assert.equal(r.count, 2); // 'a' and 'b' finished
  });
});
