/**
 * Builds the analyst's deps from the configuration: the provider (or none),
 * the host readers, the approval requester, the never-ban networks and the
 * status. The daemon (Telegram, the web console) and `sheriff ask`/`chat` use
 * this, passing the ports of the incidents, intel and report modules they have.
 */
import { readFile } from 'node:fs/promises';
import { trace, type Tracer } from '@opentelemetry/api';
import type { Millis } from '../domain.js';
import type { Lang } from '../i18n/index.js';
import { trustedNetworks } from '../intel/trusted.js';
import { CidrSet } from '../net/cidr.js';
import { parseIp } from '../net/ip.js';
import type { ApprovalRequester } from '../respond/approvals.js';
import type { ResponseConfig } from '../respond/config.js';
import { execFileRunner, SystemSessionProbe } from '../respond/live-sessions.js';
import type { RecordStore } from '../store/api.js';
import type {
  AnalystDeps,
  HostPort,
  IncidentsPort,
  IntelPort,
  ReportPort,
  StatusPort,
} from './deps.js';
import type { LlmClient } from './llm-client.js';
import type { AgentConfig } from './config.js';
import type { PromptProgram } from './program.js';
import { incidentsPort, incidentsStatus } from './ports.js';
import { OpenAiCompatibleClient, resolveProvider } from './provider.js';
import { readProgram } from './program-file.js';

/** The settings the analyst reads: its own section, and what it may never ban and how long it bans. */
export interface AnalystConfig {
  agent: AgentConfig;
  /** The prompt program `sheriff optimize agent` wrote (eval.agentProgram). */
  eval: { agentProgram?: string | undefined };
  trusted: readonly string[];
  response: Pick<ResponseConfig, 'admins' | 'bantime' | 'managementPorts'>;
  language: Lang;
}

export interface AnalystSetup {
  store: AnalystDeps['store'] & Pick<RecordStore, 'incidents' | 'activity'>;
  config: AnalystConfig;
  approvals: ApprovalRequester;
  env?: NodeJS.ProcessEnv;
  clock?: () => Millis;
  status?: StatusPort;
  incidents?: IncidentsPort;
  intel?: IntelPort;
  report?: ReportPort;
  host?: HostPort;
  program?: PromptProgram;
  onUsage?: AnalystDeps['onUsage'];
  /** Where the analyst's spans go (agent.telemetry, started by the caller); default the global tracer. */
  tracer?: Tracer;
  /** Test hook: an already built client instead of the configured provider. */
  llm?: LlmClient | null;
}

/** Throws ProviderConfigError when the configured provider cannot work (no key, no model). */
export function analystDeps(s: AnalystSetup): AnalystDeps {
  const { config } = s;
  const agent = config.agent;
  let llm: LlmClient | null;
  if (s.llm !== undefined) llm = s.llm;
  else {
    const provider = resolveProvider(agent, s.env);
    llm =
      provider === null
        ? null
        : new OpenAiCompatibleClient(provider, {
            timeoutMs: agent.timeout,
            maxRetries: agent.maxRetries,
          });
  }
  const never = new CidrSet([...trustedNetworks(config.trusted).list(), ...config.response.admins]);
  const clock = s.clock ?? Date.now;
  return {
    store: s.store,
    approvals: s.approvals,
    llm,
    config: agent,
    defaultLang: config.language,
    banDurationMs: config.response.bantime,
    neverBan: (ip) => {
      const parsed = parseIp(ip);
      return parsed === null || never.has(parsed);
    },
    status: s.status ?? incidentsStatus(s.store),
    incidents: s.incidents ?? incidentsPort(s.store),
    ...(s.intel ? { intel: s.intel } : {}),
    ...(s.report ? { report: s.report } : {}),
    host: s.host ?? systemHost(config.response.managementPorts),
    clock,
    ...programOf(s),
    tracer: s.tracer ?? trace.getTracer('sheriff.agent'),
    ...(s.onUsage ? { onUsage: s.onUsage } : {}),
  };
}

/** The given program, else the optimised one `eval.agentProgram` names (a bad file throws). */
function programOf(s: AnalystSetup): { program?: PromptProgram } {
  if (s.program !== undefined) return { program: s.program };
  const path = s.config.eval.agentProgram;
  return path === undefined ? {} : { program: readProgram(path, 'agent') };
}

/** This machine: /proc, `ss` and `who` through execFile. */
export function systemHost(sshPorts: readonly number[] = [22]): HostPort {
  return {
    readFile: (path) => readFile(path, 'utf8'),
    run: execFileRunner,
    sessions: new SystemSessionProbe({ sshPorts }),
  };
}
