/**
 * The import measured on Debian's fail2ban (unpacked by scripts/test.sh, or the
 * installed one): its reader against fail2ban's own, the share of filter.d
 * filters imported with nothing lost, and the share of fail2ban's annotated
 * test-log lines the imported filters classify as fail2ban does. The floors
 * are the figures README states; a change that lowers one fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fail2banConfDir, fail2banTestLogs } from '../../testing/fail2ban-dist.js';
import {
  fail2banResolve,
  measureFilter,
  shippedFilters,
  type FilterConformance,
} from '../../testing/fail2ban-import.js';
import { FileCache } from './config.js';
import { FILTER_OPTIONS, FilterFiles } from './filter.js';

/** Include-only files (common.conf, apache-common.conf, …): fail2ban never runs them as a filter. */
const isInclude = (name: string) => name === 'common' || name.endsWith('-common');

const CLEAN_FLOOR = 0.85;
const LINES_FLOOR = 0.95;

describe('import fail2ban: conformance with Debian’s fail2ban', () => {
  const conf = fail2banConfDir();
  const names = shippedFilters(conf);

  it('resolves every shipped filter in every mode exactly as fail2ban’s FilterReader does', (t) => {
    const pairs: [string, Record<string, string>][] = names.flatMap((n) => {
      const modes = new FilterFiles(n, conf, new FileCache()).modes();
      return modes.length === 0
        ? [[n, {}]]
        : modes.map((mode) => [n, { mode }] as [string, Record<string, string>]);
    });
    const theirs = fail2banResolve(conf, pairs);
    if (theirs === null) return t.skip('python3 or fail2ban-regex missing');
    const differ: string[] = [];
    pairs.forEach(([name, opts], i) => {
      if (isInclude(name)) return;
      const want = theirs[i]!;
      const ours = new FilterFiles(name, conf, new FileCache()).resolve(
        new Map(),
        new Map(Object.entries(opts)),
      );
      for (const k of FILTER_OPTIONS.filter((o) => o !== 'usedns'))
        if (String(want[k] ?? '') !== String(ours.values[k] ?? ''))
          differ.push(`${name} ${JSON.stringify(opts)} ${k}`);
    });
    assert.deepEqual(differ, []);
  });

  const results: FilterConformance[] = names
    .filter((n) => !isInclude(n))
    .map((n) => measureFilter(conf, fail2banTestLogs(), n));

  it(`imports at least ${CLEAN_FLOOR * 100}% of the shipped filters with nothing lost`, () => {
    const filters = results.filter((r) => r.isFilter);
    const clean = filters.filter((r) => r.clean);
    const share = clean.length / filters.length;
    const lossy = filters
      .filter((r) => !r.clean)
      .map((r) => `${r.name}: ${r.losses.map((l) => l.kind).join(', ')}`);
    assert.ok(
      share >= CLEAN_FLOOR,
      `${clean.length}/${filters.length} (${(share * 100).toFixed(1)}%) clean; lossy:\n${lossy.join('\n')}`,
    );
  });

  it(`classifies at least ${LINES_FLOOR * 100}% of fail2ban’s annotated lines as fail2ban does`, () => {
    const checks = results.flatMap((r) => r.checks);
    const ok = checks.filter((c) => c.ok).length;
    const share = ok / checks.length;
    const worst = results
      .map((r) => ({
        name: r.name,
        bad: r.checks.filter((c) => !c.ok).length,
        all: r.checks.length,
      }))
      .filter((r) => r.bad > 0)
      .sort((a, b) => b.bad - a.bad)
      .map((r) => `${r.name} ${r.all - r.bad}/${r.all}`);
    assert.ok(
      share >= LINES_FLOOR,
      `${ok}/${checks.length} (${(share * 100).toFixed(1)}%) agree; per filter:\n${worst.join('\n')}`,
    );
  });
});
