/**
 * One reader for every syslog-ish line, recognised per line without being told:
 * BSD syslog with or without <PRI> (and syslogd -v "<4.3>" / "<auth.info>"),
 * RFC 3339 high precision, journalctl short-iso, RFC 5424 with structured
 * data, journalctl JSON, and "host prog[pid]: msg" with no time. A line with no
 * syslog header is tried as an nginx error-log or access-log line (weblog.ts,
 * which documents their records); anything else becomes a record whose message
 * is the whole line, for filters of other non-syslog files to read.
 */
import type { LogRecord, Millis } from '../domain.js';
import { parseJournalRecord } from './journal.js';
import { parseBsdTime, parseIsoTime, parseTai64n, YearInference } from './timestamp.js';
import { parseWebLine } from './weblog.js';
import { TimeZone } from './zone.js';

export interface ParseOptions {
  zone: TimeZone;
  /** Reference instant for BSD year inference: the clock live, a file's mtime or --now in replay. */
  reference: () => Millis;
}

export class LineParser {
  private readonly zone: TimeZone;
  private readonly years: YearInference;

  constructor(opts: ParseOptions) {
    this.zone = opts.zone;
    this.years = new YearInference(opts.zone, opts.reference);
  }

  /** Null only for a line that claims a structure and breaks it (a truncated JSON record). */
  parse(line: string): LogRecord | null {
    const c0 = line.charCodeAt(0);
    if (c0 === 123 /* { */) return parseJournalRecord(line);
    let i = 0;
    if (c0 === 60 /* < */) {
      const pri = skipPri(line, 0);
      if (pri > 0) {
        if (line.charCodeAt(pri) === 49 && line.charCodeAt(pri + 1) === 32) {
          const r = this.parse5424(line, pri + 2);
          if (r !== null) return r;
        }
        i = pri;
      }
    }
    let time: Millis | null = null;
    let format: LogRecord['format'] = 'bare';
    const c = line.charCodeAt(i);
    const t =
      c >= 48 && c <= 57
        ? parseIsoTime(line, i, this.zone)
        : c >= 65 && c <= 90
          ? parseBsdTime(line, i, this.years)
          : c === 64
            ? parseTai64n(line, i)
            : null;
    if (t !== null) {
      time = t.time;
      i = t.end;
      format = c === 64 ? 'tai64n' : c <= 57 ? 'rfc3339' : 'bsd';
    }
    if (time !== null) {
      i = skipSpaces(line, i);
      // syslogd -v / -vv put the facility and level after the date: "<4.3>", "<auth.info>".
      if (line.charCodeAt(i) === 60) {
        const close = line.indexOf('>', i);
        if (close > i && close - i < 32 && line.indexOf(' ', i) > close)
          i = skipSpaces(line, close + 1);
      }
    }
    return this.hostAndTag(line, i, time, format);
  }

  private hostAndTag(
    line: string,
    start: number,
    time: Millis | null,
    format: LogRecord['format'],
  ): LogRecord {
    const sp1 = line.indexOf(' ', start);
    if (sp1 === -1) return other(line, time);
    const t1 = parseTag(line, start, sp1);
    if (t1 !== null) return record(line, sp1, time, null, t1, format);
    const host = line.slice(start, sp1);
    const start2 = sp1 + 1;
    const sp2 = line.indexOf(' ', start2);
    const t2 = sp2 === -1 ? null : parseTag(line, start2, sp2);
    if (t2 === null) {
      // No syslog header at all: perhaps a web server's own log (timestamps syslog lines never have).
      if (time === null) return parseWebLine(line, this.zone) ?? other(line, null);
      return {
        time,
        host,
        program: null,
        pid: null,
        message: line.slice(start2).trimEnd(),
        format,
      };
    }
    return record(line, sp2, time, host, t2, format);
  }

  private parse5424(line: string, start: number): LogRecord | null {
    let i = start;
    let time: Millis | null = null;
    if (line.charCodeAt(i) === 45 /* - */) i += 1;
    else {
      const t = parseIsoTime(line, i, this.zone);
      if (t === null) return null;
      time = t.time;
      i = t.end;
    }
    const fields: (string | null)[] = [];
    for (let k = 0; k < 4; k++) {
      if (line.charCodeAt(i) !== 32) return null;
      const end = line.indexOf(' ', i + 1);
      if (end === -1) return null;
      const f = line.slice(i + 1, end);
      fields.push(f === '-' ? null : f);
      i = end;
    }
    // fields: HOSTNAME APP-NAME PROCID MSGID; then STRUCTURED-DATA.
    i++;
    if (line.charCodeAt(i) === 45) i++;
    else {
      const sdEnd = skipStructuredData(line, i);
      if (sdEnd < 0) return null;
      i = sdEnd;
    }
    if (line.charCodeAt(i) === 32) i++;
    if (line.charCodeAt(i) === 0xfeff) i++;
    const procid = fields[2];
    return {
      time,
      host: fields[0] ?? null,
      program: fields[1] ?? null,
      pid: procid && /^\d{1,10}$/.test(procid) ? Number(procid) : null,
      message: line.slice(i).trimEnd(),
      format: 'rfc5424',
    };
  }
}

