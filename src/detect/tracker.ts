/**
 * Sliding windows per address (and per IPv6 prefix) for one jail: failures in
 * event time become findings. State per key is a small ring of the latest
 * failure times, so memory per address is fixed and the number of addresses
 * is capped (BoundedMap). Trusted and internal addresses are tracked too,
 * but only to see lateral movement: their findings are `internal-*` kinds,
 * which are alerted and never banned (domain.ts isInternalFinding).
 */
import type { AuthEvent, Finding, Millis } from '../domain.js';
import { parseIp, prefixOf } from '../net/ip.js';
import { detach } from '../detach.js';
import { BoundedMap } from '../filters/bounded-map.js';
import type { JailSettings } from './jail.js';

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

export interface TrackerStats {
  tracked: number;
  evictions: number;
  /** Lines from trusted networks: watched for lateral movement, never banned. */
  internalLines: number;
}

export class AddressTracker {
  private readonly keys: BoundedMap<string, KeyState>;
  private readonly ring: number;
  private internalLines = 0;

  constructor(private readonly jail: JailSettings) {
    this.keys = new BoundedMap(jail.maxTracked);
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
