/**
 * Wall-clock time in an IANA time zone, for syslog timestamps that carry no
 * offset. Offsets come from Intl and are cached, so the per-line cost is a
 * comparison in the common case (consecutive lines in the same hour).
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BUCKET = 15 * MINUTE; // every real zone transition falls on a quarter hour

export class TimeZoneError extends Error {}

let lastMinute = -1;
let lastMinuteUtc = 0;

/**
 * Date.UTC (month 1–12, integer fields), with the minute's remembered: lines in a row
 * share their minute, and UTC has no offsets to change within one, so seconds and
 * milliseconds simply add.
 */
export function utcTime(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  // Fields out of their usual ranges (day 32 is the 1st of the next month) are not memoised.
  if (!(mo >= 0 && mo < 16 && d >= 0 && d < 64 && h >= 0 && h < 32 && mi >= 0 && mi < 64))
    return Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const minute = (((y * 16 + mo) * 64 + d) * 32 + h) * 64 + mi;
  if (minute !== lastMinute) {
    lastMinute = minute;
    lastMinuteUtc = Date.UTC(y, mo - 1, d, h, mi);
  }
  return lastMinuteUtc + s * 1000 + ms;
}

export class TimeZone {
  /** Null for the machine's own zone until its name is asked for. */
  private zoneName: string | null;
  private readonly fmt: Intl.DateTimeFormat | null;
  /** The machine's own zone: offsets from Date (see `local`). */
  private readonly isLocal: boolean;
  private readonly offsets = new Map<number, number>();
  private lastLocalKey = NaN;
  private lastLocalOffset = 0;

  constructor(name: string | null) {
    this.zoneName = name;
    this.isLocal = name === null;
    if (name === null || name === 'UTC' || name === 'Etc/UTC') {
      this.fmt = null;
      return;
    }
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new TimeZoneError(
        `unknown time zone "${name}" (expected an IANA name like Asia/Seoul or UTC)`,
      );
    }
  }

  /** The IANA name (the machine's own zone's as Intl resolves it). */
  get name(): string {
    return (this.zoneName ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  }

  /** The name, or undefined for the machine's own zone (for APIs that default to it: croner). */
  get configuredName(): string | undefined {
    return this.isLocal ? undefined : this.name;
  }

  /**
   * The machine's own zone. Its offsets come from Date, which follows the same TZ
   * and /etc/localtime as Intl, without the tens of milliseconds Intl takes to load
   * its zone data: most commands never need more.
   */
  static local(): TimeZone {
    return new TimeZone(null);
  }

  /** The named zone (a config's `timezone:`), else the machine's own. */
  static of(name: string | undefined): TimeZone {
    return name === undefined ? TimeZone.local() : new TimeZone(name);
  }

  /** Minutes east of UTC at instant `epoch`. */
  offsetAt(epoch: number): number {
    if (this.fmt === null && !this.isLocal) return 0;
    const bucket = Math.floor(epoch / BUCKET);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const at = bucket * BUCKET;
    const offset = this.fmt === null ? -new Date(at).getTimezoneOffset() : this.intlOffset(at);
    if (this.offsets.size > 10_000) this.offsets.clear();
    this.offsets.set(bucket, offset);
    return offset;
  }

  private intlOffset(at: number): number {
    const p = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.fmt!.formatToParts(at))
      if (part.type in p) p[part.type as keyof typeof p] = Number(part.value);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return Math.round((asUtc - at) / MINUTE);
  }

  /** Epoch of a wall-clock time here (month 1–12). In a DST gap or overlap, the earlier offset wins. */
  localToEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number {
    const guess = utcTime(y, mo, d, h, mi, s, ms);
    if (this.fmt === null && !this.isLocal) return guess;
    const key = ((y * 16 + mo) * 32 + d) * 32 + h;
    if (key === this.lastLocalKey) return guess - this.lastLocalOffset * MINUTE;
    let offset = this.offsetAt(guess - this.offsetAt(guess) * MINUTE);
    const second = this.offsetAt(guess - offset * MINUTE);
    if (second !== offset) offset = Math.max(offset, second);
    // In an overlap both offsets fit; the one in force before the change (larger) is the earlier instant.
    const before = this.offsetAt(guess - DAY);
    if (before > offset && this.offsetAt(guess - before * MINUTE) === before) offset = before;
    this.lastLocalKey = key;
    this.lastLocalOffset = offset;
    return guess - offset * MINUTE;
  }

  /** RFC 3339 in this zone: 2026-11-22T07:51:42+09:00 (milliseconds only when present). */
  format(epoch: number): string {
    // Findings and JSON lines come in time order: reuse the last second's text.
    const second = Math.floor(epoch / 1000);
    if (second === this.lastFormatSecond && epoch % 1000 === 0) return this.lastFormatText;
    const text = this.formatUncached(epoch);
    if (epoch % 1000 === 0) {
      this.lastFormatSecond = second;
      this.lastFormatText = text;
    }
    return text;
  }

  /** For people: "2026-11-22 07:51:42 UTC+09:00" ("… UTC" at offset zero), to the second. */
  readable(epoch: number): string {
    const offset = this.offsetAt(epoch);
    const local = new Date(epoch + offset * MINUTE).toISOString();
    if (offset === 0) return `${local.slice(0, 10)} ${local.slice(11, 19)} UTC`;
    const abs = Math.abs(offset);
    const hh = String(Math.floor(abs / 60)).padStart(2, '0');
    const mm = String(abs % 60).padStart(2, '0');
    return `${local.slice(0, 10)} ${local.slice(11, 19)} UTC${offset < 0 ? '-' : '+'}${hh}:${mm}`;
  }

  private lastFormatSecond = NaN;
  private lastFormatText = '';

  private formatUncached(epoch: number): string {
    const offset = this.offsetAt(epoch);
    const local = new Date(epoch + offset * MINUTE).toISOString(); // 2026-11-21T22:51:42.123Z
    const ms = epoch % 1000 === 0 ? '' : local.slice(19, 23);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const hh = String(Math.floor(abs / 60)).padStart(2, '0');
    const mm = String(abs % 60).padStart(2, '0');
    return `${local.slice(0, 19)}${ms}${sign}${hh}:${mm}`;
  }

  /** Calendar year at `epoch` here. */
  yearAt(epoch: number): number {
    return new Date(epoch + this.offsetAt(epoch) * MINUTE).getUTCFullYear();
  }
}
