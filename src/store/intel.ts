/**
 * The intel_cache table: reputation answers per provider and address, kept
 * until they expire, so a busy attacker costs one API call per TTL and a
 * restart does not spend the daily quota again.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export interface CachedIntel {
  /** Parsed JSON, or null when the service knew nothing. */
  value: unknown;
  fetchedAt: Millis;
  expiresAt: Millis;
}

interface CacheRow {
  value: string | null;
  fetched_at: number;
  expires_at: number;
}

export class IntelCacheStore {
  private readonly getStmt: Statement<[string, string, number], CacheRow>;
  private readonly putStmt: Statement<[string, string, string | null, number, number]>;
  private readonly pruneStmt: Statement<[number]>;

  constructor(db: Database) {
    this.getStmt = db.prepare(
      'SELECT value, fetched_at, expires_at FROM intel_cache WHERE provider = ? AND ip = ? AND expires_at > ?',
    );
    this.putStmt = db.prepare(
      `INSERT INTO intel_cache (provider, ip, value, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (provider, ip) DO UPDATE SET value = excluded.value,
         fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
    );
    this.pruneStmt = db.prepare('DELETE FROM intel_cache WHERE expires_at <= ?');
  }

  /** The unexpired answer of `provider` for `ip`, or null when there is none. */
  get(provider: string, ip: string, now: Millis): CachedIntel | null {
    const row = this.getStmt.get(provider, ip, Math.floor(now));
    if (row === undefined) return null;
    let value: unknown = null;
    try {
      value = row.value === null ? null : JSON.parse(row.value);
    } catch {
      return null;
    }
    return { value, fetchedAt: row.fetched_at, expiresAt: row.expires_at };
  }

  put(provider: string, ip: string, value: unknown, now: Millis, ttl: Millis): void {
    const json = value === null ? null : (JSON.stringify(value) ?? null);
    this.putStmt.run(provider, ip, json, Math.floor(now), Math.floor(now + ttl));
  }

  /** Removes expired answers; returns how many. */
  prune(now: Millis): number {
    return this.pruneStmt.run(Math.floor(now)).changes;
  }
}
