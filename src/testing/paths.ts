/** Paths for tests: fixtures live in the repository, beside src/ and dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRoot();

export function fixture(...parts: string[]): string {
  return join(REPO_ROOT, 'test', 'fixtures', ...parts);
}

/** What bin/sheriff runs: tests start it on their own Node.js (process.execPath). */
export const CLI = join(REPO_ROOT, 'bin', 'launch.js');
