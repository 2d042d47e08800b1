import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translator } from '../i18n/index.js';
import { filterRegexes } from './engine.js';
import { parseFilterFile } from './load.js';
import { checkFilterRedos, checkRegex, unsafeRegexes } from './redos.js';
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

  it("refuses a user filter's rule that backtracks catastrophically, at the rule's line", async () => {
    const text = [
      'name: slow',
      'description: a filter with a regex that backtracks',
      'references: [a test]',
      'rules:',
      '  - id: nested',
      "    pattern: 'login failed from {HOST}(?: (?:x+)+)+y$'",
      '    result: fail',
      'samples:',
      "  - line: 'Nov 25 07:51:41 web1 slow[1]: login failed from 192.0.2.7 xy'",
      '    result: fail',
      "  - line: 'Nov 25 07:51:41 web1 slow[1]: hello'",
      '    result: none',
    ].join('\n');
    const filter = parseFilterFile(text, '/etc/sheriff/filters.d/slow.yaml', {
      origin: 'user',
      checkSamples: true,
      include: () => undefined,
    });
    const report = await checkFilterRedos(filter, TIMEOUT_MS);
    assert.ok(report !== null, 'recheck is a development dependency: installed here');
    assert.equal(report.vulnerable.length, 1);
    const [problem] = report.vulnerable.map((p) => p(translator('en')));
    assert.match(
      problem!,
      /^\/etc\/sheriff\/filters\.d\/slow\.yaml:6: rules\.nested: this regular expression can backtrack catastrophically \(exponential/,
    );
  });
});
