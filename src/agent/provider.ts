/**
 * The real LlmClient: any OpenAI-compatible chat-completions endpoint, through
 * the Vercel AI SDK's provider model (`doGenerate`), which hands back the
 * model's tool calls exactly as written — an unknown tool name or malformed
 * argument JSON reaches the loop as data. Retries follow the shared rule
 * (net/retry.ts: 429 honouring Retry-After, 5xx, never another 4xx), up to
 * `maxRetries` with exponential backoff, plus timeouts and dropped
 * connections; everything else is a typed LlmError.
 */
import { SetupError } from '../config/errors.js';
import type { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { APICallError } from 'ai';
import {
  realSleep,
  retryAfterMs,
  withRetry,
  type Attempt,
  type Failed,
  type Sleep,
} from '../net/retry.js';
import { readPrivateFile } from '../config/private-file.js';
import type { AgentConfig, ProviderName } from './config.js';
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse, LlmToolCall } from './llm-client.js';

export interface ProviderPreset {
  baseUrl: string | null;
  model: string | null;
  /** The variable the provider's own tools use for the key, besides SHERIFF_LLM_API_KEY. */
  keyEnv: string | null;
  /** Whether a key is needed (local servers need none). */
  needsKey: boolean;
}

export const LLM_KEY_ENV = 'SHERIFF_LLM_API_KEY';

export const PRESETS: Readonly<Record<Exclude<ProviderName, 'none'>, ProviderPreset>> = {
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    model: 'llama-3.3-70b-versatile',
    keyEnv: 'GROQ_API_KEY',
    needsKey: true,
  },
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    keyEnv: 'OPENAI_API_KEY',
    needsKey: true,
  },
  ollama: { baseUrl: 'http://127.0.0.1:11434/v1', model: null, keyEnv: null, needsKey: false },
  vllm: { baseUrl: 'http://127.0.0.1:8000/v1', model: null, keyEnv: null, needsKey: false },
  llamacpp: {
    baseUrl: 'http://127.0.0.1:8080/v1',
    model: 'default',
    keyEnv: null,
    needsKey: false,
  },
  custom: { baseUrl: null, model: null, keyEnv: null, needsKey: false },
};

/** A provider ready to be called. The key never appears in messages or JSON. */
export interface ResolvedProvider {
  name: Exclude<ProviderName, 'none'>;
  baseUrl: string;
  model: string;
  apiKey: string | null;
  /** Where the key came from, for messages ("SHERIFF_LLM_API_KEY", a file), or null. */
  keySource: string | null;
}

/** Configuration that cannot work; the message says what to set. */
export class ProviderConfigError extends SetupError {
  override name = 'ProviderConfigError';
}

/**
 * The provider the config describes, or null for `provider: none`. Throws a
 * ProviderConfigError for a preset without a model or a key it needs.
 */
