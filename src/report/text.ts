/**
 * A daily report in words, for every channel (terminal, Telegram, webhooks,
 * the web console). Plain text: user and process names are quoted and capped
 * (displayUser), never markup. Long lists are cut with "+N more", shorter
 * until the text fits one Telegram message (4096 characters); the stored JSON
 * (`sheriff report --json`, webhooks' data) keeps everything.
 */
import type { Millis } from '../domain.js';
import { displayUser, statusText, whereText } from '../incidents/format.js';
import type { Translate } from '../i18n/index.js';
import { TimeZone, TimeZoneError } from '../parse/zone.js';
// Types only: the zod schema in model.ts stays out of every alert's path.
import type { DailyReport, ReportCounts, ReportLogin, ReportPort, ReportSession } from './model.js';

const MAX_TEXT = 4000;

/**
 * Nothing to tell: no failure, login, ban, incident or port change, nobody
 * logged in, status normal. Such a report reads as one line.
 */
export function isQuiet(r: DailyReport): boolean {
  const { day } = r;
  return (
    r.status.level === 'normal' &&
    day.failures + day.attackers + day.bans + day.incidents + r.logins.total === 0 &&
    (r.ports === null || r.ports.appeared.length + r.ports.vanished.length === 0) &&
    (r.sessions === null || r.sessions.length === 0)
  );
}

/** How many lines of each list are shown; tried in order until the text fits MAX_TEXT. */
interface Caps {
  attackers: number;
  logins: number;
  ports: number;
  sessions: number;
}
const CAPS: readonly Caps[] = [
  { attackers: 20, logins: 25, ports: 15, sessions: 10 },
  { attackers: 10, logins: 10, ports: 5, sessions: 5 },
  { attackers: 3, logins: 3, ports: 2, sessions: 2 },
];

/** The report's text in `t`'s language, with times in `zone` (default: the zone it was made in). */
export function reportText(r: DailyReport, t: Translate, zone: TimeZone = zoneOf(r)): string {
  if (isQuiet(r)) return t('report.quiet', { date: r.date });
  let text = '';
  for (const caps of CAPS) {
    text = render(r, t, zone, caps);
    if (text.length <= MAX_TEXT) break;
  }
  return text;
}

function render(r: DailyReport, t: Translate, zone: TimeZone, caps: Caps): string {
  const at = (ms: Millis) => zone.format(ms).slice(5, 16).replace('T', ' '); // 11-25 09:00
  const sections = [
    [t('report.title', { date: r.date, from: at(r.from), to: at(r.to), zone: zone.name })],
    [statusText(r.status, t)],
    countsLines(r.day, r.dayBefore, t),
    attackerLines(r, t, caps.attackers),
    loginLines(r, t, at, caps.logins),
    portLines(r.ports, t, caps.ports),
    sessionLines(r.sessions, t, caps.sessions),
    r.commentary === null ? [] : [t('report.commentary', { text: r.commentary.text })],
  ];
  return sections
    .filter((s) => s.length > 0)
    .map((s) => s.join('\n'))
    .join('\n\n');
}

function zoneOf(r: DailyReport): TimeZone {
  try {
    return new TimeZone(r.timezone);
  } catch (err) {
    // A zone this machine's Intl does not know (a report copied from elsewhere).
    if (err instanceof TimeZoneError) return new TimeZone('UTC');
    throw err;
  }
}

function countsLines(day: ReportCounts, before: ReportCounts, t: Translate): string[] {
  const line = (key: 'failures' | 'attackers' | 'bans' | 'incidents') =>
    t(`report.count.${key}`, {
      count: day[key],
      before: before[key],
      change: change(day[key] - before[key], t),
    });
  const dry = day.bansNotEnforced ?? 0;
  return [
    t('report.counts'),
    line('failures'),
    line('attackers'),
    line('bans'),
    // A ban that blocked nothing is never counted as protection without saying so.
    ...(dry > 0 ? [t('report.count.bansNotEnforced', { count: dry })] : []),
    line('incidents'),
  ];
}

function change(delta: number, t: Translate): string {
  if (delta === 0) return t('report.change.same');
  return delta > 0 ? `+${delta}` : `−${-delta}`;
}

function attackerLines(r: DailyReport, t: Translate, cap: number): string[] {
  if (r.topAttackers.length === 0) return [];
  return [
    t('report.attackers'),
    ...r.topAttackers.slice(0, cap).map((a, i) => {
      const where = a.enrichment === null ? null : whereText({ enrichment: a.enrichment });
      const line = t('report.attacker', {
        n: i + 1,
        ip: a.ip,
        failures: a.failures,
        users: a.users,
      });
      return where === null ? line : `${line} (${where})`;
    }),
    ...more(r.topAttackers.length - cap, t),
  ];
}

function loginLines(
  r: DailyReport,
  t: Translate,
  at: (ms: Millis) => string,
  cap: number,
): string[] {
  const { total, groups } = r.logins;
  if (total === 0) return [t('report.logins.none')];
  const shown = groups.slice(0, cap);
  return [
    t('report.logins', { count: total }),
    ...shown.map((g) => loginLine(g, t, at)),
    // Logins, not lines: the groups not shown and any beyond the stored groups.
    ...more(total - shown.reduce((n, g) => n + g.count, 0), t),
  ];
}

function loginLine(g: ReportLogin, t: Translate, at: (ms: Millis) => string): string {
  const params = {
    user: g.user === null ? '-' : displayUser(g.user),
    from: g.ip ?? g.host ?? '-',
    count: g.count,
    time: g.count === 1 ? at(g.first) : `${at(g.first)} – ${at(g.last)}`,
  };
  return g.newAddress ? t('report.login.new', params) : t('report.login', params);
}

function portLines(ports: DailyReport['ports'], t: Translate, cap: number): string[] {
  if (ports === null) return [];
  const count = ports.listening.length;
  if (ports.comparedWith === null) return [t('report.ports.first', { count })];
  const { appeared, vanished, comparedWith: date } = ports;
  if (appeared.length + vanished.length === 0)
    return [t('report.ports.unchanged', { count, date })];
  const list = (items: ReportPort[], key: 'report.port.appeared' | 'report.port.vanished') => [
    ...items.slice(0, cap).map((p) => t(key, { port: portText(p) })),
    ...more(items.length - cap, t),
  ];
  return [
    t('report.ports.changed', { count, date }),
    ...list(appeared, 'report.port.appeared'),
    ...list(vanished, 'report.port.vanished'),
  ];
}

/** "0.0.0.0:22 "sshd"", "[2001:db8::1]:443". */
function portText(p: ReportPort): string {
  const address = p.address.includes(':') ? `[${p.address}]` : p.address;
  const names = p.processes.slice(0, 3).map(displayUser).join(', ');
  return names === '' ? `${address}:${p.port}` : `${address}:${p.port} ${names}`;
}

function sessionLines(
  sessions: readonly ReportSession[] | null,
  t: Translate,
  cap: number,
): string[] {
  if (sessions === null) return [];
  if (sessions.length === 0) return [t('report.sessions.none')];
  return [
    t('report.sessions'),
    ...sessions.slice(0, cap).map((s) =>
      s.user === null
        ? t('report.session.connection', { address: s.address })
        : t('report.session.login', {
            user: displayUser(s.user),
            tty: s.tty ?? '-',
            address: s.address,
          }),
    ),
    ...more(sessions.length - cap, t),
  ];
}

function more(n: number, t: Translate): string[] {
  return n > 0 ? [t('report.more', { count: n })] : [];
}
