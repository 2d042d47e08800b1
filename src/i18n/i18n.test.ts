import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOG_PARTS, translator } from './index.js';

const placeholders = (s: string): string[] =>
  [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('message catalogs', () => {
  it('no two areas define the same key', () => {
    const seen = new Map<string, number>();
    CATALOG_PARTS.forEach((part, i) => {
      for (const key of Object.keys(part.en)) {
        assert.equal(
          seen.get(key),
          undefined,
          `key "${key}" is defined by areas ${seen.get(key)} and ${i}`,
        );
        seen.set(key, i);
      }
    });
  });

  it('every Korean message is written and uses the same parameters as the English one', () => {
    for (const part of CATALOG_PARTS) {
      const ko: Record<string, string> = part.ko;
      for (const [key, en] of Object.entries(part.en as Record<string, string>)) {
        assert.ok(ko[key]?.trim(), `ko is missing "${key}"`);
        assert.deepEqual(placeholders(ko[key]!), placeholders(en), `parameters of "${key}" differ`);
      }
    }
  });

  it('substitutes parameters as plain text', () => {
    const t = translator('en');
    assert.equal(t('cli.error.prefix', { message: '<b>{x}</b>' }), 'sheriff: <b>{x}</b>');
  });
});
