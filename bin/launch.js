// The CLI lives in dist/ (built by `npm install` through `prepare`). Checked
// first: on an older Node.js it would fail later with a confusing error.
/* global process, URL */
// Node's own modules through process.getBuiltinModule, not ES imports, which load what
// every lazy export needs (packaging/bundle.ts). A Node.js too old to have it gets the
// import, and the message below.
const { readFileSync, statSync } =
  process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const needed = Number(/\d+/.exec(engines.node)[0]);
if (Number(process.versions.node.split('.')[0]) < needed) {
  process.stderr.write(
    `sheriff: needs Node.js ${engines.node}, but ${process.execPath} is ${process.version}.\n` +
      'Run ./scripts/install.sh in the repository: it installs the Node.js Sheriff needs into .runtime/.\n',
  );
  process.exit(2);
}
// The bundle (dist/bundle/, packaging/bundle.ts) loads much faster than tsc's hundreds of
// modules; tsc's own output when the bundle is older (a `tsc` run without `npm run build`).
const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const [compileCache, cli] =
  mtime('../dist/bundle/run.js') >= mtime('../dist/cli/run.js')
    ? [() => import('../dist/bundle/compile-cache.js'), () => import('../dist/bundle/run.js')]
    : [() => import('../dist/cli/compile-cache.js'), () => import('../dist/cli/run.js')];
// The compile cache first (cli/compile-cache.ts): it speeds up the modules loaded after it.
compileCache()
  .then(({ useCompileCache }) => {
    useCompileCache();
    return cli();
  })
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(
        'sheriff: not built yet. Run ./scripts/install.sh (or `npm run build`) in the repository first.\n',
      );
      process.exit(2);
    }
    throw err;
  });
