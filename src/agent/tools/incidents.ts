/** Tools over incidents, threat intel and the daily report (through the deps' ports). */
import { z } from 'zod';
import { cleanUntrusted, spotlight } from '../untrusted.js';
import type { IncidentView } from '../deps.js';
import { address } from './events.js';
import { iso } from './evidence.js';
import { tool, ToolRefusal } from './tool.js';

/** What the model reads: named fields only (a new field must be boxed here if attackers write it). */
function incidentForModel(i: IncidentView): Record<string, unknown> {
  return {
    id: i.id,
    attacker: i.attacker,
    state: i.state,
    verdict: i.verdict,
    severity: i.severity,
    kinds: i.kinds,
    failures: i.failures,
    successes: i.successes,
    firstSeen: iso(i.firstSeen),
    lastSeen: iso(i.lastSeen),
    users: i.users.slice(0, 10).map((u) => spotlight('user', u, 64)),
  };
}

export const listIncidents = tool({
  name: 'list_incidents',
  description: 'Incidents (one per attacker campaign), newest first: active only, or all.',
  schema: z.strictObject({
    state: z.enum(['active', 'all']).optional().describe('default active'),
    limit: z.number().int().min(1).max(30).optional().describe('default 10'),
  }),
  available: (deps) => deps.incidents !== undefined,
  async run(args, ctx) {
    const list = await ctx.deps.incidents!.list({
      state: args.state ?? 'active',
      limit: args.limit ?? 10,
    });
    return Promise.resolve({ count: list.length, incidents: list.map(incidentForModel) });
  },
});

export const showIncident = tool({
  name: 'show_incident',
  description: 'One incident in full: verdict, severity, counts, user names and its timeline.',
  schema: z.strictObject({ id: z.number().int().min(1) }),
  available: (deps) => deps.incidents !== undefined,
  async run(args, ctx) {
    const i = await ctx.deps.incidents!.show(args.id);
    if (i === null) throw new ToolRefusal('no-such-incident', `there is no incident ${args.id}`);
    // The timeline's details may quote attacker text: the whole of it is data.
    return Promise.resolve({
      ...incidentForModel(i),
      timeline: spotlight('timeline', JSON.stringify(i.timeline.slice(-30)), 3000),
    });
  },
});

export const triageIncident = tool({
  name: 'triage_incident',
  description:
    'Record your opinion on an incident: true positive (malicious), false positive (benign) or escalate ' +
    '(suspicious, a human should look), with a short reason. It is kept as your narrative beside the ' +
    'deterministic verdict, which it never changes.',
  schema: z.strictObject({
    id: z.number().int().min(1),
    verdict: z.enum(['true-positive', 'false-positive', 'escalate']),
    reason: z.string().min(1).max(600),
  }),
  available: (deps) => deps.incidents !== undefined,
  async run(args, ctx) {
    const verdict =
      args.verdict === 'true-positive'
        ? 'malicious'
        : args.verdict === 'false-positive'
          ? 'benign'
          : 'suspicious';
    const ok = await ctx.deps.incidents!.recordAgentTriage(
      args.id,
      {
        verdict,
        reason: cleanUntrusted(args.reason, 600),
        actor: `agent:${ctx.deps.llm?.model ?? 'command'}`,
      },
      ctx.now,
    );
    if (!ok) throw new ToolRefusal('no-such-incident', `there is no incident ${args.id}`);
    return Promise.resolve({
      recorded: true,
      note: 'recorded as the analyst opinion; the verdict in force is unchanged',
    });
  },
});

export const lookupIntel = tool({
  name: 'lookup_intel',
  description:
    'Threat intelligence on an address: country, network owner (ASN), blocklists, reputation.',
  schema: z.strictObject({ ip: address }),
  available: (deps) => deps.intel !== undefined,
  run(args, ctx) {
    return ctx.deps.intel!.lookup(args.ip, ctx.signal);
  },
});

export const sendReport = tool({
  name: 'send_report',
  description: "Build today's security report and send it to the configured channels now.",
  schema: z.strictObject({}),
  available: (deps) => deps.report !== undefined,
  run(_args, ctx) {
    return ctx.deps.report!.send(ctx.now, ctx.lang);
  },
});
