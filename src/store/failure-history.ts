/**
 * Days of failures summed per address in SQL, for the long-horizon detector
 * (detect/long-horizon.ts): the rows stay in SQLite, only the few addresses
 * over the thresholds come back.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

const DAY_MS = 86_400_000;

export interface FailureGroupRow {
  ip: string;
  failures: number;
  days: number;
  users: number;
  first: Millis;
  last: Millis;
}

export class FailureHistoryStore {
  private readonly groupsStmt: Statement<unknown[], FailureGroupRow>;
  private readonly usersStmt: Statement<unknown[], { user: string }>;
  private readonly reportedStmt: Statement<unknown[], { one: number }>;

  constructor(db: Database) {
    // A failure counts only on an account that did not log in from the same address in the window:
    // a typo before one's own login is not an attack.
    this.groupsStmt = db.prepare(
      `SELECT ip, SUM(attempts) AS failures, COUNT(DISTINCT time / ${DAY_MS}) AS days,
              COUNT(DISTINCT user) AS users, MIN(time) AS first, MAX(time) AS last
       FROM events AS f
       WHERE f.result = 'fail' AND f.time >= @since AND f.time <= @until
         AND f.jail = @jail AND f.ip IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM events AS s
           WHERE s.ip = f.ip AND s.time >= @since AND s.result = 'success' AND s.user = f.user
         )
       GROUP BY ip
       HAVING failures >= @minFailures AND users >= @minUsers AND days >= @minDays
       ORDER BY failures DESC, ip
       LIMIT @limit`,
    );
    this.usersStmt = db.prepare(
      `SELECT DISTINCT user FROM events
       WHERE ip = ? AND time >= ? AND jail = ? AND result = 'fail' AND user IS NOT NULL
       ORDER BY user LIMIT ?`,
    );
    this.reportedStmt = db.prepare(
      'SELECT 1 AS one FROM findings WHERE ip = ? AND created_at >= ? LIMIT 1',
    );
  }

  failureGroups(q: {
    jail: string;
    since: Millis;
    until: Millis;
    minFailures: number;
    minUsers: number;
    minDays: number;
    limit: number;
  }): FailureGroupRow[] {
    return this.groupsStmt.all({ ...q, since: Math.floor(q.since), until: Math.floor(q.until) });
  }

  usersTried(jail: string, ip: string, since: Millis, limit: number): string[] {
    return this.usersStmt.all(ip, Math.floor(since), jail, limit).map((r) => r.user);
  }

  reported(ip: string, since: Millis): boolean {
    return this.reportedStmt.get(ip, Math.floor(since)) !== undefined;
  }
}
