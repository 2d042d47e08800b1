import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterRegexes } from './engine.js';
import { checkRegex, unsafeRegexes } from './redos.js';
import { filterRegistry } from './registry.js';

/** recheck's limit per regex is wall-clock time: generous, so a loaded machine cannot make it `unknown`. */
const TIMEOUT_MS = 300_000;

describe('ReDoS check of filter regexes', () => {
  for (const { spec } of filterRegistry().all())
    it(`${spec.name}: every compiled regex is proven free of super-linear backtracking`, async () => {
      const unsafe = await unsafeRegexes(spec, TIMEOUT_MS);
      assert.deepEqual(
        unsafe.map((v) => `${v.rule} /${v.source}/${v.flags}: ${v.status} (${v.detail})`),
        [],
      );
    });

  it('checks the regexes as the engine runs them: {HOST} filled in, numbered groups, sticky', () => {
    const sshd = filterRegistry().spec('sshd')!;
    const all = filterRegexes(sshd);
    assert.ok(all.length >= sshd.rules.length / 2);
    assert.ok(all.every(({ re }) => re.sticky && !re.source.includes('{HOST}')));
    assert.ok(all.some(({ rule }) => rule === 'messagePrefix'));
  });

  it('finds a vulnerable regex, with an attack string', async () => {
    const v = await checkRegex('nested', /^(?:a+)+$/);
    assert.equal(v.status, 'vulnerable');
    assert.match(v.detail, /exponential/);
  });
});
