/**
 * What a running daemon publishes for `sheriff status` (and other readers) to
 * read: JSON values by key, each with the time it was written.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export interface StatusEntry {
  /** Parsed JSON: validate it before use, it may come from another Sheriff version. */
  value: unknown;
  updatedAt: Millis;
}

interface StatusRow {
  key: string;
  value: string;
  updated_at: number;
}

export class StatusStore {
  private readonly getStmt: Statement<[string], StatusRow>;
  private readonly putStmt: Statement<[string, string, number]>;
  private readonly allStmt: Statement<[], StatusRow>;

  constructor(db: Database) {
    this.getStmt = db.prepare('SELECT key, value, updated_at FROM daemon_status WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO daemon_status (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.allStmt = db.prepare('SELECT key, value, updated_at FROM daemon_status ORDER BY key');
  }

  /** Stores `value` as JSON under `key`. Throws a TypeError for values JSON cannot represent. */
  put(key: string, value: unknown, now: Millis): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`status ${key}: value is not JSON-serialisable`);
    this.putStmt.run(key, json, Math.floor(now));
  }

  get(key: string): StatusEntry | null {
    const row = this.getStmt.get(key);
    return row === undefined ? null : toEntry(row);
  }

  all(): Map<string, StatusEntry> {
    return new Map(this.allStmt.all().map((r) => [r.key, toEntry(r)]));
  }
}

function toEntry(row: StatusRow): StatusEntry {
  let value: unknown;
  try {
    value = JSON.parse(row.value);
  } catch {
    value = null;
  }
  return { value, updatedAt: row.updated_at };
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { toEntry as statusEntryFromRow };
