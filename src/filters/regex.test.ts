import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberGroups } from './regex.js';

describe('numberGroups', () => {
  it('numbers named groups as the regex engine would, skipping non-capturing ones and classes', () => {
    const source = String.raw`(?:a|b)(?<user>.*?) from (x)(?<host>[\w.]+)(?=[(])(?<!q)\((?<port>\d+)`;
    const { source: plain, groups } = numberGroups(source);
    assert.deepEqual(
      [...groups],
      [
        ['user', 1],
        ['host', 3],
        ['port', 4],
      ],
    );
    const text = 'a root from x192.0.2.1(22';
    const named = new RegExp(source).exec(text)!.groups!;
    const numbered = new RegExp(plain).exec(text)!;
    for (const [name, n] of groups) assert.equal(numbered[n], named[name], name);
  });

  it('refuses an unclosed group name instead of scanning for ever', () => {
    assert.throws(() => numberGroups('(?<user.*'), /unterminated group name/);
  });

  it('refuses named back-references', () => {
    assert.throws(() => numberGroups(String.raw`(?<a>x)\k<a>`));
  });
});
