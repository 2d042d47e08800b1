/**
 * contrib/sheriff.service: systemd accepts it, and it gives the daemon what the firewall choice
 * needs to block for real (src/e2e.system.test.ts runs the daemon with exactly its capabilities).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chooseFirewall, hasProgram } from './respond/firewall/choose-backend.js';
import { sh } from './testing/netns.js';
import { REPO_ROOT } from './testing/paths.js';

const UNIT = join(REPO_ROOT, 'contrib', 'sheriff.service');

function settings(name: string): string[] {
  const unit = readFileSync(UNIT, 'utf8');
  return [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].flatMap((m) =>
    m[1]!.trim().split(/\s+/),
  );
}

describe('contrib/sheriff.service', () => {
  it('runs unprivileged with CAP_NET_ADMIN ambient: enough for nftables to block', () => {
    assert.deepEqual(settings('DynamicUser'), ['yes']);
    const ambient = settings('AmbientCapabilities');
    assert.deepEqual(settings('CapabilityBoundingSet'), ambient);
    const choice = chooseFirewall({
      configured: 'auto',
      privileges: { root: false, capabilities: ambient.filter((c) => c === 'CAP_NET_ADMIN') },
      hasProgram: (p) => p === 'nft',
    });
    assert.deepEqual([choice.kind, choice.enforcing], ['nftables', true]);
    // nft speaks netlink; the store lives in the state directory the unit's SHERIFF_DB names.
    assert.ok(settings('RestrictAddressFamilies').includes('AF_NETLINK'));
    assert.deepEqual(settings('StateDirectory'), ['sheriff']);
    assert.ok(settings('Environment').includes('SHERIFF_DB=/var/lib/sheriff/sheriff.db'));
    assert.deepEqual(settings('SupplementaryGroups'), ['adm', 'systemd-journal']);
  });

  it("keeps systemd's stall watchdog, which Sheriff's pings from a child reach", () => {
    // systemd-watchdog.ts pings at half of WatchdogSec through systemd-notify, a child process.
    assert.deepEqual(settings('WatchdogSec'), ['30s']);
    assert.deepEqual(settings('NotifyAccess'), ['all']);
    assert.deepEqual(settings('WatchdogSignal'), ['SIGKILL']);
  });

  it('systemd-analyze verify accepts it', async () => {
    // scripts/test.sh installs it (Debian's systemd): a missing program fails, never skips.
    assert.ok(hasProgram('systemd-analyze'), 'systemd-analyze is not installed (Debian: systemd)');
    // Installed, /usr/bin/sheriff and its man page exist (src/packaging/deb.system.test.ts verifies
    // that unit); from a checkout, the unit runs this repository's launcher.
    const dir = mkdtempSync(join(tmpdir(), 'sheriff-unit-'));
    try {
      const copy = join(dir, 'sheriff.service');
      writeFileSync(
        copy,
        readFileSync(UNIT, 'utf8').replace(
          /^ExecStart=\/usr\/bin\/sheriff /m,
          `ExecStart=${join(REPO_ROOT, 'bin', 'sheriff')} `,
        ),
      );
      const r = await sh(['systemd-analyze', 'verify', '--man=no', copy]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', 'no warnings');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
