/**
 * Every alert kind in words, one formatter per kind, for every channel. Values
 * that came from logs or from the responder are plain text here; a channel that
 * uses markup must escape them (Telegram and the webhooks here send plain text).
 */
import { levelText, statusReasonText } from '../incidents/format.js';
import type { BanTarget, FindingKind, Millis } from '../domain.js';
import { formatDuration } from '../config/duration.js';
import type { MessageKey, Translate } from '../i18n/index.js';
import { reportText } from '../report/text.js';
import { isRecidive } from '../respond/recidive.js';
import { reasonText, requesterText } from '../respond/reasons.js';
import type { StoredApproval } from '../store/index.js';
import { findingText } from './format.js';
import type { Alert, AlertType } from './notifier.js';

/** How a channel renders one alert: the language and how times read. */
export interface Wording {
  t: Translate;
  time: (t: Millis) => string;
}

/** Loud: a break-in or a stopped defence; the phone must ring. Quiet: news that needs no action. */
export type Loudness = 'loud' | 'normal' | 'quiet';

type Formatters = { [K in AlertType]: (a: Extract<Alert, { type: K }>, w: Wording) => string };

const FORMATTERS: Formatters = {
  finding: (a, w) => findingText(a.finding, w.t),
  'fleet-ban': (a, w) =>
    [
      w.t('notify.fleetBan', { target: targetText(a.target), applied: a.applied, of: a.of }),
      ...a.problems.map((p) =>
        w.t(p.outcome === 'refused' ? 'notify.fleetBan.refused' : 'notify.fleetBan.failed', {
          host: p.host,
          reason: p.reason,
        }),
      ),
      ...(a.of - a.applied - a.problems.length > 0
        ? [w.t('notify.fleetBan.silent', { count: a.of - a.applied - a.problems.length })]
        : []),
    ].join('\n'),
  approval: (a, w) =>
    [
      ...(a.finding === null ? [] : [findingText(a.finding, w.t)]),
      approvalQuestion(a.approval, w),
      w.t('notify.approval.footer', {
        by: requesterText(a.approval.requestedBy, w.t),
        id: a.approval.id,
        expires: w.time(a.approval.expiresAt),
      }),
    ].join('\n'),
  'approval-expired': (a, w) =>
    [
      w.t('notify.approvalExpired', {
        id: a.approval.id,
        time: w.time(a.approval.decidedAt ?? a.approval.expiresAt),
        question: approvalQuestion(a.approval, w),
      }),
      ...(a.approval.action === 'ban' &&
      a.approval.target !== null &&
      a.approval.requestedBy.startsWith('jail:')
        ? [w.t('notify.approvalExpired.again', { target: targetText(a.approval.target) })]
        : []),
    ].join('\n'),
  // A dry-run "ban" blocks nothing and must never read as protection. A repeat
  // offender's long ban says why it is long.
  banned: (a, w) =>
    isRecidive(a.ban.reason)
      ? `${bannedText(a, w)}\n${reasonText(a.ban.reason, w.t)}`
      : bannedText(a, w),
  'ban-failed': (a, w) =>
    w.t('notify.banFailed', { target: targetText(a.target), error: a.error.slice(0, 300) }),
  refused: (a, w) => w.t('notify.refused', { target: targetText(a.target), reason: a.reason }),
  unbanned: (a, w) =>
    a.reason === 'expired'
      ? w.t('notify.unbannedExpired', { target: targetText(a.target) })
      : w.t('notify.unbanned', { target: targetText(a.target), reason: reasonText(a.reason, w.t) }),
  'not-effective': (a, w) =>
    w.t('notify.notEffective', { target: targetText(a.ban.target), failures: a.failures }),
  isolated: (a, w) =>
    !a.enforced
      ? w.t('notify.isolatedDryRun')
      : a.state.revertAt === null
        ? w.t('notify.isolatedConfirmed')
        : w.t('notify.isolated', { revert: w.time(a.state.revertAt) }),
  released: (a, w) => w.t('notify.released', { reason: reasonText(a.reason, w.t) }),
  breaker: (a, w) =>
    w.t('notify.breaker', {
      max: a.state.maxPerMinute,
      until: a.state.resumesAt === null ? '—' : w.time(a.state.resumesAt),
    }),
  // Times in the report read in the zone it was made in, whatever the channel's.
  report: (a, w) => reportText(a.report, w.t),
  status: (a, w) =>
    [
      w.t('notify.statusChanged', {
        level: levelText(a.status.level, w.t),
        previous: levelText(a.previous, w.t),
      }),
      ...a.status.reasons.map((r) => `- ${statusReasonText(r, w.t)}`),
    ].join('\n'),
};

