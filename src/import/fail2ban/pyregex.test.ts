import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandLiterals, PyRegexError, translatePattern } from './pyregex.js';

/** The first pattern of the translation that matches, with its groups, as the rules would try them. */
function run(python: string, text: string): Record<string, string | undefined> | null {
  for (const { source } of translatePattern(python).patterns) {
    const m = new RegExp(source).exec(text);
    if (m !== null) return { ...m.groups, $0: m[0] };
  }
  return null;
}

describe('Python regex → JavaScript', () => {
  it('renames named groups and turns (?P=name) into a numbered back-reference', () => {
    const py = String.raw`for user (?P<q>['"]?)(?P<user>[^'"]+)(?P=q) from`;
    assert.equal(run(py, `for user 'alice' from`)?.user, 'alice');
    assert.equal(run(py, `for user "bob" from`)?.user, 'bob');
    assert.equal(run(py, `for user 'carol" from`), null);
    // \1 must not swallow a digit that follows it.
    assert.equal(run(String.raw`(?P<d>\d)(?P=d)0`, '110')?.$0, '110');
  });

  it('expands a conditional group into the two readings, in the order Python tries them', () => {
    const py = String.raw`^(?P<tls>TLS )?client certificate (?(tls)rejected|missing) for (?P<host>\S+)$`;
    assert.equal(translatePattern(py).patterns.length, 2);
    assert.equal(run(py, 'TLS client certificate rejected for a')?.host, 'a');
    assert.equal(run(py, 'client certificate missing for b')?.host, 'b');
    assert.equal(run(py, 'TLS client certificate missing for c'), null);
    assert.equal(run(py, 'client certificate rejected for d'), null);
    // The group in an alternation (sshd's cond_user) and a numbered condition.
    const alt = String.raw`^(?:(?P<u>\S+)|x(?P<v>y)?)(?(u):|;)$`;
    assert.deepEqual(translatePattern(alt).rewritten, ['(?(group)yes|no)']);
    assert.notEqual(run(alt, 'abc:'), null);
    assert.notEqual(run(alt, 'x;'), null);
    assert.equal(run(alt, 'abc;'), null);
    assert.notEqual(run(String.raw`^(a)?(?(1)b|c)$`, 'ab'), null);
    assert.equal(run(String.raw`^(a)?(?(1)b|c)$`, 'ac'), null);
    assert.notEqual(run(String.raw`^(a)?(?(1)b|c)$`, 'c'), null);
  });

  it('says which probed group takes part in each reading (fail2ban’s nofail)', () => {
    const t = translatePattern(String.raw`^Failed (?:(?P<nofail>publickey)|\S+) for`, ['nofail']);
    assert.deepEqual(
      t.patterns.map((p) => [new RegExp(p.source).test('Failed publickey for'), p.took.nofail]),
      [
        [true, true],
        [true, false],
      ],
    );
    assert.equal(new RegExp(t.patterns[0]!.source).test('Failed password for'), false);
  });

  it('keeps possessive quantifiers and atomic groups from giving back what they took', () => {
    assert.equal(run('^a++ab', 'aaab'), null);
    assert.equal(run('^a+ab', 'aaab')?.$0, 'aaab');
    assert.equal(run('^(?>ab|a)b', 'ab'), null);
    assert.equal(run('^(?:ab|a)b', 'ab')?.$0, 'ab');
    assert.equal(run('^x{,2}y', 'xxy')?.$0, 'xxy');
  });

  it('translates flags, anchors, comments and sets that JavaScript spells otherwise', () => {
    assert.equal(run('(?i)failed LOGIN', 'FAILED login')?.$0, 'FAILED login');
    assert.equal(run('^(?:(?i)abc)d', 'ABCd')?.$0, 'ABCd');
    assert.equal(run('(?x) a b  # spaced out\n c', 'abc')?.$0, 'abc');
    assert.equal(run(String.raw`\Aab\Z`, 'ab')?.$0, 'ab');
    assert.equal(run(String.raw`ab\Z`, 'abc'), null);
    assert.equal(run('[]x]+', 'a]x]')?.$0, ']x]');
    assert.equal(run('a(?#note)b', 'ab')?.$0, 'ab');
  });

  it('refuses what has no JavaScript form, with the reason', () => {
    assert.throws(() => translatePattern(String.raw`\N{EM DASH}`), PyRegexError);
    assert.throws(() => translatePattern('(?L)a'), /\(\?L\)/);
    assert.throws(() => translatePattern('(?P<a>x)(?P<a>y)'), /used twice/);
    assert.throws(() => translatePattern('(?(nope)a|b)'), /unknown group/);
    assert.throws(() => translatePattern('a)'), /unbalanced/);
  });
});

describe('a date pattern’s texts', () => {
  it('lists the few texts a small pattern allows, longest first', () => {
    assert.deepEqual(expandLiterals(String.raw`%Y(?P<s>[-/])%m(?P=s)%d(?:\.%f)?`), [
      '%Y-%m-%d.%f',
      '%Y-%m-%d',
      '%Y/%m/%d.%f',
      '%Y/%m/%d',
    ]);
    assert.equal(expandLiterals('%d/%b[^/]*/%Y'), null);
    assert.equal(expandLiterals(String.raw`\d+`), null);
  });
});
