import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import type { BanTarget } from '../domain.js';
import { translator } from '../i18n/index.js';
import { trustedNetworks } from '../intel/trusted.js';
import { parseCidr, within, type Cidr } from '../net/cidr.js';
import { formatIp } from '../net/ip.js';
import { SPECIAL_PURPOSE, specialCidr } from '../net/special.js';
import { T0 } from '../store/testing.js';
import { CircuitBreaker } from './breaker.js';
import {
  Guardrails,
  renderGuardMessage,
  type GuardrailsOptions,
  type GuardRefusal,
  type GuardResult,
} from './guardrails.js';
import {
  isLoggedIn,
  parseSs,
  parseWho,
  SystemSessionProbe,
  type LiveSession,
  type Runner,
  type SessionProbe,
} from './live-sessions.js';

// Recorded on Debian 12 (coreutils 9.1) from a utmp file with these sessions:
// `who --ips`, `who --ips` under LC_ALL=C, and plain `who`.
const WHO_IPS = `alice    pts/0        2026-11-25 07:00 203.0.113.9
bob      pts/1        2026-11-25 07:01 2001:db8::5
carol    pts/2        2026-11-25 07:02 198.51.100.4
dave     :0           2026-11-25 07:03 (:0)
root     tty1         2026-11-25 07:04
erin     pts/3        2026-11-25 07:05 192.0.2.7
frank    pts/4        2026-11-25 07:06 (::ffff:198.51.100.8)
`;
const WHO_IPS_C = `alice    pts/0        Nov 25 07:00 203.0.113.9
bob      pts/1        Nov 25 07:01 2001:db8::5
carol    pts/2        Nov 25 07:02 198.51.100.4
dave     :0           Nov 25 07:03 (:0)
root     tty1         Nov 25 07:04
erin     pts/3        Nov 25 07:05 192.0.2.7
frank    pts/4        Nov 25 07:06 (::ffff:198.51.100.8)
`;
const WHO = `alice    pts/0        2026-11-25 07:00 (203.0.113.9)
bob      pts/1        2026-11-25 07:01 (2001:db8::5)
carol    pts/2        2026-11-25 07:02 (gw.example.com)
dave     :0           2026-11-25 07:03 (:0)
root     tty1         2026-11-25 07:04
erin     pts/3        2026-11-25 07:05 (192.0.2.7:1.0)
frank    pts/4        2026-11-25 07:06 (::ffff:198.51.100.8)
`;
// `ss -tnpH state established '( sport = :22 or sport = :2222 )'` (iproute2 6.1), the
// layout as recorded, addresses replaced by documentation ones; then the same
// listing with the State column that `ss -tnH` without a state filter prints.
const SS = `0      0               192.0.2.10:22          198.51.100.20:38890
0      0      [::ffff:192.0.2.10]:22 [::ffff:198.51.100.44]:35582
0      0                   [2001:db8::10]:2222              [2001:db8:9::1]:47684
0      0      [fe80::1%eth0]:22      [fe80::99%eth0]:50000
`;
const SS_STATE = `ESTAB 0      0               192.0.2.10:22          198.51.100.20:38890
ESTAB 0      0      [::ffff:192.0.2.10]:22 [::ffff:198.51.100.44]:35582
`;

const addrs = (s: readonly LiveSession[]) => s.map((x) => x.address);

describe('parseWho', () => {
  it('reads addresses from who --ips in either time format, skipping displays and local logins', () => {
    const expected = ['203.0.113.9', '2001:db8::5', '198.51.100.4', '192.0.2.7', '198.51.100.8'];
    assert.deepEqual(addrs(parseWho(WHO_IPS)), expected);
    assert.deepEqual(addrs(parseWho(WHO_IPS_C)), expected);
    assert.equal(parseWho(WHO_IPS)[0]?.detail, 'alice on pts/0');
  });

  it('reads addresses from plain who, skipping host names and X displays', () => {
    assert.deepEqual(addrs(parseWho(WHO)), [
      '203.0.113.9',
      '2001:db8::5',
      '192.0.2.7',
      '198.51.100.8',
    ]);
    assert.deepEqual(parseWho(''), []);
  });
});

