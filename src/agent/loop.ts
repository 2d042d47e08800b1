/**
 * The bounded tool-calling loop. Code, not the model, decides when it ends:
 * a step cap, a wall-time cap (injected clock plus an AbortSignal for the call
 * in flight), a token budget, and a repeat detector for a model that asks the
 * same thing forever. Unknown tools, malformed or invalid arguments, refusals
 * and attempts to approve are answered to the model as data and recorded.
 */
import { context, trace, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { Millis } from '../domain.js';
import type { Lang, Translate } from '../i18n/index.js';
import type { RunStop, ToolCallOutcome, ToolCallRecord } from '../store/index.js';
import { foreignScript, removeForeignScript, wrongLanguage } from './language.js';
import type { LlmClient, LlmMessage, LlmResponse, LlmToolCall } from './llm-client.js';
import { LlmError } from './provider.js';
import {
  auditRefusal,
  capResult,
  toolSpec,
  ToolRefusal,
  type AgentTool,
  type ToolContext,
} from './tools/index.js';

/** A repeated identical call (same tool, same arguments) this often ends the loop. */
export const MAX_REPEATS = 3;
/** Tool calls answered per model step; more are skipped. */
export const MAX_CALLS_PER_STEP = 8;
const APPROVE_LIKE = /approv|decide|decision|confirm|authori[sz]e|grant|accept/i;

export interface LoopOptions {
  llm: LlmClient;
  tools: readonly AgentTool[];
  /** System prompt, memory and the question. */
  messages: LlmMessage[];
  ctx: ToolContext;
  lang: Lang;
  t: Translate;
  maxSteps: number;
  /** Wall-clock deadline (from `clock`). */
  deadline: Millis;
  clock: () => Millis;
  maxOutputTokens: number;
  /** A refusal text when the token budget is used up, else null. Checked before every model call. */
  budget: () => Promise<string | null>;
  onUsage: (inputTokens: number, outputTokens: number) => Promise<void>;
  recordCall: (call: Omit<ToolCallRecord, 'runId'>) => Promise<unknown>;
  tracer: Tracer;
  parent: Span;
}

export interface LoopResult {
  text: string;
  outcome: 'answered' | 'stopped' | 'failed' | 'refused';
  steps: number;
  inputTokens: number;
  outputTokens: number;
  stops: RunStop[];
  calls: { name: string; outcome: ToolCallOutcome }[];
  /** The provider error that ended the run, if one did. */
  error: LlmError | null;
  /** The tool results the model read: what its answer may cite (links). */
  evidence: string[];
  /** The answer stayed in the wrong language after one retry: Sheriff answers instead. */
  wrongLanguage: boolean;
}

export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const byName = new Map(o.tools.map((t) => [t.name, t]));
  const specs = o.tools.map(toolSpec);
  const messages = [...o.messages];
  const result: LoopResult = {
    text: '',
    outcome: 'answered',
    steps: 0,
    inputTokens: 0,
    outputTokens: 0,
    stops: [],
    calls: [],
    error: null,
    evidence: [],
    wrongLanguage: false,
  };
  const repeats = new Map<string, number>();
  const stop = (code: string, detail: string) => result.stops.push({ code, detail });

  /** One model call, within the deadline and the budget; null when the run must end. */
  const call = async (withTools: boolean): Promise<LlmResponse | null> => {
    const refusal = await o.budget();
    if (refusal !== null) {
      stop('budget', 'token budget used up');
      result.outcome = 'refused';
      result.text = refusal;
      return null;
    }
    const remaining = o.deadline - o.clock();
    if (remaining <= 0 || o.ctx.signal.aborted) {
      stop('time-cap', `no time left after ${result.steps} steps`);
      return null;
    }
    result.steps++;
    const span = o.tracer.startSpan(
      'agent.llm',
      { attributes: { 'gen_ai.request.model': o.llm.model, 'sheriff.step': result.steps } },
      trace.setSpan(context.active(), o.parent),
    );
    try {
      const r = await o.llm.complete({
        messages,
        ...(withTools ? { tools: specs } : {}),
        maxOutputTokens: o.maxOutputTokens,
        signal: AbortSignal.any([o.ctx.signal, AbortSignal.timeout(remaining)]),
      });
      result.inputTokens += r.usage.inputTokens;
      result.outputTokens += r.usage.outputTokens;
      await o.onUsage(r.usage.inputTokens, r.usage.outputTokens);
      span.setAttributes({
        'gen_ai.usage.input_tokens': r.usage.inputTokens,
        'gen_ai.usage.output_tokens': r.usage.outputTokens,
        'gen_ai.response.finish_reasons': [r.finishReason],
        'sheriff.tool_calls': r.toolCalls.length,
      });
      return r;
    } catch (err) {
      const e =
        err instanceof LlmError
          ? err
          : new LlmError('bad-response', err instanceof Error ? err.message : String(err), {
              attempts: 1,
            });
      span.recordException(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.code });
      if (e.code === 'aborted' || (e.code === 'timeout' && o.clock() >= o.deadline)) {
        stop('time-cap', e.message);
      } else {
        stop('provider-error', `${e.code}: ${e.message}`);
        result.outcome = 'failed';
        result.error = e;
      }
      return null;
    } finally {
      span.end();
    }
  };

  let pendingStop = false;
  while (result.steps < o.maxSteps) {
    const r = await call(true);
    if (r === null) return finishStopped(o, result);
    if (r.toolCalls.length === 0) {
      result.text = r.text;
      return guardLanguage(o, result, messages, call);
    }
    messages.push({ role: 'assistant', content: r.text, toolCalls: r.toolCalls });
    for (const [i, tc] of r.toolCalls.entries()) {
      if (i >= MAX_CALLS_PER_STEP) {
        answer(messages, tc, {
          error: `skipped: at most ${MAX_CALLS_PER_STEP} tool calls per step`,
        });
        continue;
      }
      const key = `${tc.name}\u0000${normaliseArgs(tc.arguments)}`;
      const seen = (repeats.get(key) ?? 0) + 1;
      repeats.set(key, seen);
      if (seen >= MAX_REPEATS) {
        stop('loop-detected', `${tc.name} called ${seen} times with the same arguments`);
        answer(messages, tc, { error: 'repeated call: answer now with what you have' });
        pendingStop = true;
        continue;
      }
      messages.push({
        role: 'tool',
        toolCallId: tc.id,
        content: await runTool(o, byName, tc, result, stop),
      });
    }
    if (pendingStop) break;
  }
  if (!pendingStop) stop('step-cap', `${o.maxSteps} steps without a final answer`);
  // One last call without tools, so the model answers with what it has.
  messages.push({
    role: 'user',
    content: 'Stop using tools now and answer with what you have found.',
  });
  const last = o.clock() < o.deadline ? await call(false) : null;
  if (last !== null && last.toolCalls.length === 0 && last.text.trim() !== '') {
    result.text = last.text;
    result.outcome = 'stopped';
    return guardLanguage(o, result, messages, call);
  }
  return finishStopped(o, result);
}

