/**
 * Webhooks: Slack-compatible (`{text}`), Discord-compatible (`{content}`) and
 * a generic JSON payload signed with HMAC-SHA256:
 *
 *   X-Sheriff-Timestamp: <unix seconds>
 *   X-Sheriff-Signature: sha256=<hex HMAC-SHA256(key, timestamp + "." + body)>
 *
 * The receiver recomputes the MAC over the raw body and refuses old
 * timestamps, so a captured request cannot be replayed later. The timestamp is
 * the time of sending (each retry signs anew).
 */
import { createHmac } from 'node:crypto';
import type { Millis } from '../domain.js';
import { retryAfterMs } from '../net/retry.js';
import {
  deliverWithRetry,
  INLINE_RETRY,
  type ChannelAttempt,
  type DeliveryOutcome,
  type InlineRetry,
  type Transport,
} from './delivery.js';

export type WebhookType = 'slack' | 'discord' | 'generic';

export interface WebhookEndpoint {
  type: WebhookType;
  url: string;
  /** The HMAC key of a generic webhook. */
  secret: string | null;
}

/** Slack and Discord limits on one message's text. */
const SLACK_MAX = 3000;
const DISCORD_MAX = 2000;

/** The JSON body a webhook of `type` receives for one alert. */
export function webhookBody(
  type: WebhookType,
  text: string,
  event: { kind: string; loudness: string; time: Millis; data: unknown },
): unknown {
  switch (type) {
    case 'slack':
      return { text: cut(slackEscape(text), SLACK_MAX) };
    case 'discord':
      // No mentions from alert text: a crafted user name must not ping @everyone.
      return { content: cut(discordEscape(text), DISCORD_MAX), allowed_mentions: { parse: [] } };
    case 'generic':
      return {
        source: 'sheriff',
        kind: event.kind,
        loudness: event.loudness,
        time: new Date(event.time).toISOString(),
        text,
        data: event.data,
      };
  }
}

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookTransport implements Transport {
  readonly channel = 'webhook';

  /** `endpoints` by configured name: the outbox stores the name, never the URL. */
  constructor(
    private readonly endpoints: ReadonlyMap<string, WebhookEndpoint>,
    private readonly clock: () => Millis,
    private readonly timeoutMs = 10_000,
    private readonly retry: InlineRetry = INLINE_RETRY,
  ) {}

  async deliver(target: string, payload: unknown): Promise<DeliveryOutcome> {
    const endpoint = this.endpoints.get(target);
    if (endpoint === undefined)
      return { ok: false, permanent: true, error: `no webhook named "${target}" is configured` };
    const body = JSON.stringify(payload);
    return deliverWithRetry(() => this.post(target, endpoint, body), this.retry);
  }

  /** One POST; each try signs anew, so its timestamp is the time of sending. */
  private async post(
    target: string,
    endpoint: WebhookEndpoint,
    body: string,
  ): Promise<ChannelAttempt> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sheriff',
    };
    if (endpoint.secret !== null) {
      const timestamp = String(Math.floor(this.clock() / 1000));
      headers['x-sheriff-timestamp'] = timestamp;
      headers['x-sheriff-signature'] = signature(endpoint.secret, timestamp, body);
    }
    let res: Response;
    try {
      res = await fetch(endpoint.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // The URL may carry a credential (Slack, Discord): the error names the webhook only.
      const error = `webhook ${target}: ${causeOf(err)}`;
      return { ok: false, status: null, retryAfterMs: null, failure: { error } };
    }
    await res.body?.cancel().catch(() => {});
    if (res.ok) return { ok: true, value: undefined };
    return {
      ok: false,
      status: res.status,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after'), this.clock()),
      failure: { error: `webhook ${target}: HTTP ${res.status}` },
    };
  }
}

/**
 * Slack reads `<!channel>`, `<@U123>` and `<https://x|label>` in text: escaped as Slack asks,
 * a crafted user name can neither ping a channel nor hide a link.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Discord markdown: escaped, a crafted user name cannot make a masked link or hide text. */
export function discordEscape(text: string): string {
  return text.replace(/[\\*_~`|[\]<>]/g, '\\$&');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return (err as Error).name === 'TimeoutError' ? 'timed out' : 'request failed';
}
