/**
 * The counts Sheriff shows in three places — `sheriff status`, `/metrics` and
 * the console's dashboard — each defined once here, so that the three agree
 * for the same store and daemon.
 */
import type { Millis } from '../domain.js';
import type { RecordStore } from './api.js';

const DAY_MS = 86_400_000;

/** What the daemon counted for one jail since it started (its published status). */
export interface JailCounts {
  /** Failed attempts (a line saying "3 failures" counts 3). */
  fail: number;
  /** Successful logins. */
  success: number;
  findings: number;
  /** Lines whose address could be read in two places and was not settled (counted without one). */
  ambiguous: number;
}

export interface Counts {
  /** Failed attempts in the 24 hours before now (by event time). */
  failures24h: number;
  /** Findings stored in the 24 hours before now. */
  findings24h: number;
  /** Bans in force. */
  activeBans: number;
  /** Bans in force that block nothing (a dry-run firewall, or none confirmed them). */
  unenforcedBans: number;
  /** At the fleet's hub: bans published as decisions, in force where the hosts confirm them. */
  fleetBans: number;
  /** Approvals waiting for a decision, not expired. */
  pendingApprovals: number;
  /** Per jail since the daemon started, as it last published them (none before any daemon ran). */
  jails: Record<string, JailCounts>;
}

/** From the records wherever they are (a hub's PostgreSQL, or the local store's). */
export async function readCounts(
  records: Pick<RecordStore, 'activity' | 'bans' | 'status'>,
  now: Millis,
): Promise<Counts> {
  const [bans, failures24h, findings24h, pendingApprovals, daemon] = await Promise.all([
    records.bans.active(now),
    // Up to and including now: an event stamped this millisecond counts.
    records.activity.failuresBetween(now - DAY_MS, now + 1),
    records.activity.findingsBetween(now - DAY_MS, now + 1),
    records.activity.pendingApprovals(now),
    records.status.get('daemon'),
  ]);
  return {
    failures24h,
    findings24h,
    activeBans: bans.length,
    unenforcedBans: bans.filter((b) => !b.enforced && b.firewall !== 'fleet').length,
    fleetBans: bans.filter((b) => b.firewall === 'fleet').length,
    pendingApprovals,
    jails: publishedJails(daemon?.value),
  };
}

/** The daemon's per-jail counts from its published status (JSON of any Sheriff version). */
function publishedJails(status: unknown): Record<string, JailCounts> {
  const jails = (status as { jails?: unknown } | null)?.jails;
  if (typeof jails !== 'object' || jails === null) return {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const out: Record<string, JailCounts> = {};
  for (const [name, c] of Object.entries(jails as Record<string, Record<string, unknown>>))
    out[name] = {
      fail: n(c?.fail),
      success: n(c?.success),
      findings: n(c?.findings),
      ambiguous: n(c?.ambiguous),
    };
  return out;
}
