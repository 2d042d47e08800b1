/**
 * The browser app shares the API's types (contract.ts) but none of the server's
 * code: every import in its built JavaScript stays inside dist/web/ui.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const UI = join(dirname(fileURLToPath(import.meta.url)), 'ui');

function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? scripts(join(dir, e.name))
      : e.name.endsWith('.js')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('the browser app', () => {
  it('imports nothing from outside ui/: the contract is types only', () => {
    const files = scripts(UI);
    assert.ok(files.some((f) => f.endsWith('main.js')));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/\b(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const target = relative(UI, resolve(dirname(file), spec!));
        assert.ok(
          spec!.startsWith('.') && !target.startsWith('..'),
          `${relative(UI, file)} imports ${spec}`,
        );
      }
    }
  });
});