export function resolveProvider(
  config: Pick<AgentConfig, 'provider' | 'baseUrl' | 'model' | 'apiKeyFile'>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedProvider | null {
  if (config.provider === 'none') return null;
  const preset = PRESETS[config.provider];
  const baseUrl = config.baseUrl ?? preset.baseUrl;
  const model = config.model ?? preset.model;
  if (baseUrl === null) {
    throw new ProviderConfigError(`agent.baseUrl is needed for provider ${config.provider}`);
  }
  if (model === null) {
    throw new ProviderConfigError(`agent.model is needed for provider ${config.provider}`);
  }
  let apiKey: string | null = null;
  let keySource: string | null = null;
  if (config.apiKeyFile !== undefined) {
    const text = readPrivateFile(config.apiKeyFile, undefined, 'API key file');
    if (text === null) {
      throw new ProviderConfigError(`the API key file ${config.apiKeyFile} does not exist`);
    }
    apiKey = text.trim();
    keySource = config.apiKeyFile;
  } else {
    for (const name of [LLM_KEY_ENV, preset.keyEnv]) {
      const v = name === null ? undefined : env[name]?.trim();
      if (v) {
        apiKey = v;
        keySource = name;
        break;
      }
    }
  }
  if (apiKey === '') apiKey = null;
  if (apiKey === null && preset.needsKey) {
    const vars = [LLM_KEY_ENV, preset.keyEnv].filter((v) => v !== null).join(' or ');
    throw new ProviderConfigError(
      `provider ${config.provider} needs an API key: set ${vars}, or agent.apiKeyFile (mode 0600)`,
    );
  }
  return { name: config.provider, baseUrl, model, apiKey, keySource };
}

export type LlmErrorCode =
  | 'timeout'
  | 'rate-limited'
  | 'http' // a non-retryable HTTP error status, or retries exhausted on one
  | 'network'
  | 'bad-response' // not a chat completion (malformed JSON, no choices)
  | 'aborted';

/** A provider call that failed; carries no key and no request body. */
export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    readonly code: LlmErrorCode,
    message: string,
    readonly detail: { status?: number; retryAfterMs?: number; attempts: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ClientOptions {
  /** One attempt's time limit, ms. Default 60 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** First backoff, doubled each retry (with jitter). Default 500 ms. */
  retryBaseMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails as rate-limited. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Test hook: how to wait between attempts. */
  sleep?: Sleep;
  /** Test hook: the wall clock for latency. */
  now?: () => number;
  /** Test hook: the fetch the SDK uses. */
  fetch?: typeof fetch;
}

type SdkModel = ReturnType<ReturnType<typeof createOpenAICompatible>['chatModel']>;
type CallOptions = Parameters<SdkModel['doGenerate']>[0];
type Prompt = CallOptions['prompt'];
type ApiCallErrorTest = (err: unknown) => err is APICallError;

export class OpenAiCompatibleClient implements LlmClient {
  readonly model: string;
  private readonly provider: ResolvedProvider;
  private readonly fetch: typeof fetch | undefined;
  /** The AI SDK loads on the first call: a daemon without a provider never holds it. */
  private sdk: Promise<{ model: SdkModel; isApiCallError: ApiCallErrorTest }> | null = null;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(provider: ResolvedProvider, options: ClientOptions = {}) {
    this.model = provider.model;
    this.provider = provider;
    this.fetch = options.fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  private loadSdk() {
    return (this.sdk ??= Promise.all([import('@ai-sdk/openai-compatible'), import('ai')]).then(
      ([{ createOpenAICompatible }, { APICallError }]) => {
        const p = this.provider;
        const sdkProvider = createOpenAICompatible({
          name: p.name,
          baseURL: p.baseUrl,
          ...(p.apiKey !== null ? { apiKey: p.apiKey } : {}),
          ...(this.fetch ? { fetch: this.fetch } : {}),
        });
        return {
          model: sdkProvider.chatModel(p.model),
          isApiCallError: (err: unknown): err is APICallError => APICallError.isInstance(err),
        };
      },
    ));
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const started = this.now();
    const sdk = await this.loadSdk();
    const callOptions: CallOptions = {
      prompt: toPrompt(request.messages),
      ...(request.tools && request.tools.length > 0
        ? {
            tools: request.tools.map((t) => ({
              type: 'function' as const,
              name: t.name,
              description: t.description,
              inputSchema: t.parameters,
            })),
            toolChoice: { type: 'auto' as const },
          }
        : {}),
      ...(request.maxOutputTokens !== undefined
        ? { maxOutputTokens: request.maxOutputTokens }
        : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    };
    const caller = request.signal;
    let attempts = 0;
    const tryOnce = async (): Promise<Attempt<LlmResponse, LlmError>> => {
      attempts++;
      if (caller?.aborted) return failed(aborted(attempts - 1));
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
      try {
        const result = await sdk.model.doGenerate({ ...callOptions, abortSignal: signal });
        return { ok: true, value: fromResult(result, this.model, this.now() - started) };
      } catch (err) {
        return failed(classify(err, sdk.isApiCallError, attempts, caller, timeout, this.timeoutMs));
      }
    };
    let result: Attempt<LlmResponse, LlmError>;
    try {
      result = await withRetry(tryOnce, {
        retries: this.maxRetries,
        sleep: this.sleep,
        backoffMs: (n) => this.retryBaseMs * 2 ** (n - 1) * (1 + Math.random() * 0.25),
        maxWaitMs: this.maxRetryDelayMs,
        // A model call changes nothing, and nothing else tries it again: no answer is worth a retry.
        retryUnanswered: (f) => f.code === 'timeout' || f.code === 'network',
        ...(caller === undefined ? {} : { signal: caller }),
      });
    } catch {
      throw aborted(attempts); // the caller aborted the wait between tries
    }
    if (result.ok) return result.value;
    throw result.failure;
  }
}

function aborted(attempts: number): LlmError {
  return new LlmError('aborted', 'the request was cancelled', { attempts });
}

/** A failed try as the shared retry rule sees it: an answered HTTP status, or none. */
function failed(failure: LlmError): Failed<LlmError> {
  const answered = failure.code === 'http' || failure.code === 'rate-limited';
  return {
    ok: false,
    failure,
    status: answered ? (failure.detail.status ?? null) : null,
    retryAfterMs: failure.detail.retryAfterMs ?? null,
  };
}

function classify(
  err: unknown,
  isApiCallError: ApiCallErrorTest,
  attempts: number,
  caller: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
): LlmError {
  if (caller?.aborted) return new LlmError('aborted', 'the request was cancelled', { attempts });
  if (timeout.aborted) {
    return new LlmError('timeout', `no answer from the provider within ${timeoutMs} ms`, {
      attempts,
    });
  }
  if (isApiCallError(err)) {
    const status = err.statusCode;
    if (status === undefined) {
      return new LlmError(
        'network',
        `cannot reach the provider: ${err.message}`,
        { attempts },
        {
          cause: err,
        },
      );
    }
    if (status >= 200 && status < 300) {
      return new LlmError(
        'bad-response',
        'the provider did not answer with a chat completion',
        {
          status,
          attempts,
        },
        { cause: err },
      );
    }
    const retryAfterMs = retryAfter(err.responseHeaders);
    const code: LlmErrorCode = status === 429 ? 'rate-limited' : 'http';
    return new LlmError(
      code,
      `the provider answered ${status}: ${err.message.slice(0, 300)}`,
      { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), attempts },
      { cause: err },
    );
  }
  const name = err instanceof Error ? err.name : '';
  if (
    name === 'AI_JSONParseError' ||
    name === 'AI_TypeValidationError' ||
    name.includes('Response')
  ) {
    return new LlmError(
      'bad-response',
      'the provider did not answer with a chat completion',
      {
        attempts,
      },
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError(
    'network',
    `cannot reach the provider: ${message}`,
    { attempts },
    {
      cause: err,
    },
  );
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, in ms. */
export function retryAfter(
  headers: Record<string, string> | undefined,
  now: number = Date.now(),
): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  return retryAfterMs(headers['retry-after'], now) ?? undefined;
}

/** Our messages in the SDK's prompt shape; tool results are matched to their call's name. */
function toPrompt(messages: readonly LlmMessage[]): Prompt {
  const names = new Map<string, string>();
  const prompt: Prompt = [];
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        prompt.push({ role: 'system', content: m.content });
        break;
      case 'user':
        prompt.push({ role: 'user', content: [{ type: 'text', text: m.content }] });
        break;
      case 'assistant': {
        const calls = m.toolCalls ?? [];
        for (const c of calls) names.set(c.id, c.name);
        prompt.push({
          role: 'assistant',
          content: [
            ...(m.content !== '' ? [{ type: 'text' as const, text: m.content }] : []),
            // The raw text goes back as is: the SDK sends valid JSON unchanged.
            ...calls.map((c) => ({
              type: 'tool-call' as const,
              toolCallId: c.id,
              toolName: c.name,
              input: c.arguments,
            })),
          ],
        });
        break;
      }
      case 'tool': {
        const id = m.toolCallId ?? '';
        prompt.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: id,
              toolName: names.get(id) ?? 'unknown',
              output: { type: 'text', value: m.content },
            },
          ],
        });
        break;
      }
    }
  }
  return prompt;
}

function fromResult(
  result: Awaited<ReturnType<SdkModel['doGenerate']>>,
  model: string,
  latencyMs: number,
): LlmResponse {
  let text = '';
  const toolCalls: LlmToolCall[] = [];
  for (const part of result.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool-call') {
      toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input });
    }
  }
  return {
    text,
    toolCalls,
    finishReason: result.finishReason.unified,
    usage: {
      inputTokens: result.usage.inputTokens.total ?? 0,
      outputTokens: result.usage.outputTokens.total ?? 0,
    },
    model: result.response?.modelId ?? model,
    latencyMs,
  };
}
