/**
 * One contract, every backend: nftables, iptables + ipset and the real ufw each run inside a
 * network namespace this file creates (ufw also inside a private mount namespace, over a copy
 * of its configuration), and dry-run in memory. Then real packets: a client and a server
 * namespace joined by a veth pair show that a ban drops, an unban lets back in, isolate keeps
 * only the admin, and `ss -K` cuts an open connection.
 *
 * Nothing here touches the machine's own firewall or network: every firewall command runs
 * through `ip netns exec <a namespace made here>`, and the namespaces are deleted in `after`.
 * Without root or iproute2 the tests fail with the reason; they never skip.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import type { BanTarget } from '../../domain.js';
import { parseCidr } from '../../net/cidr.js';
import { DryRunFirewall } from './dry-run.js';
import { createRunner, type Runner } from './exec.js';
import { FirewallError, type Firewall, type FirewallEntry } from './firewall.js';
import { IptablesFirewall } from './iptables.js';
import { link, must, Netns, requireNamespaces } from '../../testing/netns.js';
import { NftablesFirewall } from './nftables.js';
import { UfwFirewall } from './ufw.js';
import { HANG_GUARD_MS, waitFor } from '../../testing/wait.js';

const v4 = (a: string, bits = 32): BanTarget => ({ cidr: `${a}/${bits}`, family: 4 });
const v6 = (a: string, bits = 128): BanTarget => ({ cidr: `${a}/${bits}`, family: 6 });
const SECOND = 1000;

/** Polls `check` until it returns true (the shared wait); resolves with how long that took. */
async function until(what: string, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  await waitFor(what, check);
  return Date.now() - start;
}

function counting(inner: Runner, onRun: (argv: string[]) => void): Runner {
  return {
    run(program, args, options) {
      onRun([program, ...args]);
      return inner.run(program, args, options);
    },
  };
}

function covers(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (o.family !== i.family || o.bits > i.bits) return false;
  return parseCidr(`${inner.slice(0, inner.indexOf('/'))}/${o.bits}`).text === o.text;
}

interface Harness {
  name: string;
  /** The backend has its own element timeouts (ufw has none). */
  timeouts: boolean;
  /** Entries for the one-call batch test. */
  bulk: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  make(onRun: (argv: string[]) => void): Firewall;
  /** What Sheriff created that is still there (empty after teardown). */
  leftovers(fw: Firewall): Promise<string[]>;
  /** A snapshot of configuration the test made before Sheriff ran, which must never change. */
  unrelated(): Promise<string>;
}

const INVALID: BanTarget[] = [
  { cidr: '1.2.3.4; flush ruleset', family: 4 },
  { cidr: '203.0.113.5/32\nflush ruleset', family: 4 },
  { cidr: '010.0.0.1/32', family: 4 },
  { cidr: '203.0.113.5', family: 4 },
  { cidr: '203.0.113.5/32', family: 6 },
  { cidr: '2001:DB8::1/128', family: 6 },
  { cidr: '2001:db8:0:0::1/128', family: 6 },
  { cidr: '198.51.100.7/24', family: 4 },
  { cidr: '::ffff:203.0.113.5/128', family: 6 },
  { cidr: '0.0.0.0/0', family: 4 },
  { cidr: ' 203.0.113.5/32', family: 4 },
  { cidr: 42, family: 4 } as unknown as BanTarget,
  null as unknown as BanTarget,
];

