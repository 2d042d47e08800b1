/**
 * Telegram and webhooks from the `notify:` config: the outbox notifier the
 * daemon hands every alert to, the delivery worker that drains the outbox, and
 * the bot that answers commands and button presses.
 */
import { readSecretFile, secretFrom } from '../config/secrets.js';
import type { Millis } from '../domain.js';
import { translator, type Lang } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Approvals } from '../respond/approvals.js';
import type { Guardrails } from '../respond/guardrails.js';
import { SecretError } from '../config/private-file.js';
import type { Store } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import { timeFormatter, type Wording } from './alert-text.js';
import type { NotifyConfig } from './config.js';
import type { Sleep } from '../net/retry.js';
import { DeliveryWorker, INLINE_RETRY, type Transport } from './delivery.js';
import {
  OutboxNotifier,
  telegramDestination,
  webhookDestination,
  type Destination,
} from './outbox-notifier.js';
import { TELEGRAM_TOKEN_ENV, webhookSecretEnv } from './secrets.js';
import { TelegramBot } from './telegram/bot.js';
import { ChatLanguages } from './telegram/chat-languages.js';
import { BotCommands, type BotHooks } from './telegram/commands.js';
import { TelegramTransport } from './telegram/transport.js';
import { WebhookTransport, type WebhookEndpoint } from './webhook.js';

export interface NotifyServiceOptions {
  config: NotifyConfig;
  language: Lang;
  timezone?: string;
  /** This host's own outbox. */
  store: Pick<Store, 'outbox'>;
  /** Where the records are (at a hub, its database): each chat's language is kept there too. */
  records: Pick<RecordStore, 'bans' | 'status' | 'audit' | 'chats'>;
  approvals: Approvals;
  /** The daemon's guardrails: a ban approved with ✅ meets them at once. */
  guardrails: Guardrails;
  /** Ban length of /ban without a duration (response.bantime). */
  defaultBantime: number;
  clock: () => Millis;
  logger: Logger;
  hooks?: BotHooks;
  env?: NodeJS.ProcessEnv;
  /** How often (real time) the outbox is drained and digests are flushed. Default 1 s. */
  tickMs?: number;
  /** The wait before a transport's one retry (tests pass one that does not sleep). */
  retrySleep?: Sleep;
}

/** Delivered and failed messages are kept this long for `sheriff` to show, then forgotten. */
const KEEP_DONE_MS = 7 * 86_400_000;

export class NotifyService {
  readonly notifier: OutboxNotifier;
  readonly worker: DeliveryWorker;
  readonly bot: TelegramBot | null;
  /** The chats' languages, loaded when the service starts. */
  private languages: { of: ChatLanguages; chats: readonly string[] } | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** Throws a SecretError when a credential is missing or unreadable. */
  constructor(private readonly o: NotifyServiceOptions) {
    const { config, store, clock, logger } = o;
    const env = o.env ?? process.env;
    const time = timeFormatter(o.timezone);
    const wordingIn = (lang: Lang): (() => Wording) => {
      const w = { t: translator(lang), time };
      return () => w;
    };
    const retry =
      o.retrySleep === undefined ? INLINE_RETRY : { ...INLINE_RETRY, sleep: o.retrySleep };
    const destinations: Destination[] = [];
    const transports: Transport[] = [];
    let bot: TelegramBot | null = null;
    const tg = config.telegram;
    if (tg !== undefined) {
      const token = secretFrom(tg.tokenFile, TELEGRAM_TOKEN_ENV, env);
      if (token === null)
        throw new SecretError(
          `notify.telegram is configured but there is no bot token: set ${TELEGRAM_TOKEN_ENV} or notify.telegram.tokenFile`,
        );
      const languages = new ChatLanguages(o.records.chats);
      this.languages = { of: languages, chats: tg.chats };
      const commands = new BotCommands({
        store,
        languages,
        records: o.records,
        approvals: o.approvals,
        guardrails: o.guardrails,
        defaultLang: tg.language ?? o.language,
        ...(o.timezone === undefined ? {} : { timezone: o.timezone }),
        defaultBantime: o.defaultBantime,
        clock,
        logger,
        send: (chat, payload) => this.queue('telegram', chat, payload),
        hooks: o.hooks ?? {},
      });
      bot = new TelegramBot({
        token,
        apiRoot: tg.apiRoot,
        chats: tg.chats,
        users: tg.users,
        mode: tg.mode,
        ...(tg.webhook === undefined ? {} : { webhook: tg.webhook }),
        commands,
        audit: o.records.audit,
        clock,
        logger,
      });
      transports.push(new TelegramTransport(bot.bot.api, new Set(tg.chats), retry));
      for (const chat of tg.chats)
        destinations.push(telegramDestination(chat, () => commands.wording(chat)));
    }
    const endpoints = new Map<string, WebhookEndpoint>();
    for (const [name, w] of Object.entries(config.webhooks)) {
      const url = w.url ?? readSecretFile(w.urlFile!);
      const secret =
        w.type === 'generic' ? secretFrom(w.secretFile, webhookSecretEnv(name), env) : null;
      if (w.type === 'generic' && secret === null)
        throw new SecretError(
          `notify.webhooks.${name} is generic but has no signing key: set ${webhookSecretEnv(name)} or secretFile`,
        );
      endpoints.set(name, { type: w.type, url, secret });
      destinations.push(
        webhookDestination(name, w.type, wordingIn(w.language ?? o.language), clock, w.events),
      );
    }
    if (endpoints.size > 0)
      transports.push(new WebhookTransport(endpoints, clock, undefined, retry));
    this.bot = bot;
    this.worker = new DeliveryWorker({
      outbox: store.outbox,
      transports,
      retry: config.retry,
      clock,
      logger,
    });
    this.notifier = new OutboxNotifier({
      outbox: store.outbox,
      destinations,
      digest: config.digest,
      clock,
      logger,
      queued: () => this.worker.kick(),
      pending: async () => {
        const waiting = (await o.approvals.pending({})).filter((a) => !a.tampered);
        return waiting.length === 0
          ? null
          : { count: waiting.length, createdUpTo: waiting[waiting.length - 1]!.createdAt };
      },
    });
  }

  async start(): Promise<void> {
    this.o.store.outbox.prune(this.o.clock() - KEEP_DONE_MS);
    // Before the bot: its first messages are worded in each chat's language.
    await this.languages?.of
      .load(this.languages.chats)
      .catch((err: unknown) =>
        this.o.logger.error(
          { event: 'chat_langs_not_loaded', err },
          "the chats' languages could not be read; they get the default language until a restart",
        ),
      );
    this.worker.start(this.o.tickMs ?? 1000);
    this.timer = setInterval(() => void this.notifier.flushDigests(), this.o.tickMs ?? 1000);
    this.timer.unref();
    await this.bot?.start();
  }

  /** Stops the bot and the worker; queued messages stay in the outbox for the next start. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.bot?.stop();
    await this.worker.stop();
  }

  private queue(channel: string, target: string, payload: unknown): void {
    this.o.store.outbox.enqueue(channel, target, payload, this.o.clock());
    this.worker.kick();
  }
}
