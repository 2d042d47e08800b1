import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeOpenAI, reply, script } from '../testing/fake-openai.js';
import {
  LlmError,
  OpenAiCompatibleClient,
  ProviderConfigError,
  resolveProvider,
  retryAfter,
  type ClientOptions,
} from './provider.js';

describe('OpenAiCompatibleClient over real HTTP', () => {
  let llm: FakeOpenAI;
  const waits: number[] = [];
  before(async () => {
    llm = await FakeOpenAI.start();
  });
  after(async () => {
    await llm.close();
  });

  const client = (options: ClientOptions = {}) =>
    new OpenAiCompatibleClient(
      { name: 'custom', baseUrl: llm.baseUrl, model: 'm1', apiKey: 'sk-test', keySource: null },
      {
        retryBaseMs: 1,
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
        ...options,
      },
    );

  it('sends messages, tools and the key, and returns raw tool calls untouched', async () => {
    llm.setHandler(
      script([
        reply.tools(
          [
            { name: 'no_such_tool', arguments: '{"a":1}' },
            { name: 'host_status', arguments: '{"broken": ' },
          ],
          { usage: { prompt_tokens: 321, completion_tokens: 12 } },
        ),
      ]),
    );
    const before = llm.requests.length;
    const r = await client().complete({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: '상태' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'host_status', arguments: '{"x":' }],
        },
        { role: 'tool', toolCallId: 'c1', content: 'result text' },
      ],
      tools: [{ name: 'host_status', description: 'load', parameters: { type: 'object' } }],
      maxOutputTokens: 100,
    });
    assert.deepEqual(
      r.toolCalls.map((c) => [c.name, c.arguments]),
      [
        ['no_such_tool', '{"a":1}'],
        ['host_status', '{"broken": '],
      ],
    );
    assert.equal(r.finishReason, 'tool-calls');
    assert.deepEqual(r.usage, { inputTokens: 321, outputTokens: 12 });
    const req = llm.requests[before]!;
    assert.equal(req.headers.authorization, 'Bearer sk-test');
    const body = req.body!;
    assert.equal(body.model, 'm1');
    assert.equal(body.max_tokens, 100);
    assert.equal(body.tools?.[0]?.function.name, 'host_status');
    const roles = body.messages!.map((m) => m.role);
    assert.deepEqual(roles, ['system', 'user', 'assistant', 'tool']);
    assert.equal(body.messages![3]!.tool_call_id, 'c1');
    assert.equal(body.messages![3]!.content, 'result text');
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    waits.length = 0;
    llm.setHandler(script([reply.rateLimited(2), reply.error(503), reply.text('ok')]));
    const r = await client().complete({ messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.text, 'ok');
    assert.equal(waits[0], 2000);
    assert.equal(waits.length, 2);
  });

  it('gives up as rate-limited when Retry-After is longer than it will wait', async () => {
    llm.setHandler(script([reply.rateLimited(3600)]));
    await assert.rejects(
      client().complete({ messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) =>
        err instanceof LlmError &&
        err.code === 'rate-limited' &&
        err.detail.retryAfterMs === 3_600_000,
    );
  });

  it('retries a request that times out, and fails with timeout after the last retry', async () => {
    llm.setHandler(script([reply.hang(), reply.text('second try')]));
    const r = await client({ timeoutMs: 200 }).complete({
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(r.text, 'second try');
    llm.setHandler(() => reply.hang());
    await assert.rejects(
      client({ timeoutMs: 100, maxRetries: 1 }).complete({
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (err: unknown) =>
        err instanceof LlmError && err.code === 'timeout' && err.detail.attempts === 2,
    );
  });

  it('does not retry a 400, and reports malformed JSON as bad-response', async () => {
    llm.setHandler(script([reply.error(400, 'bad request'), reply.text('never')]));
    const n = llm.requests.length;
    await assert.rejects(
      client().complete({ messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) => err instanceof LlmError && err.code === 'http' && err.detail.status === 400,
    );
    assert.equal(llm.requests.length, n + 1);
    llm.setHandler(script([reply.raw('{"choices": [ {"message": ')]));
    await assert.rejects(
      client({ maxRetries: 0 }).complete({ messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) => err instanceof LlmError && err.code === 'bad-response',
    );
  });

  it('stops at once when the caller aborts', async () => {
    llm.setHandler(() => reply.hang());
    const ac = new AbortController();
    const p = client({ timeoutMs: 60_000 }).complete({
      messages: [{ role: 'user', content: 'hi' }],
      signal: ac.signal,
    });
    ac.abort();
    await assert.rejects(p, (err: unknown) => err instanceof LlmError && err.code === 'aborted');
  });
});

describe('resolveProvider', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-provider-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills presets and takes the key from the environment', () => {
    const p = resolveProvider({ provider: 'groq' }, { GROQ_API_KEY: 'gsk_x' });
    assert.equal(p?.baseUrl, 'https://api.groq.com/openai/v1');
    assert.equal(p?.model, 'llama-3.3-70b-versatile');
    assert.equal(p?.apiKey, 'gsk_x');
    const q = resolveProvider(
      { provider: 'groq' },
      { GROQ_API_KEY: 'a', SHERIFF_LLM_API_KEY: 'b' },
    );
    assert.equal(q?.apiKey, 'b');
    assert.equal(resolveProvider({ provider: 'none' }, {}), null);
  });

  it('names what is missing', () => {
    assert.throws(() => resolveProvider({ provider: 'groq' }, {}), /GROQ_API_KEY/);
    assert.throws(() => resolveProvider({ provider: 'ollama' }, {}), /agent\.model/);
    assert.throws(() => resolveProvider({ provider: 'custom', model: 'x' }, {}), /agent\.baseUrl/);
    assert.throws(
      () => resolveProvider({ provider: 'ollama', model: 'x', apiKeyFile: join(dir, 'nope') }, {}),
      ProviderConfigError,
    );
  });

  it('reads a 0600 key file and refuses one others can read', () => {
    const file = join(dir, 'key');
    writeFileSync(file, 'sk-from-file\n', { mode: 0o600 });
    const p = resolveProvider({ provider: 'openai', apiKeyFile: file }, {});
    assert.equal(p?.apiKey, 'sk-from-file');
    chmodSync(file, 0o644);
    assert.throws(
      () => resolveProvider({ provider: 'openai', apiKeyFile: file }, {}),
      /API key file .* accessible to other users/,
    );
  });

  it('parses Retry-After in seconds, as a date, and retry-after-ms', () => {
    assert.equal(retryAfter({ 'retry-after': '7' }), 7000);
    assert.equal(retryAfter({ 'retry-after-ms': '250' }), 250);
    assert.equal(retryAfter({ 'retry-after': new Date(61_000).toUTCString() }, 1_000), 60_000);
    assert.equal(retryAfter({ 'retry-after': 'soon' }), undefined);
  });
});
