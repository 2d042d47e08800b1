/**
 * What the responder did, as timeline entries of the attacker's incident: an
 * approval requested, a ban applied or lifted, a request refused. Isolation and
 * the breaker concern the whole host, not one attacker, and stay off timelines.
 */
import type { Millis } from '../domain.js';
import type { ResponseAlert } from '../respond/responder.js';
import type { NewTimelineEntry } from '../store/index.js';

export function timelineEntryOf(
  alert: ResponseAlert,
  now: Millis,
): { target: string; entry: NewTimelineEntry } | null {
  switch (alert.type) {
    case 'approval': {
      const a = alert.approval;
      if (a.target === null) return null;
      return {
        target: a.target.cidr,
        entry: {
          time: now,
          kind: 'approval',
          actor: a.requestedBy,
          ref: a.id,
          detail: { action: a.action, cidr: a.target.cidr, durationMs: a.durationMs },
        },
      };
    }
    case 'banned':
      return {
        target: alert.ban.target.cidr,
        entry: {
          time: now,
          kind: 'ban',
          actor: alert.ban.requestedBy,
          refId: alert.ban.id,
          ref: alert.ban.approvalId,
          detail: { cidr: alert.ban.target.cidr, expiresAt: alert.ban.expiresAt },
        },
      };
    case 'unbanned':
      return {
        target: alert.target.cidr,
        entry: {
          time: now,
          kind: 'unban',
          actor: 'responder',
          detail: { cidr: alert.target.cidr, reason: alert.reason },
        },
      };
    case 'refused':
      return {
        target: alert.target.cidr,
        entry: {
          time: now,
          kind: 'refused',
          actor: 'guardrails',
          detail: { cidr: alert.target.cidr, reason: alert.reason },
        },
      };
    default:
      return null;
  }
}
