/**
 * Debian's fail2ban as the import tests read it: scripts/test.sh unpacks the
 * package into .cache/fail2ban (never installed: it would ban on the machine's
 * firewall); a machine with fail2ban installed has the same files in place.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

const UNPACKED = join(REPO_ROOT, '.cache', 'fail2ban');
const PY = 'usr/lib/python3/dist-packages';

function first(paths: string[], what: string): string {
  const found = paths.find((p) => existsSync(p));
  if (found === undefined)
    throw new Error(
      `Debian's fail2ban ${what} not found (${paths.join(', ')}): run scripts/test.sh, which unpacks it into .cache/fail2ban`,
    );
  return found;
}

/** The stock configuration directory (jail.conf, filter.d/). */
export function fail2banConfDir(): string {
  return first([join(UNPACKED, 'etc/fail2ban'), '/etc/fail2ban'], 'configuration');
}

/** fail2ban's annotated test logs (`# failJSON:` lines). */
export function fail2banTestLogs(): string {
  return first(
    [join(UNPACKED, PY, 'fail2ban/tests/files/logs'), join('/', PY, 'fail2ban/tests/files/logs')],
    'test logs',
  );
}

/** fail2ban-regex and the PYTHONPATH it needs, or null when python3 or the script is missing. */
export function fail2banRegex(): { script: string; pythonPath: string } | null {
  for (const root of [UNPACKED, '/']) {
    const script = join(root, 'usr/bin/fail2ban-regex');
    if (existsSync(script) && existsSync('/usr/bin/python3'))
      return { script, pythonPath: join(root, PY) };
  }
  return null;
}
