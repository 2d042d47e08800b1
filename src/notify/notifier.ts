/**
 * The Notifier interface: where alerts go (the terminal, Telegram, webhooks).
 * Every alert the daemon raises reaches every notifier; each channel words it
 * from the i18n catalogs, one formatter per kind (notify/alert-text.ts).
 * To add a kind: add it to `Alert`, to ALERT_EVENTS (notify/config.ts) and a
 * formatter; the compiler lists the places that need it.
 */
import type { StatusLevel } from '../domain.js';
import type { ServerStatus } from '../incidents/status.js';
import type { BanTarget, Finding } from '../domain.js';
import type { DailyReport } from '../report/model.js';
import type { BreakerState } from '../respond/breaker.js';
import type { ResponseAlert } from '../respond/responder.js';

export interface FindingAlert {
  type: 'finding';
  /** At the hub, with the fleet's hosts it was seen on (`hosts`). */
  finding: Finding;
}

/** A fleet decision's ban as the sensors confirmed it (at the hub): never before they did. */
export interface FleetBanAlert {
  type: 'fleet-ban';
  target: BanTarget;
  /** Hosts that confirmed the ban in force, of the hosts in the decision's scope. */
  applied: number;
  of: number;
  /** Hosts that refused (a guardrail) or failed (their firewall), with why. */
  problems: { host: string; outcome: 'refused' | 'failed'; reason: string }[];
}

/** Automatic bans stopped: more than the allowed number in a minute. */
export interface BreakerAlert {
  type: 'breaker';
  state: BreakerState;
}

/** The daily report (report/service.ts): quiet news, never folded into a digest. */
export interface ReportAlert {
  type: 'report';
  report: DailyReport;
}

/** The server's status level changed (정상/주의/위험); `status` is the new one with its reasons. */
export interface StatusAlert {
  type: 'status';
  status: ServerStatus;
  previous: StatusLevel;
}

export type Alert =
  FindingAlert | ResponseAlert | BreakerAlert | ReportAlert | StatusAlert | FleetBanAlert;
export type AlertType = Alert['type'];

/** The kinds the responder does not raise: the compiler asks for a new one here. */
const NOT_RESPONSES: Record<Exclude<AlertType, ResponseAlert['type']>, true> = {
  finding: true,
  breaker: true,
  'fleet-ban': true,
  report: true,
  status: true,
};

/** Whether the responder raised `alert` (an approval asked for, a ban, a refusal…). */
export function isResponseAlert(alert: Alert): alert is ResponseAlert {
  return !Object.hasOwn(NOT_RESPONSES, alert.type);
}

/**
 * - `send` MUST NOT throw for delivery problems it can retry itself; it rejects only when the
 *   alert can never be delivered (a permanent error), and the caller logs that.
 * - Alert texts come from the i18n catalogs; log-derived values inside them are plain text.
 */
export interface Notifier {
  readonly id: string;
  send(alert: Alert): Promise<void>;
}
