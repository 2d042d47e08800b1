/**
 * Web server logs that are not syslog, tried only for lines the syslog parse
 * found no header in (see LineParser). Two shapes are recognised:
 *
 * - nginx's error log: "2012/04/09 11:53:29 [error] 2865#0: *66647 text",
 *   local time in the parser's zone. The record's message is the text after
 *   the "[level] pid#tid: *connection " prefix: what nginx itself wrote, so a
 *   filter sees the same text as in nginx's syslog or journal lines once it
 *   strips that prefix from them. Level, pid and connection number are dropped.
 * - access logs in common or combined format:
 *   `192.0.2.1 - user [21/Jul/2014:00:23:28 +0200] "GET /x HTTP/1.1" 404 …`.
 *   The message is the whole line, so a filter anchors the client address at
 *   its start, where no request text can reach.
 *
 * Both become `format: 'other'` records with no host, program or pid.
 */
import type { LogRecord, Millis } from '../domain.js';
import { monthAt, type ParsedTime } from './timestamp.js';
import type { TimeZone } from './zone.js';

/** The value of `n` decimal digits at `i`, or -1 (also past the end of the string). */
function num(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

function validClock(d: number, h: number, mi: number, sec: number): boolean {
  return d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60;
}

/** nginx's error-log time "2012/04/09 11:53:29" at `i`, a wall-clock time in `zone`. */
export function parseNginxErrorTime(s: string, i: number, zone: TimeZone): ParsedTime | null {
  if (
    s.charCodeAt(i + 4) !== 47 ||
    s.charCodeAt(i + 7) !== 47 ||
    s.charCodeAt(i + 10) !== 32 ||
    s.charCodeAt(i + 13) !== 58 ||
    s.charCodeAt(i + 16) !== 58
  )
    return null;
  const y = num(s, i, 4);
  const mo = num(s, i + 5, 2);
  const d = num(s, i + 8, 2);
  const h = num(s, i + 11, 2);
  const mi = num(s, i + 14, 2);
  const sec = num(s, i + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || !validClock(d, h, mi, sec)) return null;
  return { time: zone.localToEpoch(y, mo, d, h, mi, sec), end: i + 19 };
}

/** The access-log time "[21/Jul/2014:00:23:28 +0200]" at `i` (the "["); `end` is after the "]". */
export function parseClfTime(s: string, i: number): ParsedTime | null {
  if (
    s.charCodeAt(i) !== 91 ||
    s.charCodeAt(i + 3) !== 47 ||
    s.charCodeAt(i + 7) !== 47 ||
    s.charCodeAt(i + 12) !== 58 ||
    s.charCodeAt(i + 15) !== 58 ||
    s.charCodeAt(i + 18) !== 58 ||
    s.charCodeAt(i + 21) !== 32 ||
    s.charCodeAt(i + 27) !== 93
  )
    return null;
  const d = num(s, i + 1, 2);
  const mo = monthAt(s, i + 4);
  const y = num(s, i + 8, 4);
  const h = num(s, i + 13, 2);
  const mi = num(s, i + 16, 2);
  const sec = num(s, i + 19, 2);
  const sign = s.charCodeAt(i + 22);
  const oh = num(s, i + 23, 2);
  const om = num(s, i + 25, 2);
  if (mo === 0 || y < 0 || !validClock(d, h, mi, sec) || oh < 0 || om < 0) return null;
  if (sign !== 43 && sign !== 45) return null;
  const offset = (oh * 60 + om) * (sign === 45 ? -1 : 1);
  return { time: Date.UTC(y, mo - 1, d, h, mi, sec) - offset * 60_000, end: i + 28 };
}

/** A record for an nginx error-log or access-log line, or null for any other line. */
export function parseWebLine(line: string, zone: TimeZone): LogRecord | null {
  if (line.charCodeAt(4) === 47 /* / */) {
    const r = nginxErrorLine(line, zone);
    if (r !== null) return r;
  }
  return accessLine(line);
}

function webRecord(time: Millis, message: string): LogRecord {
  return { time, host: null, program: null, pid: null, message, format: 'other' };
}

/** "<time> [level] pid#tid: [*conn ]text"; anything else is not nginx's error log. */
function nginxErrorLine(line: string, zone: TimeZone): LogRecord | null {
  const t = parseNginxErrorTime(line, 0, zone);
  if (t === null || line.charCodeAt(t.end) !== 32 || line.charCodeAt(t.end + 1) !== 91) return null;
  let p = t.end + 2;
  while (isLower(line.charCodeAt(p))) p++;
  if (p === t.end + 2 || line.charCodeAt(p) !== 93 || line.charCodeAt(p + 1) !== 32) return null;
  p = skipDigits(line, p + 2, 35 /* # */);
  if (p < 0) return null;
  p = skipDigits(line, p, 58 /* : */);
  if (p < 0 || line.charCodeAt(p) !== 32) return null;
  p++;
  if (line.charCodeAt(p) === 42 /* * */) {
    const q = skipDigits(line, p + 1, 32);
    if (q > 0) p = q;
  }
  return webRecord(t.time, line.slice(p).trimEnd());
}

/**
 * The time is the bracketed field just before the first double quote (the
 * request). The user field before it is client-supplied, but nginx and Apache
 * escape double quotes in logged values, so it cannot end before that quote:
 * a user name holding a fake "[date]" never becomes the line's time.
 */
function accessLine(line: string): LogRecord | null {
  const q = line.indexOf('"');
  const open = q - 29;
  if (open < 2 || line.charCodeAt(q - 1) !== 32 || line.charCodeAt(open - 1) !== 32) return null;
  const t = parseClfTime(line, open);
  if (t === null) return null;
  return webRecord(t.time, line.trimEnd());
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** Index after "<digits><stop>" at `i`, or -1. */
function skipDigits(s: string, i: number, stop: number): number {
  let p = i;
  while (s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
  return p > i && s.charCodeAt(p) === stop ? p + 1 : -1;
}
