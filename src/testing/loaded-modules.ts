/**
 * `--import` hook for tests of what a command loads: appends the URL of every
 * module the process loads, one per line, to the file in SHERIFF_TEST_LOADED
 * (as it loads, so a process ended by a signal has still written its list),
 * and at exit Node's own modules it loaded.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.SHERIFF_TEST_LOADED;
if (out !== undefined) {
  registerHooks({
    load(url, context, next) {
      appendFileSync(out, url + '\n');
      return next(url, context);
    },
  });
  // Node's own modules load without these hooks: listed at exit (from the undocumented but
  // long-standing process.moduleLoadList), as `node-internal:<id>`.
  process.on('exit', () => {
    const { moduleLoadList } = process as unknown as { moduleLoadList: string[] };
    const own = moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => `node-internal:${m.slice('NativeModule '.length)}\n`);
    appendFileSync(out, own.join(''));
  });
}

const BUNDLED = /^(file:\/\/.*\/dist\/bundle\/)([^/]+\.js)$/;

/**
 * The modules such a list names, with each file of the bundle (dist/bundle/,
 * packaging/bundle.ts) replaced by the sources it holds (from its sources.json):
 * `src/cli/watch.ts`, `…/node_modules/zod/…`, or the URLs as loaded when the
 * CLI ran from tsc's dist/.
 */
export function modulesIn(list: string): string[] {
  const sources = new Map<string, Record<string, string[]>>();
  return list.split('\n').flatMap((url) => {
    const m = BUNDLED.exec(url);
    if (m === null) return url === '' ? [] : [url];
    const [, dir, file] = m as unknown as [string, string, string];
    let outputs = sources.get(dir);
    if (outputs === undefined) {
      outputs = JSON.parse(readFileSync(new URL('sources.json', dir), 'utf8')) as Record<
        string,
        string[]
      >;
      sources.set(dir, outputs);
    }
    return outputs[file] ?? [url];
  });
}

/** Whether the list holds the source `src/<path>.ts` (bundled, or as tsc's dist/<path>.js). */
export function loadsSource(list: string, path: string): boolean {
  return modulesIn(list).some((m) => m === `src/${path}.ts` || m.endsWith(`/dist/${path}.js`));
}

/** The npm packages among the modules such a list holds (`@scope/name` or `name`). */
export function packagesIn(list: string): Set<string> {
  const packages = new Set<string>();
  for (const module of modulesIn(list)) {
    // A URL (…/node_modules/x/…) or a bundled source relative to the repository (node_modules/x/…).
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module);
    if (m) packages.add(m[1]!);
  }
  return packages;
}
