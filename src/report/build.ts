/**
 * Builds a daily report from the store and, when given, this host's readers
 * (listening ports, live sessions) and the enricher (country and AS of the top
 * attackers). Reads only: storing and delivering belong to the service. A
 * reader that fails leaves its section out (null) and is logged; the report is
 * still made.
 */
import type { Millis, Enrichment } from '../domain.js';
import { parseListening } from '../net/listening.js';
import { currentStatus } from '../incidents/status.js';
import type { Logger } from '../log.js';
import type { TimeZone } from '../parse/zone.js';
import type { LiveSession, Runner, SessionProbe } from '../respond/live-sessions.js';
import type { RecordStore } from '../store/api.js';
import type { ReportConfig } from './config.js';
import { DAY_MS, localDate } from './day.js';
import {
  parseReport,
  REPORT_VERSION,
  type DailyReport,
  type ReportCounts,
  type ReportLogin,
  type ReportPort,
  type ReportSession,
} from './model.js';

/** This host's state: `ss` for listening ports, the session probe for who is logged in. */
export interface HostReaders {
  run: Runner;
  sessions: SessionProbe;
}

export interface ReportInputs {
  store: Pick<RecordStore, 'activity' | 'incidents' | 'reports'>;
  config: Pick<ReportConfig, 'topAttackers' | 'ports'>;
  zone: TimeZone;
  /** Without it, the report has no ports and sessions sections. */
  host?: HostReaders;
  /** Trusted and internal addresses (intel/trusted.ts): never among the top attackers. */
  internal: (ip: string) => boolean;
  /** Without it (or when it fails), an attacker's latest incident's enrichment is used. */
  enrich?: (ip: string) => Promise<Enrichment>;
  logger?: Logger;
}

/** Login groups kept in a report; the total counts them all. */
const MAX_LOGIN_GROUPS = 200;
const MAX_PORTS = 200;
const MAX_SESSIONS = 50;

/**
 * The report of the 24 hours ending at `to` (see day.ts), without commentary,
 * labelled `date` (default: the local date of `to`).
 */
export async function buildReport(
  inputs: ReportInputs,
  to: Millis,
  date = localDate(inputs.zone, to),
): Promise<DailyReport> {
  const { store, zone, host } = inputs;
  const from = to - DAY_MS;
  const [topAttackers, ss, live] = await Promise.all([
    topAttackersOf(inputs, from, to),
    host !== undefined && inputs.config.ports
      ? orNull(inputs, 'report_ports_failed', () => host.run('ss', ['-ltnpH']))
      : null,
    host === undefined
      ? null
      : orNull(inputs, 'report_sessions_failed', () => host.sessions.sessions(to)),
  ]);
  const [status, day, dayBefore, loginTotal, logins, ports] = await Promise.all([
    currentStatus(store.activity, to),
    countsOf(store, from, to),
    countsOf(store, from - DAY_MS, from),
    store.activity.loginCount(from, to),
    loginsOf(store, from, to),
    ss === null ? null : portsSection(store, ss, date),
  ]);
  return {
    version: REPORT_VERSION,
    date,
    timezone: zone.name,
    from,
    to,
    status,
    day,
    dayBefore,
    topAttackers,
    logins: { total: loginTotal, groups: logins },
    ports,
    sessions: live === null ? null : sessionsSection(live),
    commentary: null,
  };
}

/** A host reader's answer, or null (logged) when it failed: that section is left out. */
async function orNull<T>(
  inputs: ReportInputs,
  event: string,
  read: () => Promise<T>,
): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    inputs.logger?.warn({ event, err }, 'the daily report left out a section it could not read');
    return null;
  }
}

async function countsOf(
  store: ReportInputs['store'],
  from: Millis,
  to: Millis,
): Promise<ReportCounts> {
  const [bans, failures, attackers, incidents] = await Promise.all([
    store.activity.bansBetween(from, to),
    store.activity.failuresBetween(from, to),
    store.activity.distinctAttackers(from, to),
    store.incidents.countOpened(from, to),
  ]);
  return { failures, attackers, bans: bans.applied, bansNotEnforced: bans.dryRun, incidents };
}

