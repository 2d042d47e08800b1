/**
 * The slab tracker against the tracker as it was before (one object per address
 * in a Map), kept here verbatim as the reference, on random event sequences.
 * Only the reference's map differs: `exactLru` swaps the old two-generation BoundedMap for a
 * Map in exact least-recently-used order, the order the slab promises once the
 * cap overflows; below the cap both maps never evict and the two are the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthEvent, Finding, Millis } from '../domain.js';
import { trustedNetworks } from '../intel/trusted.js';
import { canonicalIp, parseIp, prefixOf } from '../net/ip.js';
import { detach } from '../detach.js';
import { BoundedMap } from '../filters/bounded-map.js';
import { defaultJail, type JailSettings } from './jail.js';
import { AddressTracker, type TrackerStats } from './tracker.js';

interface KeyMap<V> {
  readonly size: number;
  readonly evictions: number;
  touch(key: string): V | undefined;
  set(key: string, value: V): void;
}

/** A Map whose insertion order is the LRU order: a touch moves the key to the end. */
class ExactLru<V> implements KeyMap<V> {
  private readonly map = new Map<string, V>();
  evictions = 0;
  constructor(private readonly cap: number) {}
  get size(): number {
    return this.map.size;
  }
  touch(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    if (this.map.size >= this.cap) {
      this.map.delete(this.map.keys().next().value!);
      this.evictions++;
    }
    this.map.set(key, value);
  }
}

const MAX_USERS = 16;
const MAX_PREFIX_MEMBERS = 16;

interface KeyState {
  /** Ring of the latest failure times; `count` failures seen in total. */
  times: number[];
  count: number;
  users: string[];
  /** Findings of a kind are not repeated until the key has been quiet for that kind's window. */
  bruteUntil: number;
  slowUntil: number;
  /** For prefixes: the addresses whose failures were counted. */
  members: string[] | null;
  /** For IPv6 addresses: the key of their prefix. */
  prefix: string | null;
  /** In a trusted network: findings are internal ones, and no slow window. */
  internal: boolean;
  /** The latest login from this address: failures before it were already judged. */
  lastLogin: number;
}

function newState(prefix: string | null, isPrefix: boolean, internal = false): KeyState {
  return {
    times: [],
    count: 0,
    users: [],
    bruteUntil: 0,
    slowUntil: 0,
    members: isPrefix ? [] : null,
    prefix,
    internal,
    lastLogin: 0,
  };
}

class ReferenceTracker {
  private readonly keys: KeyMap<KeyState>;
  private readonly ring: number;
  private internalLines = 0;

  constructor(
    private readonly jail: JailSettings,
    exactLru: boolean,
  ) {
    this.keys = exactLru ? new ExactLru(jail.maxTracked) : new BoundedMap(jail.maxTracked);
    this.ring = Math.max(jail.maxretry, jail.slow?.maxretry ?? 0, jail.compromise.minFailures, 1);
  }

  stats(): TrackerStats {
    return {
      tracked: this.keys.size,
      evictions: this.keys.evictions,
      internalLines: this.internalLines,
    };
  }

  /** Feeds one classified line; returns the findings it completes (usually none). */
  observe(event: AuthEvent, now: Millis): Finding[] {
    const addr = event.ip;
    if (addr === null || (event.result !== 'fail' && !event.accepted)) return NONE;
    // A tracked address knows whether it is trusted: only new ones are parsed and checked.
    let s = this.keys.touch(addr);
    if (s === undefined) {
      const ip = parseIp(addr);
      if (ip === null) return NONE;
      const internal = this.jail.trusted.has(ip);
      if (internal) this.internalLines++;
      // A login with no failure before it has nothing to be judged against.
      if (event.result !== 'fail') return NONE;
      // Internal hosts are not grouped by prefix: each is a host of the admin's own network.
      const prefix =
        !internal && ip.family === 6 && this.jail.ipv6Prefix > 0
          ? prefixOf(ip, this.jail.ipv6Prefix)
          : null;
      s = newState(prefix, false, internal);
      this.keys.set(detach(addr), s);
    } else if (s.internal) this.internalLines++;
    const t = event.time ?? now;
    let findings: Finding[] = NONE;
    // A success is judged against the failures before it, so check before counting this line.
    if (event.accepted) {
      const c = this.compromise(event, s, t);
      if (c !== null) findings = [c];
    }
    if (event.result === 'fail') {
      const own = this.fail(addr, s, event, t, null);
      if (own.length > 0) findings = findings === NONE ? own : findings.concat(own);
      if (s.prefix !== null) {
        let p = this.keys.touch(s.prefix);
        if (p === undefined) {
          p = newState(null, true);
          this.keys.set(s.prefix, p);
        }
        const prefix = this.fail(s.prefix, p, event, t, addr);
        if (prefix.length > 0) findings = findings === NONE ? prefix : findings.concat(prefix);
      }
    }
    return findings;
  }

