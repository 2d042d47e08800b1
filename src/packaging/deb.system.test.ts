/**
 * The .deb as an admin gets it: `npm run package` builds it, dpkg installs it
 * on this machine, the installed command runs on its own Node.js, the unit
 * passes systemd-analyze, and dpkg -r leaves nothing behind but the
 * configuration, which dpkg -P removes too. Needs root; skipped where a
 * sheriff package is already installed (an admin's, not ours to replace).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../testing/paths.js';

const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const CONFFILE = '/etc/sheriff/sheriff.yaml';
const UNIT = '/lib/systemd/system/sheriff.service';

/** dpkg's state of the sheriff package: "installed", "config-files", or null when unknown to dpkg. */
async function packageState(): Promise<string | null> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', 'sheriff']);
    return stdout.trim() === 'not-installed' ? null : stdout.trim();
  } catch {
    return null;
  }
}

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'dpkg -i needs root';
  return false;
}

describe('the Debian package', { skip: skipReason() }, () => {
  it('installs, runs on its own Node.js, and removes cleanly', async (t) => {
    if ((await packageState()) !== null)
      return t.skip('a sheriff package is already installed on this machine');
    const out = await mkdtemp(join(tmpdir(), 'sheriff-deb-'));
    const sheriff = (...args: string[]) =>
      run('/usr/bin/sheriff', args, { env: { ...process.env, SHERIFF_LANG: 'en' } });
    try {
      // The suite has just built dist/; the .deb takes that build.
      const built = await run('bash', [join(REPO_ROOT, 'scripts', 'package.sh'), out], {
        env: { ...process.env, SHERIFF_PREBUILT: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      const deb = join(out, `sheriff_${version}_amd64.deb`);
      assert.equal(built.stdout.trim().split('\n').at(-1), deb);

      await run('dpkg', ['-i', deb]);
      assert.equal(await packageState(), 'installed');
      const installed = (await run('dpkg-query', ['-L', 'sheriff'])).stdout.trim().split('\n');

      assert.equal((await sheriff('--version')).stdout.trim(), version);
      assert.match(
        (await sheriff('config', 'check')).stdout,
        /^\/etc\/sheriff\/sheriff\.yaml: valid/,
      );
      const demo = await sheriff('demo', '--speed', '60');
      assert.match(demo.stdout, /dry-run firewall: would block \S+ now/);
      assert.match((await run('man', ['-w', 'sheriff'])).stdout, /sheriff\.1\.gz/);
      for (const f of [
        '/usr/share/bash-completion/completions/sheriff',
        '/usr/share/zsh/vendor-completions/_sheriff',
        UNIT,
        CONFFILE,
      ])
        assert.ok(installed.includes(f), `${f} is in the package`);
      // Nothing of Sheriff's development tree: no tests, helpers, headers or npm
      // (dependencies' own files are theirs).
      const shipped = installed.filter(
        (f) =>
          !f.includes('/node_modules/') &&
          /\.test\.js$|\/testing\/|\/include\/node\/|\/bin\/npm$/.test(f),
      );
      assert.deepEqual(shipped, []);

      const verify = await run('systemd-analyze', ['verify', UNIT]);
      assert.equal(verify.stderr, '', 'systemd-analyze verify has no complaint');

      await run('dpkg', ['-r', 'sheriff']);
      assert.equal(await packageState(), 'config-files');
      const left = installed.filter((f) => existsSync(f) && !isSharedDirectory(f));
      assert.deepEqual(left, ['/etc/sheriff', CONFFILE], 'only the configuration stays');

      await run('dpkg', ['-P', 'sheriff']);
      assert.equal(await packageState(), null);
      assert.equal(existsSync('/etc/sheriff'), false);
    } finally {
      if ((await packageState()) !== null) await run('dpkg', ['-P', 'sheriff']);
      await rm(out, { recursive: true, force: true });
    }
  });
});

/** Directories other packages own too (/usr/bin, /lib/systemd/system, …) rightly stay. */
function isSharedDirectory(path: string): boolean {
  return !path.includes('sheriff');
}
