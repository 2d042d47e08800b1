/**
 * The long-horizon detector: attackers too slow for any sliding window. Every
 * run asks the stored events (not memory: days of failures would not fit) for
 * each jail's addresses that
 * - kept failing for days (`persistent`: `minFailures` over at least `minDays`
 *   calendar days (UTC) within `window`), or
 * - tried many different accounts (`stuffing`: `minUsers` within `window`).
 * IPv6 addresses are summed per the jail's `ipv6Prefix` (one finding for the
 * prefix when several of its addresses took part).
 * Only failures on accounts that never logged in from that address in the
 * window count, so an admin's typos before their own login are never evidence.
 * Trusted addresses are left to the tracker's internal findings, and an address
 * already reported in the window (by any rule) is not reported again: these
 * findings are for what slipped past.
 */
import type { FailureGroupQuery, Finding, Millis } from '../domain.js';
import { parseIp } from '../net/ip.js';
import type { JailSettings } from './jail.js';

/** One address's failures in a window, as the store sums them. */
export interface FailureGroup {
  /** The address, or the IPv6 prefix (CIDR) when several of its addresses took part. */
  ip: string;
  /** Failed attempts (a line may count several). */
  failures: number;
  /** Distinct UTC calendar days with a failure. */
  days: number;
  /** Distinct accounts tried. */
  users: number;
  /** The first `maxNames` of them, in order. */
  userNames: string[];
  first: Millis;
  last: Millis;
}

/** What the detector reads: the store implements it (store/failure-history.ts). */
export interface FailureHistory {
  /**
   * Addresses over every minimum, counting only accounts that never logged in from them
   * since `since`. Asynchronous: days of failures take a while to sum (the daemon's
   * store sums them on another thread).
   */
  failureGroups(q: FailureGroupQuery): Promise<FailureGroup[]>;
  /** Whether `ip` had a finding of any kind recorded since `since`. */
  reported(ip: string, since: Millis): boolean;
}

/** Findings of one run per jail at most: an alert storm is not more information. */
const MAX_PER_RUN = 100;
const MAX_USERS = 16;

export class LongHorizonDetector {
  constructor(
    private readonly jails: readonly JailSettings[],
    private readonly history: FailureHistory,
  ) {}

  /** Whether any jail has a long-horizon rule on (else the daemon need not run it). */
  get enabled(): boolean {
    return this.jails.some((j) => j.persistent !== null || j.stuffing !== null);
  }

  /** One run at `now`: the findings to alert, each address reported once per window. */
  async run(now: Millis): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const jail of this.jails) {
      const seen = new Set<string>();
      // The more specific finding first: a list of accounts tried says more than "kept failing".
      if (jail.stuffing !== null) {
        const { window, minUsers } = jail.stuffing;
        const q = { since: now - window, minFailures: 1, minUsers, minDays: 1 };
        out.push(...(await this.find(jail, 'stuffing', q, now, seen)));
      }
      if (jail.persistent !== null) {
        const { window, minFailures, minDays } = jail.persistent;
        const q = { since: now - window, minFailures, minUsers: 1, minDays };
        out.push(...(await this.find(jail, 'persistent', q, now, seen)));
      }
    }
    return out;
  }

  private async find(
    jail: JailSettings,
    kind: 'stuffing' | 'persistent',
    q: Pick<FailureGroupQuery, 'since' | 'minFailures' | 'minUsers' | 'minDays'>,
    now: Millis,
    seen: Set<string>,
  ): Promise<Finding[]> {
    const groups = await this.history.failureGroups({
      ...q,
      jail: jail.name,
      until: now,
      ipv6Prefix: jail.ipv6Prefix,
      limit: MAX_PER_RUN,
      maxNames: MAX_USERS,
    });
    const out: Finding[] = [];
    for (const g of groups) {
      if (seen.has(g.ip)) continue;
      const prefix = g.ip.includes('/');
      const ip = parseIp(prefix ? g.ip.slice(0, g.ip.indexOf('/')) : g.ip);
      if (ip === null || jail.trusted.has(ip)) continue;
      if (this.history.reported(g.ip, q.since)) continue;
      seen.add(g.ip);
      out.push({
        kind,
        jail: jail.name,
        scope: prefix ? 'prefix' : 'address',
        ip: g.ip,
        count: kind === 'stuffing' ? g.users : g.failures,
        first: g.first,
        last: g.last,
        users: g.userNames,
      });
    }
    return out;
  }
}
