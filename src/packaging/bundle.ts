/**
 * Build-time only (not shipped): bundles the CLI into dist/bundle/ with esbuild,
 * which bin/launch.js runs. Resolving and linking ~300 small ES modules (Sheriff's
 * own, zod's and yaml's) was most of a command's start-up; the bundle is one
 * module per command plus the chunks they share (code splitting keeps every
 * lazy `import()` lazy), so each command still loads only what it uses.
 *   node dist/packaging/bundle.js  →  dist/bundle/: run.js, compile-cache.js, the workers, chunk-*.js
 *
 * tsc stays the type checker and the tests still run on dist/ as tsc writes it.
 * dist/bundle/ sits two levels below the package root like every dist/<area>/,
 * so the paths the code finds from `import.meta.url` (../../package.json,
 * ../../filters/, the workers beside their callers, ../web/ui/) hold in both.
 */
import { readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLE_DIR = join(REPO_ROOT, 'dist', 'bundle');
export const BUNDLE_SOURCES = 'sources.json';

/**
 * Libraries bundled in: pure JavaScript with many small modules each. The others
 * stay in node_modules: native (better-sqlite3), worker or transport files of
 * their own (pino, recheck), or loaded only when a feature is configured.
 */
const BUNDLED = new Set(['zod', 'yaml', 'commander']);
// (yaml and commander are CommonJS: `await import('yaml')` gives only `default` in the
// bundle, where Node gives the named exports too; take them from `.default`, as both have it.)

/** Entry points: the CLI and what launch.js runs before it (the workers are found, below). */
const ENTRIES: Record<string, string> = {
  run: 'cli/run.ts',
  'compile-cache': 'cli/compile-cache.ts',
};

const WORKER = /new Worker\(\s*new URL\(\s*'\.\/([\w-]+)\.js',\s*import\.meta\.url\s*\)/g;

/**
 * Every worker script the product starts (`new Worker(new URL('./x.js', import.meta.url))`),
 * as an entry of its own: in the bundle's one directory, `./x.js` is still beside its caller.
 */
async function workerEntries(src: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const file of await readdir(src, { recursive: true })) {
    if (!file.endsWith('.ts') || /\.test\.ts$|^(testing|bench|packaging)\//.test(file)) continue;
    for (const [, name] of readFileSync(join(src, file), 'utf8').matchAll(WORKER)) {
      const path = join(dirname(file), `${name}.ts`);
      if (name! in ENTRIES || (name! in entries && entries[name!] !== path))
        throw new Error(
          `two bundle entries named ${name}: ${entries[name!] ?? ENTRIES[name!]}, ${path}`,
        );
      entries[name!] = path;
    }
  }
  return entries;
}

/**
 * The modules `require`d only when needed (a `require` of an ES module is synchronous,
 * so their callers stay so), by the source that requires them: compose.ts a feature's
 * when it is configured, the filter registry the YAML reader for a filter with no
 * stored form. Each is made an entry of its own, which its caller requires beside it:
 * its libraries (grammy, yaml, zod, …) load with it and not before, and the modules it
 * shares with the rest are the same instances, in the chunks both import.
 */
const LAZY_REQUIRES: Record<string, Record<string, string>> = {
  'app/compose.ts': {
    '../notify/service.js': 'notify-service',
    '../web/start.js': 'web-console',
  },
  'filters/registry.ts': {
    './load.js': 'filter-load',
  },
};

const lazyRequires: Plugin = {
  name: 'lazy-requires',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const specs = LAZY_REQUIRES[relative(join(REPO_ROOT, 'src'), args.path)];
      if (specs === undefined) return undefined;
      const source = readFileSync(args.path, 'utf8').replace(
        /\brequire\('([^']+)'\)/g,
        (_call, spec: string) => {
          const entry = specs[spec];
          if (entry === undefined) throw new Error(`${args.path}: require('${spec}') has no entry`);
          return `require('./${entry}.js')`;
        },
      );
      return { contents: source, loader: 'ts' };
    });
  },
};

/**
 * Node's own modules taken with `process.getBuiltinModule` instead of an ES import.
 * Node builds an ES import's namespace from every export, calling each lazy getter:
 * `node:fs` loads streams, fs/promises and readline for `ReadStream` and `promises`,
 * `node:process` creates stdin, `node:util` loads worker_threads, on every command.
 * Here each export used is read when its importer loads, as the import would, and
 * the unused ones (pure, so dropped) never are. A bundled CommonJS library's
 * `require` is left as it was.
 */
const builtinsWithoutNamespace: Plugin = {
  name: 'builtins-without-namespace',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const names = Object.keys(process.getBuiltinModule(args.path) as object).filter(
        (name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default',
      );
      const lines = [
        `const m = process.getBuiltinModule(${JSON.stringify(args.path)});`,
        'export default m;',
        ...names.map((name) => `export const ${name} = /* @__PURE__ */ (() => m.${name})();`),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/**
 * zod's translations of its own messages, but English: zod's namespace (`z.locales`)
 * brings in all of them, some 60 modules and half of zod's code in a bundle, loaded
 * by every command that checks with zod. Sheriff words every issue itself
 * (config/yaml-problems.ts), and zod's English stays its default.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

export async function bundle(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const src = join(REPO_ROOT, 'src');
  const lazyEntries = Object.fromEntries(
    Object.entries(LAZY_REQUIRES).flatMap(([file, specs]) =>
      Object.entries(specs).map(([spec, name]) => [
        name,
        join(dirname(file), spec.replace(/\.js$/, '.ts')),
      ]),
    ),
  );
  await rm(BUNDLE_DIR, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: Object.fromEntries(
      Object.entries({ ...ENTRIES, ...(await workerEntries(src)), ...lazyEntries }).map(
        ([name, path]) => [name, join(src, path)],
      ),
    ),
    absWorkingDir: REPO_ROOT,
    outdir: BUNDLE_DIR,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
    // The bundled CommonJS libraries (yaml, commander) call require for Node's own modules;
    // compose.ts and the filter registry declare their own.
    banner: {
      js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);",
    },
    plugins: [lazyRequires, builtinsWithoutNamespace, zodEnglishOnly],
    logLevel: 'warning',
    metafile: true,
    // Less source to parse and to keep in the heap (idle watch ~2 MiB less); names stay, for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
  });
  // Which sources each output holds: what tests of a command's loading read (testing/loaded-modules.ts).
  const sources = Object.fromEntries(
    Object.entries(metafile.outputs).map(([out, o]) => [
      out.slice(out.lastIndexOf('/') + 1),
      Object.keys(o.inputs),
    ]),
  );
  await writeFile(join(BUNDLE_DIR, BUNDLE_SOURCES), JSON.stringify(sources) + '\n');
}

await bundle();
