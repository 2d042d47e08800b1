/**
 * The analyst's ports onto the incidents and intel modules: the deterministic
 * status (incidents/status.ts over the store's activity queries), incidents
 * from the store, and enrichment. The agent's triage is stored as 'agent'
 * (advice and narrative), which the incident store never lets change the
 * verdict in force.
 */
import type { Millis, Incident } from '../domain.js';
import { statusReasonText } from '../incidents/format.js';
import { currentStatus } from '../incidents/status.js';
import { translator } from '../i18n/index.js';
import { IncidentNotFoundError } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import type { Enricher } from '../intel/enricher.js';
import type { IncidentsPort, IncidentView, IntelPort, StatusPort } from './deps.js';

export function incidentsStatus(store: Pick<RecordStore, 'activity'>): StatusPort {
  return {
    async current(now, lang) {
      const s = await currentStatus(store.activity, now);
      const t = translator(lang);
      return { level: s.level, reasons: s.reasons.map((r) => statusReasonText(r, t)) };
    },
  };
}

function view(i: Incident): IncidentView {
  return {
    id: i.id,
    attacker: i.attacker,
    state: i.state,
    verdict: i.verdict,
    severity: i.severity,
    kinds: [...i.kinds],
    failures: i.failures,
    successes: i.successes,
    firstSeen: i.firstSeen,
    lastSeen: i.lastSeen,
    users: [...i.users],
  };
}

export function incidentsPort(store: Pick<RecordStore, 'incidents'>): IncidentsPort {
  return {
    list: async ({ state, limit }) =>
      (
        await store.incidents.list({ ...(state === 'active' ? { state: 'active' } : {}), limit })
      ).map(view),
    async show(id) {
      const i = await store.incidents.get(id);
      return i === null ? null : { ...view(i), timeline: i.timeline };
    },
    async recordAgentTriage(id, opinion, now: Millis) {
      try {
        const current = await store.incidents.get(id);
        if (current === null) return false;
        await store.incidents.setTriage(
          id,
          'agent',
          {
            verdict: opinion.verdict,
            confidence: 0.5,
            severity: current.severity ?? 'low',
            reasons: ['agent-opinion'],
            evidence: [],
          },
          { actor: opinion.actor, at: now, narrative: opinion.reason },
        );
        return true;
      } catch (err) {
        if (err instanceof IncidentNotFoundError) return false;
        throw err;
      }
    },
  };
}

/** What intel knows about an address (the Enricher never rejects). */
export function intelPort(enricher: Pick<Enricher, 'enrich'>): IntelPort {
  return { lookup: async (ip) => ({ ...(await enricher.enrich(ip)) }) };
}
