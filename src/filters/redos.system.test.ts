import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../testing/run-cli.js';
import { HANG_GUARD_MS } from '../testing/wait.js';
import { translator } from '../i18n/index.js';
import { filterRegexes } from './engine.js';
import { parseFilterFile } from './load.js';
import { checkFilterRedos, checkRegex, unsafeRegexes } from './redos.js';
import { filterRegistry } from './registry.js';

/** recheck's limit per regex is wall-clock time: generous, so a loaded machine cannot make it `unknown`. */
const TIMEOUT_MS = 300_000;

/** A user filter whose one rule backtracks catastrophically; its samples pass. */
const SLOW = [
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
    const filter = parseFilterFile(SLOW, '/etc/sheriff/filters.d/slow.yaml', {
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

  it(
    'sheriff watch refuses to start with such a filter in a jail (exit 2, at its line), and keeps the verdict beside the store',
    { timeout: HANG_GUARD_MS },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sheriff-redos-watch-'));
      try {
        const filters = join(dir, 'filters.d');
        await mkdir(filters);
        await writeFile(join(filters, 'slow.yaml'), SLOW);
        const config = join(dir, 'sheriff.yaml');
        await writeFile(
          config,
          [
            `store: { path: ${join(dir, 'sheriff.db')} }`,
            `filters: { dir: ${filters} }`,
            `sources: [{ type: file, path: ${join(dir, 'app.log')}, jails: [slow] }]`,
            'jails: { slow: {} }',
            'response: { firewall: dry-run }',
          ].join('\n'),
        );
        const first = await runCli(['--config', config, 'watch', '--no-web']);
        assert.equal(first.code, 2, first.stderr);
        assert.match(
          first.stderr,
          /slow\.yaml:6: rules\.nested: this regular expression can backtrack catastrophically/,
        );
        const kept = JSON.parse(await readFile(join(dir, 'regex-checks.json'), 'utf8')) as Record<
          string,
          { status: string }
        >;
        assert.ok(Object.values(kept).some((v) => v.status === 'vulnerable'));
        // The kept verdict refuses the next start just the same.
        const again = await runCli(['--config', config, 'watch', '--no-web']);
        assert.equal(again.code, 2, again.stderr);
        assert.match(again.stderr, /slow\.yaml:6: rules\.nested/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
