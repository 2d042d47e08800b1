/**
 * The two test tiers, kept honest. `npm run test:unit` runs every `*.test.ts` except the
 * `*.system.test.ts` ones, as any user on any machine with Node.js: no root, no network
 * namespace, no browser, no system program such as sshd, rsyslogd, nft, ipset or ufw.
 * `npm run test:system` runs the rest: tests that need the machine, and the few that take
 * minutes (SLOW). This test reads each unit-tier test file and the test helpers it imports,
 * and fails when one of them reaches for the machine; and each system test must either reach
 * for it or be in SLOW, so the system tier does not become a place to hide tests.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './paths.js';

const SRC = join(REPO_ROOT, 'src');

/** System tests that need no more than the unit tier, but minutes of it, and why. */
const SLOW: Record<string, string> = {
  'src/filters/redos.system.test.ts':
    'recheck proves every built-in regex linear: a minute or more',
  'src/web/attack.system.test.ts': 'hundreds of real scrypt password checks over real HTTP',
  'src/bench/soak.system.test.ts': 'the daemon killed -9 again and again under a stream of lines',
  'src/cli/watch.system.test.ts': 'real `sheriff watch` processes through log rotations',
  'src/cli/watch-store.system.test.ts': 'daemons and sqlite3 processes sharing one store at once',
  'src/eval/scenarios.system.test.ts':
    'ten simulated weeks of auth.log through the pipeline, with the hourly long-horizon search',
};

/** Modules that reach for the machine: importing one puts a test in the system tier. */
const MACHINE_MODULES: [RegExp, string][] = [
  [/^src\/testing\/netns\.ts$/, 'network namespaces (root)'],
  [/^src\/testing\/e2e\//, 'the sshd and rsyslogd sandbox (root, network namespaces)'],
  [/^src\/testing\/nats-server\.ts$/, 'a real nats-server'],
];
const MACHINE_PACKAGES: Record<string, string> = { 'playwright-core': 'a browser' };
/** Programs a unit test must not run (`sh` and `node` are fine; so is `sqlite3`, a plain tool). */
const MACHINE_PROGRAMS = [
  'sshd',
  'ssh',
  'sshpass',
  'rsyslogd',
  'logger',
  'nft',
  'iptables',
  'ip6tables',
  'ipset',
  'ufw',
  'ip',
  'unshare',
  'nsenter',
  'setpriv',
  'systemctl',
  'systemd-analyze',
  'chromium',
  'dpkg',
  'dpkg-query',
  'dpkg-deb',
  'man',
  'groff',
  'zsh',
];
/** A program run by name: execFile, spawn, sh, must… whose first argument (or argv) names it. */
const PROGRAM_CALL = new RegExp(
  String.raw`\b(?:execFile|execFileSync|spawn|spawnSync|exec|execSync|run|sh|must)\(\s*\[?\s*` +
    String.raw`(['"\x60])(?:/usr)?(?:/s?bin/)?(${MACHINE_PROGRAMS.join('|')})\1\s*[,\])]`,
  'g',
);
/**
 * Root's powers: giving files away, or running a child as nobody or root (a unit test uses
 * testing/users.ts's `unprivileged`, which works for root and everyone else).
 */
const ROOT_USE = /\bchown(?:Sync)?\(|\bsetuid\(|\b[ug]id:\s*(?:65534|0)\b/g;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)['"]([^'"]+)['"]/gm;

const rel = (abs: string) => relative(REPO_ROOT, abs);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Test-side code: helpers a test imports, which (unlike production code) may run anything. */
const testSide = (file: string) =>
  /^src\/testing\//.test(rel(file)) || file.endsWith('/testing.ts') || file.endsWith('.test.ts');

/** What in `file` and the test helpers it imports (transitively) reaches for the machine. */
function machineNeeds(file: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const todo = [file];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(PROGRAM_CALL)) found.add(`${rel(f)} runs ${m[2]}`);
    for (const m of text.matchAll(ROOT_USE)) found.add(`${rel(f)} needs root (${m[0]})`);
    for (const [, spec] of text.matchAll(IMPORT)) {
      if (MACHINE_PACKAGES[spec!] !== undefined)
        found.add(`${rel(f)} imports ${spec}: ${MACHINE_PACKAGES[spec!]}`);
      if (!spec!.startsWith('.')) continue;
      const target = join(dirname(f), spec!.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) continue;
      for (const [re, what] of MACHINE_MODULES)
        if (re.test(rel(target))) found.add(`${rel(f)} imports ${rel(target)}: ${what}`);
      if (testSide(target)) todo.push(target);
    }
  }
  return [...found].sort();
}

describe('test tiers', () => {
  const files = testFiles(SRC);
  const system = files.filter((f) => f.endsWith('.system.test.ts'));
  const unit = files.filter((f) => !f.endsWith('.system.test.ts'));

  it('no unit-tier test needs root, a network namespace, a browser or a system program', () => {
    const found = unit.flatMap(machineNeeds);
    assert.deepEqual(found, [], 'rename these tests *.system.test.ts (or drop what they need)');
  });

  it('every system-tier test needs the machine, or is one of the few slow ones', () => {
    const idle = system.filter((f) => machineNeeds(f).length === 0 && SLOW[rel(f)] === undefined);
    assert.deepEqual(idle, [], 'these run as unit tests: rename them *.test.ts');
    const stale = Object.keys(SLOW).filter((f) => !system.some((s) => rel(s) === f));
    assert.deepEqual(stale, [], 'SLOW names files that are not system tests');
    for (const f of system.filter((s) => SLOW[rel(s)] !== undefined))
      assert.deepEqual(machineNeeds(f), [], `${rel(f)} needs the machine: not only slow`);
  });

  it('the check finds each kind of need where it is', () => {
    const needs = (f: string) => machineNeeds(join(REPO_ROOT, f)).join('\n');
    assert.match(needs('src/e2e.system.test.ts'), /imports src\/testing\/e2e\/.*sandbox/);
    assert.match(needs('src/e2e.system.test.ts'), /needs root \(chownSync/);
    assert.match(needs('src/respond/firewall/contract.system.test.ts'), /network namespaces/);
    assert.match(needs('src/web/browser.system.test.ts'), /imports playwright-core: a browser/);
    assert.match(needs('src/packaging/deb.system.test.ts'), /runs dpkg/);
    assert.match(needs('src/packaging/generated.system.test.ts'), /runs zsh/);
  });
});
