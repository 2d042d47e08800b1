/**
 * The analyst: one entry point for Telegram, the web console and the CLI.
 *
 *   const analyst = createAnalyst(deps);
 *   const reply = await analyst.ask({ conversation: 'telegram:42', text: '상태', lang: 'ko',
 *                                     channel: 'telegram', identity: '42' });
 *
 * With a model it runs the bounded tool loop; without one (or when the
 * provider fails) it answers in command mode. Either way code has the last
 * word: the deterministic status level heads the answer, approval requests are
 * listed from the store, the run and its tool calls are recorded, and the
 * conversation's memory is kept and trimmed.
 */
import { trace, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { ActionKind, Millis, StatusLevel } from '../domain.js';
import { translator, type Lang, type Translate } from '../i18n/index.js';
import type { HumanChannel, RunStop, ToolCallOutcome } from '../store/index.js';
import { guardAnswer, type GuardedAnswer } from './answer-guard.js';
import { answerCommand, parseIntent, refusalText, type Intent } from './commands.js';
import type { AnalystDeps } from './deps.js';
import type { LlmMessage } from './llm-client.js';
import { questionLanguage } from './language.js';
import { runLoop } from './loop.js';
import { demoMessages, systemPrompt } from './prompt.js';
import { enforceStatus } from './status-line.js';
import {
  toolsFor,
  ToolRefusal,
  type AgentTool,
  type Proposal,
  type Refusal,
  type ToolContext,
} from './tools/index.js';

export interface AnalystRequest {
  /** The chat this belongs to, e.g. 'telegram:123456', 'cli:root', 'web:alice'. Memory is per conversation. */
  conversation: string;
  text: string;
  /** Default: the config's language. */
  lang?: Lang;
  channel: HumanChannel;
  identity: string;
  signal?: AbortSignal;
  /** In command mode, end the answer with how to turn the LLM on (default); a chat says it once instead. */
  llmOffNote?: boolean;
}

/** An approval request the run created, with the facts from the store (never the model's words). */
export interface ProposedApproval {
  id: string;
  action: ActionKind;
  /** Canonical CIDR, or null for isolate. */
  target: string | null;
  durationMs: number | null;
  expiresAt: Millis;
  reason: string;
  facts: Record<string, unknown>;
}

export interface AnalystReply {
  text: string;
  /** The deterministic status level, as stated at the top of `text`. */
  status: StatusLevel;
  mode: 'llm' | 'command';
  outcome: 'answered' | 'stopped' | 'failed' | 'refused';
  runId: number;
  toolCalls: { name: string; outcome: ToolCallOutcome }[];
  approvals: ProposedApproval[];
  /** What code stopped, refused or repaired. */
  stops: RunStop[];
}

export interface Analyst {
  readonly mode: 'llm' | 'command';
  /** The model name, or null in command mode. */
  readonly model: string | null;
  ask(request: AnalystRequest): Promise<AnalystReply>;
}

const MAX_QUESTION_CHARS = 4000;

export function createAnalyst(deps: AnalystDeps): Analyst {
  const tracer: Tracer = deps.tracer ?? trace.getTracer('sheriff.agent');
  const tools = toolsFor(deps);
  return {
    mode: deps.llm === null ? 'command' : 'llm',
    model: deps.llm?.model ?? null,
    ask: (request) => ask(deps, tools, tracer, request),
  };
}

async function ask(
  deps: AnalystDeps,
  tools: AgentTool[],
  tracer: Tracer,
  req: AnalystRequest,
): Promise<AnalystReply> {
  const now = deps.clock();
  const question = req.text.slice(0, MAX_QUESTION_CHARS);
  // A chat that did not say answers in the language it was asked in.
  const lang = req.lang ?? questionLanguage(question) ?? deps.defaultLang;
  const t = translator(lang);
  const { store, config } = deps;
  const mode = deps.llm === null ? 'command' : 'llm';
  const runId = await store.agent.startRun({
    conversation: req.conversation,
    channel: req.channel,
    identity: req.identity,
    mode,
    model: deps.llm?.model ?? null,
    question,
    startedAt: now,
  });
  const span = tracer.startSpan('agent.run', {
    attributes: { 'sheriff.run_id': runId, 'sheriff.channel': req.channel, 'sheriff.mode': mode },
  });
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  const proposals: Proposal[] = [];
  const refusals: Refusal[] = [];
  const ctx: ToolContext = {
    deps,
    now,
    lang,
    signal: ac.signal,
    requester: `${req.channel}:${req.identity}`,
    proposals,
    refusals,
  };
  const calls: AnalystReply['toolCalls'] = [];
  let stops: RunStop[] = [];
  let outcome: AnalystReply['outcome'] = 'answered';
  let text = '';
  let level: StatusLevel | null = null;
  let inputTokens = 0;
  let outputTokens = 0;
  let steps = 0;
  try {
    const status = await deps.status.current(now, lang);
    level = status.level;
    if (deps.llm === null) {
      text = await commandAnswer(parseIntent(question), ctx, t, runId, calls, stops);
      if (req.llmOffNote !== false) text = `${text}\n\n${t('agent.cmd.enable')}`.trim();
    } else {
      const messages: LlmMessage[] = [
        {
          role: 'system',
          content: systemPrompt({
            lang,
            level: status.level,
            reasons: status.reasons,
            now,
            program: deps.program,
          }),
        },
        ...demoMessages(deps.program),
        ...(await store.agent.history(req.conversation, config.history)).map((m) => ({
          role: m.role,
          content: m.content,
        })),
        { role: 'user', content: question },
      ];
      const result = await runLoop({
        llm: deps.llm,
        tools,
        messages,
        ctx,
        lang,
        t,
        maxSteps: config.maxSteps,
        deadline: now + config.maxRunTime,
        clock: deps.clock,
        maxOutputTokens: config.maxOutputTokens,
        budget: () => budgetRefusal(deps, req.conversation, t),
        onUsage: async (i, o) => {
          await store.agent.addUsage(req.conversation, deps.clock(), i, o);
          deps.onUsage?.(i, o);
        },
        recordCall: (c) => store.agent.addToolCall({ ...c, runId }),
        tracer,
        parent: span,
      });
      calls.push(...result.calls);
      stops = result.stops;
      outcome = result.outcome;
      inputTokens = result.inputTokens;
      outputTokens = result.outputTokens;
      steps = result.steps;
      text = result.text;
      if (result.error !== null) {
        // The provider failed: answer what command mode can, and say why.
        const fallback = await commandAnswer(parseIntent(question), ctx, t, runId, calls, stops);
        text = `${t('agent.error.provider', { reason: result.error.code })}\n${fallback}`;
      } else if (result.wrongLanguage) {
        // The model would not answer in the admin's language: the status, in Sheriff's words.
        const summary = await commandAnswer({ kind: 'status' }, ctx, t, runId, calls, stops);
        text = [
          `${t('agent.note.language-replaced')}\n${summary}`,
          ...actionNotes(NOTHING_SAID, refusals, proposals, t),
        ].join('\n\n');
      } else {
        const guarded = guardAnswer(text, await runFacts(deps, proposals, result.evidence, now), {
          command: t('agent.guard.command'),
          link: t('agent.guard.link'),
        });
        recordGuard(guarded, stops);
        text = [guarded.text, ...actionNotes(guarded, refusals, proposals, t)].join('\n\n');
      }
    }
    text = [text, ...proposals.map((p) => approvalLine(p, t, req.channel))].join('\n\n').trim();
    const fixed = enforceStatus(text, status.level, lang, t);
    for (const level of fixed.overruled) {
      stops.push({
        code: 'status-overruled',
        detail: `the model said ${level}, the status is ${status.level}`,
      });
    }
    text = fixed.text;
    await store.agent.addMessage(
      req.conversation,
      { role: 'user', content: question, createdAt: now },
      config.history,
    );
    await store.agent.addMessage(
      req.conversation,
      { role: 'assistant', content: text, createdAt: deps.clock() },
      config.history,
    );
    span.setAttributes({
      'sheriff.outcome': outcome,
      'sheriff.steps': steps,
      'sheriff.stops': stops.map((s) => s.code),
      'gen_ai.usage.input_tokens': inputTokens,
      'gen_ai.usage.output_tokens': outputTokens,
    });
    return {
      text,
      status: status.level,
      mode,
      outcome,
      runId,
      toolCalls: calls,
      approvals: proposals.map(toProposed),
      stops,
    };
  } catch (err) {
    outcome = 'failed';
    text = err instanceof Error ? err.message : String(err);
    span.recordException(err instanceof Error ? err : new Error(text));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    await store.agent.endRun(runId, {
      answer: text,
      status: level,
      outcome,
      stops,
      steps,
      inputTokens,
      outputTokens,
      endedAt: deps.clock(),
    });
    span.end();
  }
}

/** Command mode: the intent, answered from the tools; tool calls recorded like the model's. */
async function commandAnswer(
  intent: Intent,
  ctx: ToolContext,
  t: Translate,
  runId: number,
  calls: AnalystReply['toolCalls'],
  stops: RunStop[],
): Promise<string> {
  return answerCommand(intent, ctx, t, async (tool, args) => {
    const started = performance.now();
    let outcome: ToolCallOutcome = 'ok';
    let result = '';
    try {
      const value = await tool.run(tool.schema.parse(args), ctx);
      result = JSON.stringify(value).slice(0, 4000);
      return value;
    } catch (err) {
      outcome = err instanceof ToolRefusal ? 'refused' : 'failed';
      if (err instanceof ToolRefusal) stops.push({ code: err.code, detail: err.message });
      result = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      calls.push({ name: tool.name, outcome });
      await ctx.deps.store.agent.addToolCall({
        runId,
        step: 0,
        callId: `cmd-${calls.length}`,
        name: tool.name,
        arguments: JSON.stringify(args),
        outcome,
        result,
        latencyMs: performance.now() - started,
        createdAt: ctx.deps.clock(),
      });
    }
  });
}

/** What the run did, from the store and its own tool calls, to check the model's answer against. */
async function runFacts(deps: AnalystDeps, proposals: Proposal[], evidence: string[], now: Millis) {
  const banned = new Set((await deps.store.bans.active(now)).map((b) => b.target.cidr));
  return {
    proposed: proposals.map((p) => ({
      action: p.approval.action,
      target: p.approval.target?.cidr ?? null,
    })),
    banned: (cidr: string) => banned.has(cidr),
    evidence: evidence.join('\n'),
  };
}

/** A model answer that was not shown, so it said nothing to correct. */
const NOTHING_SAID: GuardedAnswer = {
  text: '',
  falseClaims: [],
  speaksOfActions: false,
  commands: 0,
  links: 0,
};

function recordGuard(g: GuardedAnswer, stops: RunStop[]): void {
  for (const claim of g.falseClaims) {
    stops.push({ code: 'false-claim', detail: claim.slice(0, 200) });
  }
  if (g.commands > 0) stops.push({ code: 'command-removed', detail: `${g.commands} removed` });
  if (g.links > 0) stops.push({ code: 'link-removed', detail: `${g.links} removed` });
}

/**
 * Sheriff's own account after an answer that spoke of actions or asked for
 * some refused: what was removed, what was refused, and — when nothing was —
 * that nothing was proposed (proposals are listed after this, from the store).
 */
function actionNotes(
  g: GuardedAnswer,
  refusals: Refusal[],
  proposals: Proposal[],
  t: Translate,
): string[] {
  const notes: string[] = [];
  if (g.falseClaims.length > 0) notes.push(t('agent.guard.claims'));
  if (g.commands > 0 || g.links > 0) notes.push(t('agent.guard.commands'));
  // A malformed proposal is the model's slip (audited); the admin reads real refusals only.
  const shown = refusals.filter((r) => r.code !== 'invalid-arguments');
  if (!g.speaksOfActions && shown.length === 0) return notes;
  const refused = shown.map((r) =>
    r.code === 'approval-attempt'
      ? t('agent.guard.approval-attempt')
      : refusalText(r.code, r.why, t, r.target?.replace(/\/(32|128)$/, '') ?? ''),
  );
  if (proposals.length === 0) notes.push(t('agent.guard.none'));
  return [...notes, ...refused];
}

/** A polite refusal when the conversation or the day has used its token budget, else null. */
export async function budgetRefusal(
  deps: Pick<AnalystDeps, 'clock' | 'config' | 'store'>,
  conversation: string,
  t: Translate,
): Promise<string | null> {
  const now = deps.clock();
  const { perConversation, perDay } = deps.config.budget;
  const conv = await deps.store.agent.usage(now, conversation);
  const convUsed = conv.inputTokens + conv.outputTokens;
  if (convUsed >= perConversation) {
    return t('agent.budget.conversation', { used: convUsed, limit: perConversation });
  }
  const day = await deps.store.agent.usage(now);
  const dayUsed = day.inputTokens + day.outputTokens;
  if (dayUsed >= perDay) return t('agent.budget.day', { used: dayUsed, limit: perDay });
  return null;
}

function approvalLine(p: Proposal, t: Translate, channel: HumanChannel): string {
  const a = p.approval;
  const line = t('agent.approval.proposed', {
    id: a.id,
    action: t(`agent.action.${a.action}`),
    target: a.target?.cidr ?? '',
    expires: new Date(a.expiresAt).toISOString().replace('T', ' ').slice(0, 16),
  }).replace(/\s{2,}/g, ' ');
  return channel === 'cli' ? `${line}\n${t('agent.approval.how', { id: a.id })}` : line;
}

function toProposed(p: Proposal): ProposedApproval {
  const a = p.approval;
  return {
    id: a.id,
    action: a.action,
    target: a.target?.cidr ?? null,
    durationMs: a.durationMs,
    expiresAt: a.expiresAt,
    reason: a.reason,
    facts: p.facts,
  };
}