  private fail(
    key: string,
    s: KeyState,
    event: AuthEvent,
    t: number,
    member: string | null,
  ): Finding[] {
    for (let i = 0; i < Math.max(1, event.attempts); i++) {
      if (s.times.length < this.ring) s.times.push(t);
      else s.times[s.count % this.ring] = t;
      s.count++;
    }
    const users = event.users ?? (event.user === null ? [] : [event.user]);
    for (const u of users)
      if (!s.users.includes(u) && s.users.length < MAX_USERS) s.users.push(detach(u));
    if (member !== null && s.members !== null && !s.members.includes(member)) {
      if (s.members.length >= MAX_PREFIX_MEMBERS) s.members.shift();
      s.members.push(detach(member));
    }
    // A prefix finding only adds something when several addresses of it took part.
    if (s.members !== null && s.members.length < 2) return NONE;
    const scope = member === null ? 'address' : 'prefix';

    const j = this.jail;
    const inBrute = this.within(s, t, j.findtime);
    if (t < s.bruteUntil) {
      s.bruteUntil = t + j.findtime;
      if (j.slow !== null) s.slowUntil = t + j.slow.findtime;
      return NONE;
    }
    if (inBrute.count >= j.maxretry) {
      s.bruteUntil = t + j.findtime;
      if (j.slow !== null) s.slowUntil = t + j.slow.findtime;
      const kind = s.internal ? 'internal-bruteforce' : 'bruteforce';
      return [this.finding(kind, scope, key, inBrute, t, s.users)];
    }
    // A slow trickle from inside is a script with an old password more often than an intruder.
    if (j.slow !== null && !s.internal) {
      if (t < s.slowUntil) {
        s.slowUntil = t + j.slow.findtime;
        return NONE;
      }
      const inSlow = this.within(s, t, j.slow.findtime);
      if (inSlow.count >= j.slow.maxretry) {
        s.slowUntil = t + j.slow.findtime;
        return [this.finding('slow-bruteforce', scope, key, inSlow, t, s.users)];
      }
    }
    return NONE;
  }

  private compromise(event: AuthEvent, s: KeyState, t: number): Finding | null {
    // Only failures since the last login count: a typo at 9:00 and two at 17:00 are not three.
    const since = s.lastLogin > 0 ? Math.min(t - s.lastLogin, this.jail.compromise.window) : null;
    s.lastLogin = Math.max(s.lastLogin, t);
    const w = this.within(s, t, since ?? this.jail.compromise.window);
    if (w.count === 0) return null;
    const otherUser = s.users.some((u) => u !== event.user);
    if (w.count < this.jail.compromise.minFailures && !otherUser) return null;
    const users =
      event.user !== null && !s.users.includes(event.user) ? [...s.users, event.user] : s.users;
    const kind = s.internal ? 'internal-compromise' : 'compromise';
    return this.finding(kind, 'address', event.ip!, w, t, users);
  }

  /** Failures within `span` before `t` (as far as the ring remembers) and the oldest of them. */
  private within(s: KeyState, t: number, span: number): { count: number; first: number } {
    let count = 0;
    let first = t;
    for (const x of s.times) {
      if (x > t - span && x <= t) {
        count++;
        if (x < first) first = x;
      }
    }
    return { count, first };
  }

  private finding(
    kind: Finding['kind'],
    scope: Finding['scope'],
    ip: string,
    w: { count: number; first: number },
    t: number,
    users: string[],
  ): Finding {
    return {
      kind,
      jail: this.jail.name,
      scope,
      ip,
      count: w.count,
      first: w.first,
      last: t,
      users: users.slice(),
    };
  }
}

