/**
 * What the store knows about one address: the facts behind an analysis and an
 * approval card. Everything here comes from stored events, findings and bans,
 * never from the model; attacker text (user names) is spotlighted.
 */
import type { Millis } from '../../domain.js';
import type { ScanSummary, StoredBan, StoredEvent, StoredFinding } from '../../store/index.js';
import { attackIndicators, spotlight } from '../untrusted.js';
import type { AnalystDeps } from '../deps.js';

/** How far back evidence for a proposal may be. */
export const EVIDENCE_WINDOW_MS = 30 * 86_400_000;
const MAX_EVENTS = 5000;

export interface AddressFacts {
  ip: string;
  failures: number;
  successes: number;
  firstSeen: Millis | null;
  lastSeen: Millis | null;
  jails: string[];
  /** Distinct user names tried, most frequent first (attacker text, raw). */
  users: { user: string; count: number }[];
  /** User names that read like instructions to a model, hidden characters, fake markup. */
  poisonedUsers: string[];
  findings: StoredFinding[];
  failureEventIds: number[];
  bans: StoredBan[];
  /** Connections that never tried to log in (scanning), summed; null when none. */
  scans: ScanSummary | null;
}

export async function addressFacts(
  store: AnalystDeps['store'],
  ip: string,
  now: Millis,
  windowMs = EVIDENCE_WINDOW_MS,
): Promise<AddressFacts> {
  const events: StoredEvent[] = await store.events.queryEvents({
    ip,
    since: now - windowMs,
    limit: MAX_EVENTS,
  });
  const users = new Map<string, number>();
  let failures = 0;
  let successes = 0;
  const jails = new Set<string>();
  const failureEventIds: number[] = [];
  for (const e of events) {
    jails.add(e.jail);
    if (e.result === 'fail') {
      failures += e.attempts;
      failureEventIds.push(e.id);
    } else if (e.result === 'success') successes++;
    if (e.user !== null) users.set(e.user, (users.get(e.user) ?? 0) + 1);
  }
  const times = events.map((e) => e.time);
  const sorted = [...users].sort((a, b) => b[1] - a[1]);
  return {
    ip,
    failures,
    successes,
    firstSeen: times.length > 0 ? Math.min(...times) : null,
    lastSeen: times.length > 0 ? Math.max(...times) : null,
    jails: [...jails].sort(),
    users: sorted.map(([user, count]) => ({ user, count })),
    poisonedUsers: sorted.map(([u]) => u).filter((u) => attackIndicators(u).length > 0),
    findings: await store.findings.recent({ ip, since: now - windowMs, limit: 100 }),
    failureEventIds,
    bans: await store.bans.history(`${ip}/${ip.includes(':') ? 128 : 32}`, 20),
    scans: await store.scans.forAddress(ip, now - windowMs, now + 1),
  };
}

/** Whether the store holds evidence against `ip`: a finding, or failed logins. */
export function hasEvidence(f: AddressFacts): boolean {
  return f.findings.length > 0 || f.failureEventIds.length > 0;
}

/** The facts as the model reads them: counts, times as ISO text, user names spotlighted. */
export function factsForModel(f: AddressFacts, userLimit = 15): Record<string, unknown> {
  return {
    ip: f.ip,
    failures: f.failures,
    successes: f.successes,
    firstSeen: iso(f.firstSeen),
    lastSeen: iso(f.lastSeen),
    jails: f.jails,
    distinctUsers: f.users.length,
    usersTried: f.users
      .slice(0, userLimit)
      .map((u) => ({ user: spotlight('user', u.user, 64), count: u.count })),
    attackIndicators: f.poisonedUsers.slice(0, 5).map((u) => ({
      user: spotlight('user', u, 64),
      indicators: attackIndicators(u),
    })),
    findings: f.findings.slice(0, 10).map((x) => ({
      id: x.id,
      kind: x.kind,
      jail: x.jail,
      count: x.count,
      first: iso(x.first),
      last: iso(x.last),
    })),
    scanning:
      f.scans === null
        ? null
        : {
            connectionsWithoutLogin: f.scans.connections,
            first: iso(f.scans.first),
            last: iso(f.scans.last),
            lastRule: f.scans.rule,
          },
    bans: f.bans.slice(0, 5).map((b) => ({
      id: b.id,
      reason: spotlight('reason', b.reason, 80),
      createdAt: iso(b.createdAt),
      expiresAt: iso(b.expiresAt),
      active: b.removedAt === null && b.appliedAt !== null,
    })),
  };
}

export function iso(t: Millis | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}
