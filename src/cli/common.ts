/**
 * What every command shares: the translator, errors that exit with status 2,
 * option parsers, and buffered output that respects a slow pipe.
 */
import type { Translate } from '../i18n/index.js';
import { TimeZone, TimeZoneError } from '../parse/zone.js';

export interface CliContext {
  t: Translate;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A mistake in how Sheriff was called or configured: a clear message and exit status 2. */
export class UsageError extends Error {
  readonly exitCode: number = 2;
}

/** A guardrail refused what was asked (a ban of a protected address): why, and exit status 3. */
export class RefusedError extends UsageError {
  override readonly exitCode: number = 3;
}

export function parseNow(value: string | undefined, t: Translate): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(t('cli.error.now', { value }));
  return ms;
}

export function parseZone(value: string | undefined): TimeZone {
  try {
    return TimeZone.of(value);
  } catch (err) {
    if (err instanceof TimeZoneError) throw new UsageError(`--timezone: ${err.message}`);
    throw err;
  }
}

export function parseCount(
  option: string,
  value: string | undefined,
  min: number,
  t: Translate,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(t('cli.error.integer', { option, value, min }));
  return Number(value);
}

/** Collects output and writes it in large pieces; `drain()` waits when the pipe is full. */
export class BufferedOutput {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  async drain(): Promise<void> {
    if (this.size < 65_536) return;
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(text))
      await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }
}

/** A one-line progress bar on a terminal (stderr), redrawn at most ten times a second. */
export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(
    private readonly stream: CliContext['stderr'],
    private readonly total: number,
  ) {}

  update(done: number): void {
    if (!this.stream.isTTY || this.total <= 0) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const ratio = Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(ratio * width);
    this.stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}%`,
    );
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
  }
}
