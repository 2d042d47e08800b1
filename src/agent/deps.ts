/**
 * What the analyst consumes: the store, an approval requester (never the
 * decider), an optional model, and small ports onto the incidents, intel and
 * report modules. The composition root (daemon.ts, cli/) adapts the real
 * modules to these ports; a missing port just removes the tools that need it.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Millis, StatusLevel, Verdict } from '../domain.js';
import type { Lang } from '../i18n/index.js';
import type { ApprovalRequester } from '../respond/approvals.js';
import type { Runner, SessionProbe } from '../respond/live-sessions.js';
import type { RecordStore } from '../store/api.js';
import type { AgentConfig } from './config.js';
import type { LlmClient } from './llm-client.js';
import type { PromptProgram } from './program.js';

/** The deterministic server status (incidents/status.ts computeStatus). */
export interface StatusPort {
  current(now: Millis, lang: Lang): Promise<{ level: StatusLevel; reasons: string[] }>;
}

/** A short view of an incident, for the model and the command mode. */
export interface IncidentView {
  id: number;
  attacker: string;
  state: string;
  verdict: Verdict | null;
  severity: string | null;
  kinds: string[];
  failures: number;
  successes: number;
  firstSeen: Millis;
  lastSeen: Millis;
  /** Attacker text (cleaned and spotlighted before the model sees it). */
  users: string[];
}

export interface IncidentsPort {
  list(q: { state?: 'active' | 'all'; limit: number }): Promise<IncidentView[]>;
  /** One incident with its timeline as plain JSON (attacker text already inside is spotlighted by the tool). */
  show(id: number): Promise<(IncidentView & { timeline: unknown[] }) | null>;
  /**
   * Records the analyst's opinion and narrative on an incident. It never
   * changes the verdict in force (the rules' or an admin's).
   */
  recordAgentTriage(
    id: number,
    opinion: { verdict: Verdict; reason: string; actor: string },
    now: Millis,
  ): Promise<boolean>;
}

export interface IntelPort {
  /** What enrichment knows about an address (country, ASN, blocklists, reputation). */
  lookup(ip: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
}

export interface ReportPort {
  /** Builds today's report and sends it to the configured channels; says what was sent. */
  send(now: Millis, lang: Lang): Promise<{ sent: boolean; summary: string }>;
}

/** Readers of the host's state, injectable for tests. */
export interface HostPort {
  readFile(path: string): Promise<string>;
  /** Runs a program with an argument array (no shell). */
  run: Runner;
  sessions: SessionProbe;
}

export interface AnalystDeps {
  store: Pick<
    RecordStore,
    'events' | 'findings' | 'bans' | 'approvals' | 'audit' | 'agent' | 'scans'
  >;
  /** Can only request; never decides. */
  approvals: ApprovalRequester;
  /** Null: command mode only. */
  llm: LlmClient | null;
  config: AgentConfig;
  /** The language of a conversation that did not say (the config's). */
  defaultLang: Lang;
  /** First ban length for proposals (response.bantime), ms. */
  banDurationMs: number;
  /** Networks never proposed for a ban (trusted and admin ranges). */
  neverBan: (ip: string) => boolean;
  status: StatusPort;
  incidents?: IncidentsPort;
  intel?: IntelPort;
  report?: ReportPort;
  host: HostPort;
  clock: () => Millis;
  /** An optimised prompt program (`sheriff optimize`), else the built-in instruction. */
  program?: PromptProgram;
  tracer?: Tracer;
  /** Tokens a model call used (recorded in the store already; this feeds metrics). */
  onUsage?: (inputTokens: number, outputTokens: number) => void;
}
