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

/** One failure as the window holds it. */
interface Failure {
  time: Millis;
  attempts: number;
  user: string | null;
  jail: string;
}

/**
 * One address's window, held in memory bounded whatever the address's rate:
 * its newest failures one by one (`keep`, never fewer than the `failures`
 * threshold), older ones summed per slice, and each host's newest failure.
 *
 * Whether and when the address is distributed, and on which hosts, is exact:
 * once `recent` is full its failures alone reach the threshold, and a host
 * counts while its newest failure is in the window. What the finding says is
 * exact while the window holds at most `keep` failures; beyond, its count and
 * first time take the slice at the window's edge whole, and its jail and users
 * are those of the newest `keep` failures.
 */
interface Trail {
  /** The newest failures, oldest first. */
  recent: Failure[];
  /**
   * Failures that left `recent`, summed per slice of event time (a 60th of
   * the window) as pairs: slice number, attempts. Kept only beside a full
   * `recent`, every one older than it.
   */
  older: number[];
  /** Attempts in `recent` and `older`. */
  failures: number;
  newest: Millis;
  /** Each host's newest failure, in order of each host's first (so the quiet ones leave first). */
  hosts: Map<string, Millis>;
}

/** Addresses followed at once; beyond it the one quiet longest is forgotten. */
const MAX_ADDRESSES = 200_000;

/** Failures of an address held one by one, at least (a host's own finding names 16 users at most). */
const KEEP = 16;

export class CrossHostDetector {
  /** Per address, its trail; the Map in order of last failure. */
  private readonly byIp = new Map<string, Trail>();
  /** When each address was last reported (event time): reported again only a window later. */
  private readonly reported = new Map<string, Millis>();
  private readonly keep: number;
  private readonly slice: number;
  /**
   * Times are held as offsets from the first failure seen: within 12 days of
   * it they are small integers, which V8 keeps inline rather than as an
   * allocated number each.
   */
  private base: Millis | null = null;

  constructor(
    private readonly s: CrossHostSettings = DEFAULT_CROSS_HOST,
    keep = KEEP,
  ) {
    this.keep = Math.max(keep, s.failures);
    this.slice = Math.max(1, Math.ceil(s.window / 60));
  }

  /** A failure `host` stored; the attack when it completes one. */
  observe(host: string, e: EventRecord): DistributedAttack | null {
    if (e.result !== 'fail' || e.ip === null) return null;
    const time = e.time - (this.base ??= e.time);
    let w = this.byIp.get(e.ip);
    if (w === undefined) w = { recent: [], older: [], failures: 0, newest: time, hosts: new Map() };
    else this.byIp.delete(e.ip); // re-inserted last: the Map stays in order of activity
    this.byIp.set(e.ip, w);
    if (this.byIp.size > MAX_ADDRESSES) this.forgetOldest();
    w.newest = Math.max(w.newest, time);
    const edge = w.newest - this.s.window;
    // Sensors deliver late (an outage, hosts interleaved): a failure counts by its event time.
    if (time >= edge) this.add(w, host, time, e);
    prune(w, edge, this.slice);
    if (w.hosts.size < this.s.hosts || w.failures < this.s.failures) return null;
    const last = this.reported.get(e.ip);
    if (last !== undefined && w.newest - last < this.s.window) return null;
    // Hosts gone quiet out of order are swept only now, when they decide.
    for (const [h, t] of w.hosts) if (t < edge) w.hosts.delete(h);
    if (w.hosts.size < this.s.hosts) return null;
    this.reported.set(e.ip, w.newest);
    return {
      hosts: [...w.hosts.keys()].sort(),
      finding: finding(e.ip, w, edge, this.slice, this.base),
    };
  }

  /** Addresses followed, and failures held one by one: at most `keep` per address. */
  held(): { addresses: number; failures: number } {
    let failures = 0;
    for (const w of this.byIp.values()) failures += w.recent.length;
    return { addresses: this.byIp.size, failures };
  }

  private add(w: Trail, host: string, time: Millis, e: EventRecord): void {
    const f: Failure = {
      time,
      attempts: Math.max(1, e.attempts),
      user: e.user,
      jail: e.jail,
    };
    const { recent } = w;
    w.failures += f.attempts;
    if (recent.length === this.keep && f.time < recent[0]!.time) this.sum(w, f);
    else {
      if (recent.length === 0 || recent[recent.length - 1]!.time <= f.time) recent.push(f);
      else recent.splice(after(recent, f.time), 0, f);
      if (recent.length > this.keep) this.sum(w, recent.shift()!);
    }
    if (!(w.hosts.get(host)! >= f.time)) w.hosts.set(host, f.time);
  }

  /** Adds `f` to its slice of `older`. */
  private sum(w: Trail, f: Failure): void {
    const slice = Math.floor(f.time / this.slice);
    const { older } = w;
    let i = older.length;
    while (i > 0 && older[i - 2]! > slice) i -= 2;
    if (i > 0 && older[i - 2] === slice) older[i - 1]! += f.attempts;
    else older.splice(i, 0, slice, f.attempts);
  }

  private forgetOldest(): void {
    const ip = this.byIp.keys().next().value!;
    this.byIp.delete(ip);
    this.reported.delete(ip);
  }
}

/** Drops what left the window, `width` being a slice's. */
function prune(w: Trail, edge: Millis, width: number): void {
  const { recent, older, hosts } = w;
  let n = 0;
  for (; n < recent.length && recent[n]!.time < edge; n++) w.failures -= recent[n]!.attempts;
  if (n > 0) recent.splice(0, n);
  // A failure of `recent` gone, every slice is gone too (each is older); else those wholly past.
  let m = 0;
  while (m < older.length && (n > 0 || (older[m]! + 1) * width <= edge)) {
    w.failures -= older[m + 1]!;
    m += 2;
  }
  if (m > 0) older.splice(0, m);
  // A host leaves with a failure: its newest may have been the one that left.
  if (n + m > 0)
    for (const [h, t] of hosts) {
      if (t >= edge) break;
      hosts.delete(h);
    }
}

function finding(ip: string, w: Trail, edge: Millis, width: number, base: Millis): Finding {
  const { recent, older } = w;
  return {
    kind: 'distributed',
    jail: mostCommon(recent.map((f) => f.jail)),
    scope: 'address',
    ip,
    count: w.failures,
    first: base + (older.length > 0 ? Math.max(edge, older[0]! * width) : recent[0]!.time),
    last: base + w.newest,
    users: [...new Set(recent.flatMap((f) => (f.user === null ? [] : [f.user])))].sort(),
  };
}

/** The index after the last of `seen` (in time order) at or before `time`. */
function after(seen: readonly Failure[], time: Millis): number {
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
