/**
 * One contract for every LlmClient, run by agent/contract.test.ts (the OpenAI-compatible client)
 * and eval/contract.test.ts (the evaluation's on-disk cache in front of it), against the fake
 * chat-completions server over real HTTP on 127.0.0.1. A plain answer, a tool call round trip,
 * the shared retry rule (net/retry.ts: 429 after Retry-After, 5xx, never another 4xx), a
 * timeout, a malformed answer: each comes to the same result, and the API key is never in an
 * error however it is printed.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LlmClient, LlmRequest } from '../agent/llm-client.js';
import { LlmError, OpenAiCompatibleClient, type LlmErrorCode } from '../agent/provider.js';
import { FakeOpenAI, reply, script, type FakeReply } from './fake-openai.js';

/** The API key every client under the contract sends; no error may show it. */
const KEY = 'sk-contract-Qm81vz0';

/** The OpenAI-compatible client on `llm`: one retry, short timeouts, waits going to `sleep`. */
export function directClient(
  llm: FakeOpenAI,
  sleep: (ms: number) => Promise<void>,
): OpenAiCompatibleClient {
  return new OpenAiCompatibleClient(
    { name: 'custom', baseUrl: llm.baseUrl, model: 'm1', apiKey: KEY, keySource: null },
    { retryBaseMs: 100, maxRetries: 1, maxRetryDelayMs: 10_000, timeoutMs: 300, sleep },
  );
}

let asked = 0;
/** A question never asked before, so no cache answers it. */
const question = (): LlmRequest => ({
  messages: [
    { role: 'system', content: 'You are the sheriff.' },
    { role: 'user', content: `question ${++asked}` },
  ],
});

type Expect = { text: string } | { code: LlmErrorCode; status?: number };

const CASES: {
  what: string;
  replies: FakeReply[];
  expect: Expect;
  requests: number;
  waits: number[];
}[] = [
  {
    what: '429 with Retry-After is waited for and tried again',
    replies: [reply.rateLimited(2), reply.text('after 429')],
    expect: { text: 'after 429' },
    requests: 2,
    waits: [2000],
  },
  {
    what: 'a Retry-After longer than the client waits fails as rate-limited at once',
    replies: [reply.rateLimited(3600)],
    expect: { code: 'rate-limited', status: 429 },
    requests: 1,
    waits: [],
  },
  {
    what: '500 then an answer: the retry answers',
    replies: [reply.error(500), reply.text('after 500')],
    expect: { text: 'after 500' },
    requests: 2,
    waits: [1],
  },
  {
    what: '500 twice (one retry allowed): an http error naming the status',
    replies: [reply.error(500), reply.error(502)],
    expect: { code: 'http', status: 502 },
    requests: 2,
    waits: [1],
  },
  {
    what: '400 is never retried',
    replies: [reply.error(400, 'bad request'), reply.text('never')],
    expect: { code: 'http', status: 400 },
    requests: 1,
    waits: [],
  },
  {
    what: '401 is never retried',
    replies: [reply.error(401, 'invalid api key'), reply.text('never')],
    expect: { code: 'http', status: 401 },
    requests: 1,
    waits: [],
  },
  {
    what: 'no answer twice: a timeout after the one retry',
    replies: [reply.hang(), reply.hang()],
    expect: { code: 'timeout' },
    requests: 2,
    waits: [1],
  },
  {
    what: 'a malformed body is a bad-response, not retried',
    replies: [reply.raw('{"choices": [ {"message": '), reply.text('never')],
    expect: { code: 'bad-response' },
    requests: 1,
    waits: [],
  },
  {
    what: 'a completion without choices is a bad-response',
    replies: [reply.raw('{"id": "x", "object": "chat.completion"}'), reply.text('never')],
    expect: { code: 'bad-response' },
    requests: 1,
    waits: [],
  },
];

