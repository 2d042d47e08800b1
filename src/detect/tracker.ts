/**
 * Sliding windows per address (and per IPv6 prefix) for one jail: failures in
 * event time become findings. State per key is a small ring of the latest
 * failure times, so memory per address is fixed, and the number of addresses
 * is capped: the least recently seen is forgotten first (exactly). All of it
 * lives in typed arrays indexed by slot (slab.ts), with no object per address,
 * so a million attackers cost what the cap allows and no garbage.
 * Trusted and internal addresses are tracked too, but only to see lateral
 * movement: their findings are `internal-*` kinds, which are alerted and never
 * banned (domain.ts isInternalFinding).
 */
import type { AuthEvent, Finding, Millis } from '../domain.js';
import { formatIp, maskWord, parseIpInto, type ParsedIp } from '../net/ip.js';
import type { JailSettings } from './jail.js';
import { AddressSlab, OWNER_WORD, type SlabOwner } from '../slab.js';
import { UserNames } from './user-names.js';

const MAX_USERS = 16;

/** Key tags: an address of either family, or an IPv6 prefix (tag = PREFIX + its length). */
const V4 = 4;
const V6 = 6;
const PREFIX = 0x100;

/**
 * A slot's fields in its slab row, by 32-bit word (the first ones hot, so that a new address
 * mostly touches one cache line): how many of the ring are set (FILLED), where the next one
 * goes (NEXT), the flags, how many users are held (COUNT); then, as 64-bit times (by index
 * into a Float64Array view: word / 2), until when a kind's finding is not repeated (the key
 * must be quiet for that kind's window: BRUTE, SLOW), the latest login from the address
 * (failures before it were already judged: LOGIN) and the ring of the latest failure times
 * from TIMES; after the ring, a prefix's first address (four words) and the users.
 */
const FILLED = OWNER_WORD;
const NEXT = OWNER_WORD + 1;
const FLAGS = OWNER_WORD + 2;
const COUNT = OWNER_WORD + 3;
/** The first 64-bit field, in words: even, as a Float64Array view needs. */
const TIMES_WORD = (COUNT + 2) & ~1;
const BRUTE = TIMES_WORD / 2;
const SLOW = BRUTE + 1;
const LOGIN = BRUTE + 2;
const TIMES = BRUTE + 3;

/** Slot flags. */
const INTERNAL = 1;
/** A prefix: the one address counted so far is in `member`. */
const ONE_MEMBER = 2;
/** A prefix: several addresses took part (a prefix finding adds something only then). */
const MEMBERS = 4;

export interface TrackerStats {
  tracked: number;
  evictions: number;
  /** Lines from trusted networks: watched for lateral movement, never banned. */
  internalLines: number;
}

/** A count of failures within a span and the oldest of them. */
interface Window {
  count: number;
  first: number;
}

export class AddressTracker implements SlabOwner {
  private readonly slab: AddressSlab;
  private readonly ring: number;
  private readonly names = new UserNames();
  private internalLines = 0;
  // Views of the slab's rows (renewed by `grow`): a slot's fields lie beside its key, so a
  // flood of distinct addresses, bound by memory rather than by counting, touches one row
  // per address.
  /** Words per row. */
  private readonly row: number;
  /** Where in a row a prefix's first address is (four words), until a second one makes it `MEMBERS`. */
  private readonly memberWord: number;
  /** Where the users tried are, as ids in `names`, in the order first seen (at most MAX_USERS; COUNT of them). */
  private readonly usersWord: number;
  private meta = new Int32Array(0);
  private member = new Uint32Array(0);
  private num = new Float64Array(0);
  /** Scratch for the window searches and the key of the current event's prefix. */
  private readonly window: Window = { count: 0, first: 0 };
  private readonly prefixWords = new Uint32Array(4);
  private readonly v4: ParsedIp = { family: 4, words: [0] };
  private readonly v6: ParsedIp = { family: 6, words: [0, 0, 0, 0] };

  constructor(private readonly jail: JailSettings) {
    this.ring = Math.max(jail.maxretry, jail.slow?.maxretry ?? 0, jail.compromise.minFailures, 1);
    this.memberWord = 2 * (TIMES + this.ring);
    this.usersWord = this.memberWord + 4;
    this.slab = new AddressSlab(jail.maxTracked, this, this.usersWord + MAX_USERS - OWNER_WORD);
    this.row = this.slab.rowWords;
  }

  grow(_capacity: number, rows: ArrayBuffer): void {
    this.meta = new Int32Array(rows);
    this.member = new Uint32Array(rows);
    this.num = new Float64Array(rows);
  }

  evict(slot: number): void {
    const base = slot * this.row;
    for (let i = 0; i < this.meta[base + COUNT]!; i++)
      this.names.release(this.meta[base + this.usersWord + i]!);
  }

  stats(): TrackerStats {
    return {
      tracked: this.slab.size,
      evictions: this.slab.evictions,
      internalLines: this.internalLines,
    };
  }

