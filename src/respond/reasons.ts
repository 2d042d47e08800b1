/**
 * The reasons Sheriff itself writes on a request. They are stored, signed and
 * audited as written (English, stable); a reader sees them in their language
 * through `reasonText`. A reason an admin typed is shown as typed.
 */
import type { FindingKind } from '../domain.js';
import type { MessageKey, Translate } from '../i18n/index.js';
import { RECIDIVE_REASON } from './recidive.js';

export const findingReason = (kind: FindingKind, count: number): string =>
  `${kind}: ${count} failures`;

export const lapseReason = (approvalId: string, denied: boolean): string =>
  `still failing after approval ${approvalId} ${denied ? 'was denied' : 'expired'}`;

export const analystUnbanReason = (banId: number, banReason: string): string =>
  `analyst proposal: lift ban #${banId} (${banReason.slice(0, 100)})`;

export const analystIsolateReason = (level: string): string =>
  `analyst proposal: isolate the host (status ${level})`;

/** The defaults of the CLI's and the console's own requests. */
export const DEFAULT_REASONS = {
  isolate: 'isolated by an admin',
  unban: 'unbanned by an admin',
  consoleUnban: 'unbanned from the web console',
  consoleExtend: 'extended from the web console',
} as const;

const FIXED = new Map<string, MessageKey>([
  [DEFAULT_REASONS.isolate, 'reason.isolate'],
  [DEFAULT_REASONS.unban, 'reason.unban'],
  [DEFAULT_REASONS.consoleUnban, 'reason.consoleUnban'],
  [DEFAULT_REASONS.consoleExtend, 'reason.consoleExtend'],
]);

const KINDS: Record<FindingKind, MessageKey> = {
  bruteforce: 'reason.kind.bruteforce',
  'slow-bruteforce': 'reason.kind.slow-bruteforce',
  compromise: 'reason.kind.compromise',
  'internal-bruteforce': 'reason.kind.internal-bruteforce',
  'internal-compromise': 'reason.kind.internal-compromise',
  persistent: 'reason.kind.persistent',
  stuffing: 'reason.kind.stuffing',
  distributed: 'reason.kind.distributed',
};

const isKind = (s: string): s is FindingKind => s in KINDS;

/** A stored reason in the reader's language. */
export function reasonText(reason: string, t: Translate): string {
  const fixed = FIXED.get(reason);
  if (fixed !== undefined) return t(fixed);
  let m = /^([a-z-]+): (\d+) failures$/.exec(reason);
  if (m !== null && isKind(m[1]!))
    return t('reason.finding', { kind: t(KINDS[m[1]]), count: m[2]! });
  m = RECIDIVE_REASON.exec(reason);
  if (m !== null)
    return t('reason.recidive', { count: m[1]!, within: m[2]!, reason: reasonText(m[3]!, t) });
  m = /^still failing after approval (\S+) (was denied|expired)$/.exec(reason);
  if (m !== null)
    return t(m[2] === 'expired' ? 'reason.lapse.expired' : 'reason.lapse.denied', { id: m[1]! });
  m = /^analyst proposal: lift ban #(\d+) \(([\s\S]*)\)$/.exec(reason);
  if (m !== null) return t('reason.analystUnban', { id: m[1]!, reason: reasonText(m[2]!, t) });
  m = /^analyst proposal: isolate the host \(status (normal|caution|danger)\)$/.exec(reason);
  if (m !== null)
    return t('reason.analystIsolate', {
      level: t(`level.${m[1] as 'normal' | 'caution' | 'danger'}`),
    });
  return reason;
}

const CHANNELS: Record<string, MessageKey> = {
  cli: 'requester.channel.cli',
  web: 'requester.channel.web',
  telegram: 'requester.channel.telegram',
};

/** Who asked (`jail:sshd`, `policy:auto:sshd`, `admin:cli:root`, `agent`) in the reader's language. */
export function requesterText(by: string, t: Translate): string {
  let m = /^(jail|policy:auto):(.+)$/.exec(by);
  if (m !== null) return t(m[1] === 'jail' ? 'requester.jail' : 'requester.auto', { jail: m[2]! });
  m = /^admin:(cli|web|telegram):(.+)$/.exec(by);
  if (m !== null) return t('requester.admin', { user: m[2]!, channel: t(CHANNELS[m[1]!]!) });
  return by === 'agent' ? t('requester.agent') : by;
}
