/**
 * The pieces of the firewall backends that need no root: the runner, target validation, the
 * parsers of nft JSON, `ipset save` and `ufw status` (fed what those tools really print), the
 * batches nft is given, and the backend choice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseFirewall, currentPrivileges, type Privileges } from './choose-backend.js';
import { createRunner } from './exec.js';
import { FirewallError } from './firewall.js';
import { readIpsetSave } from './iptables.js';
import { nftDuration, nftIsolateScript, nftSetupScript, readSets } from './nftables.js';
import { checkTarget, fromTool, widestOnly } from './targets.js';
import { readUfwStatus } from './ufw.js';

describe('firewall runner', () => {
  const run = createRunner('test');
  it('passes stdin and returns stdout', async () => {
    const r = await run.run('cat', [], { input: 'add element x\n' });
    assert.equal(r.stdout, 'add element x\n');
  });
  it('fails with a FirewallError carrying the command and stderr', async () => {
    const err = await run.run('sh', ['-c', 'echo boom >&2; exit 3']).catch((e: unknown) => e);
    assert.ok(err instanceof FirewallError);
    assert.deepEqual(err.command, ['sh', '-c', 'echo boom >&2; exit 3']);
    assert.equal(err.stderr, 'boom\n');
    assert.match(err.message, /status 3: boom/);
  });
  it('resolves for an allowed exit code', async () => {
    assert.equal((await run.run('sh', ['-c', 'exit 1'], { allowExit: [1] })).code, 1);
  });
  it('kills a program that runs too long', async () => {
    await assert.rejects(run.run('sleep', ['5'], { timeoutMs: 100 }), /timed out/);
  });
  it('says when a program is missing', async () => {
    await assert.rejects(run.run('sheriff-no-such-program', []), /not found/);
  });
  it('puts the prefix first, and refuses a strange namespace name', async () => {
    const r = await createRunner('test', { prefix: ['env'] }).run('echo', ['hi']);
    assert.equal(r.stdout, 'hi\n');
    assert.throws(() => createRunner('test', { netns: '../x' }), FirewallError);
  });
});

describe('target validation', () => {
  it('accepts canonical CIDRs only', () => {
    assert.equal(checkTarget('t', { cidr: '2001:db8::/64', family: 6 }).address, '2001:db8::');
    assert.equal(checkTarget('t', { cidr: '203.0.113.5/32', family: 4 }).host, true);
    for (const cidr of ['203.0.113.5', '203.0.113.05/32', '2001:db8::0/64', '203.0.113.5/32 '])
      assert.throws(() => checkTarget('t', { cidr, family: 4 }), FirewallError, cidr);
  });
  it('reads what tools print', () => {
    assert.equal(fromTool('203.0.113.5')?.cidr, '203.0.113.5/32');
    assert.equal(fromTool('2001:DB8::/64')?.cidr, '2001:db8::/64');
    assert.equal(fromTool('198.51.100.7/24'), null, 'host bits set: not ours');
    assert.equal(fromTool('203.0.113.1-203.0.113.9'), null);
  });
  it('keeps the widest of nested networks', () => {
    const t = (cidr: string) => ({ target: checkTarget('t', { cidr, family: 6 }) });
    const kept = widestOnly([t('2001:db8:7:1::/64'), t('2001:db8:7::/48'), t('2001:db8:8::/64')]);
    assert.deepEqual(kept.map((k) => k.target.cidr).sort(), ['2001:db8:7::/48', '2001:db8:8::/64']);
  });
});

describe('nftables text', () => {
  it('writes timeouts in nft units', () => {
    assert.equal(nftDuration(1000), '1s');
    assert.equal(nftDuration(90_061_500), '1d1h1m1s500ms');
    assert.equal(nftDuration(3650 * 86_400_000), '3650d');
  });
  it('setup touches only table inet sheriff and never flushes the ruleset', () => {
    const script = nftSetupScript() + nftIsolateScript([], [22]).join('\n');
    assert.doesNotMatch(script, /flush ruleset|flush table/);
    for (const line of script.trim().split('\n'))
      assert.match(line, / inet sheriff(_isolate)?\b/, line);
  });
  it('reads set elements in every JSON form nft prints', () => {
    const json = {
      nftables: [
        { metainfo: { version: '1.0.6' } },
        {
          set: {
            family: 'inet',
            name: 'banned6_net',
            table: 'sheriff',
            elem: [
              {
                elem: { val: { prefix: { addr: '2001:db8::', len: 64 } }, timeout: 10, expires: 9 },
              },
              { prefix: { addr: '2001:db8:1::', len: 48 } },
              { range: ['2001:db8:2::1', '2001:db8:2::9'] },
            ],
          },
        },
        {
          set: {
            family: 'inet',
            name: 'banned4',
            table: 'sheriff',
            elem: [
              '203.0.113.5',
              { elem: { val: '203.0.113.6', timeout: 30, expires: 29, counter: {} } },
            ],
          },
        },
        { set: { family: 'inet', name: 'banned4', table: 'other', elem: ['192.0.2.1'] } },
      ],
    };
    const items = json.nftables as Record<string, unknown>[];
    assert.deepEqual(readSets(items, ['banned4', 'banned6_net'], 1_000_000), [
      { target: { cidr: '2001:db8::/64', family: 6 }, expiresAt: 1_009_500 },
      { target: { cidr: '2001:db8:1::/48', family: 6 }, expiresAt: null },
      { target: { cidr: '203.0.113.5/32', family: 4 }, expiresAt: null },
      { target: { cidr: '203.0.113.6/32', family: 4 }, expiresAt: 1_029_500 },
    ]);
  });
});

describe('ipset save and ufw status', () => {
  it('reads ipset save', () => {
    const text = `create sheriff4 hash:net family inet hashsize 1024 maxelem 1048576 timeout 0 bucketsize 12 initval 0x1
add sheriff4 203.0.113.5 timeout 29
add sheriff4 198.51.100.0/24 timeout 0
add admin 192.0.2.1
`;
    assert.deepEqual(readIpsetSave(text, 0), [
      { target: { cidr: '203.0.113.5/32', family: 4 }, expiresAt: 29_500 },
      { target: { cidr: '198.51.100.0/24', family: 4 }, expiresAt: null },
    ]);
  });
  it("reads Sheriff's rules from ufw status, and only those", () => {
    const text = `Status: active

To                         Action      From
--                         ------      ----
Anywhere                   DENY        203.0.113.6                # sheriff
Anywhere                   DENY IN     198.51.100.0/24            # sheriff
22/tcp                     ALLOW       Anywhere
80                         DENY        192.0.2.9                  # sheriff
Anywhere                   DENY        192.0.2.200
Anywhere                   DENY        192.0.2.201                # sheriffs
Anywhere (v6)              DENY        2001:db8::/64              # sheriff
`;
    assert.deepEqual(readUfwStatus(text), [
      { cidr: '203.0.113.6/32', family: 4 },
      { cidr: '198.51.100.0/24', family: 4 },
      { cidr: '2001:db8::/64', family: 6 },
    ]);
  });
});

describe('chooseFirewall', () => {
  const has =
    (...names: string[]) =>
    (n: string) =>
      names.includes(n);
  const root: Privileges = { root: true, capabilities: ['CAP_NET_ADMIN', 'CAP_NET_RAW'] };
  const netAdmin: Privileges = { root: false, capabilities: ['CAP_NET_ADMIN'] };
  const nobody: Privileges = { root: false, capabilities: [] };
  it('auto: nftables, else iptables + ipset, else a loud dry-run', () => {
    const nft = chooseFirewall({
      configured: 'auto',
      privileges: root,
      hasProgram: has('nft', 'iptables'),
    });
    assert.deepEqual([nft.kind, nft.enforcing], ['nftables', true]);
    const ipt = chooseFirewall({
      configured: 'auto',
      privileges: root,
      hasProgram: has('iptables', 'ip6tables', 'ipset'),
    });
    assert.deepEqual([ipt.kind, ipt.loud, ipt.enforcing], ['iptables', false, true]);
    const none = chooseFirewall({
      configured: 'auto',
      privileges: root,
      hasProgram: has('iptables'),
    });
    assert.deepEqual([none.kind, none.loud, none.enforcing], ['dry-run', true, false]);
    assert.match(none.reason, /NOTHING WILL BE BLOCKED.*ip6tables, ipset/);
  });
  it('auto: CAP_NET_ADMIN is enough for nftables; without it a loud dry-run that names it', () => {
    // The shipped systemd unit: an unprivileged user with only CAP_NET_ADMIN (ambient).
    const unit = chooseFirewall({
      configured: 'auto',
      privileges: netAdmin,
      hasProgram: has('nft'),
    });
    assert.deepEqual([unit.kind, unit.loud, unit.enforcing], ['nftables', false, true]);
    const user = chooseFirewall({ configured: 'auto', privileges: nobody, hasProgram: has('nft') });
    assert.deepEqual([user.kind, user.loud, user.enforcing], ['dry-run', true, false]);
    assert.match(user.reason, /NOTHING WILL BE BLOCKED.*CAP_NET_ADMIN/);
    assert.ok(user.missing.includes('CAP_NET_ADMIN'));
    // iptables' set match opens a raw socket: it also needs CAP_NET_RAW.
    const ipt = chooseFirewall({
      configured: 'auto',
      privileges: netAdmin,
      hasProgram: has('iptables', 'ip6tables', 'ipset'),
    });
    assert.deepEqual([ipt.kind, ipt.missing.includes('CAP_NET_RAW')], ['dry-run', true]);
  });
  it('configured: that backend, loud when it cannot work', () => {
    const ok = chooseFirewall({ configured: 'ufw', privileges: root, hasProgram: has('ufw') });
    assert.deepEqual([ok.kind, ok.loud, ok.enforcing], ['ufw', false, true]);
    const bad = chooseFirewall({ configured: 'nftables', privileges: nobody, hasProgram: has() });
    assert.deepEqual([bad.kind, bad.loud, bad.enforcing], ['nftables', true, false]);
    assert.match(bad.reason, /needs nft \(not found\) and the CAP_NET_ADMIN capability/);
    const ufw = chooseFirewall({ configured: 'ufw', privileges: netAdmin, hasProgram: has('ufw') });
    assert.deepEqual([ufw.enforcing, ufw.missing], [false, ['root']]);
    const dry = chooseFirewall({ configured: 'dry-run', privileges: root, hasProgram: has('nft') });
    assert.deepEqual([dry.kind, dry.loud, dry.enforcing], ['dry-run', true, false]);
    assert.match(dry.reason, /NOTHING WILL BE BLOCKED.*response\.firewall: auto/);
    // With nothing configured, nothing is blocked: the first run must not touch the firewall.
    assert.equal(chooseFirewall({ privileges: root, hasProgram: has('nft') }).kind, 'dry-run');
  });
});

describe('currentPrivileges', () => {
  const status = (eff: string, amb: string) =>
    `Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t${eff}\nCapEff:\t${eff}\nCapBnd:\t${eff}\nCapAmb:\t${amb}\n`;
  it('reads CAP_NET_ADMIN (bit 12) and CAP_NET_RAW (bit 13) from /proc/self/status', () => {
    assert.deepEqual(currentPrivileges(status('000001ffffffffff', '0000000000000000'), 0), {
      root: true,
      capabilities: ['CAP_NET_ADMIN', 'CAP_NET_RAW'],
    });
    assert.deepEqual(currentPrivileges(status('0000000000001000', '0000000000001000'), 65534), {
      root: false,
      capabilities: ['CAP_NET_ADMIN'],
    });
    // Root in a container without CAP_NET_ADMIN (Docker's default set) cannot change the firewall.
    assert.deepEqual(currentPrivileges(status('00000000a80425fb', '0'), 0).capabilities, [
      'CAP_NET_RAW',
    ]);
  });
  it('a non-root capability counts only when ambient: nft runs as a child and must inherit it', () => {
    assert.deepEqual(
      currentPrivileges(status('0000000000001000', '0000000000000000'), 1000).capabilities,
      [],
    );
    assert.deepEqual(currentPrivileges('', 1000), { root: false, capabilities: [] });
  });
  it('this process: the same answer nft would act on', () => {
    const mine = currentPrivileges();
    assert.equal(mine.root, process.getuid?.() === 0);
  });
});
