import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthEvent } from '../domain.js';
import { trustedNetworks } from '../intel/trusted.js';
import { canonicalIp } from '../net/ip.js';
import { defaultJail, type JailSettings } from './jail.js';
import { AddressTracker } from './tracker.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 7, 0, 0);

function jail(overrides: Partial<JailSettings> = {}): JailSettings {
  return { ...defaultJail('sshd', trustedNetworks(), 'normal'), ...overrides };
}

function ev(ip: string, minute: number, over: Partial<AuthEvent> = {}): AuthEvent {
  return {
    time: T0 + minute * MIN,
    filter: 'sshd',
    rule: 'failed',
    result: 'fail',
    host: ip,
    ip: canonicalIp(ip),
    user: 'root',
    users: null,
    attempts: 1,
    accepted: false,
    ...over,
  };
}

function success(ip: string, minute: number, user = 'root'): AuthEvent {
  return ev(ip, minute, { result: 'success', rule: 'accepted', accepted: true, user });
}

function feed(tracker: AddressTracker, events: AuthEvent[]) {
  return events.flatMap((e) => tracker.observe(e, e.time ?? 0));
}

describe('AddressTracker', () => {
  it('reports brute force once maxretry failures fall within findtime, once per episode', () => {
    const t = new AddressTracker(jail());
    const first = feed(
      t,
      [0, 1, 2, 3].map((m) => ev('203.0.113.5', m)),
    );
    assert.deepEqual(first, []);
    const fifth = t.observe(ev('203.0.113.5', 4, { user: 'admin' }), 0);
    assert.equal(fifth.length, 1);
    assert.deepEqual(
      { ...fifth[0], users: fifth[0]!.users.sort() },
      {
        kind: 'bruteforce',
        jail: 'sshd',
        scope: 'address',
        ip: '203.0.113.5',
        count: 5,
        first: T0,
        last: T0 + 4 * MIN,
        users: ['admin', 'root'],
      },
    );
    // The same attack going on is the same episode: no second finding.
    assert.deepEqual(
      feed(
        t,
        [5, 6, 7, 8, 9, 10].map((m) => ev('203.0.113.5', m)),
      ),
      [],
    );
    // After a quiet findtime, a new wave is a new finding.
    const again = feed(
      t,
      [30, 31, 32, 33, 34].map((m) => ev('203.0.113.5', m)),
    );
    assert.deepEqual(
      again.map((f) => f.kind),
      ['bruteforce'],
    );
  });

  it('does not count failures that are further apart than findtime', () => {
    const t = new AddressTracker(jail({ slow: null }));
    assert.deepEqual(
      feed(
        t,
        [0, 11, 22, 33, 44, 55, 66].map((m) => ev('198.51.100.7', m)),
      ),
      [],
    );
  });

  it('reports a slow attacker that stays under maxretry per findtime', () => {
    const t = new AddressTracker(jail());
    // One failure every 30 minutes: never 5 in 10 minutes, 12 within 12 hours after 5.5 hours.
    const findings = feed(
      t,
      Array.from({ length: 14 }, (_, i) => ev('198.51.100.8', i * 30)),
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.count, (f.last - T0) / MIN]),
      [['slow-bruteforce', 12, 330]],
    );
  });

  it('counts the attempts a multi-line failure gathers', () => {
    const t = new AddressTracker(jail());
    const f = feed(t, [ev('192.0.2.77', 0, { attempts: 3 }), ev('192.0.2.77', 1, { attempts: 2 })]);
    assert.deepEqual(
      f.map((x) => [x.kind, x.count]),
      [['bruteforce', 5]],
    );
  });

  it('calls a login after failures a compromise, but not a user who mistyped', () => {
    const t = new AddressTracker(jail());
    // Three failures for root, then root gets in: compromise.
    assert.deepEqual(
      feed(t, [
        ev('203.0.113.9', 0),
        ev('203.0.113.9', 1),
        ev('203.0.113.9', 2),
        success('203.0.113.9', 3),
      ]).map((f) => [f.kind, f.count]),
      [['compromise', 3]],
    );
    // Two typos by alice, then alice gets in: nothing.
    assert.deepEqual(
      feed(t, [
        ev('192.0.2.50', 0, { user: 'alice' }),
        ev('192.0.2.50', 1, { user: 'alice' }),
        success('192.0.2.50', 2, 'alice'),
      ]),
      [],
    );
    // One failure as another user, then a login: compromise (spraying that worked).
    assert.deepEqual(
      feed(t, [ev('192.0.2.51', 0, { user: 'admin' }), success('192.0.2.51', 1, 'deploy')]).map(
        (f) => [f.kind, f.users],
      ),
      [['compromise', ['admin', 'deploy']]],
    );
    // A login with no failure before it: nothing.
    assert.deepEqual(feed(t, [success('192.0.2.52', 0)]), []);
  });

  it('counts only failures since the last login: an admin mistyping through the day is not a break-in', () => {
    const t = new AddressTracker(jail());
    const day = [
      ev('192.0.2.60', 0, { user: 'alice' }),
      success('192.0.2.60', 1, 'alice'),
      ev('192.0.2.60', 240, { user: 'alice' }),
      success('192.0.2.60', 241, 'alice'),
      ev('192.0.2.60', 480, { user: 'alice' }),
      ev('192.0.2.60', 481, { user: 'alice' }),
      success('192.0.2.60', 482, 'alice'),
    ];
    assert.deepEqual(feed(t, day), []);
    // Three failures after the last login still make one.
    const later = [600, 601, 602].map((m) => ev('192.0.2.60', m, { user: 'alice' }));
    assert.deepEqual(
      feed(t, [...later, success('192.0.2.60', 603, 'alice')]).map((f) => [f.kind, f.count]),
      [['compromise', 3]],
    );
  });

  it('reports trusted networks only as internal findings (lateral movement), never as attacks', () => {
    const t = new AddressTracker(jail());
    const internal = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.9',
      '192.168.1.1',
      '169.254.1.1',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
    ];
    for (const ip of internal) {
      const fails = [0, 1, 2, 3, 4].map((m) => ev(ip, m));
      const kinds = feed(t, [...fails, success(ip, 5)]).map((f) => [f.kind, f.scope, f.ip]);
      assert.deepEqual(
        kinds,
        [
          ['internal-bruteforce', 'address', canonicalIp(ip)],
          ['internal-compromise', 'address', canonicalIp(ip)],
        ],
        ip,
      );
    }
    assert.equal(t.stats().internalLines, internal.length * 6);
    // One key each: internal IPv6 hosts are not grouped into prefixes.
    assert.equal(t.stats().tracked, internal.length);
  });

  it('does not report a trusted host that mistyped once and logged in, nor its slow trickle', () => {
    const t = new AddressTracker(jail());
    assert.deepEqual(feed(t, [ev('10.0.0.7', 0), success('10.0.0.7', 1)]), []);
    // 20 failures an hour apart: slow brute force from outside, a stale script from inside.
    const trickle = Array.from({ length: 20 }, (_, i) => ev('10.0.0.8', i * 60));
    assert.deepEqual(feed(t, trickle), []);
  });

  it('counts IPv6 failures per /64 so a rotating attacker is caught as a prefix', () => {
    const t = new AddressTracker(jail());
    const addrs = [
      '2001:db8:1:2::a',
      '2001:db8:1:2::b',
      '2001:db8:1:2:ffff::1',
      '2001:db8:1:2::c',
      '2001:db8:1:2::d',
    ];
    const findings = feed(
      t,
      addrs.map((a, i) => ev(a, i)),
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.scope, f.ip, f.count]),
      [['bruteforce', 'prefix', '2001:db8:1:2::/64', 5]],
    );
  });

  it('keeps memory bounded: a flood of distinct addresses evicts the least recently seen', () => {
    const t = new AddressTracker(jail({ maxTracked: 1000 }));
    for (let i = 0; i < 10_000; i++) t.observe(ev(`198.51.${i >> 8}.${i & 255}`, 0), 0);
    assert.deepEqual(t.stats(), { tracked: 1000, evictions: 9000, internalLines: 0 });
    // The most recent addresses are still tracked and still counted.
    const last = `198.51.${9999 >> 8}.${9999 & 255}`;
    const f = feed(
      t,
      [1, 2, 3, 4].map((m) => ev(last, m)),
    );
    assert.deepEqual(
      f.map((x) => x.count),
      [5],
    );
  });

  it('ignores events without an address and helper lines', () => {
    const t = new AddressTracker(jail({ maxretry: 1 }));
    assert.deepEqual(feed(t, [ev('example.com', 0), ev('192.0.2.1', 0, { result: 'nofail' })]), []);
  });
});