interface Tag {
  program: string;
  pid: number | null;
  /** The tag carries context the message needs (dovecot 2.4 "auth(user,ip,…)<session>:"). */
  keep?: boolean;
}

/** "prog[pid]:", "prog:", "[prog]:", "[prog]", "prog(sub)[pid]:" in line[start, end), else null. */
function parseTag(line: string, start: number, end: number): Tag | null {
  let e = end;
  const colon = line.charCodeAt(e - 1) === 58;
  if (colon) e--;
  if (e <= start) return null;
  if (line.charCodeAt(start) === 91 /* [ */) {
    if (line.charCodeAt(e - 1) !== 93) return null;
    const program = line.slice(start + 1, e - 1);
    return program.length > 0 ? { program, pid: null } : null;
  }
  let pid: number | null = null;
  if (line.charCodeAt(e - 1) === 93 /* ] */) {
    // The pid: digits back to the "[" (anything else in between: not a tag).
    let open = e - 2;
    while (open > start && isDigit(line.charCodeAt(open))) open--;
    const count = e - 2 - open;
    if (open <= start || line.charCodeAt(open) !== 91 || count === 0 || count > 10) return null;
    let v = 0;
    for (let k = open + 1; k < e - 1; k++) v = v * 10 + line.charCodeAt(k) - 48;
    pid = v;
    e = open;
  } else if (!colon) {
    return null;
  }
  // "sshd(pam_unix)" names the module in old PAM lines; the program is what precedes it.
  // Dovecot 2.4 writes "auth(user,192.0.2.1,sasl:login)<session>:": the same program
  // name, and the context (with the address) stays at the start of the message.
  const last = line.charCodeAt(e - 1);
  if (last === 41 /* ) */ || (last === 62 /* > */ && pid === null)) {
    const paren = line.indexOf('(', start);
    if (paren > start && paren < e) {
      if (last === 62) return { program: line.slice(start, paren), pid, keep: true };
      e = paren;
    }
  }
  return { program: line.slice(start, e), pid };
}

const isDigit = (c: number) => c >= 48 && c <= 57;

function record(
  line: string,
  tagEnd: number,
  time: Millis | null,
  host: string | null,
  tag: Tag,
  format: LogRecord['format'],
): LogRecord {
  let i = tag.keep ? tagStart(line, tagEnd) : skipSpaces(line, tagEnd);
  // Solaris prefixes messages with "[ID 800047 auth.info] ".
  if (line.charCodeAt(i) === 91 && line.startsWith('[ID ', i)) {
    const close = line.indexOf('] ', i);
    if (close !== -1) i = close + 2;
  }
  // Journal entries relayed from the kernel ring: "kernel:[  970.699396]: " or "kernel: [ 970.6] ".
  if (line.charCodeAt(i) === 107 && line.startsWith('kernel:', i)) {
    const m = KERNEL_PREFIX.exec(line.slice(i, i + 40));
    if (m !== null) i += m[0].length;
  }
  return {
    time,
    host,
    program: tag.program,
    pid: tag.pid,
    message: messageFrom(line, i),
    format,
  };
}

/** The line from `i`, without trailing white space. */
function messageFrom(line: string, i: number): string {
  // Most lines end in a printable ASCII character: nothing to trim, no second look.
  const last = line.charCodeAt(line.length - 1);
  return last > 32 && last < 127 ? line.slice(i) : line.slice(i).trimEnd();
}

const KERNEL_PREFIX = /^kernel: ?\[ *\d+\.\d+\]:? /;

/**
 * A line as a record with no header read: what a filter with its own line format
 * (filters/README.md, lineFormat) is offered when the line parser cannot read it,
 * e.g. a service's own JSON log that is not a journal record.
 */
export function unparsedRecord(line: string): LogRecord {
  return other(line, null);
}

function other(line: string, time: Millis | null): LogRecord {
  return { time, host: null, program: null, pid: null, message: line.trimEnd(), format: 'other' };
}

/** Start of the space-free token that ends at `end`. */
function tagStart(line: string, end: number): number {
  return line.lastIndexOf(' ', end - 1) + 1;
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === 32) i++;
  return i;
}

/** End of "<digits>" at `i`, or 0. */
function skipPri(s: string, i: number): number {
  let p = i + 1;
  while (p - i <= 4) {
    const c = s.charCodeAt(p);
    if (c === 62 /* > */) return p > i + 1 ? p + 1 : 0;
    if (!(c >= 48 && c <= 57)) return 0; // also NaN past the end of the string
    p++;
  }
  return 0;
}

/** RFC 5424 SD-ELEMENTs: [id k="v" …]…, with \" \] \\ escapes inside values. */
function skipStructuredData(s: string, i: number): number {
  let p = i;
  if (s.charCodeAt(p) !== 91) return -1;
  while (s.charCodeAt(p) === 91) {
    p++;
    let inQuote = false;
    for (;;) {
      if (p >= s.length) return -1;
      const c = s.charCodeAt(p);
      if (inQuote) {
        if (c === 92) p++;
        else if (c === 34) inQuote = false;
      } else if (c === 34) inQuote = true;
      else if (c === 93) break;
      p++;
    }
    p++;
  }
  return p;
}
