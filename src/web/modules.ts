/**
 * API routes of the optional modules: the status level (incidents/status),
 * incidents with their timeline and notes, the daily reports, and the
 * analyst chat. Each is present only when the daemon hands the module over.
 * Words come from the modules' own formatters, in the user's language.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Analyst } from '../agent/analyst.js';
import type { Incident as StoredIncident, Millis, Verdict, TriageRecord } from '../domain.js';
import { HOST_NAME } from '../fleet/host-name.js';
import { ADMIN_VERDICTS, setAdminVerdict } from '../incidents/admin.js';
import { statusReasonText, triageReasonText, whereText } from '../incidents/format.js';
import type { ServerStatus } from '../incidents/status.js';
import { translator, type Lang } from '../i18n/index.js';
import { storedReportText } from '../report/lookup.js';
import type { DailyReport } from '../report/model.js';
import { reportText } from '../report/text.js';
import type { HostStore } from '../store/hosts.js';
import type { IncidentStore, ReportStore } from '../store/index.js';
import type { HostActivity } from '../store/activity.js';
import type { Async } from '../store/api.js';
import { requestSession } from './auth.js';
import type {
  AnalystReply,
  Dashboard,
  Features,
  HostView,
  Incident,
  IncidentDetail,
  ReportView,
  Triage,
} from './contract.js';
import { parse } from './parse.js';

/** Modules the console shows when the daemon has them (each page is left out otherwise). */
export interface WebModules {
  /** At the fleet's hub: its hosts (store/hosts.ts), for the hosts page and the host filters. */
  hosts?: Pick<Async<HostStore>, 'list' | 'confirmations'>;
  status?: () => Promise<ServerStatus>;
  incidents?: Pick<
    Async<IncidentStore>,
    'list' | 'latest' | 'get' | 'addNote' | 'setTriage' | 'resolve'
  >;
  reports?: Pick<Async<ReportStore>, 'get' | 'before'>;
  /** Today's report so far, made on demand (the daemon's report service; neither stored nor sent). */
  todayReport?: () => Promise<DailyReport>;
  analyst?: Pick<Analyst, 'ask' | 'mode' | 'model'>;
  /** At the fleet's hub: an incident's attacker on each host (fleet/cross-host.ts). */
  incidentHosts?: (i: StoredIncident) => Promise<HostActivity[]>;
}

const lang = z.enum(['en', 'ko']).default('en');
/** A fleet host's name (`?host=web-3`): the lists show what came from it. */
export const hostParam = z
  .string()
  .regex(HOST_NAME, 'not a host name (lower-case letters, digits and inner hyphens)');
const incidentsQuery = z.strictObject({
  state: z.enum(['active', 'open', 'triaged', 'resolved', 'all']).default('active'),
  host: hostParam.optional(),
  lang,
});
const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const noteBody = z.strictObject({ text: z.string().trim().min(1).max(4000) });
const verdictBody = z.strictObject({
  verdict: z.enum(ADMIN_VERDICTS as [Verdict, ...Verdict[]]),
  note: z.string().trim().max(4000).optional(),
});
const reportQuery = z.strictObject({
  date: z
    .string()
    .regex(/^\d{4}-\d\d-\d\d$/)
    .optional(),
  lang,
});
const askBody = z.strictObject({ text: z.string().trim().min(1).max(4000), lang });

/** Today's report is made at most once a minute; asking again within it gives the same one. */
const TODAY_REPORT_EVERY_MS = 60_000;

/**
 * `make`, run at most once per `everyMs`: a call within that time (or while
 * one runs) shares its result, so clicking again spends no more tokens. A
 * failure is not kept: the next call tries again.
 */
export function onDemand<T>(
  make: () => Promise<T>,
  clock: () => Millis,
  everyMs: number,
): () => Promise<{ value: T; at: Millis }> {
  let last: { at: Millis; result: Promise<T> } | null = null;
  return async () => {
    const now = clock();
    if (last === null || now - last.at >= everyMs) {
      const result = make();
      last = { at: now, result };
      result.catch(() => {
        if (last?.result === result) last = null;
      });
    }
    const { at, result } = last;
    return { value: await result, at };
  };
}

export function features(m: WebModules): Features {
  return {
    hosts: m.hosts !== undefined,
    status: m.status !== undefined,
    incidents: m.incidents !== undefined,
    reports: m.reports !== undefined,
    todayReport: m.reports !== undefined && m.todayReport !== undefined,
    analyst: m.analyst !== undefined,
  };
}

/** The status level with its reasons in words, or null without the incidents module. */
export async function statusView(m: WebModules, l: Lang): Promise<Dashboard['status']> {
  if (m.status === undefined) return null;
  const s = await m.status();
  const t = translator(l);
  return { level: s.level, reasons: s.reasons.map((r) => statusReasonText(r, t)) };
}

