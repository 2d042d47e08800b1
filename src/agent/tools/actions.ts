/**
 * The dangerous tools: ban, unban, isolate. Each only creates an approval
 * request through the response layer (requestedBy 'agent') and never acts; a
 * human decides on the CLI, Telegram or the web. The request's target is the
 * canonical address the store has evidence against — an address the model
 * read in a log line but that has no failures or findings is refused — and
 * its reason and the card's facts are built from the store, never from the
 * model's words.
 */
import { analystIsolateReason, analystUnbanReason } from '../../respond/reasons.js';
import { z } from 'zod';
import type { ActionRequest, BanTarget } from '../../domain.js';
import { parseCidr } from '../../net/cidr.js';
import { address } from './events.js';
import { addressFacts, hasEvidence, iso } from './evidence.js';
import { tool, ToolRefusal, type Proposal, type ToolContext } from './tool.js';
import { lookBack } from './tool.js';

function targetOf(ip: string): BanTarget {
  const c = parseCidr(ip);
  return { cidr: c.text, family: c.family };
}

/** An already pending request for the same action and target, so a second ask does not duplicate it. */
async function pendingFor(
  ctx: ToolContext,
  action: ActionRequest['action'],
  cidr: string | null,
): Promise<Proposal | null> {
  const existing = (await ctx.deps.store.approvals.list({ status: 'pending', limit: 200 })).find(
    (a) => a.action === action && (a.target?.cidr ?? null) === cidr && a.expiresAt > ctx.now,
  );
  if (existing === undefined) return null;
  const p: Proposal = {
    approval: { ...existing, status: 'pending' },
    facts: { alreadyPending: true },
  };
  if (!ctx.proposals.some((q) => q.approval.id === existing.id)) ctx.proposals.push(p);
  return p;
}

async function propose(ctx: ToolContext, request: ActionRequest, facts: Record<string, unknown>) {
  const approval = await ctx.deps.approvals.request(request, ctx.now);
  ctx.proposals.push({ approval, facts });
  return proposalResult(approval.id, approval.expiresAt);
}

function proposalResult(id: string, expiresAt: number) {
  return {
    approvalRequested: id,
    expiresAt: iso(expiresAt),
    note: 'Nothing was done yet: a human must approve this request. Say so in your answer.',
  };
}

export const proposeBan = tool({
  name: 'propose_ban',
  description:
    'Ask a human to approve banning an attacking address at the firewall. Only addresses with stored ' +
    'failures or findings can be proposed; this never bans by itself.',
  schema: z.strictObject({
    ip: address.describe('the attacking address'),
    duration: lookBack
      .optional()
      .describe('ban length like 1h or 7d (default: the configured bantime)'),
  }),
  dangerous: true,
  async run(args, ctx) {
    if (ctx.deps.neverBan(args.ip)) {
      throw new ToolRefusal(
        'protected-address',
        `${args.ip} is a trusted or admin address: it is never banned`,
      );
    }
    const facts = await addressFacts(ctx.deps.store, args.ip, ctx.now);
    if (!hasEvidence(facts)) {
      throw new ToolRefusal(
        'not-in-evidence',
        `${args.ip} has no failed logins or findings in the store: a ban can only target an address with evidence`,
      );
    }
    const target = targetOf(args.ip);
    if (
      facts.bans.some(
        (b) => b.removedAt === null && (b.expiresAt === null || b.expiresAt > ctx.now),
      )
    ) {
      throw new ToolRefusal('already-banned', `${args.ip} is already banned`);
    }
    const pending = await pendingFor(ctx, 'ban', target.cidr);
    if (pending !== null)
      return Promise.resolve(proposalResult(pending.approval.id, pending.approval.expiresAt));
    const durationMs = args.duration ?? ctx.deps.banDurationMs;
    const kinds = [...new Set(facts.findings.map((f) => f.kind))];
    const card = {
      failures: facts.failures,
      successes: facts.successes,
      distinctUsers: facts.users.length,
      firstSeen: facts.firstSeen,
      lastSeen: facts.lastSeen,
      findings: kinds,
      jails: facts.jails,
    };
    return Promise.resolve(
      await propose(
        ctx,
        {
          action: 'ban',
          target,
          durationMs,
          reason:
            `analyst proposal from stored evidence: ${facts.failures} failures, ` +
            `${facts.users.length} user names` +
            (kinds.length > 0 ? `, findings: ${kinds.join(', ')}` : ''),
          requestedBy: 'agent',
          jail: facts.jails[0] ?? null,
          evidence: {
            findings: facts.findings.slice(0, 50).map((f) => f.id),
            events: facts.failureEventIds.slice(0, 50),
          },
        },
        card,
      ),
    );
  },
});

export const proposeUnban = tool({
  name: 'propose_unban',
  description: 'Ask a human to approve lifting an active ban. This never unbans by itself.',
  schema: z.strictObject({ ip: address }),
  dangerous: true,
  async run(args, ctx) {
    const target = targetOf(args.ip);
    const active = (await ctx.deps.store.bans.active(ctx.now)).find(
      (b) => b.target.cidr === target.cidr,
    );
    if (active === undefined) throw new ToolRefusal('not-banned', `${args.ip} is not banned`);
    const pending = await pendingFor(ctx, 'unban', target.cidr);
    if (pending !== null)
      return Promise.resolve(proposalResult(pending.approval.id, pending.approval.expiresAt));
    return Promise.resolve(
      await propose(
        ctx,
        {
          action: 'unban',
          target,
          durationMs: null,
          reason: analystUnbanReason(active.id, active.reason),
          requestedBy: 'agent',
          jail: active.jail,
          evidence: { findings: [], events: [] },
        },
        { ban: active.id, bannedAt: active.createdAt, expiresAt: active.expiresAt },
      ),
    );
  },
});

export const proposeIsolate = tool({
  name: 'propose_isolate',
  description:
    'Ask a human to approve isolating this host: every connection cut but the configured admin addresses. ' +
    'For a confirmed break-in only. This never isolates by itself.',
  schema: z.strictObject({}),
  dangerous: true,
  async run(_args, ctx) {
    const pending = await pendingFor(ctx, 'isolate', null);
    if (pending !== null)
      return Promise.resolve(proposalResult(pending.approval.id, pending.approval.expiresAt));
    const status = await ctx.deps.status.current(ctx.now, ctx.lang);
    return Promise.resolve(
      await propose(
        ctx,
        {
          action: 'isolate',
          target: null,
          durationMs: null,
          reason: analystIsolateReason(status.level),
          requestedBy: 'agent',
          jail: null,
          evidence: { findings: [], events: [] },
        },
        { status: status.level, reasons: status.reasons.slice(0, 3) },
      ),
    );
  },
});
