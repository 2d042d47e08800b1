/** Every tool of the analyst, in the order the model sees them. */
import type { AnalystDeps } from '../deps.js';
import { proposeBan, proposeIsolate, proposeUnban } from './actions.js';
import { analyseAddress, listScanners, queryEvents } from './events.js';
import { hostStatus, listeningPorts, loggedInUsers } from './host.js';
import {
  listIncidents,
  lookupIntel,
  sendReport,
  showIncident,
  triageIncident,
} from './incidents.js';
import type { AgentTool } from './tool.js';

export const ALL_TOOLS: readonly AgentTool[] = [
  hostStatus,
  loggedInUsers,
  listeningPorts,
  queryEvents,
  analyseAddress,
  listScanners,
  listIncidents,
  showIncident,
  triageIncident,
  lookupIntel,
  sendReport,
  proposeBan,
  proposeUnban,
  proposeIsolate,
];

/** The tools whose ports the deps provide. */
export function toolsFor(deps: AnalystDeps): AgentTool[] {
  return ALL_TOOLS.filter((t) => t.available === undefined || t.available(deps));
}

export {
  auditRefusal,
  capResult,
  toolSpec,
  ToolRefusal,
  type AgentTool,
  type Proposal,
  type Refusal,
  type ToolContext,
} from './tool.js';
