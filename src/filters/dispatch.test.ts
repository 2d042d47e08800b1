/**
 * The dispatch on a message's leading literal: read from the patterns, it must
 * never leave out a rule that matches (else a line goes unclassified), and must
 * keep the filter's order (else another rule wins). Checked on every built-in
 * filter against random messages, and end to end against a reference classifier
 * that tries every rule on every line, as the engine did before the dispatch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthEvent } from '../domain.js';
import { LineParser, unparsedRecord } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { finiteLanguage, LeadingDispatch, leadingLiterals, PrefixSkipper } from './dispatch.js';
import { compileFilter, filterRegexes } from './engine.js';
import { filterRegistry } from './registry.js';
import type { FilterSpec } from './spec.js';

describe('leading literals of a pattern', () => {
  it('expands alternatives, classes and optional groups, and stops where it cannot', () => {
    assert.deepEqual(leadingLiterals('Failed (?<m>[\\w/-]+) for'), ['Failed ']);
    assert.deepEqual(leadingLiterals('(?:[iI]nvalid|[iI]llegal) user (?<u>.*)'), [
      'invalid user ',
      'Invalid user ',
      'illegal user ',
      'Illegal user ',
    ]);
    assert.deepEqual(leadingLiterals('^a(?:b|c)?d\\.e\\s'), ['abd.e', 'acd.e', 'ad.e']);
    // `{HOST}` and `{2}` make the character before them optional: it is left out.
    assert.deepEqual(leadingLiterals('from {HOST}'), ['from']);
    assert.deepEqual(leadingLiterals('ab{2}c'), ['a']);
    assert.deepEqual(leadingLiterals('ab+c'), ['ab']);
    assert.deepEqual(leadingLiterals('ab*c'), ['a']);
  });

  it('says nothing (always try) when the start is not literal', () => {
    for (const p of ['\\w+ x', '.*', '(?!x)y', '(?=)abc', '[^a]b', '[a-z]x', 'a|\\d', '(?:a|)b*'])
      assert.ok(leadingLiterals(p).includes(''), p);
  });

  it('lists a finite prefix in the order the regex tries it', () => {
    assert.deepEqual(finiteLanguage('(?:(?:error|fatal): )?(?:PAM: )?'), [
      'error: PAM: ',
      'error: ',
      'fatal: PAM: ',
      'fatal: ',
      'PAM: ',
      '',
    ]);
    assert.deepEqual(finiteLanguage('(?:x: )??'), ['', 'x: ']);
    assert.equal(finiteLanguage('(?:\\w+: )?'), null);
  });
});

const builtins = filterRegistry()
  .all()
  .map((f) => f.spec)
  .filter((s) => s.matchOn !== 'line');

/** Words of the filter's own rules and samples, so random messages often come close to matching. */
function fragments(spec: FilterSpec, samples: readonly string[]): string[] {
  const words = new Set<string>(['192.0.2.7', '2001:db8::1', 'port', '22', ' ', ': ', 'x']);
  for (const r of spec.rules) for (const l of leadingLiterals(r.pattern)) if (l) words.add(l);
  for (const line of samples) for (const w of line.split(/(?<= )/)) words.add(w);
  for (const t of finiteLanguage(spec.messagePrefix ?? '') ?? []) if (t) words.add(t);
  return [...words];
}

const parser = () =>
  new LineParser({ zone: new TimeZone('UTC'), reference: () => Date.UTC(2026, 11, 1) });

function messageOf(line: string, p: LineParser): string {
  return (p.parse(line) ?? unparsedRecord(line)).message;
}

describe('dispatch on every built-in filter', () => {
  for (const spec of builtins) {
    const loaded = filterRegistry().get(spec.name)!;
    const sampleLines = loaded.samples.map((s) => s.text);
    const p = parser();
    const sampleMessages = sampleLines.map((l) => messageOf(l, p));
    const words = fragments(spec, sampleMessages);
    const randomMessage = fc.oneof(
      fc.constantFrom(...sampleMessages),
      fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 12 }).map((a) => a.join('')),
      fc.tuple(fc.constantFrom(...sampleMessages), fc.nat(), fc.string()).map(([m, at, s]) => {
        const k = at % (m.length + 1);
        return m.slice(0, k) + s + m.slice(k);
      }),
    );

    it(`${spec.name}: every rule that matches is a candidate, in the filter's order`, () => {
      const sticky = new Map(
        filterRegexes(spec)
          .filter((r) => r.re.sticky)
          .map((r) => [r.rule, r.re]),
      );
      const dispatch = new LeadingDispatch(
        spec.rules.map((r, k) => ({ literals: leadingLiterals(r.pattern), value: k })),
      );
      const prefix =
        spec.messagePrefix === undefined ? null : new PrefixSkipper(spec.messagePrefix);
      fc.assert(
        fc.property(randomMessage, (message) => {
          let start = 0;
          if (prefix !== null) {
            prefix.regex.lastIndex = 0;
            const byRegex = prefix.regex.exec(message) === null ? 0 : prefix.regex.lastIndex;
            start = prefix.skip(message);
            assert.equal(start, byRegex, 'prefix skipped as its regex would');
            const header = 'host sshd[1]: ';
            assert.equal(prefix.skip(header + message, header.length), header.length + start);
          }
          const candidates = dispatch.candidates(message, start);
          assert.deepEqual(
            [...candidates].sort((a, b) => a - b),
            candidates,
          );
          spec.rules.forEach((rule, k) => {
            const re = sticky.get(rule.id);
            if (re === undefined) return; // the same regex as an earlier rule's
            re.lastIndex = start;
            if (re.test(message))
              assert.ok(candidates.includes(k), `${rule.id} matches ${JSON.stringify(message)}`);
          });
        }),
        { numRuns: 300 },
      );
    });
  }
});

/** The filter with no literal start anywhere: every rule is tried on every line. */
function withoutDispatch(spec: FilterSpec): FilterSpec {
  return {
    ...spec,
    ...(spec.messagePrefix === undefined ? {} : { messagePrefix: `(?=)${spec.messagePrefix}` }),
    rules: spec.rules.map((r) => ({ ...r, pattern: `(?=)${r.pattern}` })),
  };
}

describe('the dispatched classifier against one that tries every rule', () => {
  for (const name of ['sshd', 'dovecot', 'postfix', 'pam-generic']) {
    it(`${name}: the same events for random sequences of lines`, () => {
      const spec = filterRegistry().spec(name)!;
      const samples = filterRegistry()
        .get(name)!
        .samples.map((s) => s.text);
      const line = fc.oneof(
        fc.constantFrom(...samples),
        fc.tuple(fc.constantFrom(...samples), fc.nat(), fc.string()).map(([m, at, s]) => {
          const k = at % (m.length + 1);
          return m.slice(0, k) + s + m.slice(k);
        }),
      );
      fc.assert(
        fc.property(
          fc.array(line, { maxLength: 40 }),
          fc.constantFrom(...spec.modes),
          (lines, mode) => {
            const fast = compileFilter(spec, mode);
            const reference = compileFilter(withoutDispatch(spec), mode);
            const p = parser();
            for (const l of lines) {
              const record = p.parse(l) ?? unparsedRecord(l);
              const got: AuthEvent | null = fast.classify(record, l);
              assert.deepEqual(got, reference.classify(record, l), l);
            }
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