const NONE: Finding[] = [];

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 7, 0, 0);

/** Few addresses, so they repeat: IPv4, IPv6 sharing /64s and /48s, trusted ones, and not-addresses. */
const HOSTS = [
  '203.0.113.5',
  '203.0.113.6',
  '198.51.100.7',
  '10.0.0.8',
  '2001:db8:1:2::a',
  '2001:db8:1:2::b',
  '2001:db8:1:3::c',
  '2001:db8:2:2::d',
  '2001:db8:1:2:ffff::1',
  'fd00::1',
  '::1',
  'example.com',
];
const USERS = ['root', 'admin', 'alice', 'deploy', 'a-rather-long-user-name-from-a-list'];

const event = fc
  .record({
    host: fc.constantFrom(...HOSTS),
    step: fc.integer({ min: -2, max: 40 }),
    untimed: fc.boolean(),
    kind: fc.constantFrom('fail', 'fail', 'fail', 'success', 'nofail', 'accepted-fail'),
    user: fc.option(fc.constantFrom(...USERS)),
    users: fc.option(fc.array(fc.constantFrom(...USERS), { maxLength: 4 })),
    attempts: fc.integer({ min: 0, max: 3 }),
  })
  .map((r) => ({ ...r, ip: canonicalIp(r.host) }));

const settings = fc.record({
  maxretry: fc.integer({ min: 1, max: 6 }),
  findtime: fc.integer({ min: 1, max: 30 }).map((m) => m * MIN),
  slow: fc.option(
    fc.record({
      maxretry: fc.integer({ min: 2, max: 14 }),
      findtime: fc.integer({ min: 10, max: 600 }).map((m) => m * MIN),
    }),
  ),
  compromise: fc.record({
    minFailures: fc.integer({ min: 1, max: 4 }),
    window: fc.integer({ min: 5, max: 600 }).map((m) => m * MIN),
  }),
  ipv6Prefix: fc.constantFrom(0, 48, 64),
});

type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Generated = Infer<typeof event>;

/** The events the pipeline would make of the generated ones, in minutes since T0. */
function events(list: Generated[]): { event: AuthEvent; now: Millis }[] {
  let minute = 0;
  return list.map((g) => {
    minute = Math.max(0, minute + g.step);
    const fail = g.kind === 'fail' || g.kind === 'accepted-fail';
    const accepted = g.kind === 'success' || g.kind === 'accepted-fail';
    const time = T0 + minute * MIN;
    return {
      now: time,
      event: {
        time: g.untimed ? null : time,
        filter: 'sshd',
        rule: 'r',
        result: fail ? 'fail' : g.kind === 'success' ? 'success' : 'nofail',
        host: g.host,
        ip: g.ip,
        user: g.user,
        users: g.users,
        attempts: g.attempts,
        accepted,
      },
    };
  });
}

function compare(jail: JailSettings, list: Generated[], exactLru: boolean): void {
  const slab = new AddressTracker(jail);
  const reference = new ReferenceTracker(jail, exactLru);
  for (const [i, { event, now }] of events(list).entries()) {
    const got = slab.observe(event, now);
    const want = reference.observe(event, now);
    assert.deepEqual(got, want, `event ${i}: ${JSON.stringify(event)}`);
  }
  assert.deepEqual(slab.stats(), reference.stats());
}

describe('AddressTracker against the reference', () => {
  const jail = (s: Infer<typeof settings>, maxTracked: number): JailSettings => ({
    ...defaultJail('sshd', trustedNetworks(), 'normal'),
    ...s,
    maxTracked,
  });

  it('finds exactly what the old tracker finds while nothing is evicted', () => {
    fc.assert(
      fc.property(settings, fc.array(event, { maxLength: 400, size: 'max' }), (s, list) =>
        compare(jail(s, 1000), list, false),
      ),
      { numRuns: 300 },
    );
  });

  it('past the cap, forgets the least recently seen key and stays exact for the rest', () => {
    fc.assert(
      fc.property(
        settings,
        fc.integer({ min: 2, max: 8 }),
        fc.array(event, { maxLength: 400, size: 'max' }),
        (s, cap, list) => compare(jail(s, cap), list, true),
      ),
      { numRuns: 300 },
    );
  });
});