function contract(h: Harness): void {
  describe(`firewall contract: ${h.name}`, () => {
    let fw: Firewall;
    const runs: string[][] = [];
    let unrelatedBefore = '';

    const held = async () => {
      const l = await fw.list();
      for (const e of l) {
        assert.equal(parseCidr(e.target.cidr).text, e.target.cidr, 'listed CIDRs are canonical');
        assert.equal(parseCidr(e.target.cidr).family, e.target.family);
      }
      return new Map(l.map((e) => [e.target.cidr, e]));
    };
    const expiryNear = (e: FirewallEntry | undefined, asked: number | null, what: string) => {
      assert.ok(e, `${what} is listed`);
      if (!h.timeouts || asked === null) {
        assert.equal(e.expiresAt, null, `${what}: no expiry`);
        return;
      }
      assert.ok(e.expiresAt !== null, `${what}: has an expiry`);
      assert.ok(
        Math.abs(e.expiresAt - asked) <= SECOND,
        `${what}: expires ${e.expiresAt - asked} ms from what was asked`,
      );
    };

    before(async () => {
      await h.start();
      fw = h.make((argv) => runs.push(argv));
      unrelatedBefore = await h.unrelated();
    });
    after(() => h.stop());

    it('setup is idempotent and starts empty', async () => {
      await fw.setup();
      await fw.setup();
      assert.deepEqual(await fw.list(), []);
      assert.equal(await h.unrelated(), unrelatedBefore, 'setup left unrelated rules alone');
    });

    it('bans IPv4, IPv6 and an IPv6 /64, and lists them canonical with their expiries', async () => {
      const now = Date.now();
      const asked: FirewallEntry[] = [
        { target: v4('203.0.113.5'), expiresAt: now + 60 * SECOND },
        { target: v6('2001:db8::5'), expiresAt: now + 120 * SECOND },
        { target: v6('2001:db8:1:2::', 64), expiresAt: null },
      ];
      await fw.ban(asked);
      const l = await held();
      assert.deepEqual([...l.keys()].sort(), asked.map((e) => e.target.cidr).sort());
      for (const e of asked) expiryNear(l.get(e.target.cidr), e.expiresAt, e.target.cidr);
      assert.equal(await h.unrelated(), unrelatedBefore, 'a ban left unrelated rules alone');
    });

    it('re-banning replaces the timeout (longer, shorter, permanent, timed again)', async () => {
      const t = v4('203.0.113.5');
      for (const delta of [300 * SECOND, 20 * SECOND, null, 40 * SECOND]) {
        const expiresAt = delta === null ? null : Date.now() + delta;
        await fw.ban([{ target: t, expiresAt }]);
        expiryNear((await held()).get(t.cidr), expiresAt, `${t.cidr} re-banned for ${delta} ms`);
      }
    });

    it('unban removes; unbanning what is absent is no error', async () => {
      await fw.unban([v4('203.0.113.5'), v6('2001:db8::5'), v6('2001:db8:1:2::', 64)]);
      assert.deepEqual(await fw.list(), []);
      await fw.unban([v4('203.0.113.5'), v6('2001:db8:1:2::', 64), v6('2001:db8:ffff::', 48)]);
      await fw.unban([]);
      assert.deepEqual(await fw.list(), []);
    });

    it('nested targets: every banned target stays covered by a listed entry', async () => {
      const later = Date.now() + 60 * SECOND;
      const steps: BanTarget[][] = [
        [v6('2001:db8:7:1::', 64), v6('2001:db8:7:1::5')],
        [v6('2001:db8:7::', 48)], // wider than a held /64
        [v6('2001:db8:7:2::', 64)], // inside a held /48
        [v4('198.51.100.7'), v4('198.51.100.0', 24), v4('198.51.100.0', 25)], // nested in one call
      ];
      const all: BanTarget[] = [];
      for (const step of steps) {
        await fw.ban(step.map((target) => ({ target, expiresAt: later })));
        all.push(...step);
        const listed = [...(await held()).keys()];
        for (const t of all)
          assert.ok(
            listed.some((l) => covers(l, t.cidr)),
            `${t.cidr} is covered by one of ${listed.join(', ')}`,
          );
      }
      await fw.unban(all);
      assert.deepEqual(await fw.list(), []);
    });

    it(`bans and unbans ${h.bulk} entries in one call each`, async () => {
      const targets: BanTarget[] = [];
      for (const net of ['192.0.2', '198.51.100', '203.0.113'])
        for (let i = 1; i < 255 && targets.length < h.bulk / 2; i++)
          targets.push(v4(`${net}.${i}`));
      for (let i = 1; targets.length < h.bulk; i++)
        targets.push(v6(`2001:db8:b::${i.toString(16)}`));
      const expiresAt = Date.now() + 600 * SECOND;
      const before = runs.length;
      await fw.ban(targets.map((target) => ({ target, expiresAt })));
      const banCalls = runs.length - before;
      const l = await held();
      assert.equal(l.size, targets.length);
      for (const t of targets) assert.ok(l.has(t.cidr), `${t.cidr} listed`);
      await fw.unban(targets);
      assert.deepEqual(await fw.list(), []);
      if (h.name !== 'ufw')
        assert.ok(banCalls <= 1, `one program call for the batch, not ${banCalls}`);
    });

    if (h.timeouts) {
      it('an element with a 1 s timeout disappears by itself', async () => {
        const now = Date.now();
        await fw.ban([
          { target: v4('192.0.2.99'), expiresAt: now + SECOND },
          { target: v6('2001:db8:99::', 64), expiresAt: now + SECOND },
          { target: v4('198.51.100.99'), expiresAt: now + 60 * SECOND },
        ]);
        assert.equal((await held()).size, 3, 'all three are in at first');
        const took = await until('the 1 s bans expire', async () => (await held()).size === 1);
        assert.ok(took >= 300, `they lasted about a second (${took} ms)`);
        assert.ok((await held()).has('198.51.100.99/32'), 'the 60 s ban is still there');
        await fw.unban([v4('198.51.100.99')]);
      });
    } else {
      it('has no timeouts: lists every ban with expiresAt null for the caller to expire', async () => {
        await fw.ban([{ target: v4('192.0.2.99'), expiresAt: Date.now() + SECOND }]);
        expiryNear((await held()).get('192.0.2.99/32'), null, '192.0.2.99/32');
        await fw.unban([v4('192.0.2.99')]);
      });
    }

    it('refuses an invalid target before any program runs', async () => {
      runs.length = 0;
      const good = { target: v4('203.0.113.8'), expiresAt: null };
      for (const bad of INVALID) {
        await assert.rejects(fw.ban([good, { target: bad, expiresAt: null }]), FirewallError);
        await assert.rejects(fw.unban([bad]), FirewallError);
      }
      await assert.rejects(
        fw.ban([{ target: v4('203.0.113.8'), expiresAt: Number.NaN }]),
        FirewallError,
      );
      assert.deepEqual(runs, [], 'no program ran');
      assert.deepEqual(await fw.list(), []);
    });

    it('teardown removes everything Sheriff created and nothing else', async () => {
      await fw.ban([
        { target: v4('203.0.113.9'), expiresAt: null },
        { target: v6('2001:db8:9::', 64), expiresAt: Date.now() + 60 * SECOND },
      ]);
      await fw.teardown();
      assert.deepEqual(await h.leftovers(fw), []);
      assert.equal(await h.unrelated(), unrelatedBefore);
      await fw.teardown(); // twice is fine
      await fw.setup(); // and it comes back
      await fw.teardown();
      assert.deepEqual(await h.leftovers(fw), []);
      assert.equal(await h.unrelated(), unrelatedBefore);
    });
  });
}

