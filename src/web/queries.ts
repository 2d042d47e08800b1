/**
 * Read-only aggregates for the dashboard, straight from the store's tables
 * (bound parameters only; the indexes on events(result, time) serve them).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export class DashboardQueries {
  private readonly perMinute: Statement<[number], { m: number; n: number }>;

  constructor(db: Database) {
    this.perMinute = db.prepare(
      // An integer literal: a bound JS number would be a REAL and the division not whole minutes.
      `SELECT time / 60000 AS m, sum(attempts) AS n FROM events
       WHERE result = 'fail' AND time >= ? GROUP BY m ORDER BY m`,
    );
  }

  /**
   * Failures per minute from `since` to `now`, every minute present (zeros
   * included), as two parallel arrays of minute starts (seconds) and counts:
   * the shape uPlot draws.
   */
  failuresPerMinute(since: Millis, now: Millis): { t: number[]; n: number[] } {
    const step = 60_000; // the literal in the statement
    const first = Math.floor(since / step);
    const last = Math.floor(now / step);
    const counts = new Map<number, number>();
    for (const r of this.perMinute.all(first * step)) counts.set(r.m, r.n);
    const t: number[] = [];
    const n: number[] = [];
    for (let m = first; m <= last; m++) {
      t.push((m * step) / 1000);
      n.push(counts.get(m) ?? 0);
    }
    return { t, n };
  }
}
