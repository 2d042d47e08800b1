/**
 * The Telegram bot (grammY): who may talk to it, and how updates arrive —
 * long polling (the default: no open port), or a webhook that Telegram calls
 * with a secret token header.
 *
 * Only the configured chats AND users are obeyed. Anyone else (a stranger, a
 * group member not on the list) gets no answer, no data and no action, and the
 * attempt is written to the audit log.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Bot, webhookCallback, type Context } from 'grammy';
import type { Millis } from '../../domain.js';
import type { Logger } from '../../log.js';
import type { AuditStore } from '../../store/index.js';
import type { Async } from '../../store/api.js';
import type { BotCommands } from './commands.js';

export interface TelegramBotOptions {
  token: string;
  apiRoot: string;
  chats: readonly string[];
  users: readonly string[];
  mode: 'polling' | 'webhook';
  webhook?: { url: string; host: string; port: number };
  commands: BotCommands;
  audit: Async<AuditStore>;
  clock: () => Millis;
  logger: Logger;
  /** Wait before polling again after Telegram could not be reached. */
  retryMs?: number;
}

const UPDATES = ['message', 'callback_query'] as const;
const STRANGER_AUDIT_EVERY_MS = 60_000;
const MAX_STRANGERS = 1000;

/** The webhook's secret_token, derived from the bot token so it needs no setting of its own. */
export function webhookSecret(token: string): string {
  return createHash('sha256').update(`sheriff-telegram-webhook\0${token}`).digest('hex');
}

export class TelegramBot {
  readonly bot: Bot;
  private readonly abort = new AbortController();
  private polling: Promise<void> | null = null;
  private server: Server | null = null;
  private readonly strangers = new Map<string, { at: Millis; suppressed: number }>();

  constructor(private readonly o: TelegramBotOptions) {
    // The client's timeout outlasts getUpdates' 30 s long poll.
    this.bot = new Bot(o.token, { client: { apiRoot: o.apiRoot, timeoutSeconds: 60 } });
    const chats = new Set(o.chats);
    const users = new Set(o.users);
    this.bot.use(async (ctx, next) => {
      const chat = ctx.chat?.id;
      const user = ctx.from?.id;
      if (
        chat !== undefined &&
        user !== undefined &&
        chats.has(String(chat)) &&
        users.has(String(user))
      )
        return next();
      this.refuse(ctx, chat === undefined || !chats.has(String(chat)) ? 'chat' : 'user');
    });
    o.commands.install(this.bot);
    // One failing handler must not stop the bot (grammY's default is to stop polling).
    this.bot.catch((e) =>
      o.logger.error(
        {
          event: 'telegram_handler_failed',
          error: e.error instanceof Error ? e.error.message : String(e.error),
        },
        'a Telegram update could not be handled',
      ),
    );
  }

  /** Starts receiving updates; returns at once (polling runs in the background, supervised). */
  async start(): Promise<void> {
    if (this.o.mode === 'webhook') await this.listen();
    else this.polling = this.poll();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.polling !== null) {
      // stop() confirms the last update with one more getUpdates; an unreachable Telegram must not hold the shutdown.
      await Promise.race([this.bot.stop().catch(() => {}), sleep(3000, undefined, { ref: false })]);
      await this.polling;
    }
    if (this.server !== null) {
      const server = this.server;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    await this.o.commands.stop();
  }

  /** The webhook server's address (webhook mode), e.g. for tests. */
  address(): { host: string; port: number } | null {
    const a = this.server?.address();
    return a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  private async poll(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.bot.start({ allowed_updates: UPDATES });
      } catch (err) {
        // The message names the method and Telegram's answer, never the token.
        this.o.logger.error(
          { event: 'telegram_polling_failed', error: (err as Error).message },
          'Telegram cannot be reached; polling again shortly',
        );
        await sleep(this.o.retryMs ?? 5000, undefined, { signal: this.abort.signal }).catch(
          () => {},
        );
      }
    }
  }

  private async listen(): Promise<void> {
    const hook = this.o.webhook!;
    const secret = webhookSecret(this.o.token);
    const handle = webhookCallback(this.bot, 'http', { secretToken: secret });
    this.server = createServer((req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(hook.port, hook.host, () => resolve());
    });
    // Telegram must learn the URL; keep trying in the background when it is not reachable now.
    void (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await this.bot.api.setWebhook(hook.url, {
            secret_token: secret,
            allowed_updates: [...UPDATES],
          });
          return;
        } catch (err) {
          this.o.logger.error(
            { event: 'telegram_webhook_failed', error: (err as Error).message },
            'the Telegram webhook could not be set; retrying',
          );
          await sleep(this.o.retryMs ?? 5000, undefined, { signal: this.abort.signal }).catch(
            () => {},
          );
        }
      }
    })();
  }

  private refuse(ctx: Context, why: 'chat' | 'user'): void {
    const kind =
      ctx.callbackQuery !== undefined ? 'press' : ctx.message !== undefined ? 'message' : 'update';
    // The stranger's text is not stored: a command name at most, cut short.
    const command = /^\/[A-Za-z0-9_]{1,32}/.exec(ctx.message?.text ?? '')?.[0];
    const actor = ctx.from === undefined ? 'unknown' : String(ctx.from.id);
    const suppressed = this.throttleStranger(`${actor}:${ctx.chat?.id}:${kind}`);
    if (suppressed === null) return;
    this.o.audit
      .append({
        time: this.o.clock(),
        actor,
        channel: 'telegram',
        action: `telegram.${kind}`,
        target: null,
        outcome: 'refused',
        detail: {
          why: why === 'chat' ? 'chat not allowed' : 'user not allowed',
          chat: ctx.chat?.id ?? null,
          ...(suppressed > 0 ? { suppressed } : {}),
          ...(command === undefined ? {} : { command }),
          ...(ctx.callbackQuery?.data === undefined
            ? {}
            : { data: ctx.callbackQuery.data.slice(0, 64) }),
        },
      })
      .catch((err: unknown) =>
        this.o.logger.error(
          { event: 'audit_failed', err },
          'a refused Telegram update could not be audited',
        ),
      );
    this.o.logger.warn(
      { event: 'telegram_refused', chat: ctx.chat?.id, user: ctx.from?.id, why },
      'an update from a chat or user not on the list was ignored',
    );
  }

  /**
   * A stranger flooding the bot must not flood the append-only audit log: one entry per
   * stranger, chat and kind a minute; the next entry counts the ones left out.
   * Null: leave this one out.
   */
  private throttleStranger(key: string): number | null {
    const now = this.o.clock();
    const seen = this.strangers.get(key);
    if (seen !== undefined && now - seen.at < STRANGER_AUDIT_EVERY_MS) {
      seen.suppressed++;
      return null;
    }
    this.strangers.delete(key);
    this.strangers.set(key, { at: now, suppressed: 0 });
    if (this.strangers.size > MAX_STRANGERS)
      this.strangers.delete(this.strangers.keys().next().value!);
    return seen?.suppressed ?? 0;
  }
}