  /** Feeds one classified line; returns the findings it completes (usually none). */
  observe(event: AuthEvent, now: Millis): Finding[] {
    const addr = event.ip;
    if (addr === null || (event.result !== 'fail' && !event.accepted)) return NONE;
    // Into reused objects: this runs once per event.
    const ip = parseIpInto(addr, this.v4, this.v6);
    if (ip === null) return NONE;
    const w = ip.words;
    const tag = ip.family === 4 ? V4 : V6;
    const w1 = w[1] ?? 0;
    const w2 = w[2] ?? 0;
    const w3 = w[3] ?? 0;
    // A tracked address knows whether it is trusted: only new ones are checked.
    let s = this.slab.find(tag, w[0]!, w1, w2, w3);
    if (s !== -1) {
      this.slab.touch(s);
      if ((this.meta[s * this.row + FLAGS]! & INTERNAL) !== 0) this.internalLines++;
    } else {
      const internal = this.jail.trusted.has(ip);
      if (internal) this.internalLines++;
      // A login with no failure before it has nothing to be judged against.
      if (event.result !== 'fail') return NONE;
      s = this.slab.insert(tag, w[0]!, w1, w2, w3);
      this.reset(s, internal ? INTERNAL : 0);
    }
    const t = event.time ?? now;
    let findings: Finding[] = NONE;
    // A success is judged against the failures before it, so check before counting this line.
    if (event.accepted) {
      const c = this.compromise(event, s, t);
      if (c !== null) findings = [c];
    }
    if (event.result === 'fail') {
      const own = this.fail(s, event, t, null);
      if (own !== null) findings = findings === NONE ? [own] : [...findings, own];
      // Internal hosts are not grouped by prefix: each is a host of the admin's own network.
      const bits = this.jail.ipv6Prefix;
      if (tag === V6 && bits > 0 && (this.meta[s * this.row + FLAGS]! & INTERNAL) === 0) {
        const p = this.prefixSlot(ip, bits);
        const prefix = this.fail(p, event, t, ip);
        if (prefix !== null) findings = findings === NONE ? [prefix] : [...findings, prefix];
      }
    }
    return findings;
  }

  /** The slot of `ip`'s prefix of `bits`, touched or made. */
  private prefixSlot(ip: ParsedIp, bits: number): number {
    const m = this.prefixWords;
    for (let i = 0; i < 4; i++) m[i] = maskWord(ip.words[i]!, i, bits);
    const tag = PREFIX + bits;
    let p = this.slab.find(tag, m[0]!, m[1]!, m[2]!, m[3]!);
    if (p !== -1) this.slab.touch(p);
    else {
      p = this.slab.insert(tag, m[0]!, m[1]!, m[2]!, m[3]!);
      this.reset(p, 0);
    }
    return p;
  }

  private reset(s: number, flags: number): void {
    this.meta[s * this.row + FILLED] = 0;
    this.meta[s * this.row + NEXT] = 0;
    this.num[this.timesOf(s) + BRUTE] = 0;
    this.num[this.timesOf(s) + SLOW] = 0;
    this.num[this.timesOf(s) + LOGIN] = 0;
    this.meta[s * this.row + FLAGS] = flags;
    this.meta[s * this.row + COUNT] = 0;
  }

  /** Counts a failure on slot `s` (an address, or the prefix of `member`); a finding or null. */
  private fail(s: number, event: AuthEvent, t: number, member: ParsedIp | null): Finding | null {
    const ring = this.ring;
    const base = this.timesOf(s) + TIMES;
    for (let i = 0; i < Math.max(1, event.attempts); i++) {
      const at = this.meta[s * this.row + NEXT]!;
      this.num[base + at] = t;
      this.meta[s * this.row + NEXT] = at + 1 === ring ? 0 : at + 1;
      if (this.meta[s * this.row + FILLED]! < ring) this.meta[s * this.row + FILLED]!++;
    }
    if (event.users !== null) for (const u of event.users) this.addUser(s, u);
    else if (event.user !== null) this.addUser(s, event.user);
    if (member !== null) {
      // A prefix finding only adds something when several addresses of it took part.
      if (!this.countMember(s, member)) return null;
    }
    const scope = member === null ? 'address' : 'prefix';

    const j = this.jail;
    const internal = (this.meta[s * this.row + FLAGS]! & INTERNAL) !== 0;
    if (t < this.num[this.timesOf(s) + BRUTE]!) {
      this.num[this.timesOf(s) + BRUTE] = t + j.findtime;
      if (j.slow !== null) this.num[this.timesOf(s) + SLOW] = t + j.slow.findtime;
      return null;
    }
    const inBrute = this.within(s, t, j.findtime);
    if (inBrute.count >= j.maxretry) {
      this.num[this.timesOf(s) + BRUTE] = t + j.findtime;
      if (j.slow !== null) this.num[this.timesOf(s) + SLOW] = t + j.slow.findtime;
      const kind = internal ? 'internal-bruteforce' : 'bruteforce';
      return this.finding(kind, scope, this.keyText(s, event), inBrute, t, this.userList(s, null));
    }
    // A slow trickle from inside is a script with an old password more often than an intruder.
    if (j.slow !== null && !internal) {
      if (t < this.num[this.timesOf(s) + SLOW]!) {
        this.num[this.timesOf(s) + SLOW] = t + j.slow.findtime;
        return null;
      }
      const inSlow = this.within(s, t, j.slow.findtime);
      if (inSlow.count >= j.slow.maxretry) {
        this.num[this.timesOf(s) + SLOW] = t + j.slow.findtime;
        const key = this.keyText(s, event);
        return this.finding('slow-bruteforce', scope, key, inSlow, t, this.userList(s, null));
      }
    }
    return null;
  }