/** Country and AS of an address, from its latest incident's enrichment, when known. */
export async function whereOf(m: WebModules, ip: string): Promise<string | null> {
  const latest = (await m.incidents?.latest(ip)) ?? null;
  return latest === null ? null : whereText(latest);
}

function triageView(r: TriageRecord | null, l: Lang): Triage | null {
  if (r === null) return null;
  const t = translator(l);
  return { ...r, reasonTexts: r.reasons.map((c) => triageReasonText(c, t)) };
}

/** Registers the routes of the modules present (inside the authenticated /api scope). */
export function registerModules(api: FastifyInstance, m: WebModules, clock: () => Millis): void {
  const { hosts, incidents, reports, analyst } = m;
  if (hosts !== undefined) api.get('/hosts', (): Promise<readonly HostView[]> => hosts.list());
  if (incidents !== undefined) {
    api.get('/incidents', async (req): Promise<Incident[]> => {
      const q = parse(incidentsQuery, req.query);
      return (
        await incidents.list({
          ...(q.state === 'all' ? {} : { state: q.state }),
          ...(q.host === undefined ? {} : { sensor: q.host }),
          limit: 200,
        })
      ).map((i) => ({ ...i, where: whereText(i) }));
    });
    api.get('/incidents/:id', async (req, reply) => {
      const { id } = parse(idParams, req.params);
      const { lang: l } = parse(z.object({ lang }), req.query);
      const i = await incidents.get(id);
      if (i === null) return reply.code(404).send({ error: `no incident ${id}` });
      const detail: IncidentDetail = {
        ...i,
        where: whereText(i),
        rules: triageView(i.rules, l),
        agent: triageView(i.agent, l),
        admin: triageView(i.admin, l),
        ...(m.incidentHosts === undefined ? {} : { hosts: await m.incidentHosts(i) }),
      };
      return detail;
    });
    api.post('/incidents/:id/notes', async (req, reply) => {
      const { id } = parse(idParams, req.params);
      const { text } = parse(noteBody, req.body);
      if ((await incidents.get(id)) === null)
        return reply.code(404).send({ error: `no incident ${id}` });
      const actor = `admin:web:${requestSession(req).user}`;
      return { ok: true, id: await incidents.addNote(id, actor, text, clock()) };
    });
    // The admin's verdict is in force; the rules' stays on record beside it.
    api.post('/incidents/:id/verdict', async (req, reply) => {
      const { id } = parse(idParams, req.params);
      const { verdict, note } = parse(verdictBody, req.body);
      if ((await incidents.get(id)) === null)
        return reply.code(404).send({ error: `no incident ${id}` });
      const actor = `admin:web:${requestSession(req).user}`;
      await setAdminVerdict(incidents, id, verdict, { actor, at: clock(), note: note || null });
      return { ok: true };
    });
    api.post('/incidents/:id/resolve', async (req, reply) => {
      const { id } = parse(idParams, req.params);
      if ((await incidents.get(id)) === null)
        return reply.code(404).send({ error: `no incident ${id}` });
      const actor = `admin:web:${requestSession(req).user}`;
      return { ok: true, resolved: await incidents.resolve(id, clock(), actor, 'admin') };
    });
  }
  if (reports !== undefined) {
    api.get('/reports', async (req, reply) => {
      const { date, lang: l } = parse(reportQuery, req.query);
      // Without a date: the latest report (anything before a date far ahead).
      const r = date === undefined ? await reports.before('9999-12-31') : await reports.get(date);
      if (r === null) return reply.code(404).send({ error: 'no report' });
      // text: the report in the user's language (null for a shape this version cannot read).
      const view: ReportView = {
        ...r,
        text: storedReportText(r.report, translator(l)),
        previous: (await reports.before(r.date))?.date ?? null,
      };
      return view;
    });
  }
  if (reports !== undefined && m.todayReport !== undefined) {
    const today = onDemand(m.todayReport, clock, TODAY_REPORT_EVERY_MS);
    // A POST (CSRF-checked like every state change): it may spend LLM tokens.
    api.post('/reports/today', async (req): Promise<ReportView> => {
      const { lang: l } = parse(z.strictObject({ lang }), req.body);
      const { value: report, at } = await today();
      return {
        date: report.date,
        createdAt: at,
        report,
        text: reportText(report, translator(l)),
        previous: (await reports.before(report.date))?.date ?? null,
      };
    });
  }
  if (analyst !== undefined) {
    api.post('/analyst', async (req): Promise<AnalystReply> => {
      const { text, lang: l } = parse(askBody, req.body);
      const user = requestSession(req).user;
      return analyst.ask({
        conversation: `web:${user}`,
        text,
        lang: l,
        channel: 'web',
        identity: user,
      });
    });
  }
}
