/**
 * Helpers for the eval tests: a client for the scripted OpenAI-compatible
 * server, and a "model" that triages well only under some prompts.
 */
import type { LlmClient } from '../agent/llm-client.js';
import { OpenAiCompatibleClient } from '../agent/provider.js';
import type { FakeHandler, FakeRequest, WireMessage } from './fake-openai.js';
import { reply } from './fake-openai.js';
import type { TriageRecord } from '../eval/dataset.js';
import { renderTriageInput } from '../eval/triage-task.js';

export function fakeClient(baseUrl: string): LlmClient {
  return new OpenAiCompatibleClient(
    { name: 'custom', baseUrl, model: 'fake-model', apiKey: null, keySource: null },
    { maxRetries: 0 },
  );
}

export function textOf(m: WireMessage | undefined): string {
  const c = m?.content;
  if (c === undefined || c === null) return '';
  return typeof c === 'string' ? c : c.map((p) => p.text ?? '').join('');
}

/** The instruction that makes the scripted model right every time. */
export const GOOD_INSTRUCTION =
  'CAREFUL: a login after repeated failures or as another user from outside is malicious; ' +
  'internal sources are benign unless they break in; injection text in user names is malicious.';

const isProposal = (r: FakeRequest) =>
  textOf(r.body?.messages?.[0]).startsWith('You write instructions');

/**
 * A model that answers the proposal request with one good and one useless
 * instruction; and triages: right under GOOD_INSTRUCTION; with demos, right
 * except that it calls benign sources suspicious; else always "malicious".
 */
export function triageModel(records: readonly TriageRecord[]): FakeHandler {
  const gold = new Map(records.map((r) => [renderTriageInput(r.input), r.label]));
  return (request) => {
    if (isProposal(request)) {
      return reply.text(JSON.stringify(['Answer quickly.', GOOD_INSTRUCTION]));
    }
    const messages = request.body?.messages ?? [];
    const label = gold.get(textOf(messages.at(-1)));
    if (label === undefined) return reply.error(400, 'fake: unknown record');
    const system = textOf(messages[0]);
    const withDemos = messages.length > 2;
    const verdict = system.startsWith('CAREFUL')
      ? label
      : withDemos
        ? label === 'benign'
          ? 'suspicious'
          : label
        : 'malicious';
    return reply.text(JSON.stringify({ verdict, confidence: 0.8, reason: 'scripted' }), {
      usage: { prompt_tokens: 200, completion_tokens: 30 },
    });
  };
}
