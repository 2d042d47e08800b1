/**
 * The few types every pipeline stage shares. A stage knows these and the small
 * interface it consumes, never its neighbours.
 */

/** Epoch milliseconds. Every stage works on event time, never on the wall clock directly. */
export type Millis = number;

/** How a line's header was recognised. */
export type LogFormat =
  | 'bsd' // Nov  2 07:51:41 host prog[pid]: msg (optionally with <PRI>)
  | 'rfc3339' // rsyslog high precision and journalctl -o short-iso
  | 'tai64n' // @400000004c91b044077a9e94 prog: msg (daemontools, dovecot's own log files)
  | 'rfc5424' // <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG
  | 'journal' // journalctl -o json
  | 'bare' // host prog[pid]: msg, no time at all
  | 'other'; // not a syslog header: the whole line is the message (nginx, access logs, …)

/** One parsed log line. Everything in it except `format` is attacker-influenced text. */
export interface LogRecord {
  /** Event time, or null when the line carries none. */
  time: Millis | null;
  host: string | null;
  /** Program (syslog tag or journald _COMM) without the pid. */
  program: string | null;
  pid: number | null;
  message: string;
  format: LogFormat;
}

/** What a filter says about one line. */
export type LineResult = 'fail' | 'success' | 'nofail' | 'none';

/** A classified line: the unit detection counts. */
export interface AuthEvent {
  time: Millis | null;
  filter: string;
  /** Id of the rule that matched, or null. */
  rule: string | null;
  result: LineResult;
  /** Raw host as logged (address or name), or null. */
  host: string | null;
  /** Canonical IP address when `host` is one, else null. */
  ip: string | null;
  user: string | null;
  /** All users tried on the connection, when the filter tracks connections. */
  users: string[] | null;
  /** How many lines this failure gathers (multi-line connection tracking). */
  attempts: number;
  /** A session was opened (an `Accepted …` line), even when the line also counts as a failure. */
  accepted: boolean;
  /**
   * The line reads with its address in more than one place (a user name holding
   * "from <addr> port <n> …") and the connection's own address did not settle it:
   * `host` is null rather than a guess.
   */
  ambiguous?: boolean;
}

/** What a filter knows about one connection's address, kept across restarts. */
export interface ConnectionAddress {
  /** The syslog host of the line (a central syslog server hears many). */
  logHost: string | null;
  pid: number;
  /** The address, as logged. */
  host: string;
  /** When it was last learned (event time), or null for lines without one. */
  seenAt: Millis | null;
}

/**
 * Told what a filter learns about its connections' addresses, so they can
 * outlive the process: a restart must not turn a connection's later lines, which
 * may be ambiguous on their own, into lines without an address.
 */
export interface ConnectionJournal {
  learned(address: ConnectionAddress): void;
  forgotten(logHost: string | null, pid: number): void;
}

/**
 * What detection can conclude. `internal-*` are from a trusted or internal
 * address (alerts and incidents only, never a ban); `persistent` and `stuffing`
 * are the long-horizon detector's (days of stored events).
 */
