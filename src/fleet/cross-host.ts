/**
 * Cross-host detection at the hub: an address that fails a few times on each
 * of many hosts stays below every host's own maxretry, so no sensor reports
 * it. Here its failures are summed across the fleet: at least `hosts`
 * distinct hosts and `failures` failures within `window` (event time) make a
 * `distributed` finding, naming the hosts. One finding per address and window.
 */
import type { Finding, Incident, Millis } from '../domain.js';
import { COMPROMISE_WINDOW_MS } from '../incidents/triage.js';
import type { ActivityQueries, HostActivity } from '../store/activity.js';
import type { Async } from '../store/api.js';
import type { EventRecord } from '../store/events.js';

export interface CrossHostSettings {
  /** Distinct hosts the address must fail on. */
  hosts: number;
  /** Failures across those hosts. */
  failures: number;
  /** Within this long (event time). */
  window: number;
}

export const DEFAULT_CROSS_HOST: CrossHostSettings = { hosts: 3, failures: 10, window: 3_600_000 };

/** A distributed attack: the finding and the hosts it was seen on. */
export interface DistributedAttack {
  finding: Finding;
  hosts: string[];
}

interface Seen {
  host: string;
  time: Millis;
  attempts: number;
  user: string | null;
  jail: string;
}

/** Addresses followed at once; beyond it the one quiet longest is forgotten. */
const MAX_ADDRESSES = 200_000;

/**
 * One address's failures within the window, oldest first, with their sum and
 * count per host kept as they come and go: a busy address (thousands of
 * failures an hour across the fleet) costs each new failure O(1), not a pass
 * over all of them.
 */
interface Window {
  seen: Seen[];
  failures: number;
  hosts: Map<string, number>;
}

export class CrossHostDetector {
  /** Per address, its window; the Map in order of last failure. */
  private readonly byIp = new Map<string, Window>();
  /** When each address was last reported (event time): reported again only a window later. */
  private readonly reported = new Map<string, Millis>();

  constructor(private readonly s: CrossHostSettings = DEFAULT_CROSS_HOST) {}

  /** A failure `host` stored; the attack when it completes one. */
  observe(host: string, e: EventRecord): DistributedAttack | null {
    if (e.result !== 'fail' || e.ip === null) return null;
    let w = this.byIp.get(e.ip);
    if (w === undefined) w = { seen: [], failures: 0, hosts: new Map() };
    else this.byIp.delete(e.ip); // re-inserted last: the Map stays in order of activity
    this.byIp.set(e.ip, w);
    const { seen, hosts } = w;
    const x: Seen = {
      host,
      time: e.time,
      attempts: Math.max(1, e.attempts),
      user: e.user,
      jail: e.jail,
    };
    // Sensors deliver late (an outage, hosts interleaved): keep order by event time.
    if (seen.length === 0 || seen[seen.length - 1]!.time <= x.time) seen.push(x);
    else seen.splice(after(seen, x.time), 0, x);
    w.failures += x.attempts;
    hosts.set(host, (hosts.get(host) ?? 0) + 1);
    const newest = seen[seen.length - 1]!.time;
    while (seen.length > 0 && seen[0]!.time < newest - this.s.window) {
      const old = seen.shift()!;
      w.failures -= old.attempts;
      const n = hosts.get(old.host)! - 1;
      if (n === 0) hosts.delete(old.host);
      else hosts.set(old.host, n);
    }
    if (this.byIp.size > MAX_ADDRESSES) this.forgetOldest();
    if (hosts.size < this.s.hosts || w.failures < this.s.failures) return null;
    const last = this.reported.get(e.ip);
    if (last !== undefined && newest - last < this.s.window) return null;
    this.reported.set(e.ip, newest);
    const users = [...new Set(seen.flatMap((y) => (y.user === null ? [] : [y.user])))];
    return {
      hosts: [...hosts.keys()].sort(),
      finding: {
        kind: 'distributed',
        jail: mostCommon(seen.map((y) => y.jail)),
        scope: 'address',
        ip: e.ip,
        count: w.failures,
        first: seen[0]!.time,
        last: newest,
        users,
      },
    };
  }

  private forgetOldest(): void {
    const ip = this.byIp.keys().next().value!;
    this.byIp.delete(ip);
    this.reported.delete(ip);
  }
}

/** The index after the last of `seen` (in time order) at or before `time`. */
function after(seen: readonly Seen[], time: Millis): number {
  let lo = 0;
  let hi = seen.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seen[mid]!.time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The cross-host view of an incident at the hub: its attacker's activity on
 * each host, over the span its triage reads (the failures before a compromise
 * included, wherever they were).
 */
export function incidentHosts(
  activity: Pick<Async<ActivityQueries>, 'activityByHost'>,
  i: Pick<Incident, 'attacker' | 'scope' | 'members' | 'firstSeen' | 'lastSeen'>,
): Promise<HostActivity[]> {
  const ips = i.scope === 'prefix' ? i.members : [i.attacker];
  return activity.activityByHost(ips, i.firstSeen - COMPROMISE_WINDOW_MS, i.lastSeen + 1);
}

function mostCommon(items: readonly string[]): string {
  const n = new Map<string, number>();
  for (const i of items) n.set(i, (n.get(i) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]![0];
}
