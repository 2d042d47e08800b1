/**
 * What npm publishes (package.json "files", also the .deb's /usr/lib/sheriff)
 * is what runs in production: no tests, test helpers, fakes or benchmarks,
 * and nothing production code loads is left out.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../testing/paths.js';

const run = promisify(execFile);
/** Where production code starts: the CLI, and the web console's page script. */
const ENTRIES = ['bin/launch.js', 'dist/web/ui/main.js'];
/**
 * Static and dynamic imports, `require` of a module loaded only when configured
 * (app/compose.ts; `require2` once bundled), and worker scripts (`new URL('./x.js', import.meta.url)`).
 */
const RELATIVE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*|\brequire\d*\(\s*|\bnew URL\(\s*)['"](\.{1,2}\/[^'"]+\.js)['"]/gm;

async function packedFiles(): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
  });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return pack.files.map((f) => f.path);
}

describe('npm pack', () => {
  it('lists no tests, test helpers, fakes, benchmarks or source maps', async () => {
    const files = await packedFiles();
    const unwanted = files.filter((f) =>
      /\.test\.js$|\.map$|(^|\/)testing(\/|\.js$)|^dist\/bench\/|^dist\/packaging\/|^src\/|fake/.test(
        f,
      ),
    );
    assert.deepEqual(unwanted, []);
    assert.ok(files.includes('bin/sheriff') && files.includes('dist/cli/main.js'));
  });

  it('holds every module production code imports, and no module it does not', async () => {
    const files = new Set(await packedFiles());
    const reached = new Set<string>();
    const missing: string[] = [];
    const todo = [...ENTRIES];
    for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
      if (reached.has(file)) continue;
      reached.add(file);
      if (!files.has(file)) missing.push(file);
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      for (const [, spec] of text.matchAll(RELATIVE_IMPORT))
        todo.push(normalize(join(dirname(file), spec!)));
    }
    assert.deepEqual(missing, [], 'imported by production code but not packed');
    // Type-only modules compile to an empty `export {};`: harmless, and not worth a list.
    const unreached = [...files].filter(
      (f) =>
        f.endsWith('.js') &&
        !reached.has(f) &&
        readFileSync(join(REPO_ROOT, f), 'utf8')
          .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
          .trim() !== 'export {};',
    );
    assert.deepEqual(unreached, [], 'packed but never loaded: exclude it in package.json "files"');
  });
});
