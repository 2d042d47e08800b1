/**
 * The notifier behind Telegram and the webhooks: each alert is worded per
 * destination (its language), passed through the digest throttle and written
 * to the outbox; the delivery worker sends it. `send` never waits for the
 * network, so a slow Telegram never slows detection.
 */
import type { Millis } from '../domain.js';
import { formatDuration } from '../config/duration.js';
import type { Logger } from '../log.js';
import type { OutboxStore } from '../store/index.js';
import { alertText, loudness, type Wording } from './alert-text.js';
import type { AlertEvent } from './config.js';
import { DigestThrottle, type Digest, type DigestSettings } from './digest.js';
import type { Alert, Notifier } from './notifier.js';
import { sendMessage, type ApproveAll } from './telegram/cards.js';
import { webhookBody, type WebhookType } from './webhook.js';

/** Where alerts go: one chat, or one webhook. */
export interface Destination {
  readonly channel: string;
  readonly target: string;
  accepts(alert: Alert): boolean;
  wording(): Wording;
  payload(alert: Alert, text: string, w: Wording): unknown;
  /** `pending`: the approvals waiting when the digest was made, if any. */
  digestPayload(text: string, w: Wording, pending: ApproveAll | null): unknown;
}

export interface OutboxNotifierOptions {
  outbox: OutboxStore;
  destinations: readonly Destination[];
  digest: DigestSettings;
  clock: () => Millis;
  logger: Logger;
  /** Called after something was queued (the delivery worker drains at once). */
  queued: () => void;
  /** The approvals waiting for a decision, for a digest to offer "approve all". */
  pending?: () => Promise<ApproveAll | null>;
}

export class OutboxNotifier implements Notifier {
  readonly id = 'outbox';
  private readonly throttle: DigestThrottle;

  constructor(private readonly o: OutboxNotifierOptions) {
    this.throttle = new DigestThrottle(o.digest, o.clock);
  }

  send(alert: Alert): Promise<void> {
    let queued = false;
    for (const d of this.o.destinations) {
      if (!d.accepts(alert) || !this.throttle.admit(key(d), alert)) continue;
      const w = d.wording();
      queued = this.enqueue(d, d.payload(alert, alertText(alert, w), w)) || queued;
    }
    if (queued) this.o.queued();
    return Promise.resolve();
  }

  /** Queues the digests of windows that have ended. Call it every few seconds. */
  async flushDigests(): Promise<void> {
    let queued = false;
    const digests = this.throttle.flush();
    if (digests.length === 0) return;
    const pending = await this.pending();
    for (const digest of digests) {
      const d = this.o.destinations.find((x) => key(x) === digest.destination);
      if (d === undefined) continue;
      const w = d.wording();
      queued =
        this.enqueue(d, d.digestPayload(digestText(digest, w, pending), w, pending)) || queued;
    }
    if (queued) this.o.queued();
  }

  /** The approvals waiting, for the digest's "approve all"; none when they cannot be read. */
  private async pending(): Promise<ApproveAll | null> {
    try {
      return (await this.o.pending?.()) ?? null;
    } catch (err) {
      this.o.logger.error({ event: 'pending_unreadable', err }, 'pending approvals unreadable');
      return null;
    }
  }

  private enqueue(d: Destination, payload: unknown): boolean {
    try {
      this.o.outbox.enqueue(d.channel, d.target, payload, this.o.clock());
      return true;
    } catch (err) {
      this.o.logger.error(
        { event: 'notification_not_queued', channel: d.channel, err },
        'a notification could not be written to the outbox',
      );
      return false;
    }
  }
}

function key(d: Destination): string {
  return `${d.channel}:${d.target}`;
}

export function digestText(d: Digest, w: Wording, pending: ApproveAll | null = null): string {
  const lines = [...d.byKind].map(([kind, n]) => `• ${w.t(kind)} ×${n}`);
  if (d.addresses.length > 0)
    lines.push(w.t('notify.digest.addresses', { addresses: d.addresses.join(', ') }));
  if (pending !== null) lines.push(w.t('notify.digest.pending', { count: pending.count }));
  return w.t('notify.digest', {
    count: d.count,
    window: formatDuration(d.windowMs),
    summary: lines.join('\n'),
  });
}

/** A Telegram chat: plain text, buttons on a pending approval, silent when the news is quiet. */
export function telegramDestination(
  chat: string,
  wording: () => Wording,
  events?: readonly AlertEvent[],
): Destination {
  return {
    channel: 'telegram',
    target: chat,
    accepts: (a) => events === undefined || events.includes(a.type),
    wording,
    payload: (alert, text, w) =>
      sendMessage(text, {
        loudness: loudness(alert),
        ...(alert.type === 'approval' && alert.approval.status === 'pending'
          ? { approvalId: alert.approval.id, t: w.t }
          : {}),
      }),
    digestPayload: (text, w, pending) =>
      sendMessage(text, {
        loudness: 'quiet',
        ...(pending === null ? {} : { approveAll: pending, t: w.t }),
      }),
  };
}

export function webhookDestination(
  name: string,
  type: WebhookType,
  wording: () => Wording,
  clock: () => Millis,
  events?: readonly AlertEvent[],
): Destination {
  const body = (kind: string, level: string, text: string, data: unknown) =>
    webhookBody(type, text, { kind, loudness: level, time: clock(), data });
  return {
    channel: 'webhook',
    target: name,
    accepts: (a) => events === undefined || events.includes(a.type),
    wording,
    payload: (alert, text) => body(alert.type, loudness(alert), text, alertData(alert)),
    digestPayload: (text) => body('digest', 'quiet', text, null),
  };
}

/** The alert as data for a generic webhook, without the approval's MAC. */
function alertData(alert: Alert): unknown {
  return JSON.parse(JSON.stringify(alert, (k, v: unknown) => (k === 'mac' ? undefined : v)));
}