export function alertText(alert: Alert, w: Wording): string {
  const format = FORMATTERS[alert.type] as (a: Alert, w: Wording) => string;
  return format(alert, w);
}

export function loudness(alert: Alert): Loudness {
  switch (alert.type) {
    case 'finding':
      return isBreakIn(alert.finding.kind) ? 'loud' : 'quiet';
    case 'breaker':
    case 'not-effective':
    case 'isolated':
    case 'ban-failed':
      return 'loud';
    case 'approval':
    case 'approval-expired':
      return 'normal';
    case 'fleet-ban':
      // Some host is not protected: someone should look.
      return alert.problems.length > 0 ? 'normal' : 'quiet';
    case 'report':
      return 'quiet';
    case 'status':
      // Turning to danger rings; improving is news that needs no action.
      return alert.status.level === 'danger'
        ? 'loud'
        : alert.status.level === 'caution'
          ? 'normal'
          : 'quiet';
    default:
      return 'quiet';
  }
}

/** The address an alert is about, for "one alert per address per window"; null: never merged. */
export function addressOf(alert: Alert): string | null {
  if (alert.type === 'finding' && !isBreakIn(alert.finding.kind)) return alert.finding.ip;
  return null;
}

/** A login after failures, from outside or inside: rings, and is never merged into a digest. */
function isBreakIn(kind: FindingKind): boolean {
  return kind === 'compromise' || kind === 'internal-compromise';
}

/** The name of an alert's kind in a digest ("brute force ×12"). */
export function kindKey(alert: Alert): MessageKey {
  if (alert.type === 'finding') return `notify.kind.${alert.finding.kind}`;
  if (alert.type === 'banned' && !alert.ban.enforced) return 'notify.kind.bannedDryRun';
  return alert.type === 'report' ? 'report.kind' : `notify.kind.${alert.type}`;
}

/** A single address shows without its /32 or /128. */
export function targetText(target: BanTarget): string {
  const [ip, bits] = target.cidr.split('/');
  return (target.family === 4 && bits === '32') || (target.family === 6 && bits === '128')
    ? ip!
    : target.cidr;
}

function approvalQuestion(a: StoredApproval, w: Wording): string {
  const target = a.target === null ? '' : targetText(a.target);
  const reason = reasonText(a.reason, w.t);
  switch (a.action) {
    case 'ban':
      return a.durationMs === null
        ? w.t('notify.approval.banPermanent', { target, reason })
        : w.t('notify.approval.ban', { target, reason, duration: formatDuration(a.durationMs) });
    case 'unban':
      return w.t('notify.approval.unban', { target, reason });
    case 'isolate':
      return w.t('notify.approval.isolate', { reason });
    case 'release':
      return w.t('notify.approval.release', { reason });
  }
}

/** Times as the admin reads them: "2026-11-25 16:00 KST" in `zone` (default: this machine's). */
export function timeFormatter(zone?: string): (t: Millis) => string {
  const fmt = new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return (t) => fmt.format(new Date(t));
}

function bannedText(a: Extract<Alert, { type: 'banned' }>, w: Wording): string {
  return a.ban.expiresAt === null
    ? w.t(a.ban.enforced ? 'notify.bannedPermanent' : 'notify.bannedDryRunPermanent', {
        target: targetText(a.ban.target),
        by: requesterText(a.ban.requestedBy, w.t),
      })
    : w.t(a.ban.enforced ? 'notify.banned' : 'notify.bannedDryRun', {
        target: targetText(a.ban.target),
        until: w.time(a.ban.expiresAt),
        by: requesterText(a.ban.requestedBy, w.t),
      });
}