// ---------------------------------------------------------------- nftables

const ADMIN_TABLE = `table inet admin {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 2222 counter accept
  }
}
`;

{
  let ns: Netns | null = null;
  contract({
    name: 'nftables',
    timeouts: true,
    bulk: 5000,
    async start() {
      await requireNamespaces(['ip', 'nft', 'ss']);
      ns = await Netns.create('nft');
      await ns.must(['nft', '-f', '-'], ADMIN_TABLE);
    },
    async stop() {
      await ns?.delete();
    },
    make: (onRun) =>
      new NftablesFirewall({
        runner: counting(createRunner('nftables', { netns: ns!.name }), onRun),
      }),
    async leftovers() {
      const r = await ns!.must(['nft', 'list', 'tables']);
      return r.stdout.split('\n').filter((l) => /\bsheriff\b/.test(l));
    },
    async unrelated() {
      return (await ns!.must(['nft', 'list', 'table', 'inet', 'admin'])).stdout;
    },
  });
}

// ---------------------------------------------------------------- iptables + ipset

{
  let ns: Netns | null = null;
  contract({
    name: 'iptables + ipset',
    timeouts: true,
    bulk: 5000,
    async start() {
      await requireNamespaces(['ip', 'iptables', 'ip6tables', 'ipset']);
      ns = await Netns.create('ipt');
      await ns.must(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'ACCEPT']);
      await ns.must(['ip6tables', '-A', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'ACCEPT']);
      await ns.must(['ipset', 'create', 'admin', 'hash:ip']);
      await ns.must(['ipset', 'add', 'admin', '192.0.2.200']);
    },
    async stop() {
      await ns?.delete();
    },
    make: (onRun) =>
      new IptablesFirewall({
        runner: counting(createRunner('iptables', { netns: ns!.name }), onRun),
      }),
    async leftovers() {
      const sets = (await ns!.must(['ipset', 'list', '-n'])).stdout.split('\n');
      const rules = [
        ...(await ns!.must(['iptables', '-S'])).stdout.split('\n'),
        ...(await ns!.must(['ip6tables', '-S'])).stdout.split('\n'),
      ];
      return [...sets, ...rules].filter((l) => /sheriff/.test(l));
    },
    async unrelated() {
      const keep = (s: string) =>
        s
          .split('\n')
          .filter((l) => !/sheriff/.test(l))
          .join('\n');
      return [
        keep((await ns!.must(['iptables', '-S'])).stdout),
        keep((await ns!.must(['ip6tables', '-S'])).stdout),
        (await ns!.must(['ipset', 'save', 'admin'])).stdout,
      ].join('\n---\n');
    },
  });
}

