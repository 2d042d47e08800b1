/**
 * Reading a filter file: every problem as `file:line: path: message`, fragments,
 * includes, and the samples that make a user filter refusable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config/errors.js';
import { parseFilterFile, type LoadedFilter, type LoadOptions } from './load.js';
import { filterRegistry } from './registry.js';

const PATH = '/etc/sheriff/filters.d/demo.yaml';

/** A valid filter file, with `extra` lines inserted before `rules:`. */
function demo(extra = '', rules = DEMO_RULES, samples = DEMO_SAMPLES): string {
  return [
    'name: demo',
    'description: a demo service',
    'references: [the demo manual]',
    'programs: [demo]',
    extra,
    'rules:',
    rules,
    'samples:',
    samples,
  ].join('\n');
}

const DEMO_RULES = `  - id: bad-password
    pattern: 'bad password for {USER} from {HOST}$'
    result: fail`;
const DEMO_SAMPLES = `  - line: 'Nov 25 07:51:41 web1 demo[1]: bad password for bob from 192.0.2.7'
    result: fail
    address: 192.0.2.7
    user: bob
  - line: 'Nov 25 07:51:41 web1 demo[1]: all is well'
    result: none`;
const DEFS = "defs:\n  USER: '(?<user>\\S+)'";

function options(over: Partial<LoadOptions> = {}): LoadOptions {
  return { origin: 'user', checkSamples: true, include: () => undefined, ...over };
}

function load(text: string, over: Partial<LoadOptions> = {}, path = PATH): LoadedFilter {
  return parseFilterFile(text, path, options(over));
}

/** The problems `text` is refused with, in English (or Korean). */
function problems(text: string, lang: 'en' | 'ko' = 'en', over: Partial<LoadOptions> = {}) {
  try {
    load(text, over);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.exitCode, 2);
    return err.problemsIn(lang);
  }
  assert.fail('the file was accepted');
}

