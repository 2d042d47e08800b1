/**
 * The API's JSON shapes: the one contract between the server (api.ts,
 * modules.ts, live.ts, auth.ts declare their answers with these types) and the
 * browser app (ui/, which imports them with `import type` only, so its
 * JavaScript never loads server code). A field renamed on either side no
 * longer compiles on the other. This file imports nothing: the UI's build
 * compiles it too.
 */
export interface SourceHealth {
  id: string;
  position: string | null;
  lag: number | null;
  lastLineAt: number | null;
  linesRead: number;
  skipped: number;
  errors: number;
  lastError: string | null;
}

export interface BanTarget {
  cidr: string;
  family: 4 | 6;
}

export interface Ban {
  id: number;
  target: BanTarget;
  jail: string | null;
  reason: string;
  requestedBy: string;
  createdAt: number;
  expiresAt: number | null;
  appliedAt: number | null;
  removedAt: number | null;
  removedReason: string | null;
  offence: number;
  /** The backend that confirmed it ('dry-run' blocks nothing); null before that, or unknown. */
  firewall: string | null;
  /** Packets from the target are dropped here (never at the fleet's hub: see `fleet`). */
  enforced: boolean;
  /** At the fleet's hub: a published decision, applied on `applied` of the `of` hosts in its scope. */
  fleet?: {
    applied: number;
    of: number;
    problems: { host: string; outcome: 'refused' | 'failed'; reason: string }[];
  };
}

export interface Approval {
  id: string;
  action: 'ban' | 'unban' | 'isolate' | 'release';
  target: BanTarget | null;
  durationMs: number | null;
  reason: string;
  requestedBy: string;
  jail: string | null;
  status: string;
  createdAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  channel: string | null;
  /** Changed in the database: nothing else in it may be shown as true. */
  tampered: boolean;
}

/** An approval as a decision leaves it (the tamper check is the list's). */
export type DecidedApproval = Omit<Approval, 'tampered'>;

/** `POST /api/approvals/:id`, `/api/bans/unban`, `/api/bans/extend`. */
export interface Decided {
  ok: true;
  approval: DecidedApproval;
}

export interface EventRecord {
  id?: number;
  time: number;
  jail: string;
  filter: string;
  rule: string | null;
  result: 'fail' | 'success' | 'nofail';
  ip: string | null;
  host: string | null;
  user: string | null;
  attempts: number;
  source: string | null;
  line: string;
}

export interface Finding {
  kind: string;
  jail: string;
  scope: string;
  ip: string;
  count: number;
  first: number;
  last: number;
  users: string[];
  /** At the fleet's hub: the hosts it was seen on. */
  hosts?: readonly string[];
}

/** `GET /api/hosts` (at the fleet's hub): each host as the hub last heard from it. */
export interface HostView {
  name: string;
  /** When the hub last heard from it (any message). */
  lastSeen: number;
  version: string | null;
  /** How far its sources were behind their logs, at its last status. */
  lagMs: number | null;
  /** Rows waiting in its outbox for NATS, at its last status. */
  outbox: number | null;
  /** Its last errors, as it sent them (untrusted text). */
  errors: string[];
  groups: string[];
  /** When its last status was made (its clock); null before any. */
  statusAt: number | null;
  /** Its messages the hub refused (failed their schema). */
  rejected: number;
  /** Decisions it confirmed in force. */
  bansApplied: number;
}

export interface TopAttacker {
  ip: string;
  failures: number;
  lines: number;
  users: number;
  last: number;
  /** "KR, AS64500 Example Telecom" when intel knows it (from the attacker's incident). */
  where: string | null;
}

/** An address that connected without ever trying to log in (a scanner). */
export interface TopScanner {
  ip: string;
  /** Connections that never tried to log in. */
  connections: number;
  last: number;
  where: string | null;
}

