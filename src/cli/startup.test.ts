/**
 * Every command starts by loading cli/main.js; libraries such as zod, SQLite,
 * pino or the AI SDK load only inside the commands that use them (dynamic
 * imports). This walks the static imports from main.js and names the chain
 * that pulls in any other package.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../testing/paths.js';

const STATIC_IMPORT = /^import\s+(?!type\b)(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function packagesLoadedBy(entry: string): Map<string, string[]> {
  const parent = new Map<string, string | null>([[entry, null]]);
  const packages = new Map<string, string[]>();
  const chainOf = (file: string): string[] => {
    const chain: string[] = [];
    for (let f: string | null = file; f !== null; f = parent.get(f) ?? null)
      chain.push(f.slice(f.indexOf('/dist/') + 6));
    return chain;
  };
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (spec!.startsWith('node:')) continue;
      if (!spec!.startsWith('.')) {
        if (!packages.has(spec!)) packages.set(spec!, chainOf(file));
        continue;
      }
      const next = resolve(dirname(file), spec!);
      if (parent.has(next)) continue;
      parent.set(next, file);
      todo.push(next);
    }
  }
  return packages;
}

describe('start-up', () => {
  it('loads no package but commander before a command runs', () => {
    const packages = packagesLoadedBy(join(REPO_ROOT, 'dist', 'cli', 'main.js'));
    const extra = [...packages].filter(([name]) => name !== 'commander');
    assert.deepEqual(
      extra.map(([name, chain]) => `${name} <- ${chain.join(' <- ')}`),
      [],
    );
  });
});
