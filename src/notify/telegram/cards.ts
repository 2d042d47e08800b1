/**
 * Telegram messages: plain text (no parse_mode, so log-derived text can never
 * become markup), with ✅ Approve / ❌ Deny buttons on a pending approval. The
 * button's callback data is `a:<approval id>` or `d:<approval id>` (at most 18
 * bytes; Telegram allows 64). A digest with approvals waiting has ✅ Approve all:
 * `A:<ms>`, every pending approval asked for up to that time (what the digest
 * counted), not ones that arrived after it.
 */
import type { Translate } from '../../i18n/index.js';
import type { Decision } from '../../respond/approvals.js';
import type { Loudness } from '../alert-text.js';
import type { TelegramPayload } from './transport.js';

/** Telegram's limit on a message's text. */
const MAX_TEXT = 4096;

export interface Button {
  decision: Decision;
  approvalId: string;
}

export function callbackData(decision: Decision, approvalId: string): string {
  return `${decision === 'approve' ? 'a' : 'd'}:${approvalId}`;
}

/** The button behind callback data, or null for anything else (data from a client is untrusted). */
export function parseCallbackData(data: string | undefined): Button | null {
  const m = /^([ad]):([A-Za-z0-9]{1,16})$/.exec(data ?? '');
  if (m === null) return null;
  return { decision: m[1] === 'a' ? 'approve' : 'deny', approvalId: m[2]! };
}

export function approveAllData(createdUpTo: number): string {
  return `A:${Math.floor(createdUpTo)}`;
}

/** The time of an "Approve all" button, or null for anything else. */
export function parseApproveAll(data: string | undefined): number | null {
  const m = /^A:(\d{1,15})$/.exec(data ?? '');
  return m === null ? null : Number(m[1]);
}

/** What an "Approve all" button on a digest covers. */
export interface ApproveAll {
  count: number;
  createdUpTo: number;
}

export function keyboard(approvalId: string, t: Translate) {
  return {
    inline_keyboard: [
      [
        { text: t('notify.button.approve'), callback_data: callbackData('approve', approvalId) },
        { text: t('notify.button.deny'), callback_data: callbackData('deny', approvalId) },
      ],
    ],
  };
}

export function sendMessage(
  text: string,
  options: {
    loudness?: Loudness;
    approvalId?: string;
    approveAll?: ApproveAll;
    t?: Translate;
  } = {},
): TelegramPayload {
  const params: Record<string, unknown> = { text: cut(text) };
  if (options.loudness === 'quiet') params.disable_notification = true;
  if (options.approvalId !== undefined && options.t !== undefined)
    params.reply_markup = keyboard(options.approvalId, options.t);
  else if (options.approveAll !== undefined && options.t !== undefined)
    params.reply_markup = {
      inline_keyboard: [
        [
          {
            text: options.t('notify.button.approveAll', { count: options.approveAll.count }),
            callback_data: approveAllData(options.approveAll.createdUpTo),
          },
        ],
      ],
    };
  return { method: 'sendMessage', params };
}

/** Replaces a card's text and removes its buttons. */
export function editMessage(messageId: number, text: string): TelegramPayload {
  return {
    method: 'editMessageText',
    params: { message_id: messageId, text: cut(text), reply_markup: { inline_keyboard: [] } },
  };
}

function cut(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}
