/**
 * The Source interface: where lines come from. Every source yields batches of
 * lines and an opaque cursor after each batch, and resumes strictly after a
 * cursor it is given, so that a restart (even after kill -9) neither loses nor
 * repeats a line: the daemon stores the cursor in the same transaction as the
 * events the batch produced.
 */
import type { Millis } from '../domain.js';

export interface LineBatch {
  /** Complete lines, without newlines, in order. May be empty (a cursor-only advance). */
  lines: string[];
  /**
   * Opaque, JSON-serialisable position just after the last line of this batch,
   * or null for sources that cannot resume (stdin, a syslog listener).
   */
  cursor: string | null;
}

export interface SourceHealth {
  id: string;
  /** Human-readable position: a byte offset and file, a journal cursor, a listening address. */
  position: string | null;
  /** Bytes (file) or records (journal) known to exist but not yet read; null when unknown. */
  lag: number | null;
  /** When the last line arrived (wall clock), or null. */
  lastLineAt: Millis | null;
  linesRead: number;
  /** Lines passed over: too long, invalid UTF-8, NUL bytes, malformed records. */
  skipped: number;
  errors: number;
  lastError: string | null;
}

/**
 * A source of log lines.
 *
 * - `id` MUST be stable across restarts for the same configured source (it keys the saved cursor).
 * - `lines(cursor, signal)` MUST resume strictly after `cursor` when one is given, and start at the
 *   source's documented default otherwise (a file: its end; journald: now). It yields until `signal`
 *   aborts, then returns without throwing. A source MUST NOT yield a batch whose cursor covers lines
 *   it has not yielded.
 * - Transient failures (a file that does not exist yet, a journalctl that exits) are retried by the
 *   source itself and reported through `health()`; only programming errors throw.
 */
export interface Source {
  readonly id: string;
  readonly kind: 'file' | 'journald' | 'syslog' | 'stdin';
  lines(cursor: string | null, signal: AbortSignal): AsyncIterable<LineBatch>;
  health(): SourceHealth;
}