describe('parseSs', () => {
  it('reads peers: IPv4, IPv6 in brackets, IPv4-mapped, zones, with or without State', () => {
    assert.deepEqual(addrs(parseSs(SS)), [
      '198.51.100.20',
      '198.51.100.44',
      '2001:db8:9::1',
      'fe80::99',
    ]);
    assert.equal(parseSs(SS)[0]?.detail, 'ssh connection to 192.0.2.10:22');
    assert.deepEqual(addrs(parseSs(SS_STATE)), ['198.51.100.20', '198.51.100.44']);
    assert.deepEqual(parseSs('\n'), []);
  });
});

function fakeRunner(outputs: Record<string, string | Error>) {
  const calls: string[] = [];
  const run: Runner = (file, args) => {
    const cmd = [file, ...args].join(' ');
    calls.push(cmd);
    const out = outputs[cmd] ?? outputs[file];
    if (out === undefined) return Promise.reject(new Error(`unexpected command ${cmd}`));
    return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
  };
  return { run, calls };
}

const enoent = () => Object.assign(new Error('spawn who ENOENT'), { code: 'ENOENT' });

describe('SystemSessionProbe', () => {
  it('runs who --ips and ss with argument arrays, and caches the answer for a few seconds', async () => {
    const { run, calls } = fakeRunner({
      'who --ips': WHO_IPS,
      'ss -tnpH state established ( sport = :22 or sport = :2222 )': SS,
    });
    const probe = new SystemSessionProbe({ sshPorts: [22, 2222], cacheMs: 5000, run });
    const s = await probe.sessions(T0);
    assert.deepEqual(addrs(s), [...addrs(parseWho(WHO_IPS)), ...addrs(parseSs(SS))]);
    assert.equal(calls.length, 2);
    await probe.sessions(T0 + 4999);
    assert.equal(calls.length, 2);
    await probe.sessions(T0 + 5000);
    assert.equal(calls.length, 4);
    await Promise.all([probe.sessions(T0 + 20_000), probe.sessions(T0 + 20_000)]);
    assert.equal(calls.length, 6);
  });

  it('falls back to plain who when --ips is unknown, and survives one missing source', async () => {
    const { run, calls } = fakeRunner({
      'who --ips': Object.assign(new Error("who: unrecognized option '--ips'"), { code: 1 }),
      who: WHO,
      ss: enoent(),
    });
    const s = await new SystemSessionProbe({ run }).sessions(T0);
    assert.deepEqual(addrs(s), addrs(parseWho(WHO)));
    assert.deepEqual(calls, ['who --ips', 'ss -tnpH state established ( sport = :22 )', 'who']);
  });

  it('sees a real established connection with the real ss, and its owning process', async () => {
    const server = createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = connect(port, '127.0.0.1');
    try {
      await once(client, 'connect');
      // This process holds the connection: titled as a logged-in sshd it is a session…
      const asSshd = new SystemSessionProbe({
        sshPorts: [port],
        title: (pid) => (pid === process.pid ? 'sshd: tester@pts/1' : null),
      });
      const viaSs = (await asSshd.sessions(Date.now())).filter((x) => x.via === 'ss');
      assert.deepEqual(
        viaSs.map((x) => [x.address, x.detail]),
        [['127.0.0.1', `ssh connection to 127.0.0.1:${port}`]],
      );
      // …and with its real title ("node …") it is not an sshd login at all.
      const real = new SystemSessionProbe({ sshPorts: [port] });
      assert.deepEqual(
        (await real.sessions(Date.now())).filter((x) => x.via === 'ss'),
        [],
      );
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects when neither who nor ss can be run', async () => {
    const { run } = fakeRunner({ who: enoent(), ss: enoent() });
    await assert.rejects(new SystemSessionProbe({ run }).sessions(T0), /cannot list live sessions/);
  });
});

function iface(address: string, family: 'IPv4' | 'IPv6'): NetworkInterfaceInfo {
  return family === 'IPv4'
    ? {
        address,
        netmask: '255.255.255.0',
        family,
        mac: '00:00:00:00:00:00',
        internal: false,
        cidr: null,
      }
    : {
        address,
        netmask: 'ffff:ffff:ffff:ffff::',
        family,
        mac: '00:00:00:00:00:00',
        internal: false,
        cidr: null,
        scopeid: 0,
      };
}

const noSessions: SessionProbe = { sessions: () => Promise.resolve([]) };

function guard(over: Partial<GuardrailsOptions> = {}): Guardrails {
  return new Guardrails({
    trusted: trustedNetworks(['192.0.2.0/28']),
    admins: ['203.0.113.77', '2001:db8:1:2::7', '198.51.100.128/25'],
    interfaces: () => ({
      lo: [iface('127.0.0.1', 'IPv4'), iface('::1', 'IPv6')],
      eth0: [iface('203.0.113.10', 'IPv4'), iface('2001:db8:aa::10', 'IPv6')],
      eth1: [iface('fe80::1%eth1', 'IPv6')],
    }),
    sessions: noSessions,
    ...over,
  });
}

const v4 = (cidr: string): BanTarget => ({ cidr, family: 4 });
const v6 = (cidr: string): BanTarget => ({ cidr, family: 6 });

function refused(r: GuardResult): GuardRefusal {
  assert.equal(r.ok, false, 'expected a refusal');
  if (r.ok) throw new Error('unreachable');
  return r;
}

describe('Guardrails', () => {
  it('allows an ordinary attacker address and a /64', async () => {
    const g = guard();
    assert.deepEqual(await g.check(v4('198.51.100.5/32'), T0), { ok: true });
    assert.deepEqual(await g.check(v6('2001:db8:dead:beef::/64'), T0), { ok: true });
    assert.deepEqual(await g.check(v4('198.51.100.0/25'), T0), { ok: true });
  });

  it('trusted: refuses a trusted address, a prefix inside one, and a prefix containing one', async () => {
    const g = guard();
    for (const t of [
      v4('10.1.2.3/32'),
      v4('192.0.2.4/32'),
      v4('192.0.2.0/24'),
      v6('fd00::1/128'),
    ]) {
      const r = refused(await g.check(t, T0));
      assert.equal(r.code, 'trusted', t.cidr);
    }
    const r = refused(await g.check(v4('192.0.2.0/24'), T0));
    assert.equal(r.reason, '192.0.2.0/24 contains the trusted network 192.0.2.0/28');
  });

  it('admin: refuses an admin address, a /64 that contains one, and an address in an admin network', async () => {
    const g = guard();
    let r = refused(await g.check(v4('203.0.113.77/32'), T0));
    assert.equal(r.code, 'admin');
    assert.equal(r.reason, '203.0.113.77/32 is the admin address 203.0.113.77');
    r = refused(await g.check(v6('2001:db8:1:2::/64'), T0));
    assert.equal(r.code, 'admin');
    assert.equal(r.reason, '2001:db8:1:2::/64 contains the admin address 2001:db8:1:2::7');
    r = refused(await g.check(v4('198.51.100.200/32'), T0));
    assert.equal(r.code, 'admin');
    assert.match(r.reason, /is inside the admin network 198\.51\.100\.128\/25/);
    r = refused(await g.check(v4('203.0.113.0/24'), T0));
    assert.equal(r.code, 'admin');
  });

  it("own-address: refuses the host's own addresses and prefixes containing them", async () => {
    const g = guard({ admins: [] });
    let r = refused(await g.check(v4('203.0.113.10/32'), T0));
    assert.equal(r.code, 'own-address');
    assert.match(r.reason, /own address 203\.0\.113\.10 \(eth0\)/);
    r = refused(await g.check(v6('2001:db8:aa::/64'), T0));
    assert.equal(r.code, 'own-address');
    r = refused(await g.check(v4('203.0.113.0/24'), T0));
    assert.equal(r.code, 'own-address');
    assert.deepEqual(await g.check(v4('203.0.113.11/32'), T0), { ok: true });
  });

  it('too-wide: refuses IPv4 wider than /24 and IPv6 wider than /48 unless explicitly allowed', async () => {
    const g = guard();
    let r = refused(await g.check(v4('198.18.0.0/16'), T0));
    assert.equal(r.code, 'too-wide');
    assert.match(r.reason, /wider than \/24/);
    r = refused(await g.check(v6('2001:db8:bb00::/40'), T0));
    assert.equal(r.code, 'too-wide');
    assert.deepEqual(await g.check(v6('2001:db8:bb::/48'), T0), { ok: true });
    assert.deepEqual(await g.check(v4('198.18.0.0/17'), T0, { allowWide: true }), { ok: true });
    const wider = guard({ widestPrefix: { v4: 16 } });
    assert.deepEqual(await wider.check(v4('198.18.0.0/17'), T0), { ok: true });
    // Allowing width never lets a prefix swallow protected addresses.
    r = refused(await g.check(v4('198.51.100.0/24'), T0, { allowWide: true }));
    assert.equal(r.code, 'admin');
    r = refused(await g.check(v4('0.0.0.0/0'), T0, { allowWide: true }));
    assert.equal(r.code, 'trusted');
  });

  it('live-session: refuses the source of a live `who` session (recorded who --ips)', async () => {
    const { run } = fakeRunner({
      'who --ips': WHO_IPS,
      'ss -tnpH state established ( sport = :22 )': '',
    });
    const g = guard({ sessions: new SystemSessionProbe({ run }) });
    let r = refused(await g.check(v4('203.0.113.9/32'), T0));
    assert.equal(r.code, 'live-session');
    assert.equal(
      r.reason,
      '203.0.113.9/32 is 203.0.113.9, the source of a live login session (alice on pts/0, from who)',
    );
    r = refused(await g.check(v6('2001:db8::/64'), T0));
    assert.equal(r.code, 'live-session');
    assert.match(r.reason, /contains 2001:db8::5.*bob on pts\/1/);
    r = refused(await g.check(v4('198.51.100.8/32'), T0));
    assert.equal(r.code, 'live-session'); // frank, logged as ::ffff:198.51.100.8
    assert.deepEqual(await g.check(v4('198.51.100.9/32'), T0), { ok: true });
  });

  it('live-session: refuses the peer of an established SSH connection (recorded ss -tnH)', async () => {
    const { run } = fakeRunner({
      'who --ips': '',
      'ss -tnpH state established ( sport = :22 or sport = :2222 )': SS,
    });
    const g = guard({ sessions: new SystemSessionProbe({ sshPorts: [22, 2222], run }) });
    for (const t of [
      v4('198.51.100.20/32'),
      v4('198.51.100.44/32'), // seen as [::ffff:198.51.100.44]
      v6('2001:db8:9::1/128'),
      v6('2001:db8:9::/48'),
    ]) {
      const r = refused(await g.check(t, T0));
      assert.equal(r.code, 'live-session', t.cidr);
      assert.match(r.reason, /ssh connection to .*from ss/);
    }
  });

  it('live-session: refuses when sessions cannot be listed at all', async () => {
    const g = guard({
      sessions: {
        sessions: () => Promise.reject(new Error('cannot list live sessions: who: ENOENT')),
      },
    });
    const r = refused(await g.check(v4('198.51.100.5/32'), T0));
    assert.equal(r.code, 'live-session');
    assert.match(r.reason, /refusing to be safe/);
  });

  it('breaker: stops automatic bans once tripped; human-approved bans still pass', async () => {
    let now = T0;
    const trips: number[] = [];
    const breaker = new CircuitBreaker({
      maxPerMinute: 2,
      clock: () => now,
      onTrip: (s) => trips.push(s.trippedAt ?? -1),
    });
    const g = guard({ breaker });
    assert.deepEqual(await g.check(v4('198.51.100.1/32'), now, { automatic: true }), { ok: true });
    now += 1000;
    assert.deepEqual(await g.check(v4('198.51.100.2/32'), now, { automatic: true }), { ok: true });
    now += 1000;
    const r = refused(await g.check(v4('198.51.100.3/32'), now, { automatic: true }));
    assert.equal(r.code, 'breaker');
    assert.match(r.reason, /circuit breaker is tripped.*approved bans still work/);
    assert.deepEqual(await g.check(v4('198.51.100.3/32'), now), { ok: true });
    assert.deepEqual(trips, [T0 + 2000]);
    // A refused target does not use up the breaker's budget.
    breaker.reset();
    refused(await g.check(v4('10.0.0.1/32'), now, { automatic: true }));
    assert.equal(breaker.state().recent, 0);
  });

  it('throws on a target that is not canonical', async () => {
    const g = guard();
    await assert.rejects(g.check(v4('198.51.100.5'), T0), TypeError);
    await assert.rejects(g.check(v4('198.51.100.5/24'), T0), TypeError);
    await assert.rejects(g.check(v6('198.51.100.5/32'), T0), TypeError);
    await assert.rejects(g.check(v4('not an address'), T0), TypeError);
  });
});

describe('live sessions are logins, not attempts', () => {
  // `ss -tnpH state established '( sport = :22 )'` as root, on a server under attack
  // while an admin is logged in (addresses changed to documentation ones).
  const ss = [
    '0 0 198.51.100.1:22 203.0.113.10:41234 users:(("sshd",pid=3101,fd=4),("sshd",pid=3100,fd=4))',
    '0 0 198.51.100.1:22 192.0.2.5:50022 users:(("sshd",pid=2001,fd=4),("sshd",pid=1999,fd=4))',
    '0 0 198.51.100.1:22 192.0.2.6:50100 users:(("sshd-session",pid=2201,fd=7))',
    '0 0 198.51.100.1:22 192.0.2.7:50200',
  ].join('\n');
  const titles: Record<number, string> = {
    3100: 'sshd: unknown [priv]',
    3101: 'sshd: unknown [net]',
    1999: 'sshd: admin [priv]',
    2001: 'sshd: admin@pts/0',
    2201: 'sshd-session: deploy@notty',
  };

  it('counts authenticated sshd connections and unknown ones, never an attacker still trying', () => {
    const live = parseSs(ss).filter((x) => isLoggedIn(x, (pid) => titles[pid] ?? null));
    assert.deepEqual(
      live.map((x) => x.address),
      ['192.0.2.5', '192.0.2.6', '192.0.2.7'],
    );
  });

  it('unprivileged (no process is visible): a connection is a session only from an address that logged in', () => {
    const hidden = ss.replace(/ users:\(.*$/gm, '');
    const loggedIn = (address: string) => address === '192.0.2.5';
    const live = parseSs(hidden).filter((x) => isLoggedIn(x, () => null, loggedIn));
    assert.deepEqual(
      live.map((x) => x.address),
      ['192.0.2.5'],
      'the attacker still trying (203.0.113.10) is no session, the admin who logged in is',
    );
    // Knowing nothing of logins, every hidden connection stays protected.
    assert.equal(parseSs(hidden).filter((x) => isLoggedIn(x, () => null)).length, 4);
  });
});

/** A ban target from any address or prefix text (IPv4-mapped forms become IPv4). */
function targetOf(text: string): BanTarget {
  const c = parseCidr(text);
  return { cidr: c.text, family: c.family };
}

/** The second and the last address of a range (the only one of a single-address range). */
function samples(c: Cidr): string[] {
  const max = c.family === 4 ? 32 : 128;
  if (c.bits === max) return [c.text];
  const last = c.words.map((w, i) => {
    const keep = Math.max(0, Math.min(32, c.bits - 32 * i));
    return (w | (keep === 32 ? 0 : 0xffffffff >>> keep)) >>> 0;
  });
  const second = [...c.words];
  second[second.length - 1]! += 1;
  return [second, last].map((words) => `${formatIp({ family: c.family, words })}/${max}`);
}

const hex4 = (ip: string) => {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)].join(':');
};
const invert = (ip: string) =>
  ip
    .split('.')
    .map((o) => String(255 - Number(o)))
    .join('.');

