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

export class CrossHostDetector {
  /** Per address, its failures within the window, oldest first; the Map in order of last failure. */
  private readonly byIp = new Map<string, Seen[]>();
  /** When each address was last reported (event time): reported again only a window later. */
  private readonly reported = new Map<string, Millis>();

  constructor(private readonly s: CrossHostSettings = DEFAULT_CROSS_HOST) {}

  /** A failure `host` stored; the attack when it completes one. */
  observe(host: string, e: EventRecord): DistributedAttack | null {
    if (e.result !== 'fail' || e.ip === null) return null;
    let seen = this.byIp.get(e.ip);
    if (seen === undefined) seen = [];
    else this.byIp.delete(e.ip); // re-inserted last: the Map stays in order of activity
    this.byIp.set(e.ip, seen);
    seen.push({
      host,
      time: e.time,
      attempts: Math.max(1, e.attempts),
      user: e.user,
      jail: e.jail,
    });
    // Sensors deliver late (an outage): keep order by event time.
    if (seen.length > 1 && seen[seen.length - 2]!.time > e.time)
      seen.sort((a, b) => a.time - b.time);
    const newest = seen[seen.length - 1]!.time;
    while (seen.length > 0 && seen[0]!.time < newest - this.s.window) seen.shift();
    if (this.byIp.size > MAX_ADDRESSES) this.forgetOldest();
    const hosts = new Set(seen.map((x) => x.host));
    const failures = seen.reduce((n, x) => n + x.attempts, 0);
    if (hosts.size < this.s.hosts || failures < this.s.failures) return null;
    const last = this.reported.get(e.ip);
    if (last !== undefined && newest - last < this.s.window) return null;
    this.reported.set(e.ip, newest);
    const users = [...new Set(seen.flatMap((x) => (x.user === null ? [] : [x.user])))];
    return {
      hosts: [...hosts].sort(),
      finding: {
        kind: 'distributed',
        jail: mostCommon(seen.map((x) => x.jail)),
        scope: 'address',
        ip: e.ip,
        count: failures,
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