export const FINDING_KINDS = [
  'bruteforce',
  'compromise',
  'slow-bruteforce',
  'internal-bruteforce',
  'internal-compromise',
  'persistent',
  'stuffing',
  /** Failures from one address on many of a fleet's hosts, each below its own threshold (the hub's). */
  'distributed',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Findings about trusted or internal addresses: alerted and made incidents, never banned nor put to approval. */
export function isInternalFinding(kind: FindingKind): boolean {
  return kind === 'internal-bruteforce' || kind === 'internal-compromise';
}

/** Something detection concluded about an attacker. */
export interface Finding {
  kind: FindingKind;
  jail: string;
  /** Whether `ip` is one address or an IPv6 prefix in CIDR form. */
  scope: 'address' | 'prefix';
  ip: string;
  /** Failures counted for this finding. */
  count: number;
  first: Millis;
  last: Millis;
  users: string[];
  /**
   * At the fleet's hub: the hosts it was seen on (the sending sensor's name,
   * taken from the NATS subject; several for a distributed finding). Absent on
   * a single host and on a sensor.
   */
  hosts?: readonly string[];
}

/** What a firewall blocks: one address (/32, /128) or an IPv6 prefix, canonical CIDR text. */
export interface BanTarget {
  /** Canonical CIDR, e.g. "203.0.113.5/32" or "2001:db8:1:2::/64". */
  cidr: string;
  family: 4 | 6;
}

/** An action someone (a jail's policy, an admin, the analyst) asks for. */
export type ActionKind = 'ban' | 'unban' | 'isolate' | 'release';

export interface ActionRequest {
  action: ActionKind;
  /** The address or prefix (ban/unban); null for isolate/release, which act on the host. */
  target: BanTarget | null;
  /** Ban duration in ms; null for a permanent ban or for actions without one. */
  durationMs: number | null;
  reason: string;
  /** Who asked: 'jail:sshd', 'admin:cli:root', 'agent'. */
  requestedBy: string;
  jail: string | null;
  /** Ids of the stored findings/events behind the request (evidence, never the model's words). */
  evidence: { findings: number[]; events: number[] };
}

/** A ban as Sheriff records it. */
export interface Ban {
  id: number;
  target: BanTarget;
  jail: string | null;
  reason: string;
  createdAt: Millis;
  /** Null for a permanent ban. */
  expiresAt: Millis | null;
  /** Set when the backend confirmed it; a ban is active only then. */
  appliedAt: Millis | null;
  removedAt: Millis | null;
  /** How many earlier bans this target had (for the repeat-offender bantime). */
  offence: number;
}

/** The server-wide status: 정상 / 주의 / 위험. */
export type StatusLevel = 'normal' | 'caution' | 'danger';

export type Verdict = 'benign' | 'suspicious' | 'malicious';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/**
 * What triage reads about one source address: the stored events behind an
 * incident and what enrichment knows. Datasets for `sheriff eval` use this shape.
 */
export interface TriageInput {
  /** Canonical address, or IPv6 prefix in CIDR form. */
  ip: string;
  events: TriageEvent[];
  context: TriageContext;
}

export interface TriageEvent {
  id: number;
  time: Millis;
  jail: string;
  result: 'fail' | 'success' | 'nofail';
  /** Attacker-controlled text. */
  user: string | null;
  rule: string | null;
}

export interface TriageContext {
  /** Inside trusted or internal networks (RFC 1918, loopback, link-local, configured). */
  internal: boolean;
  /** Names of the blocklists that list the address. */
  blocklists: string[];
  /** ISO 3166 country code, when a GeoIP database knows it. */
  country: string | null;
  asn: number | null;
  asOrg: string | null;
  /** Abuse confidence 0–100: the highest any reputation service gave, when any answered. */
  reputation: number | null;
  /** Users that have logged in successfully from this address before the incident. */
  knownUsers: string[];
  /**
   * What detection found for this source with the jails' configured thresholds
   * (an admin's `maxretry: 3` is their definition of brute force). Absent: unknown.
   */
  detected?: FindingKind[];
  /**
   * Connections from this source that never tried to log in (a scanner's), stored
   * summed per address and ten minutes rather than as events. Absent: none known.
   */
  scans?: number;
}

/** The deterministic (or model) verdict on an incident, with the event ids that justify it. */
export interface TriageResult {
  verdict: Verdict;
  /** 0–1. */
  confidence: number;
  severity: Severity;
  /** Stable reason codes (i18n keys are derived from them), most important first. */
  reasons: string[];
  evidence: number[];
}

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
export type IncidentState = 'open' | 'triaged' | 'resolved';
export const INCIDENT_STATES: readonly IncidentState[] = ['open', 'triaged', 'resolved'];

/** Who gave a triage: the deterministic rules, the LLM analyst, or a human. */
export type TriageBy = 'rules' | 'agent' | 'admin';

/**
 * What opened or fed an incident: a detection finding, a poisoned user name, or
 * a scanner (many connections that never tried to log in: never banned by itself).
 */
export type IncidentKind = FindingKind | 'poisoned-username' | 'scan';

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

/** A search of the stored failures for the long-horizon rules (detect asks, the store answers). */
export interface FailureGroupQuery {
  jail: string;
  since: Millis;
  until: Millis;
  minFailures: number;
  minUsers: number;
  /** Distinct UTC calendar days with a failure. */
  minDays: number;
  /** IPv6 addresses are summed per prefix of this length (0: each alone). */
  ipv6Prefix: number;
  /** At most this many groups, the most failures first. */
  limit: number;
  maxNames: number;
}