async function runTool(
  o: LoopOptions,
  byName: Map<string, AgentTool>,
  tc: LlmToolCall,
  result: LoopResult,
  stop: (code: string, detail: string) => void,
): Promise<string> {
  const started = performance.now();
  const span = o.tracer.startSpan(
    'agent.tool',
    { attributes: { 'gen_ai.tool.name': tc.name, 'gen_ai.tool.call.id': tc.id } },
    trace.setSpan(context.active(), o.parent),
  );
  let outcome: ToolCallOutcome;
  let content: string;
  const tool = byName.get(tc.name);
  try {
    if (tool === undefined) {
      if (APPROVE_LIKE.test(tc.name)) {
        stop('approval-attempt', `the model called ${tc.name.slice(0, 64)}`);
        await auditRefusal(o.ctx, {
          tool: tc.name.slice(0, 64),
          target: null,
          code: 'approval-attempt',
          why: 'only a human can approve or decide requests',
        });
        outcome = 'refused';
        content = capResult({
          error: 'refused: only a human can approve or decide requests; there is no such tool',
        });
      } else {
        stop('unknown-tool', tc.name.slice(0, 64));
        outcome = 'unknown-tool';
        content = capResult({
          error: `no tool named ${JSON.stringify(tc.name.slice(0, 64))}; tools: ${[...byName.keys()].join(', ')}`,
        });
      }
    } else {
      let parsed: unknown;
      try {
        // Some providers send "" or null for a tool without arguments.
        parsed = tc.arguments.trim() === '' ? {} : (JSON.parse(tc.arguments) ?? {});
      } catch {
        stop('malformed-arguments', tc.name);
        throw new InvalidArgs('the arguments are not valid JSON');
      }
      const args = tool.schema.safeParse(parsed);
      if (!args.success) {
        stop('invalid-arguments', tc.name);
        throw new InvalidArgs(
          args.error.issues
            .slice(0, 5)
            .map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`)
            .join('; '),
        );
      }
      content = capResult(await tool.run(args.data, o.ctx));
      outcome = 'ok';
      result.evidence.push(content);
    }
  } catch (err) {
    if (err instanceof InvalidArgs) {
      if (tool?.dangerous === true) {
        await auditRefusal(o.ctx, {
          tool: tc.name,
          target: null,
          code: 'invalid-arguments',
          why: err.message.slice(0, 300),
        });
      }
      outcome = 'invalid-args';
      content = capResult({ error: `invalid arguments for ${tc.name}: ${err.message}` });
    } else if (err instanceof ToolRefusal) {
      stop(err.code, err.message);
      outcome = 'refused';
      content = capResult({ error: `refused (${err.code}): ${err.message}` });
    } else {
      outcome = 'failed';
      content = capResult({
        error: `${tc.name} failed: ${err instanceof Error ? err.message.slice(0, 300) : 'error'}`,
      });
    }
  }
  const latencyMs = performance.now() - started;
  span.setAttributes({ 'sheriff.tool.outcome': outcome, 'sheriff.tool.latency_ms': latencyMs });
  if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
  span.end();
  result.calls.push({ name: tc.name, outcome });
  await o.recordCall({
    step: result.steps,
    callId: tc.id.slice(0, 128),
    name: tc.name.slice(0, 128),
    arguments: tc.arguments.slice(0, 4000),
    outcome,
    result: content,
    latencyMs,
    createdAt: o.clock(),
  });
  return content;
}

class InvalidArgs extends Error {}

function answer(messages: LlmMessage[], tc: LlmToolCall, body: unknown): void {
  messages.push({ role: 'tool', toolCallId: tc.id, content: capResult(body) });
}

function normaliseArgs(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw.trim();
  }
}

/** The answer when the loop ended without one: what was looked at, said by code. */
function finishStopped(o: LoopOptions, result: LoopResult): LoopResult {
  if (result.outcome === 'refused' || result.outcome === 'failed') return result;
  result.outcome = 'stopped';
  const tools =
    [...new Set(result.calls.map((c) => c.name))].join(', ') || o.t('agent.stopped.none');
  const timedOut = result.stops.some((s) => s.code === 'time-cap');
  result.text = timedOut
    ? o.t('agent.stopped.time', { tools })
    : o.t('agent.stopped.steps', { steps: result.steps, tools });
  return result;
}

/**
 * An answer in the wrong language, or with foreign script mixed in: one
 * corrective retry without tools. Still mixed (or no retry possible): the
 * foreign runs are removed and a note added. Still in the wrong language:
 * `wrongLanguage` is set and the caller answers in Sheriff's own words.
 */
async function guardLanguage(
  o: LoopOptions,
  result: LoopResult,
  messages: LlmMessage[],
  call: (withTools: boolean) => Promise<LlmResponse | null>,
): Promise<LoopResult> {
  const foreign = foreignScript(result.text, o.lang);
  const wrong = wrongLanguage(result.text, o.lang);
  if (foreign.length === 0 && !wrong) return result;
  result.stops.push({
    code: 'language-retry',
    detail: wrong ? `not written in ${o.lang}` : foreign.join(' ').slice(0, 100),
  });
  messages.push({ role: 'assistant', content: result.text });
  messages.push({
    role: 'user',
    content:
      o.lang === 'ko'
        ? '방금 답변이 한국어로 쓰이지 않았거나 다른 언어가 섞여 있습니다. 같은 내용을 한국어로만 다시 써 주십시오.'
        : 'Your answer was not in English or mixed in another language. Rewrite the same answer in English only.',
  });
  const saved = { outcome: result.outcome, text: result.text };
  const retry = await call(false);
  if (retry === null) {
    // The budget, the clock or the provider gave out: judge the first answer.
    result.outcome = saved.outcome;
    result.text = saved.text;
    result.error = null;
  }
  if (retry !== null && retry.toolCalls.length === 0 && retry.text.trim() !== '') {
    result.text = retry.text;
    if (foreignScript(retry.text, o.lang).length === 0 && !wrongLanguage(retry.text, o.lang)) {
      return result;
    }
  }
  if (wrongLanguage(result.text, o.lang)) {
    result.stops.push({ code: 'language-replaced', detail: 'still not in the right language' });
    result.wrongLanguage = true;
    result.text = '';
    return result;
  }
  result.stops.push({ code: 'language-cleaned', detail: 'foreign script removed after one retry' });
  result.text = `${removeForeignScript(result.text, o.lang)}\n\n${o.t('agent.note.language')}`;
  return result;
}
