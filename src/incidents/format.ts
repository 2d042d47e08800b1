/**
 * Incident and status wording shared by every channel (CLI, Telegram, web,
 * report). Attacker text (user names) goes through displayUser.
 */
import type { MessageKey, Translate } from '../i18n/index.js';
import { formatDuration } from '../config/duration.js';
import type { TimeZone } from '../parse/zone.js';
import type { Incident, TimelineEntry } from '../domain.js';
import type { HostActivity } from '../store/activity.js';
import type { ServerStatus, StatusReason } from './status.js';
import { COMPROMISE_MIN_FAILURES, COMPROMISE_WINDOW_MS } from './triage.js';

const MAX_USER_LENGTH = 32;

/**
 * A user name as safe display text: no control characters, bounded, quoted.
 * User names are attacker-controlled; every channel shows them through this.
 */
export function displayUser(user: string): string {
  const clean = user.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    '?',
  );
  return JSON.stringify(
    clean.length > MAX_USER_LENGTH ? `${clean.slice(0, MAX_USER_LENGTH)}…` : clean,
  );
}

/** 정상 / 주의 / 위험 with an emoji, for message headers. */
export function levelText(level: ServerStatus['level'], t: Translate): string {
  const icon = level === 'danger' ? '🔴' : level === 'caution' ? '🟡' : '🟢';
  return `${icon} ${t(`level.${level}`)}`;
}

export function statusReasonText(r: StatusReason, t: Translate): string {
  return t(`level.reason.${r.code}`, r.params);
}

/** "Status: 🔴 Danger" then one reason per line. */
export function statusText(s: ServerStatus, t: Translate): string {
  return [
    t('incidents.header', { level: levelText(s.level, t) }),
    ...s.reasons.map((r) => `- ${statusReasonText(r, t)}`),
  ].join('\n');
}

/** A triage reason code in words; unknown codes (from a newer version, the agent) stay codes. */
export function triageReasonText(code: string, t: Translate): string {
  const key = `triage.reason.${code}`;
  const hours = COMPROMISE_WINDOW_MS / 3_600_000;
  return isKey(key, t) ? t(key, { min: COMPROMISE_MIN_FAILURES, hours }) : code;
}

function isKey(key: string, t: Translate): key is MessageKey {
  return t(key as MessageKey) !== undefined;
}

/** Country and AS of the attacker, when known: "KR, AS64500 Example Net". */
export function whereText(i: Pick<Incident, 'enrichment'>): string | null {
  const e = i.enrichment;
  if (e === null) return null;
  const parts: string[] = [];
  if (e.country !== null) parts.push(e.country);
  if (e.asn !== null) parts.push(`AS${e.asn}${e.asOrg === null ? '' : ` ${e.asOrg}`}`);
  if (e.blocklists.length > 0) parts.push(e.blocklists.join(', '));
  return parts.length === 0 ? null : parts.join(', ');
}

/** One line per incident: "#12 203.0.113.5  malicious/critical  triaged  2026-…  bruteforce, compromise". */
export function incidentLine(i: Incident, t: Translate, zone: TimeZone): string {
  const verdict =
    i.verdict === null
      ? t('verdict.none')
      : `${t(`verdict.${i.verdict}`)}/${t(`severity.${i.severity ?? 'low'}`)}`;
  const where = whereText(i);
  return [
    `#${i.id}`.padEnd(6),
    i.attacker.padEnd(22),
    verdict.padEnd(20),
    t(`incident.state.${i.state}`).padEnd(9),
    zone.readable(i.lastSeen),
    ` ${i.kinds.join(', ')}`,
    where === null ? '' : `  (${where})`,
  ].join(' ');
}

/** The full incident, for `sheriff incident ID` and chat. */
export function incidentText(
  i: Incident & { timeline: TimelineEntry[] },
  t: Translate,
  zone: TimeZone,
  /** At the fleet's hub: the attacker on each host (fleet/cross-host.ts incidentHosts). */
  hosts: readonly HostActivity[] = [],
): string {
  const lines = [
    t('incident.title', { id: i.id, attacker: i.attacker, state: t(`incident.state.${i.state}`) }),
  ];
  const shown = i.admin ?? i.rules;
  if (shown === null || i.verdict === null) lines.push(t('incident.noVerdict'));
  else {
    lines.push(
      t('incident.verdict', {
        verdict: t(`verdict.${i.verdict}`),
        severity: t(`severity.${i.severity ?? shown.severity}`),
        confidence: Math.round(shown.confidence * 100),
        by: shown.actor,
      }),
    );
    lines.push(t('incident.reasons'), ...shown.reasons.map((c) => `  - ${triageReasonText(c, t)}`));
    if (shown.evidence.length > 0)
      lines.push(t('incident.evidence', { ids: shortList(shown.evidence.map(String), 20) }));
  }
  lines.push(t('incident.kinds', { kinds: i.kinds.join(', ') }));
  lines.push(
    t('incident.seen', {
      first: zone.readable(i.firstSeen),
      last: zone.readable(i.lastSeen),
      failures: i.failures,
      successes: i.successes,
    }),
  );
  if (i.users.length > 0)
    lines.push(t('incident.users', { users: shortList(i.users.map(displayUser), 10) }));
  const where = whereText(i);
  if (where !== null) lines.push(t('incident.where', { where }));
  if (i.agent?.narrative) lines.push(t('incident.agent', { narrative: i.agent.narrative }));
  if (hosts.length > 0) lines.push(t('incident.hosts', { count: hosts.length }));
  for (const h of hosts)
    lines.push(
      t('incident.host', {
        host: h.host,
        failures: h.failures,
        successes: h.successes,
        first: zone.readable(h.first),
        last: zone.readable(h.last),
      }),
    );
  lines.push(t('incident.timeline'));
  for (const e of i.timeline) lines.push(`  ${zone.readable(e.time)}  ${timelineText(e, t, zone)}`);
  return lines.join('\n');
}

/** A verdict or severity code in words; an unknown one (a newer version's) stays a code. */
function wordOf(kind: 'verdict' | 'severity', code: unknown, t: Translate): string {
  const key = `${kind}.${String(code)}`;
  return isKey(key, t) ? t(key) : String(code);
}

/** A detail value as people read it: times in the zone, durations as 10m, the rest as is. */
function detailValue(key: string, v: string | number, zone: TimeZone): string {
  if (typeof v !== 'number') return v;
  if (key === 'first' || key === 'last' || key.endsWith('At')) return zone.readable(v);
  if (key.endsWith('Ms')) return formatDuration(v);
  return String(v);
}

function timelineText(e: TimelineEntry, t: Translate, zone: TimeZone): string {
  const d = e.detail;
  const ref = e.refId === null ? (e.ref === null ? '' : ` ${e.ref}`) : ` #${e.refId}`;
  const summary =
    e.kind === 'note'
      ? JSON.stringify(typeof d.text === 'string' ? d.text : '')
      : e.kind === 'triage'
        ? `${String(d.by)}: ${wordOf('verdict', d.verdict, t)} ${wordOf('severity', d.severity, t)}`
        : Object.entries(d)
            .filter((kv): kv is [string, string | number] =>
              ['string', 'number'].includes(typeof kv[1]),
            )
            .map(([k, v]) => `${k}=${detailValue(k, v, zone)}`)
            .join(' ');
  return `${t(`timeline.${e.kind}`).padEnd(9)} ${e.actor}${ref}  ${summary}`;
}

function shortList(items: readonly string[], max: number): string {
  return items.slice(0, max).join(', ') + (items.length > max ? ` +${items.length - max}` : '');
}