  /** Notes `member` as one of prefix `s`'s addresses; whether several have taken part. */
  private countMember(s: number, member: ParsedIp): boolean {
    const f = this.meta[s * this.row + FLAGS]!;
    if ((f & MEMBERS) !== 0) return true;
    const m = s * this.row + this.memberWord;
    const w = member.words;
    if ((f & ONE_MEMBER) === 0) {
      for (let i = 0; i < 4; i++) this.member[m + i] = w[i]!;
      this.meta[s * this.row + FLAGS] = f | ONE_MEMBER;
      return false;
    }
    for (let i = 0; i < 4; i++)
      if (this.member[m + i] !== w[i]) {
        this.meta[s * this.row + FLAGS] = f | MEMBERS;
        return true;
      }
    return false;
  }

  private addUser(s: number, user: string): void {
    const n = this.meta[s * this.row + COUNT]!;
    if (n >= MAX_USERS) return;
    const base = s * this.row + this.usersWord;
    for (let i = 0; i < n; i++) if (this.names.name(this.meta[base + i]!) === user) return;
    this.meta[base + n] = this.names.hold(user);
    this.meta[s * this.row + COUNT] = n + 1;
  }

  /** The slot's users, and `extra` after them when it is not one of them. */
  private userList(s: number, extra: string | null): string[] {
    const base = s * this.row + this.usersWord;
    const list: string[] = [];
    for (let i = 0; i < this.meta[s * this.row + COUNT]!; i++)
      list.push(this.names.name(this.meta[base + i]!));
    if (extra !== null && !list.includes(extra)) list.push(extra);
    return list;
  }

  /** The text of slot `s`'s key: the event's own address, or the prefix in CIDR form. */
  private keyText(s: number, event: AuthEvent): string {
    const key = this.slab.key(s);
    if (key[0]! < PREFIX) return event.ip!;
    const words = [key[1]!, key[2]!, key[3]!, key[4]!];
    return `${formatIp({ family: 6, words })}/${key[0]! - PREFIX}`;
  }

  private compromise(event: AuthEvent, s: number, t: number): Finding | null {
    // Only failures since the last login count: a typo at 9:00 and two at 17:00 are not three.
    const last = this.num[this.timesOf(s) + LOGIN]!;
    const since = last > 0 ? Math.min(t - last, this.jail.compromise.window) : null;
    this.num[this.timesOf(s) + LOGIN] = Math.max(last, t);
    const w = this.within(s, t, since ?? this.jail.compromise.window);
    if (w.count === 0) return null;
    let otherUser = false;
    const base = s * this.row + this.usersWord;
    for (let i = 0; i < this.meta[s * this.row + COUNT]! && !otherUser; i++)
      otherUser = this.names.name(this.meta[base + i]!) !== event.user;
    if (w.count < this.jail.compromise.minFailures && !otherUser) return null;
    const kind =
      (this.meta[s * this.row + FLAGS]! & INTERNAL) !== 0 ? 'internal-compromise' : 'compromise';
    return this.finding(kind, 'address', event.ip!, w, t, this.userList(s, event.user));
  }

  /** Where slot `s`'s row starts in the view of 64-bit times. */
  private timesOf(s: number): number {
    return (s * this.row) >> 1;
  }

  /** Failures within `span` before `t` (as far as the ring remembers) and the oldest of them. */
  private within(s: number, t: number, span: number): Window {
    let count = 0;
    let first = t;
    const base = this.timesOf(s) + TIMES;
    const end = base + this.meta[s * this.row + FILLED]!;
    for (let i = base; i < end; i++) {
      const x = this.num[i]!;
      if (x > t - span && x <= t) {
        count++;
        if (x < first) first = x;
      }
    }
    this.window.count = count;
    this.window.first = first;
    return this.window;
  }

  private finding(
    kind: Finding['kind'],
    scope: Finding['scope'],
    ip: string,
    w: Window,
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
      users,
    };
  }
}

const NONE: Finding[] = [];
