/**
 * The Notifier interface: where alerts go (the terminal now; Telegram and
 * webhooks implement the same interface).
 */
import type { Finding } from '../domain.js';

export interface FindingAlert {
  type: 'finding';
  finding: Finding;
}

export type Alert = FindingAlert;

/**
 * - `send` MUST NOT throw for delivery problems it can retry itself; it rejects only when the
 *   alert can never be delivered (a permanent error), and the caller logs that.
 * - Alert texts come from the i18n catalogs; log-derived values inside them are plain text.
 */
export interface Notifier {
  readonly id: string;
  send(alert: Alert): Promise<void>;
}
