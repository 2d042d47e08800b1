// The CLI lives in dist/ (built by `npm install` through `prepare`). Checked
// first: on an older Node.js it would fail later with a confusing error.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const needed = Number(/\d+/.exec(engines.node)[0]);
if (Number(process.versions.node.split('.')[0]) < needed) {
  process.stderr.write(
    `sheriff: needs Node.js ${engines.node}, but ${process.execPath} is ${process.version}.\n` +
      'Run ./scripts/install.sh in the repository: it installs the Node.js Sheriff needs into .runtime/.\n',
  );
  process.exit(2);
}
// The compile cache first (dist/cli/compile-cache.js): it speeds up the modules loaded after it.
import('../dist/cli/compile-cache.js')
  .then(({ useCompileCache }) => {
    useCompileCache();
    return import('../dist/cli/run.js');
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
