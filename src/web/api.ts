/**
 * The JSON API under /api (every route needs a session; every state change
 * needs the CSRF token, see auth.ts). Decisions go through
 * `Approvals.decide(…, { channel: 'web', identity: <console user> })` (approve-all
 * calls it once per id); unban
 * and extend are an admin's own request, approved by the same person, exactly
 * as `sheriff unban` / `sheriff ban` do on the CLI. A ban the guardrails refuse
 * is a 409 `{ error, code: 'refused', guard, approval }`. Reference: docs/web-api.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActionRequest, BanTarget, Millis } from '../domain.js';
import { fleetBanStates } from '../fleet/ban-state.js';
import { acceptedLang, translator } from '../i18n/index.js';
import { browserCatalog } from '../i18n/web.js';
import { parseNetwork } from '../net/cidr.js';
import { canonicalIp } from '../net/ip.js';
import type { Approvals, StoredApproval } from '../respond/approvals.js';
import { renderGuardMessage, type Guardrails } from '../respond/guardrails.js';
import { screenApproved } from '../respond/screen.js';
import type { SourceHealth } from '../sources/source.js';
import { readCounts } from '../store/counts.js';
import type { Store } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import { requestSession, type Auth } from './auth.js';
import type {
  Approval,
  ApproveAllResult,
  Ban,
  Dashboard,
  Decided,
  EventRecord,
  Finding,
  Features,
} from './contract.js';
import type { LiveHub } from './live.js';
import type { DashboardQueries } from './queries.js';
import {
  features,
  hostParam,
  registerModules,
  statusView,
  whereOf,
  type WebModules,
} from './modules.js';
import { parse } from './parse.js';
import { securityHeaders } from './security.js';

export interface ApiDeps extends WebModules {
  store: Store;
  records: RecordStore;
  approvals: Approvals;
  guardrails: Guardrails;
  health: () => SourceHealth[];
  /** Trusted and internal addresses (intel/trusted.ts): never shown as attackers. */
  internal: (ip: string) => boolean;
  clock: () => Millis;
  queries: DashboardQueries;
  live: LiveHub;
  auth: Auth;
}