/** Runs the contract against the clients `make` builds (a new one for each test). */
export function llmClientContract(
  name: string,
  make: (llm: FakeOpenAI, sleep: (ms: number) => Promise<void>) => Promise<LlmClient>,
): void {
  describe(`LLM client contract: ${name}`, () => {
    let llm: FakeOpenAI;
    let client: LlmClient;
    const waits: number[] = [];
    before(async () => {
      llm = await FakeOpenAI.start();
    });
    after(async () => {
      await llm.close();
    });
    beforeEach(async () => {
      waits.length = 0;
      client = await make(llm, (ms) => {
        waits.push(ms);
        return Promise.resolve();
      });
    });

    it('a plain answer: its text, usage and model, the key sent as a bearer token', async () => {
      llm.setHandler(
        script([reply.text('all quiet', { usage: { prompt_tokens: 7, completion_tokens: 2 } })]),
      );
      const n = llm.requests.length;
      const r = await client.complete(question());
      assert.equal(r.text, 'all quiet');
      assert.deepEqual(r.toolCalls, []);
      assert.equal(r.finishReason, 'stop');
      assert.deepEqual(r.usage, { inputTokens: 7, outputTokens: 2 });
      assert.equal(r.model, 'm1');
      assert.equal(llm.requests.length, n + 1);
      assert.equal(llm.requests[n]!.headers.authorization, `Bearer ${KEY}`);
    });

    it('a tool call round trip: the call comes back raw, its result goes out matched to it', async () => {
      llm.setHandler(
        script([
          reply.tools([{ name: 'host_status', arguments: '{"verbose": tru' }]),
          reply.text('the host is fine'),
        ]),
      );
      const tools = [{ name: 'host_status', description: 'load', parameters: { type: 'object' } }];
      const first = question();
      const r1 = await client.complete({ ...first, tools });
      assert.equal(r1.finishReason, 'tool-calls');
      assert.equal(r1.toolCalls.length, 1);
      const call = r1.toolCalls[0]!;
      assert.deepEqual([call.name, call.arguments], ['host_status', '{"verbose": tru']);
      const r2 = await client.complete({
        messages: [
          ...first.messages,
          { role: 'assistant', content: '', toolCalls: [call] },
          { role: 'tool', toolCallId: call.id, content: 'load 0.1' },
        ],
        tools,
      });
      assert.equal(r2.text, 'the host is fine');
      const sent = llm.bodies().at(-1)!.messages!;
      assert.equal(sent.at(-2)!.tool_calls?.[0]?.id, call.id);
      assert.equal(sent.at(-1)!.role, 'tool');
      assert.equal(sent.at(-1)!.tool_call_id, call.id);
    });

    for (const c of CASES) {
      it(c.what, async () => {
        llm.setHandler(script(c.replies, reply.text('unexpected extra request')));
        const n = llm.requests.length;
        const outcome = await client.complete(question()).then(
          (r) => ({ text: r.text }),
          (err: unknown) => err,
        );
        assert.equal(llm.requests.length - n, c.requests, 'requests');
        // The backoff has jitter: only the tries' count of waits and a Retry-After are exact.
        assert.equal(waits.length, c.waits.length, 'waits');
        if (c.waits[0] === 2000) assert.equal(waits[0], 2000);
        if ('text' in c.expect) {
          assert.deepEqual(outcome, c.expect);
          return;
        }
        assert.ok(outcome instanceof LlmError, `an LlmError, not ${inspect(outcome)}`);
        assert.equal(outcome.code, c.expect.code);
        if (c.expect.status !== undefined) assert.equal(outcome.detail.status, c.expect.status);
        assert.equal(outcome.detail.attempts, c.requests);
        assert.ok(outcome.message.length > 0);
        for (const text of [outcome.message, String(outcome), inspect(outcome, { depth: 10 })])
          assert.ok(!text.includes(KEY), 'the API key in an error');
      });
    }

    it('an error is not remembered: the next call asks again', async () => {
      llm.setHandler(script([reply.error(400), reply.text('second time')]));
      const q = question();
      await assert.rejects(client.complete(q), LlmError);
      assert.equal((await client.complete(q)).text, 'second time');
    });
  });
}