/** For each embedding row: the IPv6 address carrying `v4` there. */
const CARRY: Record<string, (v4: string) => string[]> = {
  '::/96': (v4) => [`::${v4}`],
  '::ffff:0:0/96': (v4) => [`::ffff:${v4}`],
  '64:ff9b::/96': (v4) => [`64:ff9b::${v4}`],
  '64:ff9b:1::/48': (v4) => [`64:ff9b:1:abcd::${v4}`],
  '2002::/16': (v4) => [`2002:${hex4(v4)}::1`, `2002:${hex4(v4)}:77::/64`],
  // Teredo: as the server (bits 32–63), and as the client (inverted, the low 32 bits).
  '2001::/32': (v4) => [
    `2001:0:${hex4(v4)}:8000:63bf:${hex4(invert('192.0.2.45'))}`,
    `2001:0:4136:e378:8000:63bf:${hex4(invert(v4))}`,
  ],
};

describe('special-purpose addresses (IANA registries)', () => {
  const g = guard({ trusted: trustedNetworks([]), admins: [], interfaces: () => ({}) });
  /** The narrowest row holding `c`: a sample in a carved-out block belongs to that block. */
  const owner = (c: Cidr) =>
    SPECIAL_PURPOSE.filter((r) => within(c, specialCidr(r.prefix))).sort(
      (a, b) => specialCidr(b.prefix).bits - specialCidr(a.prefix).bits,
    )[0];

  for (const row of SPECIAL_PURPOSE) {
    it(`${row.prefix} ${row.name} (${row.rfc}) is ${row.verdict}: ${row.why}`, async () => {
      if (row.verdict === 'embedded') {
        const carry = CARRY[row.prefix];
        assert.ok(carry, `an embedding sample for ${row.prefix}`);
        const expect = [
          ['198.51.100.7', null],
          ['127.0.0.1', 'trusted'],
          ['10.1.2.3', 'trusted'],
          ['203.0.113.77', 'admin'],
          ['203.0.113.10', 'own-address'],
          ['224.0.0.1', 'special'],
          ['255.255.255.255', 'special'],
          ['0.0.0.7', 'special'],
        ] as const;
        const withOwn = guard();
        for (const [v4, code] of expect) {
          for (const text of carry(v4)) {
            const r = await withOwn.check(targetOf(text), T0);
            if (code === null) assert.deepEqual(r, { ok: true }, `${text} carries ${v4}`);
            else assert.equal(refused(r).code, code, `${text} carries ${v4}`);
          }
        }
        // The whole range carries all of IPv4, loopback included.
        if (row.prefix !== '::ffff:0:0/96') {
          const whole = refused(await g.check(targetOf(row.prefix), T0));
          assert.equal(whole.code, 'trusted', row.prefix);
        }
        return;
      }
      const own = samples(specialCidr(row.prefix)).filter((x) => owner(parseCidr(x)) === row);
      assert.ok(own.length > 0, `a sample of ${row.prefix}`);
      for (const sample of own) {
        const r = await g.check(targetOf(sample), T0);
        if (row.verdict === 'bannable') assert.deepEqual(r, { ok: true }, sample);
        else {
          const why = refused(r);
          assert.equal(why.code, row.verdict === 'trusted' ? 'trusted' : 'special', sample);
          if (row.verdict === 'protected') assert.match(why.reason, /special-purpose/);
        }
      }
    });
  }

  it("refuses the issue's examples, each naming what it is", async () => {
    const g = guard();
    const cases: [string, string, RegExp][] = [
      ['255.255.255.255', 'special', /255\.255\.255\.255\/32 \(Limited Broadcast, RFC 919\)/],
      ['224.0.0.1', 'special', /is inside 224\.0\.0\.0\/4 \(Multicast/],
      ['240.0.0.1', 'special', /240\.0\.0\.0\/4 \(Reserved/],
      ['0.0.0.1', 'special', /0\.0\.0\.0\/8 \(This network/],
      [
        '203.0.113.0',
        'own-address',
        /network address of this host's subnet 203\.0\.113\.0\/24 \(eth0\)/,
      ],
      [
        '203.0.113.255',
        'own-address',
        /broadcast address of this host's subnet 203\.0\.113\.0\/24/,
      ],
      ['2001:db8:aa::', 'own-address', /network address of this host's subnet 2001:db8:aa::\/64/],
      [
        '::7f00:1',
        'trusted',
        /carries the IPv4 127\.0\.0\.1 \(IPv4-compatible\), and 127\.0\.0\.1\/32 is inside the trusted network 127\.0\.0\.0\/8/,
      ],
      ['64:ff9b::127.0.0.1', 'trusted', /carries the IPv4 127\.0\.0\.1 \(NAT64\)/],
      ['64:ff9b::203.0.113.77', 'admin', /\(NAT64\), and 203\.0\.113\.77\/32 is the admin address/],
      [
        '64:ff9b::/64',
        'trusted',
        /64:ff9b::\/64 carries the IPv4 0\.0\.0\.0\/0 \(IPv4-compatible|NAT64\)/,
      ],
      ['2002:cb00:714d::/48', 'admin', /\(6to4\)/],
      [
        '64:ff9b::5db8:0/112',
        'too-wide',
        /carries the IPv4 93\.184\.0\.0\/16 \(NAT64\), and 93\.184\.0\.0\/16 is wider than \/24/,
      ],
    ];
    for (const [text, code, reason] of cases) {
      const r = refused(await g.check(targetOf(text), T0));
      assert.equal(r.code, code, text);
      assert.match(r.reason, reason, text);
    }
    // A /31 has no network or broadcast address (RFC 3021): its other end is a peer.
    const p2p = guard({
      interfaces: () => ({ wan: [{ ...iface('198.51.100.4', 'IPv4'), cidr: '198.51.100.4/31' }] }),
    });
    assert.deepEqual(await p2p.check(v4('198.51.100.5/32'), T0), { ok: true });
    const lan = guard({
      interfaces: () => ({ wan: [{ ...iface('198.51.100.4', 'IPv4'), cidr: '198.51.100.4/30' }] }),
    });
    assert.equal(refused(await lan.check(v4('198.51.100.7/32'), T0)).code, 'own-address');
    assert.deepEqual(await lan.check(v4('198.51.100.6/32'), T0), { ok: true });
  });

  it('says why in Korean too', async () => {
    const r = refused(await guard().check(targetOf('64:ff9b::203.0.113.77'), T0));
    assert.equal(
      renderGuardMessage(r.message, translator('ko')),
      '64:ff9b::cb00:714d/128에는 IPv4 203.0.113.77이(가) 들어 있습니다(NAT64). 203.0.113.77/32: 관리자 주소 203.0.113.77와(과) 같습니다',
    );
    assert.equal(renderGuardMessage(r.message, translator('en')), r.reason);
  });
});
