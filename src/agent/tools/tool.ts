/**
 * A tool the analyst may call: a name, a description the model reads, a zod
 * schema for its arguments (sent as JSON Schema), and a function. Tools read
 * the store and the host, or create approval requests; none runs a shell or
 * puts free text into a command. Results are JSON, capped in size.
 */
import { z } from 'zod';
import type { Millis } from '../../domain.js';
import type { Lang } from '../../i18n/index.js';
import type { PendingApproval } from '../../respond/approvals.js';
import type { AnalystDeps } from '../deps.js';
import type { LlmToolSpec } from '../llm-client.js';
import { parseCidr } from '../../net/cidr.js';

export const MAX_TOOL_RESULT_CHARS = 6000;

/** A proposal the run made: the approval as stored, and the facts shown to the human. */
export interface Proposal {
  approval: PendingApproval;
  facts: Record<string, unknown>;
}

/** A proposal or approval the run asked for and was refused, as audited. */
export interface Refusal {
  /** The tool the model called (or tried to call). */
  tool: string;
  /** The canonical CIDR it was about, or null. */
  target: string | null;
  code: string;
  why: string;
}

/** What a tool sees of the run it is part of. */
export interface ToolContext {
  deps: AnalystDeps;
  now: Millis;
  lang: Lang;
  signal: AbortSignal;
  /** Who asked ("telegram:123"), for records. */
  requester: string;
  proposals: Proposal[];
  refusals: Refusal[];
}

/** A tool's refusal: told to the model, recorded as 'refused' with `code`. */
export class ToolRefusal extends Error {
  override name = 'ToolRefusal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AgentTool {
  name: string;
  description: string;
  schema: z.ZodType;
  /** Creates an approval request (ban, unban, isolate). */
  dangerous?: boolean;
  /** Whether the deps carry what the tool needs. */
  available?: (deps: AnalystDeps) => boolean;
  run(args: unknown, ctx: ToolContext): Promise<unknown>;
}

/** Defines a tool with typed arguments. A dangerous tool's refusals are audited. */
export function tool<S extends z.ZodType>(def: {
  name: string;
  description: string;
  schema: S;
  dangerous?: boolean;
  available?: (deps: AnalystDeps) => boolean;
  run(args: z.output<S>, ctx: ToolContext): Promise<unknown>;
}): AgentTool {
  if (def.dangerous !== true) return def;
  return {
    ...def,
    async run(args: z.output<S>, ctx: ToolContext) {
      try {
        return await def.run(args, ctx);
      } catch (err) {
        if (err instanceof ToolRefusal) {
          const ip = (args as { ip?: unknown }).ip;
          await auditRefusal(ctx, {
            tool: def.name,
            target: typeof ip === 'string' ? parseCidr(ip).text : null,
            code: err.code,
            why: err.message,
          });
        }
        throw err;
      }
    },
  };
}

/**
 * Audits a proposal or approval the analyst asked for and was refused:
 * actor 'agent', the human it asked for in the detail, and why.
 */
export async function auditRefusal(ctx: ToolContext, r: Refusal): Promise<void> {
  ctx.refusals.push(r);
  const [channel] = ctx.requester.split(':');
  await ctx.deps.store.audit.append({
    time: ctx.now,
    actor: 'agent',
    channel: channel ?? null,
    action: `agent.${r.tool}`,
    target: r.target,
    outcome: 'refused',
    detail: { askedBy: ctx.requester, code: r.code, why: r.why },
  });
}

export function toolSpec(t: AgentTool): LlmToolSpec {
  const schema = z.toJSONSchema(t.schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  return { name: t.name, description: t.description, parameters: schema };
}

/**
 * A tool result as the model reads it: JSON of at most `cap` characters. Too
 * long a result first loses the tail of its longest top-level list (saying how
 * many entries were left out), so it stays valid JSON; text is cut with a marker.
 */
export function capResult(value: unknown, cap = MAX_TOOL_RESULT_CHARS): string {
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length <= cap) return text;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = { ...(value as Record<string, unknown>) };
    const lists = Object.keys(obj).filter((k) => Array.isArray(obj[k]));
    let omitted = 0;
    while (text.length > cap && lists.length > 0) {
      const key = lists.reduce((a, b) =>
        (obj[a] as unknown[]).length >= (obj[b] as unknown[]).length ? a : b,
      );
      const list = obj[key] as unknown[];
      if (list.length === 0) break;
      const keep = Math.floor(list.length / 2);
      omitted += list.length - keep;
      obj[key] = list.slice(0, keep);
      obj.omitted = omitted;
      text = JSON.stringify(obj);
    }
    if (text.length <= cap) return text;
  }
  return `${text.slice(0, cap)}…[truncated ${text.length - cap} chars]`;
}

/** "24h", "7d", "90m": a look-back for queries, at most 90 days. */
export const lookBack = z
  .string()
  .regex(/^\d{1,4}[mhd]$/, 'a look-back like 90m, 24h or 7d')
  .transform((v) => {
    const n = Number(v.slice(0, -1));
    const unit = v.endsWith('m') ? 60_000 : v.endsWith('h') ? 3_600_000 : 86_400_000;
    return Math.min(n * unit, 90 * 86_400_000);
  });
