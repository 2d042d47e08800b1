/**
 * Lines a service writes to its own log file, with no syslog header (vsftpd.log,
 * Asterisk's messages, Home Assistant's log): a filter's `lineFormat` names the
 * parts with a regex (groups `message`, and optionally `time`, `host`, `pid`,
 * `program`) and the strftime-style formats of its time. And, for filters with
 * fail2ban's semantics, where a line's time is, so that it can be cut out.
 */
import type { LogRecord, Millis } from '../domain.js';
import type { ParseOptions } from './line.js';
import { compileTimeFormat, type TimeFormat } from './strftime.js';
import { parseBsdTime, parseIsoTime, parseTai64n, YearInference } from './timestamp.js';
import type { TimeZone } from './zone.js';

export interface LineFormat {
  pattern: string;
  time?: readonly string[];
}

/** A time found in a line: where it is and what it says (null: out of range). */
export interface TimeSpan {
  start: number;
  end: number;
  time: Millis | null;
}

/** Reads times for a zone, inferring missing years from the reference. */
export class LineTimes {
  readonly zone: TimeZone;
  readonly years: YearInference;

  constructor(opts: ParseOptions) {
    this.zone = opts.zone;
    this.years = new YearInference(opts.zone, opts.reference);
  }

  /** A syslog-style time (ISO 8601, BSD, TAI64N) at the start of `text`. */
  leading(text: string): Millis | null {
    const c = text.charCodeAt(0);
    const t =
      c >= 48 && c <= 57
        ? parseIsoTime(text, 0, this.zone)
        : c === 64
          ? parseTai64n(text, 0)
          : parseBsdTime(text, 0, this.years);
    return t === null ? null : t.time;
  }

  /** Where the syslog header's time is: after an optional <PRI>, at the line's start. */
  syslogSpan(line: string): TimeSpan | null {
    let i = 0;
    if (line.charCodeAt(0) === 60) {
      const close = line.indexOf('>');
      if (close > 0 && close < 6) i = close + 1;
    }
    const c = line.charCodeAt(i);
    const t =
      c >= 48 && c <= 57
        ? parseIsoTime(line, i, this.zone)
        : c === 64
          ? parseTai64n(line, i)
          : c >= 65 && c <= 90
            ? parseBsdTime(line, i, this.years)
            : null;
    return t === null ? null : { start: i, end: t.end, time: t.time };
  }
}

/** Compiled `lineFormat`: the record a line of the service's own log makes, or null when it is not one. */
export function compileLineFormat(
  format: LineFormat,
  times: LineTimes,
): (line: string) => LogRecord | null {
  const re = new RegExp(format.pattern);
  const finder = format.time === undefined ? null : timeFinder(format.time, times, true);
  return (line) => {
    const m = re.exec(line);
    const g = m?.groups;
    if (g?.message === undefined) return null;
    let time: Millis | null = null;
    if (g.time !== undefined)
      time = finder === null ? times.leading(g.time) : (finder(g.time)?.time ?? null);
    const pid = g.pid !== undefined && /^\d{1,10}$/.test(g.pid) ? Number(g.pid) : null;
    return {
      time,
      host: g.host ?? null,
      program: g.program ?? null,
      pid,
      message: g.message.trimEnd(),
      format: 'other',
    };
  };
}

/**
 * Finds a time written in one of `formats` (tried in order). A format starting
 * with `^` is looked for at the text's start only, others anywhere (the first
 * place), like fail2ban's datepattern; with `whole`, the time must be all the text.
 */
export function timeFinder(
  formats: readonly string[],
  times: LineTimes,
  whole = false,
): (text: string) => TimeSpan | null {
  const compiled = formats.map((f) => {
    const anchored = f.startsWith('^');
    const tf: TimeFormat = compileTimeFormat(anchored ? f.slice(1) : f);
    const source = whole ? `^(?:${tf.source})$` : anchored ? `^(?:${tf.source})` : tf.source;
    return { tf, re: new RegExp(source) };
  });
  return (text) => {
    for (const { tf, re } of compiled) {
      const m = re.exec(text);
      if (m !== null)
        return {
          start: m.index,
          end: m.index + m[0].length,
          time: tf.read(m, 1, times.zone, times.years),
        };
    }
    return null;
  };
}

/** Where a line with no syslog header and no declared format keeps its time: fail2ban's usual templates. */
export const COMMON_TIME_FORMATS: readonly string[] = [
  '%d/%b/%Y:%H:%M:%S %z',
  '%Y/%m/%d %H:%M:%S',
  '%Y-%m-%dT%H:%M:%S.%f%z',
  '%Y-%m-%dT%H:%M:%S%z',
  '%Y-%m-%dT%H:%M:%S.%f',
  '%Y-%m-%dT%H:%M:%S',
  '%Y-%m-%d %H:%M:%S.%f',
  '%Y-%m-%d %H:%M:%S,%f',
  '%Y-%m-%d %H:%M:%S',
  '%a %b %d %H:%M:%S.%f %Y',
  '%a %b %d %H:%M:%S %Y',
  '%b %d %H:%M:%S',
];
