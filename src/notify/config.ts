/**
 * The `notify:` section of sheriff.yaml: Telegram, webhooks, and how a flood
 * of alerts is grouped. Secrets (the bot token, a webhook's signing key or a
 * URL that carries a credential) come from the environment or a 0600 file,
 * never from this file.
 */
import { z } from 'zod';
import { duration } from '../config/duration-schema.js';

/** A Telegram chat or user id: a number (groups are negative), kept as its decimal text. */
const telegramId = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const id = String(v);
  if (/^-?\d{1,20}$/.test(id)) return id;
  ctx.addIssue({ code: 'custom', message: 'config.error.telegramId' });
  return z.NEVER;
});

const lang = z.enum(['ko', 'en']);

export const ALERT_EVENTS = [
  'finding',
  'approval',
  'approval-expired',
  'banned',
  'ban-failed',
  'refused',
  'unbanned',
  'not-effective',
  'isolated',
  'released',
  'breaker',
  'fleet-ban',
  'report',
  'status',
] as const;

const telegramSchema = z
  .strictObject({
    tokenFile: z
      .string()
      .optional()
      .describe('file (mode 0600) holding the bot token; default: env SHERIFF_TELEGRAM_TOKEN'),
    chats: z
      .array(telegramId)
      .min(1, { error: 'config.error.noChats' })
      .describe('chat ids that receive alerts and whose commands are obeyed'),
    users: z
      .array(telegramId)
      .default([])
      .describe('user ids who may use commands and decide approvals (empty: alerts only)'),
    apiRoot: z
      .url()
      .default('https://api.telegram.org')
      .transform((u) => u.replace(/\/+$/, ''))
      .describe('Bot API server (a local Bot API server or a test double)'),
    mode: z
      .enum(['polling', 'webhook'])
      .default('polling')
      .describe('polling: getUpdates (no open port); webhook: Telegram calls webhook.url'),
    webhook: z
      .strictObject({
        url: z.url().describe('public HTTPS URL that reaches webhook.listen'),
        host: z.string().default('127.0.0.1').describe('address to listen on'),
        port: z.number().int().min(1).max(65535).default(8443),
      })
      .optional(),
    language: lang.optional().describe('default language of these chats (default: language)'),
  })
  .refine((t) => t.mode !== 'webhook' || t.webhook !== undefined, {
    error: 'config.error.webhookUrl',
    path: ['webhook'],
  });

const webhookSchema = z
  .strictObject({
    type: z
      .enum(['slack', 'discord', 'generic'])
      .describe('slack: {text}; discord: {content}; generic: signed JSON'),
    url: z.url().optional().describe('where to POST (or urlFile, when the URL is a credential)'),
    urlFile: z.string().optional().describe('file (mode 0600) holding the URL'),
    secretFile: z
      .string()
      .optional()
      .describe(
        'generic: file (mode 0600) with the HMAC key; default env SHERIFF_WEBHOOK_<NAME>_SECRET',
      ),
    events: z.array(z.enum(ALERT_EVENTS)).optional().describe('which alerts (default: all)'),
    language: lang.optional(),
  })
  .refine((w) => (w.url === undefined) !== (w.urlFile === undefined), {
    error: 'config.error.urlOrFile',
    path: ['url'],
  });

export const notifySchema = z
  .strictObject({
    digest: z
      .strictObject({
        window: duration('1m').default(60_000).describe('rate-limit window per chat or webhook'),
        maxPerWindow: z
          .number()
          .int()
          .min(1)
          .default(20)
          .describe('alerts sent per window; the rest become one digest message'),
        perAddress: duration('10m')
          .default(10 * 60_000)
          .describe('at most one finding alert per address in this window'),
      })
      .prefault({}),
    retry: z
      .strictObject({
        min: duration('1s').default(1000).describe('first retry delay, doubled each time'),
        max: duration('10m').default(10 * 60_000),
        giveUpAfter: duration('1d')
          .default(86_400_000)
          .describe('a message still undelivered after this is given up (and logged)'),
      })
      .prefault({}),
    telegram: telegramSchema.optional(),
    webhooks: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), webhookSchema).default({}),
  })
  .prefault({});

export type NotifyConfig = z.output<typeof notifySchema>;
export type TelegramConfig = z.output<typeof telegramSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/** Whether any channel is configured (else the daemon needs no notification service). */
export function notifyConfigured(config: NotifyConfig): boolean {
  return config.telegram !== undefined || Object.keys(config.webhooks).length > 0;
}
