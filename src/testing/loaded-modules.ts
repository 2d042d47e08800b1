/**
 * `--import` hook for tests of what a command loads: appends the URL of every
 * module the process loads, one per line, to the file in SHERIFF_TEST_LOADED
 * (as it loads, so a process ended by a signal has still written its list).
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.SHERIFF_TEST_LOADED;
if (out !== undefined)
  registerHooks({
    load(url, context, next) {
      appendFileSync(out, url + '\n');
      return next(url, context);
    },
  });

/** The npm packages among the URLs such a list holds (`@scope/name` or `name`). */
export function packagesIn(list: string): Set<string> {
  const packages = new Set<string>();
  for (const url of list.split('\n')) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]!);
  }
  return packages;
}
