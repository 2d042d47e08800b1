/**
 * What a fleet ban is at the hub: a published decision, in force only where
 * the sensors confirmed it. The hub keeps each decision's scope and time in
 * the records store's status table when it publishes it, so every reader
 * (`sheriff status`, `sheriff bans`, the console) counts the same
 * confirmations against the same hosts as the hub's own tally (hub.ts) —
 * "published, confirmed on N of M hosts", never "banned" before a host said so.
 */
import { z } from 'zod';
import type { Millis } from '../domain.js';
import type { Async } from '../store/api.js';
import type { StoredBan } from '../store/bans.js';
import type { Confirmed, HostRow, HostStore } from '../store/hosts.js';
import type { StatusStore } from '../store/status.js';
import { decisionIdOf } from './fleet-firewall.js';
import { decisionScopeSchema, type Decision } from './protocol.js';

/** The firewall id of the hub's bans (fleet-firewall.ts): published decisions. */
export const FLEET_FIREWALL = 'fleet';

/** How a decision's hosts answered: applied on `applied` of the `of` hosts in its scope. */
export interface FleetBanState {
  applied: number;
  of: number;
  /** Hosts that refused it (a guardrail) or failed (their firewall), with why. */
  problems: { host: string; outcome: 'refused' | 'failed'; reason: string }[];
}

const KEY_PREFIX = 'fleet.decision.';
const publishedSchema = z.object({ scope: decisionScopeSchema, issuedAt: z.number() });
type Published = Pick<Decision, 'scope' | 'issuedAt'>;

/** Keeps what readers need of a decision the hub is publishing. */
export async function recordPublished(
  status: Pick<Async<StatusStore>, 'put'>,
  d: Decision,
): Promise<void> {
  const value: Published = { scope: d.scope, issuedAt: d.issuedAt };
  await status.put(KEY_PREFIX + d.id, value, d.issuedAt);
}

/** The hosts a decision's scope covers, of those the hub knows. */
export function hostsInScope(d: Pick<Decision, 'scope'>, hosts: readonly HostRow[]): HostRow[] {
  const s = d.scope;
  return hosts.filter((h) =>
    s.kind === 'fleet' ? true : s.kind === 'group' ? h.groups.includes(s.group) : h.name === s.host,
  );
}

/** The answers to one decision (not to an earlier ban of the same address) from the hosts in its scope. */
export function tallyOf(
  d: Published,
  hosts: readonly HostRow[],
  confirmations: readonly Confirmed[],
): FleetBanState {
  const inScope = new Set(hostsInScope(d, hosts).map((h) => h.name));
  const answers = confirmations.filter((c) => c.at >= d.issuedAt && inScope.has(c.host));
  const problems: FleetBanState['problems'] = [];
  for (const c of answers)
    if (c.outcome === 'refused' || c.outcome === 'failed')
      problems.push({ host: c.host, outcome: c.outcome, reason: c.reason ?? '' });
  return {
    applied: answers.filter((c) => c.outcome === 'applied').length,
    of: inScope.size,
    problems,
  };
}

export interface FleetBanSources {
  status: Pick<Async<StatusStore>, 'get'>;
  hosts: Pick<Async<HostStore>, 'list' | 'confirmations'>;
}

/** The state of each applied fleet ban among `bans`, by ban id; other bans are not in the map. */
export async function fleetBanStates(
  bans: readonly Pick<StoredBan, 'id' | 'target' | 'appliedAt' | 'createdAt' | 'firewall'>[],
  src: FleetBanSources,
): Promise<Map<number, FleetBanState>> {
  const out = new Map<number, FleetBanState>();
  const fleet = bans.filter((b) => b.firewall === FLEET_FIREWALL && b.appliedAt !== null);
  if (fleet.length === 0) return out;
  const hosts = await src.hosts.list();
  for (const b of fleet) {
    const id = decisionIdOf(b.target.cidr);
    const kept = publishedSchema.safeParse((await src.status.get(KEY_PREFIX + id))?.value);
    // Published before the hub kept decisions: the whole fleet, from when the ban was made.
    const d: Published = kept.success ? kept.data : { scope: { kind: 'fleet' }, issuedAt: 0 };
    const issuedAt: Millis = Math.max(d.issuedAt, b.createdAt);
    out.set(b.id, tallyOf({ ...d, issuedAt }, hosts, await src.hosts.confirmations(id)));
  }
  return out;
}
