/**
 * `journalctl -o json` records. The program comes from journald's trusted
 * `_COMM` (set by the kernel, not by the process), so `logger -t sshd` run by
 * a local user does not count as sshd; `SYSLOG_IDENTIFIER` is used only when a
 * record has no `_COMM` at all (exported or forwarded records).
 */
import { isUtf8 } from 'node:buffer';
import type { LogRecord } from '../domain.js';

type JournalValue = string | number[] | null | undefined;

function text(v: JournalValue): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    // journald encodes non-UTF-8 or binary fields as byte arrays; anything else in one is not a field.
    if (!v.every((b: unknown) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255))
      return null;
    const buf = Buffer.from(v);
    return isUtf8(buf) ? buf.toString('utf8') : null;
  }
  return null;
}

/** Null when the line is not a complete journal JSON record (truncated, not an object, no MESSAGE). */
export function parseJournalRecord(line: string): LogRecord | null {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return null;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const r = obj as Record<string, JournalValue>;
  const message = text(r.MESSAGE);
  if (message === null) return null;
  const micros = text(r._SOURCE_REALTIME_TIMESTAMP) ?? text(r.__REALTIME_TIMESTAMP);
  const time =
    micros !== null && /^\d{1,20}$/.test(micros) ? Math.floor(Number(micros) / 1000) : null;
  const pidText = text(r._PID) ?? text(r.SYSLOG_PID);
  const pid = pidText !== null && /^\d{1,10}$/.test(pidText) ? Number(pidText) : null;
  return {
    time,
    host: text(r._HOSTNAME),
    program: text(r._COMM) ?? text(r.SYSLOG_IDENTIFIER),
    pid,
    message: message.trimEnd(),
    format: 'journal',
  };
}
