/**
 * The whole chain with real programs: OpenSSH's sshd in a network namespace
 * logs through a private rsyslog; real ssh clients (sshpass) fail to log in
 * from an attacker namespace; `sheriff watch` reads the log and finds them.
 * Runs inside a private mount namespace (testing/e2e/sandbox.ts), never
 * touching the machine's /dev/log, network or firewall.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Sandbox } from './testing/e2e/client.js';
import { canConnect, failLogin, network, startSshd, type Host } from './testing/e2e/scenario.js';
import { CLI, REPO_ROOT } from './testing/paths.js';
import { openStore } from './store/index.js';
import { waitFor } from './testing/wait.js';

let box: Sandbox;
let hosts: Record<string, Host>;

before(async () => {
  box = await Sandbox.start();
  hosts = await network(box, { atk: '198.51.100.10', atk2: '203.0.113.10', inn: '192.0.2.20' });
  await startSshd(box);
  await waitFor('sshd listening', () => canConnect(box, hosts.inn!, '192.0.2.1'));
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
    const out = await sheriff('sheriff-detect', config);
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

/**
 * Starts `sheriff watch` in the server namespace (as `as`, e.g. a setpriv prefix, when given)
 * and waits until its file source reads.
 */
async function sheriff(
  name: string,
  config: string,
  as: string[] = [],
  env?: Record<string, string>,
): Promise<string> {
  await box.start(
    name,
    ['ip', 'netns', 'exec', 'srv', ...as, process.execPath, CLI, '--config', config, 'watch'],
    env,
  );
  const out = join(box.work, `${name}.out`);
  // Without a stored cursor the file is read from its end: lines written before that are not seen.
  await waitFor(`${name} reading`, () => readFileSync(out, 'utf8').includes('"source_ready"'));
  return out;
}

