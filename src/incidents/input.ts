/**
 * The TriageInput of an incident, built from the store: the events of its
 * addresses from one compromise window before the first activity to the last,
 * the users that logged in from them before, and the stored enrichment. The
 * same shape the eval datasets use, so `sheriff eval` scores what runs live.
 */
import type { TriageContext, TriageEvent, TriageInput, Incident } from '../domain.js';
import type { RecordStore } from '../store/api.js';
import { COMPROMISE_WINDOW_MS } from './triage.js';

/** Events read per incident at most (the newest are kept). */
export const MAX_TRIAGE_EVENTS = 5000;

export interface TriageInputOptions {
  /** Whether an address is internal, when the incident has no stored enrichment. */
  isInternal?: (ip: string) => boolean;
}

export async function buildTriageInput(
  store: Pick<RecordStore, 'events' | 'scans'>,
  incident: Incident,
  opts: TriageInputOptions = {},
): Promise<TriageInput> {
  const addresses = incident.scope === 'prefix' ? incident.members : [incident.attacker];
  const since = incident.firstSeen - COMPROMISE_WINDOW_MS;
  const events: TriageEvent[] = [];
  const known = new Set<string>();
  let scans = 0;
  const perAddress = Math.max(1, Math.floor(MAX_TRIAGE_EVENTS / Math.max(1, addresses.length)));
  for (const ip of addresses) {
    const [window, logins, scanned] = await Promise.all([
      store.events.queryEvents({
        ip,
        since,
        until: incident.lastSeen + 1,
        limit: Math.min(perAddress, 10_000),
      }),
      store.events.queryEvents({ ip, kind: 'success', until: since, limit: 1000 }),
      store.scans.forAddress(ip, since, incident.lastSeen + 1),
    ]);
    for (const e of window) {
      events.push({
        id: e.id,
        time: e.time,
        jail: e.jail,
        result: e.result,
        user: e.user,
        rule: e.rule,
      });
    }
    for (const e of logins) if (e.user !== null) known.add(e.user);
    scans += scanned?.connections ?? 0;
  }
  events.sort((a, b) => a.time - b.time || a.id - b.id);
  const en = incident.enrichment;
  const context: TriageContext = {
    internal: en?.internal ?? opts.isInternal?.(incident.attacker) ?? false,
    blocklists: en?.blocklists ?? [],
    country: en?.country ?? null,
    asn: en?.asn ?? null,
    asOrg: en?.asOrg ?? null,
    reputation: en?.reputation ?? null,
    knownUsers: [...known].sort(),
    detected: incident.kinds.filter((k) => k !== 'poisoned-username' && k !== 'scan'),
  };
  if (scans > 0) context.scans = scans;
  return { ip: incident.attacker, events, context };
}
