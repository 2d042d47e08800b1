/**
 * What the bot does for an allowed chat and user: commands, free text, and
 * Approve/Deny presses. Every decision goes through Approvals.decide, the same
 * function the CLI uses, and an approved ban through the guardrails at once, as
 * the CLI and the web console screen theirs (respond/screen.ts); every reply
 * goes through the outbox.
 */
import type { Bot, Context } from 'grammy';
import type { BanTarget, Millis, StatusLevel } from '../../domain.js';
import { parseDuration } from '../../config/duration.js';
import { translator, type Lang } from '../../i18n/index.js';
import { displayUser } from '../../incidents/format.js';
import type { Logger } from '../../log.js';
import { parseCidr } from '../../net/cidr.js';
import type { Approvals, DecideRefusal } from '../../respond/approvals.js';
import { renderGuardMessage, type Guardrails } from '../../respond/guardrails.js';
import { screenApproved } from '../../respond/screen.js';
import type { Store, StoredApproval } from '../../store/index.js';
import type { RecordStore } from '../../store/api.js';
import { alertText, targetText, timeFormatter, type Wording } from '../alert-text.js';
import type { ChatLanguages } from './chat-languages.js';
import { notEnforcedNote } from '../format.js';
import { editMessage, parseApproveAll, parseCallbackData, sendMessage } from './cards.js';
import type { TelegramPayload } from './transport.js';

/**
 * What other modules lend the bot, all optional: the incidents module's status
 * level and list, the daily report, the analyst for free text.
 */
export interface BotHooks {
  level?: () => Promise<StatusLevel | null>;
  incidents?: (lang: Lang) => string | Promise<string>;
  /** `date` as the admin typed it after /report (YYYY-MM-DD), if at all. */
  report?: (lang: Lang, date: string | undefined) => string | Promise<string>;
  ask?: (chat: string, text: string, lang: Lang) => Promise<string>;
}

export interface CommandOptions {
  /** This host's own outbox. */
  store: Pick<Store, 'outbox'>;
  /** Each chat's language, kept with the records. */
  languages: ChatLanguages;
  records: Pick<RecordStore, 'bans' | 'status'>;
  approvals: Approvals;
  /** What an approved ban meets at once, so that a refusal is told on the card. */
  guardrails: Guardrails;
  defaultLang: Lang;
  timezone?: string;
  /** Ban length of /ban without a duration. */
  defaultBantime: number;
  clock: () => Millis;
  logger: Logger;
  /** Queues a message for a chat (the outbox). */
  send: (chat: string, payload: TelegramPayload) => void;
  hooks: BotHooks;
}

const MAX_BANS_LISTED = 20;

const REFUSAL_ANSWER: Record<DecideRefusal, Parameters<Wording['t']>[0]> = {
  'not-human': 'notify.answer.unauthorised',
  unauthorised: 'notify.answer.unauthorised',
  unknown: 'notify.answer.unknown',
  'already-decided': 'notify.answer.alreadyDecided',
  expired: 'notify.answer.expired',
  tampered: 'notify.answer.tampered',
};

export class BotCommands {
  private readonly time: (t: Millis) => string;
  /** Free-text answers in progress, awaited on stop. */
  private readonly asking = new Set<Promise<void>>();

  constructor(private readonly o: CommandOptions) {
    this.time = timeFormatter(o.timezone);
  }

  lang(chat: string): Lang {
    return this.o.languages.lang(chat) ?? this.o.defaultLang;
  }

  wording(chat: string): Wording {
    return { t: translator(this.lang(chat)), time: this.time };
  }