const DAY = 86_400_000;
/** Scanners the dashboard lists. */
const TOP_SCANNERS = 10;
const limit = z.coerce.number().int().min(1).max(1000).default(100);
const time = z.coerce.number().int().nonnegative();
const ip = z.string().transform((v, ctx) => {
  const c = canonicalIp(v);
  if (c === null) {
    ctx.addIssue({ code: 'custom', message: `not an IP address: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return c;
});
const target = z.string().transform((v, ctx): BanTarget => {
  try {
    // Host bits are refused, not cleared: "203.0.113.0/16" never becomes 203.0.0.0/16.
    const c = parseNetwork(v);
    return { cidr: c.text, family: c.family };
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const eventsQuery = z.strictObject({
  ip: ip.optional(),
  host: hostParam.optional(),
  user: z.string().max(256).optional(),
  jail: z.string().max(64).optional(),
  kind: z.enum(['fail', 'success', 'nofail']).optional(),
  since: time.optional(),
  until: time.optional(),
  limit,
});
const findingsQuery = z.strictObject({
  ip: ip.optional(),
  host: hostParam.optional(),
  since: time.optional(),
  limit,
});
const bansQuery = z.strictObject({
  q: z.string().max(100).optional(),
  host: hostParam.optional(),
  history: z.string().optional(),
});
const approvalsQuery = z.strictObject({ status: z.enum(['pending', 'all']).default('pending') });
const decideBody = z.strictObject({ decision: z.enum(['approve', 'deny']) });
// The ids the page showed: "approve all" approves what the admin saw, not what arrived since.
const approveAllBody = z.strictObject({
  ids: z.array(z.string().max(64)).min(1).max(1000),
});
const unbanBody = z.strictObject({ target, reason: z.string().max(500).optional() });
const extendBody = z.strictObject({
  target,
  durationMs: z
    .number()
    .int()
    .min(60_000)
    .max(365 * DAY),
  reason: z.string().max(500).optional(),
});

export function registerApi(app: FastifyInstance, d: ApiDeps): void {
  const webUser = (req: FastifyRequest) => requestSession(req).user;

  app.get('/api/i18n', (req) => {
    const { lang } = parse(z.object({ lang: z.enum(['en', 'ko']).default('en') }), req.query);
    return browserCatalog(lang);
  });

  void app.register(
    (api, _opts, done) => {
      api.addHook('preHandler', (req, reply) => d.auth.guard(req, reply));

      api.get('/features', (): Features => features(d));
      registerModules(api, d, d.clock);

      /** At the fleet's hub, each published ban with where the hosts confirmed it. */
      const withFleet = async (bans: Ban[]): Promise<Ban[]> => {
        if (d.hosts === undefined) return bans;
        const states = await fleetBanStates(bans, { status: d.records.status, hosts: d.hosts });
        return states.size === 0 ? bans : bans.map((b) => ({ ...b, fleet: states.get(b.id) }));
      };

      api.get('/dashboard', async (req): Promise<Dashboard> => {
        const { lang } = parse(z.object({ lang: z.enum(['en', 'ko']).default('en') }), req.query);
        const now = d.clock();
        const since = now - DAY;
        const counts = await readCounts(d.records, now);
        return {
          now,
          status: await statusView(d, lang),
          failures: await d.queries.failuresPerMinute(since, now),
          top: await Promise.all(
            (await d.records.activity.topAttackers(since, now + 1, d.internal)).map(
              async ({ ip, failures, lines, users, last }) => ({
                ip,
                failures,
                lines,
                users,
                last,
                where: await whereOf(d, ip),
              }),
            ),
          ),
          scanners: await Promise.all(
            (await d.records.scans.top(since, now + 1, TOP_SCANNERS + 20))
              .filter((s) => !d.internal(s.ip))
              .slice(0, TOP_SCANNERS)
              .map(async ({ ip, connections, last }) => ({
                ip,
                connections,
                last,
                where: await whereOf(d, ip),
              })),
          ),
          scans24h: await d.records.scans.totals(since, now + 1),
          failures24h: counts.failures24h,
          findings24h: counts.findings24h,
          activeBans: counts.activeBans,
          // Bans that block nothing (dry-run), and whether the daemon's firewall enforces any.
          unenforcedBans: counts.unenforcedBans,
          enforcing: (await daemonFirewall(d.records))?.enforcing ?? null,
          recentBans: await withFleet((await d.records.bans.active(now)).slice(-5).reverse()),
          pendingApprovals: counts.pendingApprovals,
          sources: d.health(),
        };
      });

      api.get('/events', (req): Promise<EventRecord[]> => {
        const { host, ...q } = parse(eventsQuery, req.query);
        return d.records.events.queryEvents({
          ...q,
          ...(host === undefined ? {} : { sensor: host }),
        });
      });
      api.get('/findings', (req): Promise<Finding[]> => {
        const { host, ...q } = parse(findingsQuery, req.query);
        return d.records.findings.recent({ ...q, ...(host === undefined ? {} : { sensor: host }) });
      });
      api.get('/audit', (req) =>
        d.records.audit.list({ limit: parse(z.object({ limit }), req.query).limit }),
      );

      api.get('/bans', async (req): Promise<Ban[]> => {
        const q = parse(bansQuery, req.query);
        const needle = q.q?.trim().toLowerCase() ?? '';
        const bans =
          q.history !== undefined
            ? await d.records.bans.history(parse(target, q.history).cidr)
            : (await d.records.bans.active(d.clock(), q.host)).reverse();
        return withFleet(
          needle === ''
            ? bans
            : bans.filter((b) =>
                [b.target.cidr, b.jail ?? '', b.reason, b.requestedBy].some((s) =>
                  s.toLowerCase().includes(needle),
                ),
              ),
        );
      });

      /**
       * A ban the web user just approved, through the guardrails at once: a refusal is a 409
       * that says why in the console's language (Accept-Language), and the approval reads
       * 'refused' in "Recent decisions".
       */
      const refused = async (req: FastifyRequest, reply: FastifyReply, a: StoredApproval) => {
        const r = await screenApproved(d.approvals, d.guardrails, a, d.clock());
        if (r === null) return false;
        await reply.code(409).send({
          error: renderGuardMessage(
            r.message,
            translator(acceptedLang(req.headers['accept-language'])),
          ),
          code: 'refused',
          guard: r.code,
          approval: await d.approvals.get(a.id),
        });
        return true;
      };

      const adminAction = async (
        req: FastifyRequest,
        reply: FastifyReply,
        action: ActionRequest,
      ) => {
        const now = d.clock();
        const pending = await d.approvals.request(action, now);
        const r = await d.approvals.decide(
          pending.id,
          'approve',
          { channel: 'web', identity: webUser(req) },
          now,
        );
        if (!r.ok) return reply.code(403).send({ error: r.reason, code: r.code });
        if (await refused(req, reply, r.approval)) return reply;
        return reply.send({ ok: true, approval: r.approval } satisfies Decided);
      };

      api.post('/bans/unban', (req, reply) => {
        const b = parse(unbanBody, req.body);
        return adminAction(req, reply, {
          action: 'unban',
          target: b.target,
          durationMs: null,
          reason: b.reason ?? 'unbanned from the web console',
          requestedBy: `admin:web:${webUser(req)}`,
          jail: null,
          evidence: { findings: [], events: [] },
        });
      });

      api.post('/bans/extend', (req, reply) => {
        const b = parse(extendBody, req.body);
        return adminAction(req, reply, {
          action: 'ban',
          target: b.target,
          durationMs: b.durationMs,
          reason: b.reason ?? 'extended from the web console',
          requestedBy: `admin:web:${webUser(req)}`,
          jail: null,
          evidence: { findings: [], events: [] },
        });
      });

      api.get('/approvals', async (req): Promise<Approval[]> => {
        const { status } = parse(approvalsQuery, req.query);
        await d.approvals.expireDue(d.clock());
        return d.approvals.list(status === 'pending' ? { status: 'pending' } : { limit: 100 });
      });

      // A static route: it wins over /approvals/:id (and no approval id has a hyphen).
      api.post('/approvals/approve-all', async (req): Promise<ApproveAllResult> => {
        const { ids } = parse(approveAllBody, req.body);
        const t = translator(acceptedLang(req.headers['accept-language']));
        const decided = await d.approvals.decideAll(
          ids,
          'approve',
          { channel: 'web', identity: webUser(req) },
          d.clock(),
        );
        // Each approved ban meets the guardrails now, as a single approval does.
        const results: ApproveAllResult['results'] = [];
        for (const [i, r] of decided.entries()) {
          if (!r.ok) {
            results.push({ id: ids[i], ok: false, code: r.code, error: r.reason });
            continue;
          }
          const refusal = await screenApproved(d.approvals, d.guardrails, r.approval, d.clock());
          results.push(
            refusal === null
              ? { id: ids[i], ok: true, approval: r.approval }
              : {
                  id: ids[i],
                  ok: false,
                  code: 'refused',
                  guard: refusal.code,
                  error: renderGuardMessage(refusal.message, t),
                },
          );
        }
        return { approved: results.filter((r) => r.ok).length, results };
      });

      api.post<{ Params: { id: string } }>('/approvals/:id', async (req, reply) => {
        const { decision } = parse(decideBody, req.body);
        const r = await d.approvals.decide(
          req.params.id,
          decision,
          { channel: 'web', identity: webUser(req) },
          d.clock(),
        );
        if (!r.ok)
          return reply
            .code(r.code === 'unknown' ? 404 : r.code === 'unauthorised' ? 403 : 409)
            .send({ error: r.reason, code: r.code });
        if (decision === 'approve' && (await refused(req, reply, r.approval))) return reply;
        return { ok: true, approval: r.approval } satisfies Decided;
      });

      api.get('/live', (req, reply) => {
        reply.hijack();
        const res = reply.raw;
        if (d.live.clientCount >= d.live.maxClients) {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'too many live clients' }));
          return;
        }
        res.writeHead(200, {
          ...securityHeaders(req.protocol === 'https'),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        d.live.add(res);
      });

      done();
    },
    { prefix: '/api' },
  );
}

/** The firewall the daemon last published (null before any daemon ran, or from an older one). */
async function daemonFirewall(records: RecordStore): Promise<{ enforcing: boolean } | null> {
  const value = (await records.status.get('daemon'))?.value as {
    firewall?: { enforcing?: unknown };
  } | null;
  const enforcing = value?.firewall?.enforcing;
  return typeof enforcing === 'boolean' ? { enforcing } : null;
}
