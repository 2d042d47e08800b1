/**
 * The server-wide status, 정상 / 주의 / 위험 (normal / caution / danger), with
 * the reasons for it. Pure: the caller gathers the active incidents and the
 * failure counts (statusFromStore does it from the store).
 *
 * - danger:  an active incident that is a break-in: a compromise finding (a
 *            login after failures) not judged benign, or a malicious verdict of
 *            critical severity;
 * - caution: an active malicious, suspicious or not yet triaged incident, or failures in the last
 *            hour at least SURGE_FACTOR × the hourly baseline (the last 7 days'
 *            average) and at least SURGE_MIN; a scanner's incident only when malicious
 *            (a listed scanner: scanning alone is the internet's background);
 * - normal:  otherwise.
 */
import type { Millis, StatusLevel, Incident } from '../domain.js';
import type { Async } from '../store/api.js';

export const SURGE_FACTOR = 3;
export const SURGE_MIN = 20;
export const BASELINE_DAYS = 7;

export const STATUS_REASON_CODES = [
  'compromise',
  'critical',
  'malicious',
  'suspicious',
  'untriaged',
  'failure-surge',
  'quiet',
] as const;
export type StatusReasonCode = (typeof STATUS_REASON_CODES)[number];

export interface StatusReason {
  /** i18n key `status.reason.<code>`. */
  code: StatusReasonCode;
  params: Record<string, string | number>;
  /** The incidents behind it. */
  incidents: number[];
}

export interface ServerStatus {
  level: StatusLevel;
  /** Most serious first; a normal status has one reason, 'quiet'. */
  reasons: StatusReason[];
}

export interface StatusInput {
  /** The active (open or triaged) incidents. */
  incidents: readonly Pick<Incident, 'id' | 'attacker' | 'kinds' | 'verdict' | 'severity'>[];
  /** Failures in the last hour. */
  failuresLastHour: number;
  /** Average failures per hour over the baseline period. */
  baselinePerHour: number;
}

export const STATUS_ORDER: Record<StatusLevel, number> = { normal: 0, caution: 1, danger: 2 };

export function computeStatus(input: StatusInput): ServerStatus {
  const reasons: { level: StatusLevel; reason: StatusReason }[] = [];
  const add = (
    level: StatusLevel,
    code: StatusReasonCode,
    list: StatusInput['incidents'],
    params: StatusReason['params'] = {},
  ) => {
    if (list.length === 0) return;
    reasons.push({
      level,
      reason: {
        code,
        params: {
          count: list.length,
          attackers: list
            .slice(0, 5)
            .map((i) => i.attacker)
            .join(', '),
          ...params,
        },
        incidents: list.map((i) => i.id),
      },
    });
  };
  const live = input.incidents;
  const compromise = live.filter((i) => i.kinds.includes('compromise') && i.verdict !== 'benign');
  add('danger', 'compromise', compromise);
  add(
    'danger',
    'critical',
    live.filter(
      (i) => i.verdict === 'malicious' && i.severity === 'critical' && !compromise.includes(i),
    ),
  );
  // Scanners knock on every server of the internet: alone, suspicious or untriaged, they are no news.
  const others = live.filter(
    (i) =>
      !reasons.some((r) => r.reason.incidents.includes(i.id)) &&
      !(i.verdict !== 'malicious' && i.kinds.every((k) => k === 'scan')),
  );
  add(
    'caution',
    'malicious',
    others.filter((i) => i.verdict === 'malicious'),
  );
  add(
    'caution',
    'suspicious',
    others.filter((i) => i.verdict === 'suspicious'),
  );
  // Opened by a finding seconds ago, before the rules' first look: not yet news that all is well.
  add(
    'caution',
    'untriaged',
    others.filter((i) => i.verdict === null),
  );
  const surge = Math.max(SURGE_MIN, SURGE_FACTOR * input.baselinePerHour);
  if (input.failuresLastHour >= surge) {
    reasons.push({
      level: 'caution',
      reason: {
        code: 'failure-surge',
        params: {
          failures: input.failuresLastHour,
          baseline: Math.round(input.baselinePerHour * 10) / 10,
        },
        incidents: [],
      },
    });
  }
  if (reasons.length === 0) {
    return { level: 'normal', reasons: [{ code: 'quiet', params: {}, incidents: [] }] };
  }
  const level = reasons.reduce<StatusLevel>(
    (a, r) => (STATUS_ORDER[r.level] > STATUS_ORDER[a] ? r.level : a),
    'normal',
  );
  return { level, reasons: reasons.map((r) => r.reason) };
}

/** The store queries computeStatus needs. */
export interface StatusSource {
  activeIncidents(): StatusInput['incidents'];
  /** Failures with event time in [from, to). */
  failuresBetween(from: Millis, to: Millis): number;
}

/** The status now, from the store. */
export function currentStatus(src: Async<StatusSource>, now: Millis): Promise<ServerStatus> {
  return statusReader(src, 0)(now);
}

/** How long a status reader reuses the baseline it read (see statusReader). */
export const BASELINE_REUSE_MS = 600_000;

/**
 * currentStatus for a caller that asks every few seconds (the daemon's incident tick): the
 * baseline, a sum over a week of failure rows (some 100 ms of blocked event loop at 100,000
 * failures), is read again only after `reuseMs`, an hourly average that ten minutes hardly
 * move; the incidents and the last hour at every call, so a surge or an incident counts at once.
 */
export function statusReader(
  src: Async<StatusSource>,
  reuseMs = BASELINE_REUSE_MS,
): (now: Millis) => Promise<ServerStatus> {
  const hour = 3_600_000;
  let baseline: { readAt: Millis; perHour: number } | null = null;
  const baselinePerHour = async (now: Millis): Promise<number> => {
    if (baseline !== null && now >= baseline.readAt && now - baseline.readAt < reuseMs)
      return baseline.perHour;
    const failures = await src.failuresBetween(now - BASELINE_DAYS * 24 * hour, now - hour);
    const perHour = failures / (BASELINE_DAYS * 24 - 1);
    baseline = { readAt: now, perHour };
    return perHour;
  };
  return async (now) => {
    const [incidents, failuresLastHour, perHour] = await Promise.all([
      src.activeIncidents(),
      src.failuresBetween(now - hour, now),
      baselinePerHour(now),
    ]);
    return computeStatus({ incidents, failuresLastHour, baselinePerHour: perHour });
  };
}
