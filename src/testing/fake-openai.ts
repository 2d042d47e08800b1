/**
 * A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests
 * of anything that talks to an LLM provider. It speaks the real wire format
 * (`POST /v1/chat/completions`, JSON in and out, `tool_calls` with raw argument
 * text, `usage`, error bodies, `Retry-After`), records every request it got,
 * and answers each one with what the test's handler says:
 *
 *   const llm = await FakeOpenAI.start(script([
 *     reply.tools([{ name: 'host_status', arguments: '{}' }]),
 *     reply.text('모든 것이 정상입니다.'),
 *   ]));
 *   …  // point the client at llm.baseUrl
 *   await llm.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat message as the wire carries it. */
export interface WireMessage {
  role: string;
  content?: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** The request body of a chat completion, as far as tests look at it. */
export interface ChatRequestBody {
  model?: string;
  messages?: WireMessage[];
  tools?: {
    type: string;
    function: { name: string; description?: string; parameters?: unknown };
  }[];
  max_tokens?: number;
  temperature?: number;
  [key: string]: unknown;
}

/** A request as received. */
export interface FakeRequest {
  /** 0 for the first request to this server. */
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body, or null when it was not JSON. */
  body: ChatRequestBody | null;
  rawBody: string;
}

export interface FakeToolCall {
  /** Default: call_<request>_<position>. */
  id?: string;
  name: string;
  /** Sent exactly as given: malformed JSON stays malformed. */
  arguments: string;
}

/** What the server answers. `delayMs` waits (real time) before answering. */
export type FakeReply =
  | {
      kind: 'completion';
      text?: string | null;
      toolCalls?: FakeToolCall[];
      finishReason?: string;
      usage?: { prompt_tokens: number; completion_tokens: number };
      model?: string;
      delayMs?: number;
    }
  | {
      kind: 'error';
      status: number;
      message?: string;
      headers?: Record<string, string>;
      delayMs?: number;
    }
  /** A body sent as is (malformed JSON, a wrong shape). */
  | { kind: 'raw'; status?: number; body: string; delayMs?: number }
  /** Never answers; the connection is dropped when the client gives up or the server closes. */
  | { kind: 'hang' };

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

/** Builders for the usual replies. */
export const reply = {
  text: (text: string, extra: { usage?: FakeUsage; delayMs?: number } = {}): FakeReply => ({
    kind: 'completion',
    text,
    ...extra,
  }),
  tools: (
    toolCalls: FakeToolCall[],
    extra: { text?: string; usage?: FakeUsage; delayMs?: number } = {},
  ): FakeReply => ({ kind: 'completion', toolCalls, ...extra }),
  error: (status: number, message = `error ${status}`, headers?: Record<string, string>) =>
    ({ kind: 'error', status, message, ...(headers ? { headers } : {}) }) satisfies FakeReply,
  /** A 429 with a Retry-After of `seconds`. */
  rateLimited: (seconds: number): FakeReply => ({
    kind: 'error',
    status: 429,
    message: 'Rate limit reached',
    headers: { 'retry-after': String(seconds) },
  }),
  raw: (body: string, status = 200): FakeReply => ({ kind: 'raw', status, body }),
  hang: (): FakeReply => ({ kind: 'hang' }),
};

type FakeUsage = { prompt_tokens: number; completion_tokens: number };

/**
 * A handler answering the requests in order with `replies`; past the end it
 * answers with `after` (default: a 500 saying the script is exhausted, so a
 * loop that asks too often fails loudly).
 */
export function script(replies: readonly FakeReply[], after?: FakeReply): FakeHandler {
  let next = 0;
  return () => {
    const r = replies[next++];
    if (r !== undefined) return r;
    return after ?? reply.error(500, `fake-openai: script exhausted after ${replies.length}`);
  };
}

/**
 * A hostile or broken model: each list of `tools` as one step of tool calls,
 * then `answer` as the final text to every later request, the corrective
 * retry included, so code and not the model must repair what the admin reads.
 */
export function hostileModel(answer: string, tools: readonly FakeToolCall[][] = []): FakeHandler {
  return script(
    tools.map((calls) => reply.tools(calls)),
    reply.text(answer),
  );
}

/** A message's content as text (the wire also allows parts or null). */
export const contentOf = (m: WireMessage): string =>
  typeof m.content === 'string' ? m.content : JSON.stringify(m.content);

export class FakeOpenAI {
  /** Every request received, in order. */
  readonly requests: FakeRequest[] = [];
  private handler: FakeHandler;

  private constructor(
    private readonly server: Server,
    handler: FakeHandler,
    /** e.g. http://127.0.0.1:40123/v1 */
    readonly baseUrl: string,
  ) {
    this.handler = handler;
  }

  /** Starts a server on 127.0.0.1, port 0. */
  static async start(handler: FakeHandler = script([])): Promise<FakeOpenAI> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeOpenAI(server, handler, `http://127.0.0.1:${port}/v1`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.serve(req, res));
    return fake;
  }

  setHandler(handler: FakeHandler): void {
    this.handler = handler;
  }

  /** The chat-completion request bodies received, in order. */
  bodies(): ChatRequestBody[] {
    return this.requests.flatMap((r) => (r.body === null ? [] : [r.body]));
  }

  /** Stops listening and drops open connections (hanging requests included). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: ChatRequestBody | null = null;
    try {
      body = JSON.parse(rawBody) as ChatRequestBody;
    } catch {
      body = null;
    }
    const request: FakeRequest = {
      index: this.requests.length,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      body,
      rawBody,
    };
    this.requests.push(request);
    if (request.method !== 'POST' || !request.path.endsWith('/chat/completions')) {
      send(res, 404, { error: { message: `no route ${request.method} ${request.path}` } });
      return;
    }
    let r: FakeReply;
    try {
      r = await this.handler(request);
    } catch (err) {
      send(res, 500, { error: { message: `fake-openai handler threw: ${String(err)}` } });
      return;
    }
    if (r.kind === 'hang') return;
    if (r.delayMs !== undefined && r.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, r.delayMs));
    }
    if (res.destroyed) return;
    switch (r.kind) {
      case 'raw':
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(r.body);
        return;
      case 'error':
        send(
          res,
          r.status,
          { error: { message: r.message ?? `error ${r.status}`, type: 'fake_error' } },
          r.headers,
        );
        return;
      case 'completion':
        send(res, 200, completion(request, r));
    }
  }
}

function completion(request: FakeRequest, r: Extract<FakeReply, { kind: 'completion' }>) {
  const toolCalls = (r.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${request.index}_${i}`,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
  return {
    id: `chatcmpl-fake-${request.index}`,
    object: 'chat.completion',
    created: 1_764_000_000,
    model: r.model ?? request.body?.model ?? 'fake-model',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: r.text ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: r.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: {
      ...(r.usage ?? { prompt_tokens: 100, completion_tokens: 20 }),
      total_tokens: (r.usage?.prompt_tokens ?? 100) + (r.usage?.completion_tokens ?? 20),
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
