/** Read-only aggregates for the dashboard, from the records wherever they are (a hub's PostgreSQL, or the local store). */
import type { Millis } from '../domain.js';
import type { RecordStore } from '../store/api.js';

export class DashboardQueries {
  constructor(private readonly records: Pick<RecordStore, 'activity'>) {}

  /**
   * Failures per minute from `since` to `now`, every minute present (zeros
   * included), as two parallel arrays of minute starts (seconds) and counts:
   * the shape uPlot draws.
   */
  async failuresPerMinute(since: Millis, now: Millis): Promise<{ t: number[]; n: number[] }> {
    const step = 60_000; // the minute failuresPerMinute counts in
    const first = Math.floor(since / step);
    const last = Math.floor(now / step);
    const counts = new Map<number, number>();
    for (const r of await this.records.activity.failuresPerMinute(first * step))
      counts.set(r.m, r.n);
    const t: number[] = [];
    const n: number[] = [];
    for (let m = first; m <= last; m++) {
      t.push((m * step) / 1000);
      n.push(counts.get(m) ?? 0);
    }
    return { t, n };
  }
}