describe('filter files', () => {
  it('reads a valid file into the spec the engine runs, fragments filled in', () => {
    const f = load(demo(DEFS));
    assert.equal(f.spec.name, 'demo');
    assert.deepEqual(f.spec.modes, ['normal']);
    assert.equal(f.spec.defaultMode, 'normal');
    assert.equal(f.spec.rules[0]!.pattern, 'bad password for (?<user>\\S+) from {HOST}$');
    assert.equal(f.origin, 'user');
    assert.equal(f.samples.length, 2);
    assert.equal(f.samples[0]!.at, 12);
    assert.equal(f.ruleAt.get('bad-password'), `${PATH}:9`);
  });

  it('names the file and line of a YAML syntax error', () => {
    assert.deepEqual(
      problems(demo(DEFS).replace('programs: [demo]', 'programs: [demo')).map((p) =>
        p.slice(0, PATH.length + 2),
      ),
      [`${PATH}:5`],
    );
  });

  it('names the line and path of each schema problem, all at once', () => {
    assert.deepEqual(
      problems(demo(`${DEFS}\nmodez: [normal]`).replace('result: fail', 'result: failed')),
      [
        `${PATH}:11: rules.0.result: expected one of fail, success, nofail, got "failed"`,
        `${PATH}:7: modez: unknown setting (check the spelling)`,
      ],
    );
  });

  it('refuses a name that is not the file name', () => {
    assert.deepEqual(problems(demo(DEFS).replace('name: demo', 'name: other')), [
      `${PATH}:1: name: must be the file name without .yaml (demo), got "other"`,
    ]);
  });

  it('refuses an unknown fragment where it is used', () => {
    assert.deepEqual(problems(demo()), [
      `${PATH}:8: rules.0.pattern: unknown fragment {USER} (define it under defs)`,
    ]);
  });

  it('refuses fragments that refer to each other in a loop, naming the loop', () => {
    const text = demo("defs:\n  USER: '{NAME}'\n  NAME: '(?:x{USER})'");
    assert.deepEqual(problems(text), [
      `${PATH}:6: defs.USER: fragments refer to each other in a loop: USER → NAME → USER`,
    ]);
    const self = demo("defs:\n  USER: 'a{USER}'");
    assert.match(
      problems(self)[0]!,
      /defs\.USER: fragments refer to each other in a loop: USER → USER/,
    );
  });

  it('expands fragments inside fragments, leaves {HOST} and quantifiers alone, refuses a HOST fragment', () => {
    const f = load(
      demo(
        "defs:\n  NAME: '\\S{1,32}'\n  USER: '(?<user>{NAME})'\n  FROM: ' from {HOST}$'",
        "  - id: bad-password\n    pattern: 'bad password for {USER}{FROM}'\n    result: fail",
      ),
    );
    assert.equal(f.spec.rules[0]!.pattern, 'bad password for (?<user>\\S{1,32}) from {HOST}$');
    assert.match(problems(demo(`${DEFS}\n  HOST: 'x'`))[0]!, /defs\.HOST: HOST is built in/);
  });

  it('refuses an invalid pattern and {HOST} twice, at the rule', () => {
    const bad = demo(DEFS, "  - id: bad-password\n    pattern: 'bad (password'\n    result: fail");
    assert.match(
      problems(bad)[0]!,
      new RegExp(
        `^${PATH}:9: rules\\.0\\.pattern: not a valid pattern: Invalid regular expression`,
      ),
    );
    const twice = demo(
      DEFS,
      "  - id: bad-password\n    pattern: 'bad {HOST} for {USER} from {HOST}'\n    result: fail",
    );
    assert.deepEqual(problems(twice), [
      `${PATH}:9: rules.0.pattern: not a valid pattern: {HOST} may appear only once`,
    ]);
  });

  it('refuses a default mode, per-mode result or sample mode that is not a mode', () => {
    const text = demo(
      `${DEFS}\nmodes: [normal, aggressive]\ndefaultMode: strict`,
      "  - id: bad-password\n    pattern: 'bad password for {USER} from {HOST}$'\n    result: {normal: fail, ddos: fail}",
    );
    const got = problems(text);
    assert.ok(
      got.includes(`${PATH}:8: defaultMode: not one of the modes (normal, aggressive): strict`),
      got.join('\n'),
    );
    assert.ok(
      got.some((p) => p.startsWith(`${PATH}:12: rules.0.result.ddos: not one of the modes`)),
      got.join('\n'),
    );
  });

  it('refuses a user filter whose sample fails, naming the sample line and what differs', () => {
    const text = demo(
      DEFS,
      DEMO_RULES,
      DEMO_SAMPLES.replace('address: 192.0.2.7', 'address: 192.0.2.8'),
    );
    assert.deepEqual(problems(text), [
      `${PATH}:12: samples.0.line: sample fails: address: expected "192.0.2.8", got "192.0.2.7" (mode normal)`,
    ]);
    assert.deepEqual(problems(text, 'ko'), [
      `${PATH}:12: samples.0.line: 샘플이 맞지 않습니다: address: expected "192.0.2.8", got "192.0.2.7" (mode normal)`,
    ]);
    // Built-ins' samples are the test suite's to check, not every start's.
    assert.equal(load(text, { checkSamples: false }).samples.length, 2);
  });

  it('refuses a rule without a sample, and samples without a line the filter leaves alone', () => {
    const rules = `${DEMO_RULES}\n  - id: unknown-user\n    pattern: 'unknown user {USER} from {HOST}$'\n    result: fail`;
    const samples = DEMO_SAMPLES.split('\n').slice(0, 4).join('\n');
    assert.deepEqual(problems(demo(DEFS, rules, samples)), [
      `${PATH}:11: rules.1.id: rule unknown-user has no sample (every rule needs one)`,
      `${PATH}:15: samples: needs at least one sample with result: none (a line the filter must leave alone)`,
    ]);
  });

  it('refuses a time format it cannot read', () => {
    const text = demo(`${DEFS}\nmatchOn: line\ntimeFormats: ['%Y-%m-%d %Q']`);
    assert.match(
      problems(text)[0]!,
      /:8: timeFormats\.0: not a valid time format: unknown directive %Q/,
    );
  });

  it("splices in another filter's rules with include:, and refuses an unknown one or a loop", () => {
    const pam = filterRegistry().get('pam-generic')!;
    const text = demo(DEFS, `${DEMO_RULES}\n  - include: pam-generic`);
    const f = load(text, {
      checkSamples: false,
      include: (n) => (n === 'pam-generic' ? pam : undefined),
    });
    assert.deepEqual(
      f.spec.rules.map((r) => r.id),
      ['bad-password', 'pam-failure', 'pam-failure-account', 'pam-failure-ruser'],
    );
    assert.match(f.ruleAt.get('pam-failure')!, /filters\/pam-generic\.yaml:\d+$/);
    assert.deepEqual(problems(text, 'en', { include: () => undefined }), [
      `${PATH}:11: rules.1.include: no filter named pam-generic to include`,
    ]);
    assert.deepEqual(problems(text, 'en', { chain: ['pam-generic'] }), [
      `${PATH}:11: rules.1.include: filters include each other in a loop: pam-generic → demo → pam-generic`,
    ]);
  });

  it("keeps an imported origin, and dovecot runs pam-generic's rules as before", () => {
    assert.equal(load(demo(`${DEFS}\norigin: imported`)).origin, 'imported');
    const dovecot = filterRegistry().spec('dovecot')!;
    assert.ok(dovecot.rules.some((r) => r.id === 'pam-failure-ruser'));
  });
});
