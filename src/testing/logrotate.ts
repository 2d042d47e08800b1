/**
 * logrotate's moves, done the way logrotate does them, for the file source's
 * tests and the soak: rename + create or copytruncate, numbered (`.1`, `.2.gz`)
 * or dated (`-20261206…`) names, compress with or without delaycompress, and
 * the oldest copy removed beyond `keep`.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface RotateStyle {
  copytruncate?: boolean;
  compress?: boolean;
  delaycompress?: boolean;
  dateext?: boolean;
}

export function describeStyle(s: RotateStyle): string {
  const words = Object.entries(s)
    .filter(([, on]) => on)
    .map(([k]) => k);
  return words.length > 0 ? words.join('+') : 'rename';
}

/** Compresses `name` into `name.gz` like gzip, in two writes (a reader may see it half written). */
export function gzipFile(name: string): void {
  const gz = gzipSync(readFileSync(name));
  const fd = openSync(`${name}.gz`, 'w');
  try {
    const half = gz.length >> 1;
    writeSync(fd, gz, 0, half);
    writeSync(fd, gz, half, gz.length - half);
  } finally {
    closeSync(fd);
  }
  unlinkSync(name);
}

export class LogRotator {
  /** The dateext clock: one second further at each rotation, so every name is new. */
  private stamp = Date.UTC(2026, 11, 6, 0, 0, 0);

  constructor(
    private readonly path: string,
    private readonly keep = 50,
  ) {}

  /** `postrotate`: runs after the move and before compression (the writer's HUP). */
  rotate(style: RotateStyle, postrotate: () => void = () => {}): void {
    if (style.dateext) this.rotateDated(style, postrotate);
    else this.rotateNumbered(style, postrotate);
  }

  private moveLive(style: RotateStyle, to: string, postrotate: () => void): void {
    if (style.copytruncate) {
      copyFileSync(this.path, to);
      truncateSync(this.path, 0);
    } else {
      renameSync(this.path, to);
      writeFileSync(this.path, '');
    }
    postrotate();
  }

  private rotateNumbered(style: RotateStyle, postrotate: () => void): void {
    const p = this.path;
    const name = (i: number): string | null =>
      [`${p}.${i}`, `${p}.${i}.gz`].find((n) => existsSync(n)) ?? null;
    // The previous .1 is compressed now, one rotation late.
    if (style.compress && style.delaycompress && existsSync(`${p}.1`)) gzipFile(`${p}.1`);
    const oldest = name(this.keep);
    if (oldest) unlinkSync(oldest);
    for (let i = this.keep - 1; i >= 1; i--) {
      const n = name(i);
      if (n) renameSync(n, n.replace(`${p}.${i}`, `${p}.${i + 1}`));
    }
    this.moveLive(style, `${p}.1`, postrotate);
    if (style.compress && !style.delaycompress) gzipFile(`${p}.1`);
  }

  private rotateDated(style: RotateStyle, postrotate: () => void): void {
    const dir = dirname(this.path);
    const base = basename(this.path);
    const dated = (): string[] =>
      readdirSync(dir)
        .filter((n) => /^-\d{14}(\.gz)?$/.test(n.slice(base.length)) && n.startsWith(base))
        .sort()
        .map((n) => join(dir, n));
    if (style.compress && style.delaycompress) {
      for (const n of dated()) if (!n.endsWith('.gz')) gzipFile(n);
    }
    for (const n of dated().slice(0, Math.max(0, dated().length - this.keep + 1))) unlinkSync(n);
    this.stamp += 1000;
    const to = `${this.path}-${new Date(this.stamp).toISOString().replace(/\D/g, '').slice(0, 14)}`;
    this.moveLive(style, to, postrotate);
    if (style.compress && !style.delaycompress) gzipFile(to);
  }
}
