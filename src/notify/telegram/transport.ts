/**
 * Telegram as an outbox channel: a queued payload is one Bot API call
 * (`sendMessage`, `editMessageText`) for one chat. 429 waits the
 * `retry_after` Telegram asks for; other 4xx answers are permanent (a chat
 * that blocked the bot, a malformed message), except 401 and 404, which mean
 * a wrong token: the messages wait for the admin to fix it.
 */
import { GrammyError, HttpError, type Api } from 'grammy';
import type { DeliveryOutcome, Transport } from '../delivery.js';

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
    try {
      const result: unknown =
        p.method === 'sendMessage'
          ? await this.api.raw.sendMessage(params as Parameters<Api['raw']['sendMessage']>[0])
          : await this.api.raw.editMessageText(params);
      const messageId = (result as { message_id?: unknown }).message_id;
      return { ok: true, result: typeof messageId === 'number' ? { messageId } : null };
    } catch (err) {
      return outcomeOf(err);
    }
  }
}

/** A failed Bot API call as a delivery outcome. Never quotes the request URL (it holds the token). */
export function outcomeOf(err: unknown): DeliveryOutcome {
  if (err instanceof GrammyError) {
    const error = `telegram ${err.method}: ${err.error_code} ${err.description}`;
    if (err.error_code === 400 && /message is not modified/i.test(err.description))
      return { ok: true };
    if (err.error_code === 429) {
      const after = err.parameters.retry_after;
      return typeof after === 'number'
        ? { ok: false, permanent: false, error, retryAfterMs: after * 1000 }
        : { ok: false, permanent: false, error };
    }
    const permanent =
      err.error_code >= 400 && err.error_code < 500 && ![401, 404].includes(err.error_code);
    return { ok: false, permanent, error };
  }
  if (err instanceof HttpError) return { ok: false, permanent: false, error: err.message };
  return { ok: false, permanent: false, error: `telegram: ${(err as Error).name}` };
}