function logged(out: string, event: string): Record<string, unknown>[] {
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function cli(config: string, ...args: string[]) {
  const r = await box.run([process.execPath, CLI, '--config', config, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

describe('end to end: scanners', () => {
  it('sums connections that never tried to log in per address, and makes a busy scanner an incident', async () => {
    const config = sheriffConfig('scan', '');
    const out = await sheriff('sheriff-scan', config);
    // A port scanner: TCP connections to sshd that never send a byte (canConnect opens and closes one).
    for (let i = 0; i < 12; i++)
      assert.equal(await canConnect(box, hosts.atk2!, '203.0.113.1'), true);
    // And one real login attempt from another address: a failure, not a scan.
    await failLogin(box, hosts.atk!, '198.51.100.1');
    const store = openStore(join(box.work, 'scan.db'), { readonly: true });
    try {
      const since = Date.now() - 3_600_000;
      await waitFor(
        'twelve scanner connections stored',
        () => store.scans.forAddress('203.0.113.10', since, Date.now() + 1)?.connections === 12,
      );
      await waitFor('a scanner incident', () =>
        store.incidents.list({ state: 'active' }).some((i) => i.attacker === '203.0.113.10'),
      );
      const incident = store.incidents
        .list({ state: 'active' })
        .find((i) => i.attacker === '203.0.113.10')!;
      assert.deepEqual(incident.kinds, ['scan']);
      assert.equal(store.scans.forAddress('198.51.100.10', since, Date.now() + 1), null);
    } finally {
      store.close();
    }
    // Never put to approval: a scanner alone is no ban.
    assert.equal(logged(out, 'approval_requested').length, 0);
    assert.equal(await box.stop('sheriff-scan'), 0);
  });
});

describe('end to end: bans in nftables inside the server namespace', () => {
  it('bans only after approval, keeps the innocent host in, and lets the attacker back after the ban', async () => {
    const config = sheriffConfig(
      'approve',
      'jails: { sshd: { maxretry: 4, policy: approve, bantime: 6s } }\nresponse: { firewall: nftables, increment: { factor: 1 } }\n',
    );
    const out = await sheriff('sheriff-approve', config);
    await failLogin(box, hosts.atk!, '198.51.100.1');
    await failLogin(box, hosts.atk!, '198.51.100.1');
    const [asked] = await waitFor(
      'an approval request',
      () => logged(out, 'approval_requested').length > 0 && logged(out, 'approval_requested'),
    );
    assert.equal(asked!.cidr, '198.51.100.10/32');
    // Nothing is banned before a human decides.
    assert.equal(await canConnect(box, hosts.atk!, '198.51.100.1'), true);
    assert.match(
      await cli(config, 'approvals'),
      new RegExp(`${String(asked!.approval)}\\s+pending\\s+ban 198\\.51\\.100\\.10/32`),
    );
    await cli(config, 'approve', String(asked!.approval));
    await waitFor(
      'the attacker blocked',
      async () => !(await canConnect(box, hosts.atk!, '198.51.100.1')),
    );
    assert.equal(
      await canConnect(box, hosts.inn!, '192.0.2.1'),
      true,
      'the innocent host must still reach sshd',
    );
    assert.match(await cli(config, 'bans'), /198\.51\.100\.10\/32\s+active/);
    // The same approval cannot be used twice.
    const replay = await box.run([
      process.execPath,
      CLI,
      '--config',
      config,
      'approve',
      String(asked!.approval),
    ]);
    assert.equal(replay.code, 2);
    assert.match(replay.stderr, /already approved/);
    // The ban expires by itself.
    await waitFor('the attacker back after the ban', () =>
      canConnect(box, hosts.atk!, '198.51.100.1'),
    );
    const audit = await cli(config, 'audit');
    for (const action of ['approval.request', 'approval.approve', 'ban.apply'])
      assert.match(audit, new RegExp(action));
    assert.equal(await box.stop('sheriff-approve'), 0);
  });

  it('bans at once with the auto policy, never a trusted address, and restores a flushed ruleset', async () => {
    const config = sheriffConfig(
      'auto',
      'jails: { sshd: { maxretry: 4, policy: auto, bantime: 1h } }\ntrusted: [198.51.100.0/24]\nresponse: { firewall: nftables, reconcileInterval: 1s }\n',
    );
    const out = await sheriff('sheriff-auto', config);
    for (let i = 0; i < 2; i++) {
      await failLogin(box, hosts.atk!, '198.51.100.1');
      await failLogin(box, hosts.atk2!, '203.0.113.1');
    }
    await waitFor(
      'the outside attacker blocked',
      async () => !(await canConnect(box, hosts.atk2!, '203.0.113.1')),
    );
    assert.equal(logged(out, 'approval_requested').length, 0);
    assert.equal(
      await canConnect(box, hosts.atk!, '198.51.100.1'),
      true,
      'a trusted address is never banned',
    );
    assert.deepEqual(
      logged(out, 'banned').map((b) => b.cidr),
      ['203.0.113.10/32'],
    );
    // Someone flushes the whole ruleset: the next reconciliation puts the ban back.
    // (Whether the door is open in between is a race with the 1 s reconciliation, so the
    // restoration is read from the log.)
    assert.equal(logged(out, 'bans_restored').length, 0);
    await box.must(['ip', 'netns', 'exec', 'srv', 'nft', 'flush', 'ruleset']);
    await waitFor('the ban restored', () => logged(out, 'bans_restored').length > 0);
    await waitFor(
      'the attacker blocked again',
      async () => !(await canConnect(box, hosts.atk2!, '203.0.113.1')),
    );
    // A restart (after a reboot emptied the firewall) re-applies active bans.
    assert.equal(await box.stop('sheriff-auto'), 0);
    await box.must(['ip', 'netns', 'exec', 'srv', 'nft', 'flush', 'ruleset']);
    await sheriff('sheriff-auto-2', config);
    await waitFor(
      'the ban re-applied at start',
      async () => !(await canConnect(box, hosts.atk2!, '203.0.113.1')),
    );
    assert.equal(await box.stop('sheriff-auto-2'), 0);
  });
});

describe('end to end: isolating the host', () => {
  it('keeps only the admin on port 22, reverts by itself unless confirmed, and releases', async () => {
    const config = sheriffConfig(
      'isolate',
      'response: { firewall: nftables, admins: [192.0.2.20/32], isolateRevertAfter: 3s }\n',
    );
    await sheriff('sheriff-isolate', config);
    await cli(config, 'isolate');
    await waitFor(
      'the attacker cut off',
      async () => !(await canConnect(box, hosts.atk!, '198.51.100.1')),
    );
    assert.equal(
      await canConnect(box, hosts.inn!, '192.0.2.1'),
      true,
      'the admin must keep access',
    );
    // Not confirmed: it undoes itself.
    await waitFor('isolation reverted', () => canConnect(box, hosts.atk!, '198.51.100.1'));
    // Confirmed: it stays past the revert time, until released.
    await cli(config, 'isolate');
    await waitFor(
      'isolated again',
      async () => !(await canConnect(box, hosts.atk!, '198.51.100.1')),
    );
    await cli(config, 'isolate', '--confirm');
    await new Promise((r) => setTimeout(r, 4000)); // past isolateRevertAfter: a real wait for a real timer
    assert.equal(await canConnect(box, hosts.atk!, '198.51.100.1'), false);
    await cli(config, 'isolate', '--release');
    await waitFor('released', () => canConnect(box, hosts.atk!, '198.51.100.1'));
    assert.match(await cli(config, 'audit'), /host\.isolate\.confirm/);
    assert.equal(await box.stop('sheriff-isolate'), 0);
  });
});

/** uid and gid of `nobody`: a user with no rights of its own. */
const NOBODY = 65534;

/**
 * What contrib/sheriff.service gives the daemon: its own unprivileged user and only the unit's
 * capabilities (CAP_NET_ADMIN), ambient so the nft it runs inherits them, as systemd's
 * AmbientCapabilities= and CapabilityBoundingSet= do. `caps: false`: none at all.
 */
function unprivileged(caps: boolean): string[] {
  const set = ['-all', ...(caps ? unitCapabilities().map((c) => `+${c}`) : [])].join(',');
  return [
    'setpriv',
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    `--inh-caps=${set}`,
    `--ambient-caps=${set}`,
    `--bounding-set=${set}`,
    '--',
  ];
}

/** AmbientCapabilities= of contrib/sheriff.service, as setpriv names them (net_admin). */
function unitCapabilities(): string[] {
  const unit = readFileSync(join(REPO_ROOT, 'contrib', 'sheriff.service'), 'utf8');
  const setting = (name: string) =>
    (new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1] ?? '').trim().split(/\s+/);
  const ambient = setting('AmbientCapabilities');
  assert.deepEqual(setting('CapabilityBoundingSet'), ambient);
  return ambient.map((c) => c.replace(/^CAP_/, '').toLowerCase());
}

/** A config and store directory that only `nobody` may write; the auth log readable by it. */
function nobodyConfig(name: string, extra: string): string {
  chmodSync(box.work, 0o711);
  chmodSync(join(box.work, 'auth.log'), 0o644);
  const home = join(box.work, name);
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, NOBODY, NOBODY);
  const path = join(home, 'sheriff.yaml');
  writeFileSync(
    path,
    `store: { path: ${join(home, 'sheriff.db')} }\nsources: [{ type: file, path: ${join(box.work, 'auth.log')} }]\nlog: { level: info, format: json }\nweb: { enabled: false }\n${extra}`,
  );
  return path;
}

describe('end to end: the service as contrib/sheriff.service runs it', () => {
  const policy = 'jails: { sshd: { maxretry: 4, policy: auto, bantime: 1h } }\n';

  before(async () => {
    // Earlier tests' bans (1 h) must not decide these.
    await box.must(['ip', 'netns', 'exec', 'srv', 'nft', 'flush', 'ruleset']);
  });

  it('an unprivileged user with only CAP_NET_ADMIN picks nftables by itself and bans a real attacker', async () => {
    const config = nobodyConfig('service', `${policy}response: { firewall: auto }\n`);
    const out = await sheriff('sheriff-service', config, unprivileged(true), {
      HOME: join(box.work, 'service'),
    });
    const [choice] = logged(out, 'firewall');
    assert.deepEqual([choice?.kind, choice?.enforcing], ['nftables', true]);
    await failLogin(box, hosts.atk!, '198.51.100.1');
    await failLogin(box, hosts.atk!, '198.51.100.1');
    await waitFor(
      'the attacker blocked',
      async () => !(await canConnect(box, hosts.atk!, '198.51.100.1')),
    );
    assert.equal(
      await canConnect(box, hosts.inn!, '192.0.2.1'),
      true,
      'the innocent host must still reach sshd',
    );
    // The ban is in the kernel, in Sheriff's own table, put there by nobody's nft.
    const set = await box.must([
      'ip',
      'netns',
      'exec',
      'srv',
      'nft',
      'list',
      'set',
      'inet',
      'sheriff',
      'banned4',
    ]);
    assert.match(set, /198\.51\.100\.10/);
    const status = JSON.parse(await cli(config, 'status', '--json')) as {
      running: boolean;
      enforcing: boolean;
      daemon: { pid: number; firewall: { kind: string; enforcing: boolean } };
    };
    assert.deepEqual(
      [status.running, status.enforcing, status.daemon.firewall],
      [true, true, { kind: 'nftables', enforcing: true, missing: [] }],
    );
    assert.doesNotMatch(await cli(config, 'status'), /DRY-RUN|NOTHING IS BLOCKED/);
    const [ban] = (await cli(config, 'bans', '--json'))
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { target: { cidr: string }; firewall: string; enforced: boolean },
      );
    assert.deepEqual(
      [ban?.target.cidr, ban?.firewall, ban?.enforced],
      ['198.51.100.10/32', 'nftables', true],
    );
    assert.match(await cli(config, 'bans'), /198\.51\.100\.10\/32\s+active until/);
    assert.doesNotMatch(await cli(config, 'bans'), /NOT ENFORCED/);
    assert.equal(await box.stop('sheriff-service'), 0);
  });

  it('without the capability it says loudly, at start and in status, that it blocks nothing', async () => {
    const config = nobodyConfig('powerless', `${policy}response: { firewall: auto }\n`);
    const out = await sheriff('sheriff-powerless', config, unprivileged(false), {
      HOME: join(box.work, 'powerless'),
    });
    const [choice] = logged(out, 'firewall');
    assert.deepEqual(
      [choice?.level, choice?.kind, choice?.enforcing, choice?.missing],
      ['warn', 'dry-run', false, ['CAP_NET_ADMIN', 'CAP_NET_RAW']],
    );
    assert.match(String(choice?.msg), /NOTHING WILL BE BLOCKED.*CAP_NET_ADMIN/);
    const [started] = logged(out, 'daemon_started');
    assert.match(String(started?.msg), /NOTHING WILL BE BLOCKED/);
    await failLogin(box, hosts.atk2!, '203.0.113.1');
    await failLogin(box, hosts.atk2!, '203.0.113.1');
    await waitFor('the dry-run ban', () => logged(out, 'banned').length > 0);
    assert.equal(await canConnect(box, hosts.atk2!, '203.0.113.1'), true, 'nothing is blocked');
    const text = await cli(config, 'status');
    assert.match(text, /Firewall: dry-run, NOTHING IS BLOCKED: Sheriff lacks CAP_NET_ADMIN/);
    assert.match(text, /Bans recorded: 1, of which 1 NOT ENFORCED/);
    const status = JSON.parse(await cli(config, 'status', '--json')) as { enforcing: boolean };
    assert.equal(status.enforcing, false);
    assert.match(
      await cli(config, 'bans'),
      /203\.0\.113\.10\/32\s+active \[NOT ENFORCED: dry-run, nothing is blocked\]/,
    );
    assert.equal(await box.stop('sheriff-powerless'), 0);
  });
});
