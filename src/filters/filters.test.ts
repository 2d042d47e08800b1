/**
 * Every filter file: its samples pass, every rule has one, an injection
 * sample, and fail2ban's annotated logs (`fail2ban.logs`) agree with it except
 * for the differences the file lists, each of which must still occur.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkKey, conformance } from '../testing/filter-conformance.js';
import { filterRegistry } from './registry.js';
import { runSamples } from './samples.js';

/** The share of a filter's annotated checks it may list as differences. */
const MAX_DIFFERENCES = 0.03;

for (const filter of filterRegistry().all()) {
  const { spec, samples } = filter;
  describe(`filter ${spec.name}`, () => {
    it('classifies every sample as the file says', () => {
      const wrong = runSamples(spec, samples).filter((c) => c.problems.length > 0);
      assert.deepEqual(
        wrong.map((c) => `${filter.path}:${c.sample.at} (${c.mode}): ${c.problems.join('; ')}`),
        [],
      );
    });

    it('has a sample for every rule, a line it leaves alone and a crafted-username sample', () => {
      const checks = runSamples(spec, samples);
      const covered = new Set(checks.map((c) => c.event?.rule).filter(Boolean));
      const missing = spec.rules.map((r) => r.id).filter((id) => !covered.has(id));
      assert.deepEqual(missing, [], 'rules without a sample');
      assert.ok(
        samples.some((s) => s.expect.result === 'none'),
        'no sample with result none',
      );
      assert.ok(
        checks.some((c) => c.sample.expect.injection === true && c.problems.length === 0),
        'no injection sample',
      );
    });

    const f2b = filter.fail2ban;
    if (f2b !== null)
      it(`agrees with fail2ban's annotated test logs (${f2b.logs.join(', ')})`, () => {
        const c = conformance(filter);
        assert.ok(c.checks.length > 0);
        assert.deepEqual(
          c.unexplained.map((w) => `${checkKey(w)}: ${w.problem}`),
          [],
        );
        // The list stays honest: every listed difference still occurs.
        assert.deepEqual(c.stale, [], 'listed differences that no longer occur');
        assert.ok(
          c.wrong.length <= c.checks.length * MAX_DIFFERENCES,
          `${c.wrong.length} of ${c.checks.length} differ`,
        );
      });
  });
}