// ---------------------------------------------------------------- ufw (the real one, sandboxed)

/**
 * The real ufw, made safe: each command runs in a new private mount namespace whose /etc/ufw,
 * /lib/ufw and /etc/default/ufw are bind mounts of copies in a temporary directory (sysctl.conf
 * emptied, so ufw changes no sysctl), and in a network namespace for its iptables rules. The
 * wrapper refuses to start ufw unless the copy is really what it sees.
 */
const UFW_HOST_FILES = ['/etc/ufw', '/lib/ufw', '/etc/default/ufw'];

async function fingerprint(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p).catch(() => null);
    if (s === null) {
      hash.update(`${p}: missing\n`);
      return;
    }
    if (s.isDirectory()) {
      for (const name of (await readdir(p)).sort()) await walk(join(p, name));
      return;
    }
    hash.update(`${p}\n`);
    hash.update(await readFile(p));
  };
  for (const p of paths) await walk(p);
  return hash.digest('hex');
}

{
  let ns: Netns | null = null;
  let dir: string | null = null;
  let wrapper = '';
  let hostBefore = '';
  const ufw = (...args: string[]) =>
    must(['unshare', '--mount', '--propagation', 'private', wrapper, 'ufw', ...args]);
  contract({
    name: 'ufw',
    timeouts: false,
    bulk: 10,
    async start() {
      await requireNamespaces(['ip', 'ufw', 'unshare', 'iptables', 'ip6tables']);
      hostBefore = await fingerprint(UFW_HOST_FILES);
      ns = await Netns.create('ufw');
      dir = await mkdtemp(join(tmpdir(), 'sheriff-ufw-'));
      await cp('/etc/ufw', join(dir, 'etc-ufw'), { recursive: true });
      await cp('/lib/ufw', join(dir, 'lib-ufw'), { recursive: true });
      await writeFile(join(dir, 'etc-ufw', 'sysctl.conf'), '');
      await writeFile(join(dir, 'etc-ufw', '.sheriff-sandbox'), '');
      const defaults = await readFile('/etc/default/ufw', 'utf8');
      await writeFile(
        join(dir, 'default-ufw'),
        defaults.replace(/^IPT_SYSCTL=.*$/m, 'IPT_SYSCTL='),
      );
      await writeFile(join(dir, 'ufw.lock'), '');
      wrapper = join(dir, 'in-sandbox');
      await writeFile(
        wrapper,
        `#!/bin/sh
set -eu
mount --bind '${dir}/etc-ufw' /etc/ufw
mount --bind '${dir}/lib-ufw' /lib/ufw
mount --bind '${dir}/default-ufw' /etc/default/ufw
if [ -e /run/ufw.lock ]; then mount --bind '${dir}/ufw.lock' /run/ufw.lock; fi
[ -e /etc/ufw/.sheriff-sandbox ] || { echo 'not in the ufw sandbox' >&2; exit 99; }
exec ip netns exec '${ns.name}' "$@"
`,
      );
      await chmod(wrapper, 0o755);
      await ufw('--force', 'enable');
      await ufw('allow', '22/tcp');
      await ufw('deny', 'from', '192.0.2.200'); // an admin's own rule, no comment
      await ufw('deny', 'from', '203.0.113.9'); // the same spec Sheriff will use, not Sheriff's
    },
    async stop() {
      try {
        await ns?.delete();
      } finally {
        if (dir !== null) await rm(dir, { recursive: true, force: true });
        // The host's own ufw configuration must be exactly as before.
        if (hostBefore !== '') assert.equal(await fingerprint(UFW_HOST_FILES), hostBefore);
      }
    },
    make: (onRun) =>
      new UfwFirewall({
        runner: counting(
          createRunner('ufw', {
            prefix: ['unshare', '--mount', '--propagation', 'private', wrapper],
          }),
          onRun,
        ),
      }),
    async leftovers() {
      return (await ufw('status')).stdout.split('\n').filter((l) => /# sheriff/.test(l));
    },
    async unrelated() {
      return (await ufw('status')).stdout
        .split('\n')
        .filter((l) => !/# sheriff/.test(l))
        .join('\n');
    },
  });
}

// ---------------------------------------------------------------- dry-run

{
  let fw: DryRunFirewall | null = null;
  contract({
    name: 'dry-run',
    timeouts: true,
    bulk: 5000,
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    make(onRun) {
      fw = new DryRunFirewall({
        log: (action, entries) => onRun([action, ...entries.map((e) => e.target.cidr)]),
      });
      return fw;
    },
    async leftovers() {
      return (await fw!.list()).map((e) => e.target.cidr);
    },
    unrelated: () => Promise.resolve(''),
  });
}

// ---------------------------------------------------------------- real packets (nftables)

type Proc = ChildProcessByStdio<Writable, Readable, null>;

/** A process that connects from the client namespace on request (one JSON line in, one out). */
class Agent {
  private readonly pending = new Map<number, (r: Record<string, unknown>) => void>();
  private next = 0;
  constructor(private readonly child: Proc) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const r = JSON.parse(line) as Record<string, unknown>;
      this.pending.get(r.id as number)?.(r);
      this.pending.delete(r.id as number);
    });
  }
  ask(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ ...msg, id }) + '\n');
    });
  }
  /**
   * Whether a TCP connect from `local` to host:port completes within `ms`. A dropped SYN is
   * never answered, so a block shows as `false` after the short default; a connect that should
   * succeed is given HANG_GUARD_MS, so a slow machine does not look like a block.
   */
  async connects(local: string, host: string, port: number, ms = 600): Promise<boolean> {
    return (await this.ask({ op: 'connect', local, host, port, ms })).ok === true;
  }
}