async function topAttackersOf(inputs: ReportInputs, from: Millis, to: Millis) {
  const { store, internal, config } = inputs;
  const rows = await store.activity.topAttackers(from, to, internal, config.topAttackers);
  return Promise.all(
    // The report keeps its own shape: no `lines`.
    rows.map(async ({ ip, failures, users, first, last }) => ({
      ip,
      failures,
      users,
      first,
      last,
      enrichment: await enrichmentOf(inputs, ip),
    })),
  );
}

async function enrichmentOf(inputs: ReportInputs, ip: string): Promise<Enrichment | null> {
  if (inputs.enrich !== undefined) {
    try {
      return await inputs.enrich(ip);
    } catch (err) {
      inputs.logger?.warn({ event: 'report_enrich_failed', ip, err }, 'enrichment failed');
    }
  }
  return (await inputs.store.incidents.latest(ip))?.enrichment ?? null;
}

/** Logins per user and address; an address the user never logged in from before is flagged and listed first. */
async function loginsOf(
  store: ReportInputs['store'],
  from: Millis,
  to: Millis,
): Promise<ReportLogin[]> {
  const groups = await Promise.all(
    (await store.activity.loginGroups(from, to, MAX_LOGIN_GROUPS)).map(async (g) => ({
      ...g,
      newAddress:
        g.user !== null &&
        g.ip !== null &&
        !(await store.activity.loggedInBefore(g.user, g.ip, g.first)),
    })),
  );
  return [...groups.filter((g) => g.newAddress), ...groups.filter((g) => !g.newAddress)];
}

/** The listening ports in `ss -ltnpH` output, compared with the previous report's. */
async function portsSection(
  store: ReportInputs['store'],
  ss: string,
  date: string,
): Promise<NonNullable<DailyReport['ports']>> {
  const listening = uniquePorts(
    parseListening(ss).map((p) => ({
      address: p.address,
      port: p.port,
      processes: [...new Set(p.processes.map((q) => q.name))],
    })),
  ).slice(0, MAX_PORTS);
  // The previous report: an earlier one of the same date (a second run that day), else the latest before.
  const stored = (await store.reports.get(date)) ?? (await store.reports.before(date));
  const previous = parseReport(stored?.report);
  if (previous?.ports == null) return { listening, comparedWith: null, appeared: [], vanished: [] };
  const before = previous.ports.listening;
  return {
    listening,
    comparedWith: previous.date,
    appeared: listening.filter((p) => !before.some((q) => samePort(p, q))),
    vanished: before.filter((q) => !listening.some((p) => samePort(p, q))),
  };
}

function samePort(a: ReportPort, b: ReportPort): boolean {
  return a.address === b.address && a.port === b.port;
}

/** One entry per address and port (ss lists a socket once per listening process group). */
function uniquePorts(ports: ReportPort[]): ReportPort[] {
  const out: ReportPort[] = [];
  for (const p of ports) {
    const seen = out.find((q) => samePort(p, q));
    if (seen === undefined) out.push(p);
    else seen.processes = [...new Set([...seen.processes, ...p.processes])];
  }
  return out.sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : 1));
}

/** `who` sessions by user and tty; an SSH connection only when no `who` session has its address. */
function sessionsSection(live: readonly LiveSession[]): ReportSession[] {
  const sessions: ReportSession[] = live.map((s) => {
    // respond/sessions.ts words a utmp session as "NAME on LINE".
    const who = s.via === 'who' ? /^(\S+) on (\S+)$/.exec(s.detail) : null;
    return { user: who?.[1] ?? null, tty: who?.[2] ?? null, address: s.address };
  });
  const logins = sessions.filter((s) => s.user !== null);
  const others = new Set(sessions.filter((s) => s.user === null).map((s) => s.address));
  for (const l of logins) others.delete(l.address);
  const connections = [...others].map((address) => ({ user: null, tty: null, address }));
  return [...logins, ...connections].slice(0, MAX_SESSIONS);
}
