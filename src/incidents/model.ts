/**
 * Incidents: what Sheriff knows about one attacker's campaign, from the first
 * finding to its resolution. One incident per attacker (an address, or an IPv6
 * prefix for findings on a prefix) and campaign:
 *
 * - open:     a finding (or a poisoned user name) from an attacker with no live
 *             incident; further findings and events join it (deduplicated);
 * - triaged:  the rules gave a verdict (admins may give their own; the agent
 *             adds an opinion and a narrative, never the verdict);
 * - resolved: quiet for `resolveAfter` (24 h by default), or resolved by an admin.
 *   Activity within `reopenWithin` (7 days) after resolution reopens it; later
 *   activity starts a new incident (a new campaign).
 */
import type {
  FindingKind,
  Millis,
  Severity,
  TriageContext,
  TriageResult,
  Verdict,
} from '../domain.js';

export type IncidentState = 'open' | 'triaged' | 'resolved';
export const INCIDENT_STATES: readonly IncidentState[] = ['open', 'triaged', 'resolved'];

/** Who gave a triage: the deterministic rules, the LLM analyst, or a human. */
export type TriageBy = 'rules' | 'agent' | 'admin';

/** What opened or fed an incident: a detection finding, or a poisoned user name. */
export type IncidentKind = FindingKind | 'poisoned-username';

/**
 * What enrichment knew about the attacker when it was last looked up: the
 * intel fields triage reads (TriageContext), and what each service said.
 */
export interface Enrichment extends Pick<
  TriageContext,
  'internal' | 'blocklists' | 'country' | 'asn' | 'asOrg' | 'reputation'
> {
  /** Per reputation service, what it said (short, for display). */
  sources: Record<string, string>;
}

export interface TriageRecord extends TriageResult {
  by: TriageBy;
  /** 'rules', 'agent:<model>', 'admin:cli:root', 'admin:telegram:123'. */
  actor: string;
  at: Millis;
  /** The agent's (or an admin's) words: free text, shown as theirs, never as the verdict. */
  narrative: string | null;
}

export interface Incident {
  id: number;
  /** Canonical address, or an IPv6 prefix in CIDR form. */
  attacker: string;
  scope: 'address' | 'prefix';
  state: IncidentState;
  openedAt: Millis;
  updatedAt: Millis;
  resolvedAt: Millis | null;
  /** How many times it was reopened. */
  reopened: number;
  /** Event time of the first and last activity. */
  firstSeen: Millis;
  lastSeen: Millis;
  jails: string[];
  kinds: IncidentKind[];
  /** User names tried (attacker text; at most MAX_INCIDENT_USERS). */
  users: string[];
  /** For a prefix: the addresses seen in it (at most MAX_INCIDENT_MEMBERS). */
  members: string[];
  failures: number;
  successes: number;
  enrichment: Enrichment | null;
  /** The deterministic verdict. */
  rules: TriageRecord | null;
  /** The LLM analyst's opinion and narrative: advice, never the verdict. */
  agent: TriageRecord | null;
  /** A human's verdict, which overrides the rules'. */
  admin: TriageRecord | null;
  /** The verdict in force: the admin's, else the rules'. */
  verdict: Verdict | null;
  severity: Severity | null;
}

export type TimelineKind =
  | 'opened'
  | 'reopened'
  | 'resolved'
  | 'finding'
  | 'triage'
  | 'approval'
  | 'ban'
  | 'unban'
  | 'refused'
  | 'note';

/** One line of an incident's story: evidence (findings, triage with event ids) or an action. */
export interface TimelineEntry {
  id: number;
  incidentId: number;
  time: Millis;
  kind: TimelineKind;
  /** 'rules', 'detect', 'responder', 'agent', 'admin:cli:root', … */
  actor: string;
  /** Id of the finding, ban or event it refers to, when one. */
  refId: number | null;
  /** Text reference (an approval id), when one. */
  ref: string | null;
  /** Kind-specific details (JSON object). Notes keep their text under `text`. */
  detail: Record<string, unknown>;
}

export interface IncidentDetail extends Incident {
  timeline: TimelineEntry[];
}

export const MAX_INCIDENT_USERS = 32;
export const MAX_INCIDENT_MEMBERS = 32;

export interface IncidentPolicy {
  /** Quiet this long: resolved. */
  resolveAfter: Millis;
  /** Activity this soon after resolution reopens the incident; later, a new one starts. */
  reopenWithin: Millis;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  resolveAfter: 24 * 3_600_000,
  reopenWithin: 7 * 86_400_000,
};