const AGENT = `
const net = require('net');
const held = new Map();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.op === 'connect' || m.op === 'hold') {
    const s = net.connect({ host: m.host, port: m.port, localAddress: m.local });
    const t = setTimeout(() => { s.destroy(); say({ id: m.id, ok: false, error: 'timeout' }); }, m.ms || 600);
    s.on('error', (e) => { clearTimeout(t); say({ id: m.id, ok: false, error: e.code }); });
    s.on('connect', () => {
      clearTimeout(t);
      if (m.op === 'hold') { held.set(m.id, { closed: false }); s.on('close', () => { held.get(m.id).closed = true; }); s.on('error', () => {}); }
      else s.destroy();
      say({ id: m.id, ok: true, ref: m.id });
    });
  } else if (m.op === 'closed') {
    say({ id: m.id, closed: held.get(m.ref)?.closed ?? null });
  }
});
`;

const SERVER = `
const net = require('net');
let up = 0;
for (const port of [22, 8080, 9090]) {
  net.createServer((s) => { s.on('error', () => {}); if (port !== 9090) s.end('ok'); })
    .listen(port, '::', () => { if (++up === 3) process.stdout.write('ready\\n'); });
}
`;

function spawnIn(ns: Netns, script: string): Proc {
  return spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

describe('nftables with real packets (two namespaces joined by a veth pair)', () => {
  let srv: Netns | null = null;
  let cli: Netns | null = null;
  let server: Proc | null = null;
  let agentProc: Proc | null = null;
  let agent: Agent;
  let fw: NftablesFirewall;
  const SRV4 = '192.0.2.1';
  const SRV6 = '2001:db8::1';
  const CLI4 = '192.0.2.2';
  const CLI6 = '2001:db8::2';
  const ADMIN4 = '192.0.2.3';
  const ADMIN6 = '2001:db8::3';

  before(async () => {
    await requireNamespaces(['ip', 'nft', 'ss']);
    srv = await Netns.create('srv');
    cli = await Netns.create('cli');
    await link(srv, 'veth-srv', cli, 'veth-cli');
    await srv.must(['ip', 'addr', 'add', `${SRV4}/24`, 'dev', 'veth-srv']);
    await srv.must(['ip', 'addr', 'add', `${SRV6}/64`, 'dev', 'veth-srv', 'nodad']);
    for (const a of [CLI4, ADMIN4])
      await cli.must(['ip', 'addr', 'add', `${a}/24`, 'dev', 'veth-cli']);
    for (const a of [CLI6, ADMIN6])
      await cli.must(['ip', 'addr', 'add', `${a}/64`, 'dev', 'veth-cli', 'nodad']);
    server = spawnIn(srv, SERVER);
    await new Promise<void>((resolve, reject) => {
      server!.stdout.once('data', () => resolve());
      server!.once('exit', (code) => reject(new Error(`the test server exited (${code})`)));
    });
    agentProc = spawnIn(cli, AGENT);
    agent = new Agent(agentProc);
    fw = new NftablesFirewall({ exec: { netns: srv.name } });
    await fw.setup();
  });

  after(async () => {
    for (const p of [agentProc, server]) if (p !== null && p.exitCode === null) p.kill('SIGKILL');
    await srv?.delete();
    await cli?.delete();
  });

  for (const [family, client, host] of [
    ['IPv4', CLI4, SRV4],
    ['IPv6', CLI6, SRV6],
  ] as const) {
    it(`${family}: a banned client cannot connect, and can again after unban`, async () => {
      assert.equal(
        await agent.connects(client, host, 8080, HANG_GUARD_MS),
        true,
        'connects before the ban',
      );
      const target = family === 'IPv4' ? v4(client) : v6(client);
      await fw.ban([{ target, expiresAt: Date.now() + 60 * SECOND }]);
      assert.equal(await agent.connects(client, host, 8080), false, 'blocked while banned');
      assert.equal(await agent.connects(client, host, 22), false, 'every port');
      await fw.unban([target]);
      await until('the client connects again', () => agent.connects(client, host, 8080, 1000));
    });
  }

  it('a banned /64 blocks every address in it; the drop counters show it', async () => {
    const before = await fw.counters();
    await fw.ban([{ target: v6('2001:db8::', 64), expiresAt: null }]);
    assert.equal(await agent.connects(ADMIN6, SRV6, 8080), false);
    const after = await fw.counters();
    const dropped = (c: typeof after) => c.find((x) => x.set === 'banned6_net')?.packets ?? 0;
    assert.ok(dropped(after) > dropped(before), 'banned6_net counted the dropped packets');
    await fw.setup(); // an intact chain is left alone, so the counters keep counting
    assert.equal(dropped(await fw.counters()), dropped(after));
    await fw.unban([v6('2001:db8::', 64)]);
    await until('the client connects again', () => agent.connects(ADMIN6, SRV6, 8080, 1000));
  });

  it('killConnections cuts established connections from the targets', async () => {
    const a = await agent.ask({
      op: 'hold',
      local: CLI4,
      host: SRV4,
      port: 9090,
      ms: HANG_GUARD_MS,
    });
    const b = await agent.ask({
      op: 'hold',
      local: CLI6,
      host: SRV6,
      port: 9090,
      ms: HANG_GUARD_MS,
    });
    const c = await agent.ask({
      op: 'hold',
      local: ADMIN4,
      host: SRV4,
      port: 9090,
      ms: HANG_GUARD_MS,
    });
    assert.ok(a.ok && b.ok && c.ok, 'three connections open');
    assert.equal(await fw.killConnections([v4(CLI4), v6(CLI6)]), 2);
    for (const ref of [a.ref, b.ref])
      await until(
        'the client sees its connection closed',
        async () => (await agent.ask({ op: 'closed', ref })).closed === true,
      );
    assert.equal(
      (await agent.ask({ op: 'closed', ref: c.ref })).closed,
      false,
      'other connections stay',
    );
    assert.equal(await fw.killConnections([v4('203.0.113.77')]), 0);
  });

  it('isolate lets only the admin reach the management port; release restores', async () => {
    assert.equal(await fw.isolated(), false);
    await assert.rejects(fw.isolate([], [22]), FirewallError, 'never cut every management path');
    await fw.isolate([v4(ADMIN4), v6(ADMIN6)], [22]);
    assert.equal(await fw.isolated(), true);
    assert.equal(
      await agent.connects(ADMIN4, SRV4, 22, HANG_GUARD_MS),
      true,
      'admin reaches 22 (IPv4)',
    );
    assert.equal(
      await agent.connects(ADMIN6, SRV6, 22, HANG_GUARD_MS),
      true,
      'admin reaches 22 (IPv6)',
    );
    assert.equal(await agent.connects(CLI4, SRV4, 22), false, 'others do not reach 22');
    assert.equal(await agent.connects(CLI6, SRV6, 22), false, 'others do not reach 22 (IPv6)');
    assert.equal(await agent.connects(CLI4, SRV4, 8080), false, 'others reach no other port');
    assert.equal(await agent.connects(ADMIN4, SRV4, 8080), false, 'the admin reaches only 22');
    await fw.isolate([v4(ADMIN4)], [22, 8080]); // replaced as a whole
    assert.equal(await agent.connects(ADMIN4, SRV4, 8080, HANG_GUARD_MS), true);
    assert.equal(
      await agent.connects(ADMIN6, SRV6, 22),
      false,
      'the IPv6 admin was dropped from the list',
    );
    await fw.release();
    await fw.release(); // twice is fine
    assert.equal(await fw.isolated(), false);
    assert.equal(await agent.connects(CLI4, SRV4, 22, HANG_GUARD_MS), true, 'released');
    assert.equal(await agent.connects(CLI6, SRV6, 8080, HANG_GUARD_MS), true, 'released (IPv6)');
    await fw.teardown();
    assert.equal((await srv!.must(['nft', 'list', 'ruleset'])).stdout.trim(), '', 'nothing left');
  });
});
