/**
 * Structured logging (pino): JSON for journald and log shippers, pretty on a
 * terminal. Each noteworthy happening is one named `event` field, so a log
 * line, a metric and an alert can be matched by name. Secrets are redacted by
 * path, whatever logs them.
 */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { PrettyStream } from 'pino-pretty';
import { colorWanted, type Stream } from './color.js';

/** pino-pretty is only loaded for a terminal. */
const prettyStream = (opts: object): PrettyStream =>
  (createRequire(import.meta.url)('pino-pretty') as (o: object) => PrettyStream)(opts);

export type { Logger };

export interface LogOptions {
  level: string;
  format: 'auto' | 'json' | 'pretty';
}

const REDACT = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
];

/** Whether the log is written for people (pino-pretty) rather than as JSON. */
export function logIsPretty(opts: LogOptions, stream: Stream): boolean {
  return opts.format === 'pretty' || (opts.format === 'auto' && stream.isTTY === true);
}

export function createLogger(opts: LogOptions, stream: Stream = process.stderr): Logger {
  const usePretty = logIsPretty(opts, stream);
  const base = {
    level: opts.level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    // "level":"warn", not "level":40: journalctl and grep read it as written.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!usePretty) return pino(base, stream);
  return pino(
    base,
    prettyStream({
      destination: stream,
      colorize: colorWanted(stream),
      sync: true,
      // One line per record: a finding is one line on a terminal, not one per field.
      singleLine: true,
      ignore: 'pid,hostname',
    }),
  );
}
