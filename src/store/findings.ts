/** The findings table: what detection concluded, kept for the CLI and reports. */
import type { Database, Statement } from 'better-sqlite3';
import type { Finding, FindingKind, Millis } from '../domain.js';

export interface StoredFinding extends Finding {
  id: number;
  /** When the daemon recorded it (wall clock). */
  createdAt: Millis;
}

export interface FindingQuery {
  /** Inclusive lower bound on createdAt. */
  since?: Millis;
  ip?: string;
  /** Only those seen on this fleet host (at the hub). */
  sensor?: string;
  /** Default 100, at most 10000. */
  limit?: number;
}

interface FindingRow {
  id: number;
  kind: string;
  jail: string;
  scope: string;
  ip: string;
  count: number;
  first: number;
  last: number;
  users: string;
  hosts: string;
  created_at: number;
}

/** Throws a TypeError for a finding the table would reject. */
export function checkFinding(f: Finding): void {
  const bad = (what: string) => new TypeError(`invalid finding: ${what}`);
  for (const k of ['kind', 'jail', 'scope', 'ip'] as const) {
    if (typeof f[k] !== 'string') throw bad(`${k} is not a string`);
  }
  for (const k of ['count', 'first', 'last'] as const) {
    if (!Number.isSafeInteger(f[k])) throw bad(`${k} ${String(f[k])}`);
  }
  if (!Array.isArray(f.users) || !f.users.every((u) => typeof u === 'string')) {
    throw bad('users is not an array of strings');
  }
}

const COLUMNS = 'id, kind, jail, scope, ip, count, "first", "last", users, hosts, created_at';

export class FindingStore {
  private readonly insertStmt: Statement<[Record<string, unknown>]>;
  private readonly queries = new Map<string, Statement<unknown[], FindingRow>>();

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO findings (kind, jail, scope, ip, count, "first", "last", users, hosts, created_at)
       VALUES (@kind, @jail, @scope, @ip, @count, @first, @last, @users, @hosts, @createdAt)`,
    );
  }

  /** Inserts one finding; returns its id. Runs in the caller's transaction when there is one. */
  insert(f: Finding, createdAt: Millis): number {
    return Number(
      this.insertStmt.run({
        kind: f.kind,
        jail: f.jail,
        scope: f.scope,
        ip: f.ip,
        count: f.count,
        first: f.first,
        last: f.last,
        users: JSON.stringify(f.users),
        hosts: JSON.stringify(f.hosts ?? []),
        createdAt: Math.floor(createdAt),
      }).lastInsertRowid,
    );
  }

  /** Findings, newest first. */
  recent(q: FindingQuery = {}): StoredFinding[] {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}`);
    }
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.since !== undefined) {
      where.push('created_at >= ?');
      params.push(Math.floor(q.since));
    }
    if (q.ip !== undefined) {
      where.push('ip = ?');
      params.push(q.ip);
    }
    if (q.sensor !== undefined) {
      where.push(seenOn('hosts'));
      params.push(q.sensor);
    }
    const sql =
      `SELECT ${COLUMNS} FROM findings` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY created_at DESC, id DESC LIMIT ?';
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], FindingRow>(sql);
      this.queries.set(sql, stmt);
    }
    return stmt.all(...params, limit).map(fromRow);
  }
}

/** SQL true when the JSON array of host names in `column` holds the bound parameter. */
export function seenOn(column: string): string {
  return `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)`;
}

function fromRow(r: FindingRow): StoredFinding {
  const hosts = parseStrings(r.hosts);
  return {
    id: r.id,
    kind: r.kind as FindingKind,
    jail: r.jail,
    scope: r.scope === 'prefix' ? 'prefix' : 'address',
    ip: r.ip,
    count: r.count,
    first: r.first,
    last: r.last,
    users: parseStrings(r.users),
    ...(hosts.length === 0 ? {} : { hosts }),
    createdAt: r.created_at,
  };
}

function parseStrings(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((u): u is string => typeof u === 'string') : [];
  } catch {
    return [];
  }
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { fromRow as findingFromRow };
