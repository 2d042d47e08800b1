/**
 * Telegram as an outbox channel: a queued payload is one Bot API call
 * (`sendMessage`, `editMessageText`) for one chat, retried by the shared rule
 * (delivery.ts); Telegram's `parameters.retry_after` is its Retry-After.
 * 401 and 404 mean a wrong token: unlike other 4xx answers they are not
 * permanent, and the messages wait for the admin to fix it.
 */
import { GrammyError, HttpError, type Api } from 'grammy';
import {
  deliverWithRetry,
  INLINE_RETRY,
  type ChannelAttempt,
  type DeliveryOutcome,
  type InlineRetry,
  type Transport,
} from '../delivery.js';

export type TelegramMethod = 'sendMessage' | 'editMessageText';

/** What the outbox holds for a Telegram message: the method and its parameters but chat_id. */
export interface TelegramPayload {
  method: TelegramMethod;
  params: Record<string, unknown>;
}

export class TelegramTransport implements Transport {
  readonly channel = 'telegram';

  /** `chats`: where messages may go now; a message queued for a chat since removed is dropped. */
  constructor(
    private readonly api: Api,
    private readonly chats: ReadonlySet<string>,
    private readonly retry: InlineRetry = INLINE_RETRY,
  ) {}

  async deliver(target: string, payload: unknown): Promise<DeliveryOutcome> {
    if (!this.chats.has(target))
      return {
        ok: false,
        permanent: true,
        error: `chat ${target} is no longer in notify.telegram.chats`,
      };
    const p = payload as TelegramPayload;
    const params = { ...p.params, chat_id: target };
    return deliverWithRetry(async () => {
      try {
        const result: unknown =
          p.method === 'sendMessage'
            ? await this.api.raw.sendMessage(params as Parameters<Api['raw']['sendMessage']>[0])
            : await this.api.raw.editMessageText(params);
        const messageId = (result as { message_id?: unknown }).message_id;
        return { ok: true, value: typeof messageId === 'number' ? { messageId } : null };
      } catch (err) {
        return attemptOf(err);
      }
    }, this.retry);
  }
}

/** A failed Bot API call, for the retry rule. Never quotes the request URL (it holds the token). */
function attemptOf(err: unknown): ChannelAttempt {
  if (err instanceof GrammyError) {
    const error = `telegram ${err.method}: ${err.error_code} ${err.description}`;
    if (err.error_code === 400 && /message is not modified/i.test(err.description))
      return { ok: true, value: undefined };
    const after = err.parameters.retry_after;
    return {
      ok: false,
      status: err.error_code,
      retryAfterMs: typeof after === 'number' ? after * 1000 : null,
      failure: [401, 404].includes(err.error_code) ? { error, permanent: false } : { error },
    };
  }
  if (err instanceof HttpError) {
    // An answer that was not the Bot API's JSON (a proxy's 502 page) still has its status.
    const status = (err.error as { status?: unknown } | undefined)?.status;
    return {
      ok: false,
      status: typeof status === 'number' ? status : null,
      retryAfterMs: null,
      failure: { error: err.message },
    };
  }
  return {
    ok: false,
    status: null,
    retryAfterMs: null,
    failure: { error: `telegram: ${(err as Error).name}` },
  };
}
