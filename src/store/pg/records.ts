/**
 * The small tables on PostgreSQL, each the twin of its SQLite store (same
 * checks, order and limits; the SQLite store's row mapper reads the rows):
 * findings, daemon status, daily reports, the intel cache, chat settings.
 */
import type pg from 'pg';
import type { Finding, Millis } from '../../domain.js';
import type { Async } from '../api.js';
import type { ChatLang, ChatSettingsStore } from '../chats.js';
import {
  findingFromRow,
  type FindingQuery,
  type FindingStore,
  type StoredFinding,
} from '../findings.js';
import type { CachedIntel, IntelCacheStore } from '../intel.js';
import {
  checkReportDate as checkDate,
  reportFromRow,
  type ReportStore,
  type StoredReport,
} from '../reports.js';
import { statusEntryFromRow, type StatusEntry, type StatusStore } from '../status.js';
import { changes, json, query, row, rows, type Queryable } from './db.js';

type FindingRow = Parameters<typeof findingFromRow>[0];
type StatusRow = Parameters<typeof statusEntryFromRow>[0] & { key: string };
type ReportRow = Parameters<typeof reportFromRow>[0];

export class PgFindingStore implements Async<FindingStore> {
  constructor(private readonly pool: pg.Pool) {}

  async insert(f: Finding, createdAt: Millis): Promise<number> {
    return insertFindingRow(this.pool, f, createdAt);
  }

  /** Findings, newest first. */
  async recent(q: FindingQuery = {}): Promise<StoredFinding[]> {
    const limit = checkLimit(q.limit ?? 100);
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.since !== undefined) {
      params.push(Math.floor(q.since));
      where.push(`created_at >= $${params.length}`);
    }
    if (q.ip !== undefined) {
      params.push(q.ip);
      where.push(`ip = $${params.length}`);
    }
    if (q.sensor !== undefined) {
      params.push(q.sensor);
      where.push(seenOn('hosts', params.length));
    }
    params.push(limit);
    const found = await rows<FindingRow>(
      this.pool,
      `SELECT id, kind, jail, scope, ip, count, "first", "last", users, hosts, created_at FROM findings` +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ` ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return found.map(findingFromRow);
  }
}

/** Inserts one finding on `db` (the pool, or a transaction's client); its id. */
export async function insertFindingRow(
  db: Queryable,
  f: Finding,
  createdAt: Millis,
): Promise<number> {
  const r = await row<{ id: number }>(
    db,
    `INSERT INTO findings (kind, jail, scope, ip, count, "first", "last", users, hosts, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      f.kind,
      f.jail,
      f.scope,
      f.ip,
      f.count,
      f.first,
      f.last,
      json(f.users),
      json(f.hosts ?? []),
      Math.floor(createdAt),
    ],
  );
  return r!.id;
}

/** SQL true when the jsonb array of host names in `column` holds parameter `$n`. */
export function seenOn(column: string, n: number): string {
  return `${column} @> jsonb_build_array($${n}::text)`;
}

export class PgStatusStore implements Async<StatusStore> {
  constructor(private readonly pool: pg.Pool) {}

  async put(key: string, value: unknown, now: Millis): Promise<void> {
    if (JSON.stringify(value) === undefined) {
      throw new TypeError(`status ${key}: value is not JSON-serialisable`);
    }
    await query(
      this.pool,
      `INSERT INTO daemon_status (key, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, json(value), Math.floor(now)],
    );
  }

  async get(key: string): Promise<StatusEntry | null> {
    const r = await row<StatusRow>(
      this.pool,
      'SELECT key, value, updated_at FROM daemon_status WHERE key = $1',
      [key],
    );
    return r === undefined ? null : statusEntryFromRow(r);
  }

  async all(): Promise<Map<string, StatusEntry>> {
    const found = await rows<StatusRow>(
      this.pool,
      'SELECT key, value, updated_at FROM daemon_status ORDER BY key',
    );
    return new Map(found.map((r) => [r.key, statusEntryFromRow(r)]));
  }
}

export class PgReportStore implements Async<ReportStore> {
  constructor(private readonly pool: pg.Pool) {}

  async put(date: string, report: unknown, createdAt: Millis): Promise<void> {
    checkDate(date);
    if (JSON.stringify(report) === undefined) {
      throw new TypeError(`report ${date} is not JSON-serialisable`);
    }
    await query(
      this.pool,
      `INSERT INTO reports (date, created_at, report) VALUES ($1, $2, $3)
       ON CONFLICT (date) DO UPDATE SET created_at = excluded.created_at, report = excluded.report`,
      [date, Math.floor(createdAt), json(report)],
    );
  }

  async get(date: string): Promise<StoredReport | null> {
    checkDate(date);
    const r = await row<ReportRow>(
      this.pool,
      'SELECT date, created_at, report FROM reports WHERE date = $1',
      [date],
    );
    return r === undefined ? null : reportFromRow(r);
  }

  /** The latest report of a day before `date`. */
  async before(date: string): Promise<StoredReport | null> {
    checkDate(date);
    const r = await row<ReportRow>(
      this.pool,
      'SELECT date, created_at, report FROM reports WHERE date < $1 ORDER BY date DESC LIMIT 1',
      [date],
    );
    return r === undefined ? null : reportFromRow(r);
  }
}

export class PgIntelCacheStore implements Async<IntelCacheStore> {
  constructor(private readonly pool: pg.Pool) {}

  async get(provider: string, ip: string, now: Millis): Promise<CachedIntel | null> {
    const r = await row<{ value: string | null; fetched_at: number; expires_at: number }>(
      this.pool,
      `SELECT value, fetched_at, expires_at FROM intel_cache
       WHERE provider = $1 AND ip = $2 AND expires_at > $3`,
      [provider, ip, Math.floor(now)],
    );
    if (r === undefined) return null;
    let value: unknown = null;
    try {
      value = r.value === null ? null : JSON.parse(r.value);
    } catch {
      return null;
    }
    return { value, fetchedAt: r.fetched_at, expiresAt: r.expires_at };
  }

  async put(provider: string, ip: string, value: unknown, now: Millis, ttl: Millis): Promise<void> {
    const text = value === null || JSON.stringify(value) === undefined ? null : json(value);
    await query(
      this.pool,
      `INSERT INTO intel_cache (provider, ip, value, fetched_at, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (provider, ip) DO UPDATE SET value = excluded.value,
         fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
      [provider, ip, text, Math.floor(now), Math.floor(now + ttl)],
    );
  }

  /** Removes expired answers; returns how many. */
  async prune(now: Millis): Promise<number> {
    return changes(this.pool, 'DELETE FROM intel_cache WHERE expires_at <= $1', [Math.floor(now)]);
  }
}

export class PgChatSettingsStore implements Async<ChatSettingsStore> {
  constructor(private readonly pool: pg.Pool) {}

  async lang(channel: string, chat: string): Promise<ChatLang | null> {
    const r = await row<{ lang: string | null }>(
      this.pool,
      'SELECT lang FROM chat_settings WHERE channel = $1 AND chat = $2',
      [channel, chat],
    );
    return r?.lang === 'ko' || r?.lang === 'en' ? r.lang : null;
  }

  async setLang(channel: string, chat: string, lang: ChatLang, now: Millis): Promise<void> {
    await query(
      this.pool,
      `INSERT INTO chat_settings (channel, chat, lang, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (channel, chat) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at`,
      [channel, chat, lang, Math.floor(now)],
    );
  }
}

/** The limit every list takes: 1 to 10000. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}`);
  }
  return limit;
}