  /** Registers the handlers; call after the access check middleware. */
  install(bot: Bot): void {
    const on = (command: string, fn: (chat: string, args: string[], ctx: Context) => unknown) =>
      bot.command(command, async (ctx) => {
        const args = (typeof ctx.match === 'string' ? ctx.match : '').split(/\s+/).filter(Boolean);
        await fn(String(ctx.chat.id), args, ctx);
      });
    on('start', (chat) => this.reply(chat, this.wording(chat).t('notify.help')));
    on('help', (chat) => this.reply(chat, this.wording(chat).t('notify.help')));
    on('status', async (chat) => this.reply(chat, await this.status(chat)));
    on('bans', async (chat) => this.reply(chat, await this.bans(chat)));
    on('ban', (chat, args, ctx) => this.ban(chat, args, ctx.from?.id));
    on('unban', (chat, args, ctx) => this.unban(chat, args, ctx.from?.id));
    on('lang', (chat, args) => this.setLang(chat, args[0]));
    on('incidents', (chat) => this.fromHook(chat, this.o.hooks.incidents, [this.lang(chat)]));
    on('report', (chat, args) =>
      this.fromHook(chat, this.o.hooks.report, [this.lang(chat), args[0]]),
    );
    bot.on('callback_query:data', (ctx) => this.press(ctx));
    bot.on('message:text', (ctx) => this.freeText(String(ctx.chat.id), ctx));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.asking]);
  }

  private reply(chat: string, text: string): void {
    this.o.send(chat, sendMessage(text));
  }

  private async status(chat: string): Promise<string> {
    const { t } = this.wording(chat);
    const now = this.o.clock();
    const active = await this.o.records.bans.active(now);
    const bans = active.length;
    const pending = (await this.o.approvals.list({ status: 'pending' })).length;
    const daemon = (await this.o.records.status.get('daemon'))?.value as
      { startedAt?: unknown; firewall?: { enforcing?: unknown } } | undefined;
    const level = (await this.o.hooks.level?.()) ?? null;
    const lines = [
      typeof daemon?.startedAt === 'number'
        ? t('notify.status', {
            since: this.time(daemon.startedAt),
            bans,
            pending,
            queued: this.o.store.outbox.counts().queued,
          })
        : t('notify.status.notRunning', { bans, pending }),
    ];
    if (level !== null)
      lines.unshift(t('notify.status.level', { level: t(`notify.level.${level}`) }));
    if (
      daemon?.firewall?.enforcing === false ||
      active.some((b) => !b.enforced && b.firewall !== 'fleet')
    )
      lines.push(t('notify.status.dryRun'));
    return lines.join('\n');
  }

  private async bans(chat: string): Promise<string> {
    const { t } = this.wording(chat);
    const active = await this.o.records.bans.active(this.o.clock());
    if (active.length === 0) return t('notify.bans.none');
    const lines = active
      .slice(0, MAX_BANS_LISTED)
      .map((b) =>
        (b.expiresAt === null
          ? t('notify.bans.itemPermanent', { target: targetText(b.target) })
          : t('notify.bans.item', { target: targetText(b.target), until: this.time(b.expiresAt) })
        ).concat(notEnforcedNote(b, t)),
      );
    if (active.length > MAX_BANS_LISTED)
      lines.push(t('notify.bans.more', { count: active.length - MAX_BANS_LISTED }));
    return [t('notify.bans.title', { count: active.length }), ...lines].join('\n');
  }

  private async ban(chat: string, args: string[], user: number | undefined): Promise<void> {
    const { t } = this.wording(chat);
    if (args.length < 1 || args.length > 2) return this.reply(chat, t('notify.ban.usage'));
    const target = this.target(chat, args[0]!);
    if (target === null) return;
    let durationMs = this.o.defaultBantime;
    if (args[1] !== undefined) {
      try {
        durationMs = parseDuration(args[1]);
      } catch {
        return this.reply(chat, t('notify.ban.badDuration', { input: displayUser(args[1]) }));
      }
    }
    await this.request(chat, 'ban', target, durationMs, user);
  }

  private async unban(chat: string, args: string[], user: number | undefined): Promise<void> {
    const { t } = this.wording(chat);
    if (args.length !== 1) return this.reply(chat, t('notify.unban.usage'));
    const target = this.target(chat, args[0]!);
    if (target === null) return;
    const banned = (await this.o.records.bans.active(this.o.clock())).some(
      (b) => b.target.cidr === target.cidr,
    );
    if (!banned)
      return this.reply(chat, t('notify.unban.notBanned', { target: targetText(target) }));
    await this.request(chat, 'unban', target, null, user);
  }

  private target(chat: string, text: string): BanTarget | null {
    try {
      const c = parseCidr(text);
      return { cidr: c.text, family: c.family };
    } catch {
      this.reply(chat, this.wording(chat).t('notify.ban.badTarget', { input: displayUser(text) }));
      return null;
    }
  }

  /** An admin's request from the chat becomes an approval card: a second tap confirms it. */
  private async request(
    chat: string,
    action: 'ban' | 'unban',
    target: BanTarget,
    durationMs: number | null,
    user: number | undefined,
  ): Promise<void> {
    const w = this.wording(chat);
    let approval: StoredApproval;
    try {
      approval = await this.o.approvals.request(
        {
          action,
          target,
          durationMs,
          reason: `/${action} on Telegram`,
          requestedBy: `admin:telegram:${String(user)}`,
          jail: null,
          evidence: { findings: [], events: [] },
        },
        this.o.clock(),
      );
    } catch (err) {
      return this.reply(chat, w.t('notify.ban.failed', { reason: (err as Error).message }));
    }
    const text = alertText({ type: 'approval', approval, finding: null }, w);
    this.o.send(chat, sendMessage(text, { approvalId: approval.id, t: w.t }));
  }

  private async setLang(chat: string, arg: string | undefined): Promise<void> {
    const { t } = this.wording(chat);
    if (arg !== 'ko' && arg !== 'en') return this.reply(chat, t('notify.lang.usage'));
    try {
      await this.o.languages.set(chat, arg, this.o.clock());
    } catch (err) {
      this.o.logger.error(
        { event: 'chat_lang_not_stored', err },
        'a chat language could not be stored',
      );
      return this.reply(chat, t('notify.lang.failed', { reason: (err as Error).message }));
    }
    this.reply(chat, translator(arg)('notify.lang.set'));
  }

  private async fromHook<A extends unknown[]>(
    chat: string,
    hook: ((...args: A) => string | Promise<string>) | undefined,
    args: A,
  ): Promise<void> {
    const { t } = this.wording(chat);
    if (hook === undefined) return this.reply(chat, t('notify.unavailable'));
    try {
      this.reply(chat, await hook(...args));
    } catch (err) {
      this.o.logger.error({ event: 'telegram_command_failed', err }, 'a bot command failed');
      this.reply(chat, t('notify.unavailable'));
    }
  }

  /** Free text goes to the analyst when there is one; its answer may take a while, so it is not awaited. */
  private freeText(chat: string, ctx: Context): void {
    const ask = this.o.hooks.ask;
    const { t } = this.wording(chat);
    const text = ctx.message?.text ?? '';
    if (ask === undefined) return this.reply(chat, t('notify.freeText'));
    ctx.replyWithChatAction('typing').catch(() => {});
    const job = ask(chat, text, this.lang(chat))
      .then((answer) => this.reply(chat, answer))
      .catch((err: unknown) => {
        this.o.logger.error({ event: 'ask_failed', err }, 'the analyst could not answer');
        this.reply(chat, t('notify.ask.failed'));
      })
      .finally(() => this.asking.delete(job));
    this.asking.add(job);
  }

  /** ✅/❌ pressed: decide, answer the press, and show the outcome on the card. */
  private async press(ctx: Context): Promise<void> {
    const q = ctx.callbackQuery!;
    const message = q.message;
    const chat = String(message?.chat.id ?? q.from.id);
    const w = this.wording(chat);
    const upTo = parseApproveAll(q.data);
    if (upTo !== null) return this.approveAll(ctx, chat, upTo);
    const button = parseCallbackData(q.data);
    if (button === null) return this.answer(ctx, w.t('notify.answer.invalid'));
    const now = this.o.clock();
    const r = await this.o.approvals.decide(
      button.approvalId,
      button.decision,
      { channel: 'telegram', identity: String(q.from.id) },
      now,
    );
    if (r.ok) {
      const who = pressedBy(q.from);
      const refusal = r.decision === 'approve' ? await this.refusalOf(r.approval, w) : null;
      if (refusal !== null) {
        await this.answer(ctx, w.t('notify.answer.refused'));
        const line = w.t('notify.decided.refusedGuard', {
          who,
          time: this.time(now),
          reason: refusal,
        });
        if (message !== undefined && 'text' in message)
          this.o.send(chat, editMessage(message.message_id, `${message.text ?? ''}\n\n${line}`));
        return;
      }
      const line = w.t(
        r.decision === 'approve' ? 'notify.decided.approved' : 'notify.decided.denied',
        {
          who,
          time: this.time(now),
        },
      );
      await this.answer(
        ctx,
        w.t(r.decision === 'approve' ? 'notify.answer.approved' : 'notify.answer.denied'),
      );
      if (message !== undefined && 'text' in message)
        this.o.send(chat, editMessage(message.message_id, `${message.text ?? ''}\n\n${line}`));
      return;
    }
    await this.answer(ctx, w.t(REFUSAL_ANSWER[r.code]));
    // A stale card (decided elsewhere, expired) is brought up to date and loses its buttons.
    const outcome = r.approval === null ? null : this.outcome(r.approval, w);
    if (outcome !== null && message !== undefined && 'text' in message)
      this.o.send(chat, editMessage(message.message_id, `${message.text ?? ''}\n\n${outcome}`));
  }

  /**
   * ✅ Approve all on a digest: every intact approval still pending that was
   * asked for up to the digest's time, each through decide (and the audit) on
   * its own. The digest keeps its text, adds who approved how many, loses the button.
   */
  private async approveAll(ctx: Context, chat: string, createdUpTo: Millis): Promise<void> {
    const q = ctx.callbackQuery!;
    const w = this.wording(chat);
    const now = this.o.clock();
    const ids = (await this.o.approvals.pending({ createdUpTo }))
      .filter((a) => !a.tampered)
      .map((a) => a.id);
    const results = await this.o.approvals.decideAll(
      ids,
      'approve',
      { channel: 'telegram', identity: String(q.from.id) },
      now,
    );
    // Each approved ban meets the guardrails now, as a single approval does.
    let approved = 0;
    const refused: string[] = [];
    for (const r of results) {
      if (!r.ok) continue;
      const reason = await this.refusalOf(r.approval, w);
      if (reason === null) approved++;
      else
        refused.push(
          w.t('notify.decided.refusedItem', {
            target: r.approval.target === null ? '-' : targetText(r.approval.target),
            reason,
          }),
        );
    }
    const total = results.length;
    const notDecided = results.find((r) => !r.ok);
    await this.answer(
      ctx,
      approved === 0 && refused.length === 0 && notDecided !== undefined && !notDecided.ok
        ? w.t(REFUSAL_ANSWER[notDecided.code])
        : refused.length > 0
          ? w.t('notify.answer.approvedAllRefused', { approved, total, refused: refused.length })
          : w.t('notify.answer.approvedAll', { approved, total }),
    );
    const message = q.message;
    if (message === undefined || !('text' in message)) return;
    const line = w.t('notify.decided.approvedAll', {
      who: pressedBy(q.from),
      approved,
      total,
      time: this.time(now),
    });
    this.o.send(
      chat,
      editMessage(message.message_id, [`${message.text ?? ''}\n`, line, ...refused].join('\n')),
    );
  }

  /** An approved ban through the guardrails now: why they refuse it, in the chat's words, or null. */
  private async refusalOf(approval: StoredApproval, w: Wording): Promise<string | null> {
    const r = await screenApproved(this.o.approvals, this.o.guardrails, approval, this.o.clock());
    return r === null ? null : renderGuardMessage(r.message, w.t);
  }

  private outcome(a: StoredApproval, w: Wording): string | null {
    const time = this.time(a.decidedAt ?? a.expiresAt);
    const who = `${displayUser(a.decidedBy ?? '?')} (${a.channel ?? '?'})`;
    switch (a.status) {
      case 'approved':
        return w.t('notify.decided.approved', { who, time });
      case 'denied':
        return w.t('notify.decided.denied', { who, time });
      case 'expired':
        return w.t('notify.decided.expired', { time });
      case 'refused':
        return w.t('notify.decided.refused', { time });
      default:
        return null;
    }
  }

  private async answer(ctx: Context, text: string): Promise<void> {
    try {
      await ctx.answerCallbackQuery({ text });
    } catch (err) {
      // The press was handled; only the toast is lost (a query older than 15 s cannot be answered).
      this.o.logger.warn(
        { event: 'telegram_answer_failed', error: (err as Error).message },
        'a button press could not be answered',
      );
    }
  }
}

/** Who pressed a button, as the card says it: the name they chose is untrusted text. */
function pressedBy(from: { id: number; username?: string; first_name: string }): string {
  return `${displayUser(from.username ? `@${from.username}` : from.first_name)} (${from.id})`;
}
