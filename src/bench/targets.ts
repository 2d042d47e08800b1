/**
 * One row of the bench's verdict table: an issue's target, what was measured
 * and whether it was met. Each measurement module returns its rows; main.ts
 * prints them together, so `npm run bench` ends with PASS/MISS per target.
 */
export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetRow {
  /** What is measured, e.g. "test-filter vs fail2ban-regex". */
  target: string;
  /** The bar, e.g. "≥ 35×". */
  bar: string;
  /** What this run measured, e.g. "41.2×". */
  measured: string;
  verdict: Verdict;
}

/** PASS when `value` is at least `bar`, MISS otherwise, n/a when nothing was measured. */
export function atLeast(value: number | null, bar: number): Verdict {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return value >= bar ? 'PASS' : 'MISS';
}

/** PASS when `value` is at most `bar`. */
export function atMost(value: number | null, bar: number): Verdict {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return value <= bar ? 'PASS' : 'MISS';
}

/** What every bench part is given. */
export interface PartOptions {
  /** The short run (`npm run bench -- --quick`). */
  quick: boolean;
  /** Where the part writes its raw figures. */
  outDir: string;
  /** The repository (bin/sheriff, dist/). */
  root: string;
  /** The report (stdout). */
  log: (s?: string) => void;
  /** Progress (stderr). */
  progress?: (s: string) => void;
}
