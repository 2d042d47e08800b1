/**
 * `sheriff ban` and `sheriff approve` on an address a guardrail protects: the
 * real bin/sheriff, run inside a throwaway network namespace that owns
 * 203.0.113.5/24 (so "this host's own addresses" are known), with the dry-run
 * firewall and no daemon. A refusal says why, exits 3 and leaves the approval
 * 'refused'; nothing is ever reported as approved.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../app/load-config.js';
import { storePath } from '../config/paths.js';
import { Approvals, configuredApprovals } from '../respond/approvals.js';
import { Netns, requireNamespaces } from '../testing/netns.js';
import { openStore } from '../store/index.js';
import { loadSecret } from '../respond/secret.js';
import { CLI } from '../testing/paths.js';
import { runCli } from '../testing/run-cli.js';

let dir: string;
let config: string;
let ns: Netns | null = null;

before(async () => {
  await requireNamespaces(['ip']);
  dir = await mkdtemp(join(tmpdir(), 'sheriff-ban-'));
  config = join(dir, 'sheriff.yaml');
  await writeFile(
    config,
    [
      `store: { path: ${join(dir, 'sheriff.db')} }`,
      `sources: [{ type: file, path: ${join(dir, 'auth.log')} }]`,
      'response: { firewall: dry-run, admins: [198.51.100.77, "2001:db8:77::/64"] }',
      '',
    ].join('\n'),
  );
  // The daemon makes the store and its key; these commands only use them.
  const path = join(dir, 'sheriff.db');
  openStore(path).close();
  loadSecret({ storePath: path });
  ns = await Netns.create('ban');
  await ns.must(['ip', 'addr', 'add', '203.0.113.5/24', 'dev', 'lo']);
});

after(async () => {
  await ns?.delete();
  await rm(dir, { recursive: true, force: true });
});

/** bin/sheriff inside the namespace (English: the namespace runs programs under LC_ALL=C). */
function sheriff(...args: string[]) {
  return ns!.run([process.execPath, CLI, '--config', config, ...args]);
}

async function withStore<T>(f: (a: Approvals) => Promise<T>): Promise<T> {
  const { config: c } = await loadConfig(config);
  const store = openStore(storePath(c.store));
  try {
    return await f(configuredApprovals(store.records, c));
  } finally {
    store.close();
  }
}

const latest = (cidr: string) =>
  withStore(async (a) => (await a.list({ limit: 100 })).find((x) => x.target?.cidr === cidr));

describe('sheriff ban on a protected address', () => {
  const classes: [string, string, RegExp][] = [
    ['127.0.0.1', '127.0.0.1/32', /is inside the trusted network 127\.0\.0\.0\/8/],
    ['198.51.100.77', '198.51.100.77/32', /is the admin address 198\.51\.100\.77/],
    ['2001:db8:77::/48', '2001:db8:77::/48', /contains the admin network 2001:db8:77::\/64/],
    ['203.0.113.5', '203.0.113.5/32', /this host's own address 203\.0\.113\.5 \(lo\)/],
    [
      '203.0.113.255',
      '203.0.113.255/32',
      /broadcast address of this host's subnet 203\.0\.113\.0\/24/,
    ],
    ['93.184.0.0/16', '93.184.0.0/16', /is wider than \/24/],
    ['224.0.0.1', '224.0.0.1/32', /224\.0\.0\.0\/4 \(Multicast, RFC 5771\)/],
    [
      '64:ff9b::198.51.100.77',
      '64:ff9b::c633:644d/128',
      /\(NAT64\), and 198\.51\.100\.77\/32 is the admin address/,
    ],
  ];
  for (const [arg, cidr, why] of classes) {
    it(`refuses ${arg}, says why and exits 3`, async () => {
      const r = await sheriff('ban', arg, '--reason', 'test');
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        new RegExp(`^sheriff: refused to ban ${cidr.replace(/[.]/g, '\\.')}: `),
      );
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stderr + r.stdout, /approved/i);
      const a = await latest(cidr);
      assert.equal(a?.status, 'refused');
      const audit = await sheriff('audit', '--json');
      const refusal = audit.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { action: string; target: string; detail: { why?: string } })
        .find((e) => e.action === 'approval.refuse' && e.target === cidr);
      assert.match(refusal?.detail.why ?? '', why);
    });
  }

  it('refuses a prefix with host bits set, naming the network it would have been', async () => {
    const r = await sheriff('ban', '203.0.113.0/16', '--reason', 'test');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /"203\.0\.113\.0\/16" has bits set beyond its \/16 prefix/);
    assert.match(r.stderr, /write 203\.0\.0\.0\/16 for the whole network/);
    assert.equal(await latest('203.0.0.0/16'), undefined);
  });

  it('bans an ordinary attacker as before', async () => {
    const r = await sheriff('ban', '198.51.100.9', '--reason', 'test');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Ban of 198\.51\.100\.9\/32 approved/);
    assert.equal((await latest('198.51.100.9/32'))?.status, 'approved');
  });

  it('refuses to approve a pending ban of a protected address, and it stays refused', async () => {
    const pending = await withStore((a) =>
      a.request(
        {
          action: 'ban',
          target: { cidr: '198.51.100.77/32', family: 4 },
          durationMs: 3_600_000,
          reason: 'bruteforce: 5 failures',
          requestedBy: 'jail:sshd',
          jail: 'sshd',
          evidence: { findings: [], events: [] },
        },
        Date.now(),
      ),
    );
    const r = await sheriff('approve', pending.id);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `approval ${pending.id} to ban 198\\.51\\.100\\.77/32 is refused: .*admin address`,
      ),
    );
    const after = await withStore((a) => a.get(pending.id));
    assert.equal(after?.status, 'refused');
    assert.equal(after?.decidedBy, 'root');
  });

  it('says it in Korean', async () => {
    const r = await runCli(['--config', config, 'ban', '224.0.0.1', '--reason', 'x'], {
      env: { SHERIFF_LANG: 'ko' },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /224\.0\.0\.1\/32 차단을 거절했습니다: 224\.0\.0\.1\/32: 실제 상대가 가질 수 없는 특수 용도 주소 224\.0\.0\.0\/4/,
    );
  });
});
