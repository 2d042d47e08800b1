/**
 * The whole chain with real programs: OpenSSH's sshd in a network namespace
 * logs through a private rsyslog; real ssh clients (sshpass) fail to log in
 * from an attacker namespace; `sheriff watch` reads the log and finds them.
 * Runs inside a private mount namespace (testing/e2e/sandbox.ts), never
 * touching the machine's /dev/log, network or firewall.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Sandbox } from './testing/e2e/client.js';
import { canConnect, failLogin, network, startSshd, type Host } from './testing/e2e/scenario.js';
import { REPO_ROOT } from './testing/paths.js';
import { waitFor } from './testing/wait.js';
import { readFileSync } from 'node:fs';

let box: Sandbox;
let hosts: Record<string, Host>;

before(async () => {
  box = await Sandbox.start();
  hosts = await network(box, { atk: '198.51.100.10', inn: '192.0.2.20' });
  await startSshd(box);
  await waitFor('sshd listening', () => canConnect(box, hosts.inn!, '192.0.2.1'), 10_000);
});
after(async () => {
  await box?.close();
});

function sheriffConfig(name: string, extra: string): string {
  const path = join(box.work, `${name}.yaml`);
  writeFileSync(
    path,
    `store: { path: ${join(box.work, `${name}.db`)} }\nsources: [{ type: file, path: ${join(box.work, 'auth.log')} }]\nlog: { level: info, format: json }\n${extra}`,
  );
  return path;
}

describe('end to end with a real sshd', () => {
  it('sees real ssh password failures from the attacker and raises a finding', async () => {
    const config = sheriffConfig('detect', 'jails: { sshd: { maxretry: 4 } }\n');
    await box.start('sheriff-detect', [
      'ip',
      'netns',
      'exec',
      'srv',
      process.execPath,
      join(REPO_ROOT, 'bin', 'sheriff'),
      '--config',
      config,
      'watch',
    ]);
    const out = join(box.work, 'sheriff-detect.out');
    await waitFor('sheriff started', () => readFileSync(out, 'utf8').includes('daemon_started'));
    await failLogin(box, hosts.atk!, '198.51.100.1');
    await failLogin(box, hosts.atk!, '198.51.100.1'); // each attempt logs "Invalid user" and "Failed password"
    const finding = await waitFor('a finding', () =>
      readFileSync(out, 'utf8')
        .split('\n')
        .find((l) => l.includes('"event":"finding"')),
    );
    const parsed = JSON.parse(finding) as { kind: string; ip: string; count: number };
    assert.deepEqual([parsed.kind, parsed.ip, parsed.count], ['bruteforce', '198.51.100.10', 4]);
    assert.equal(await box.stop('sheriff-detect'), 0);
  });
});