export interface Dashboard {
  now: number;
  status: { level: 'normal' | 'caution' | 'danger'; reasons: string[] } | null;
  failures: { t: number[]; n: number[] };
  /** Never a trusted or internal address (intel/trusted.ts). */
  top: TopAttacker[];
  /** Scanners of the last 24 h, most connections first; never a trusted or internal address. */
  scanners: TopScanner[];
  /** Connections that never tried to log in, and from how many addresses, in the last 24 h. */
  scans24h: { connections: number; addresses: number };
  /** The counts `sheriff status` and /metrics show too (store/counts.ts). */
  failures24h: number;
  findings24h: number;
  activeBans: number;
  /** Active bans that block nothing (dry-run, or not confirmed by a firewall). */
  unenforcedBans: number;
  /** Whether the running daemon's firewall enforces bans; null when no daemon published it. */
  enforcing: boolean | null;
  recentBans: Ban[];
  pendingApprovals: number;
  sources: SourceHealth[];
}

export type LiveItem =
  | { type: 'event'; event: EventRecord }
  | { type: 'finding'; finding: Finding; id: number | null }
  | { type: 'response'; alert: { type: string; [k: string]: unknown } };

/** One message of `GET /api/live` (event: batch): what came since the last, and how many were dropped. */
export interface LiveBatch {
  items: LiveItem[];
  dropped: number;
}

export interface Features {
  /** The console runs at the fleet's hub: the hosts page and a host filter on the lists. */
  hosts: boolean;
  status: boolean;
  incidents: boolean;
  reports: boolean;
  /** The reports page can ask for today's report so far. */
  todayReport: boolean;
  analyst: boolean;
}

export interface Triage {
  verdict: 'benign' | 'suspicious' | 'malicious';
  confidence: number;
  severity: 'low' | 'medium' | 'high' | 'critical';
  reasons: string[];
  reasonTexts: string[];
  evidence: number[];
  by: string;
  actor: string;
  at: number;
  narrative: string | null;
}

export interface Incident {
  id: number;
  attacker: string;
  scope: 'address' | 'prefix';
  state: 'open' | 'triaged' | 'resolved';
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  firstSeen: number;
  lastSeen: number;
  jails: string[];
  kinds: string[];
  users: string[];
  members: string[];
  failures: number;
  successes: number;
  verdict: Triage['verdict'] | null;
  severity: Triage['severity'] | null;
  where: string | null;
}

export interface TimelineEntry {
  id: number;
  time: number;
  kind: string;
  actor: string;
  refId: number | null;
  ref: string | null;
  detail: Record<string, unknown>;
}

export interface IncidentDetail extends Incident {
  rules: Triage | null;
  agent: Triage | null;
  admin: Triage | null;
  timeline: TimelineEntry[];
  /** At the fleet's hub: the attacker on each host (failed attempts, logins, first and last). */
  hosts?: { host: string; failures: number; successes: number; first: number; last: number }[];
}

export interface AnalystReply {
  text: string;
  status: 'normal' | 'caution' | 'danger';
  mode: 'llm' | 'command';
  outcome: string;
  toolCalls: { name: string; outcome: string }[];
  approvals: {
    id: string;
    action: string;
    target: string | null;
    durationMs: number | null;
    reason: string;
  }[];
}

/** `POST /api/login` and `GET /api/session`. */
export interface SessionView {
  user: string;
  csrf: string;
}

/** `POST /api/approvals/approve-all`: one result per id, in order. */
export interface ApproveAllResult {
  approved: number;
  results: {
    id: string | undefined;
    ok: boolean;
    approval?: DecidedApproval;
    code?: string;
    /** The guardrail that refused the ban. */
    guard?: string;
    error?: string;
  }[];
}

/** `GET /api/reports`: a stored daily report. */
export interface ReportView {
  date: string;
  createdAt: number;
  report: unknown;
  /** The report in words, in the requested language; null when the server cannot read its shape. */
  text: string | null;
  /** The date of the report before it, if any. */
  previous: string | null;
}
