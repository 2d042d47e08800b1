/**
 * Writes sshd auth.log lines for people and attackers acting over days, from a
 * plain description (who, from where, how often), without any of Sheriff's
 * parsing or detection code: the lines are OpenSSH's own wording with an
 * RFC 3339 timestamp, as rsyslog writes them with its high-precision format.
 */
import type { Millis } from '../domain.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface LogLine {
  time: Millis;
  text: string;
}

let pid = 2000;
const at = (time: Millis, message: string): LogLine => ({
  time,
  text: `${new Date(time).toISOString()} web1 sshd[${pid++}]: ${message}`,
});
const port = (time: Millis) => 30000 + (Math.floor(time / 1000) % 30000);

/** A failed password for `user`; an unknown account gets OpenSSH's "invalid user" form. */
export function failure(time: Millis, ip: string, user: string, known = true): LogLine {
  const who = known ? user : `invalid user ${user}`;
  return at(time, `Failed password for ${who} from ${ip} port ${port(time)} ssh2`);
}

export function login(time: Millis, ip: string, user: string): LogLine {
  return at(time, `Accepted password for ${user} from ${ip} port ${port(time)} ssh2`);
}

/** One failure every `every` ms from `start`, `count` times, on the given accounts in turn. */
export function trickle(
  start: Millis,
  every: number,
  count: number,
  ip: string,
  users: readonly string[],
  known = true,
): LogLine[] {
  return Array.from({ length: count }, (_, i) =>
    failure(start + i * every, ip, users[i % users.length]!, known),
  );
}

/**
 * An admin's working week: `loginsPerDay` logins a day from `ip`, each after
 * 0–2 mistyped passwords (a fixed pattern, the same every run).
 */
export function adminWeek(start: Millis, days: number, ip: string, user: string): LogLine[] {
  const lines: LogLine[] = [];
  const typos = [1, 0, 2, 1, 0, 1, 2];
  for (let d = 0; d < days; d++)
    for (const [k, hour] of [9, 13, 17].entries()) {
      const t = start + d * DAY + hour * HOUR;
      const n = typos[(d + k) % typos.length]!;
      for (let i = 0; i < n; i++) lines.push(failure(t + i * 15_000, ip, user));
      lines.push(login(t + n * 15_000 + 5_000, ip, user));
    }
  return lines;
}

/** Every line of the scenario in time order. */
export function merge(...parts: LogLine[][]): LogLine[] {
  return parts.flat().sort((a, b) => a.time - b.time);
}
