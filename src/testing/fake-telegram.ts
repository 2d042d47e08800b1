/**
 * A small Telegram Bot API server for tests, on 127.0.0.1, speaking the real
 * wire protocol (https://core.telegram.org/bots/api): `POST /bot<token>/<method>`
 * with a JSON body, answers `{ok, result}` or `{ok: false, error_code,
 * description, parameters}`. It implements what Sheriff uses — getMe,
 * deleteWebhook, setWebhook, getUpdates (long polling with offset and timeout),
 * sendMessage, editMessageText, answerCallbackQuery, sendChatAction — and lets
 * a test push updates (messages, button presses) and inject failures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  message_id: number;
  chat_id: string;
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
  disable_notification?: boolean;
  /** Earlier texts, oldest first, when the message was edited. */
  edits: string[];
}

export interface Call {
  method: string;
  params: Record<string, unknown>;
}

/** An error answer, or `hang`: no answer at all (until stop). */
type Fault =
  { code: 429; retryAfter: number } | { code: number; description?: string } | { hang: true };

const BOT_USER = {
  id: 999000111,
  is_bot: true,
  first_name: 'Sheriff',
  username: 'sheriff_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

export class FakeTelegram {
  readonly calls: Call[] = [];
  readonly messages: SentMessage[] = [];
  readonly answers: { callback_query_id: string; text?: string }[] = [];
  private server: Server | null = null;
  private updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  /** The highest offset a getUpdates call has sent: updates below it are confirmed. */
  private offset = 0;
  private nextMessageId = 1;
  private nextQueryId = 1;
  private readonly faults = new Map<string, Fault[]>();
  private readonly waiters = new Set<() => void>();

  constructor(readonly token = '123456:TEST-token_abcdefghijklmnopqrstuvwxyz') {}

  /** Starts listening on 127.0.0.1 on a free port; returns the apiRoot for grammY. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return this.apiRoot();
  }

  apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `times` calls of `method` fail with `fault`. */
  fail(method: string, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(method, list);
  }

  /** A text message from user `from` in chat `chat`. */
  pushMessage(chat: number, from: number, text: string): void {
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }]
      : undefined;
    this.push({
      message: {
        message_id: this.nextMessageId++,
        date: now(),
        chat: chatOf(chat),
        from: userOf(from),
        text,
        ...(entities === undefined ? {} : { entities }),
      },
    });
  }

  /** User `from` presses a button with `data` under the bot's message `messageId`. */
  pushPress(from: number, messageId: number, data: string): string {
    const m = this.messages.find((x) => x.message_id === messageId);
    if (m === undefined) throw new Error(`no message ${messageId}`);
    const id = String(this.nextQueryId++);
    this.push({
      callback_query: {
        id,
        from: userOf(from),
        chat_instance: `ci${m.chat_id}`,
        data,
        message: {
          message_id: m.message_id,
          date: now(),
          chat: chatOf(Number(m.chat_id)),
          from: BOT_USER,
          text: m.text,
          ...(m.reply_markup === undefined ? {} : { reply_markup: m.reply_markup }),
        },
      },
    });
    return id;
  }

  /**
   * Whether the bot confirmed every pushed update (asked for the next ones). A polling bot
   * does so only after handling the batch, so this means "handled".
   */
  allConfirmed(): boolean {
    return this.offset >= this.nextUpdateId;
  }

  /** Messages sent to `chat`, oldest first. */
  sentTo(chat: number | string): SentMessage[] {
    return this.messages.filter((m) => m.chat_id === String(chat));
  }

  private push(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.waiters) wake();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url?.split('?')[0] ?? '');
    if (m === null)
      return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token)
      return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2]!;
    const params = await body(req);
    this.calls.push({ method, params });
    const fault = this.faults.get(method)?.shift();
    if (fault !== undefined && 'hang' in fault) return;
    if (fault !== undefined) {
      const parameters = 'retryAfter' in fault ? { retry_after: fault.retryAfter } : undefined;
      return reply(res, fault.code, {
        ok: false,
        error_code: fault.code,
        description:
          'retryAfter' in fault
            ? `Too Many Requests: retry after ${fault.retryAfter}`
            : (fault.description ?? 'Internal Server Error'),
        ...(parameters === undefined ? {} : { parameters }),
      });
    }
    const result = await this.call(method, params, req);
    if (result === undefined)
      return reply(res, 404, {
        ok: false,
        error_code: 404,
        description: 'Not Found: method not found',
      });
    if (result instanceof BadRequest)
      return reply(res, 400, { ok: false, error_code: 400, description: result.message });
    reply(res, 200, { ok: true, result });
  }

  private async call(
    method: string,
    p: Record<string, unknown>,
    req: IncomingMessage,
  ): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return BOT_USER;
      case 'deleteWebhook':
      case 'setWebhook':
      case 'sendChatAction':
        return true;
      case 'getUpdates':
        return this.getUpdates(p, req);
      case 'sendMessage': {
        if (typeof p.text !== 'string' || p.text === '')
          return new BadRequest('Bad Request: message text is empty');
        const sent: SentMessage = {
          message_id: this.nextMessageId++,
          chat_id: String(p.chat_id),
          text: p.text,
          edits: [],
          ...(p.reply_markup === undefined
            ? {}
            : { reply_markup: p.reply_markup as SentMessage['reply_markup'] }),
          ...(p.disable_notification === true ? { disable_notification: true } : {}),
        };
        this.messages.push(sent);
        return messageOf(sent);
      }
      case 'editMessageText': {
        const sent = this.messages.find(
          (x) => x.message_id === p.message_id && x.chat_id === String(p.chat_id),
        );
        if (sent === undefined) return new BadRequest('Bad Request: message to edit not found');
        if (sent.text === p.text) return new BadRequest('Bad Request: message is not modified');
        sent.edits.push(sent.text);
        sent.text = String(p.text);
        const markup = p.reply_markup as SentMessage['reply_markup'] | undefined;
        if (markup === undefined || markup.inline_keyboard.length === 0) delete sent.reply_markup;
        else sent.reply_markup = markup;
        return messageOf(sent);
      }
      case 'answerCallbackQuery':
        this.answers.push({
          callback_query_id: String(p.callback_query_id),
          ...(typeof p.text === 'string' ? { text: p.text } : {}),
        });
        return true;
      default:
        return undefined;
    }
  }

  /** Confirms updates below `offset`, then returns the rest, waiting up to `timeout` s for one. */
  private async getUpdates(p: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {
    const offset = typeof p.offset === 'number' ? p.offset : 0;
    this.offset = Math.max(this.offset, offset);
    this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    const limit = typeof p.limit === 'number' ? p.limit : 100;
    const timeout = typeof p.timeout === 'number' ? p.timeout : 0;
    if (this.updates.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeout * 1000);
        this.waiters.add(wake);
        req.once('close', wake);
      });
    }
    return this.updates.slice(0, limit);
  }
}

class BadRequest extends Error {}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function chatOf(id: number) {
  return id < 0
    ? { id, type: 'group', title: 'ops' }
    : { id, type: 'private', first_name: 'Admin' };
}

function userOf(id: number) {
  return { id, is_bot: false, first_name: `User${id}`, username: `user${id}` };
}

function messageOf(m: SentMessage) {
  return {
    message_id: m.message_id,
    date: now(),
    chat: chatOf(Number(m.chat_id)),
    from: BOT_USER,
    text: m.text,
    ...(m.reply_markup === undefined ? {} : { reply_markup: m.reply_markup }),
  };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  return JSON.parse(text) as Record<string, unknown>;
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}
