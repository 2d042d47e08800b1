/** The bans table on PostgreSQL: the twin of store/bans.ts. */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import type { Async } from '../api.js';
import {
  banFromRow,
  checkBanRequest,
  type BanRequest,
  type BanStore,
  type StoredBan,
} from '../bans.js';
import { changes, ms, query, row, rows } from './db.js';
import { checkLimit, seenOn } from './records.js';

type BanRow = Parameters<typeof banFromRow>[0];

const COLUMNS =
  'id, cidr, family, jail, reason, requested_by, approval_id, created_at, expires_at, ' +
  'applied_at, removed_at, removed_reason, offence, firewall';

export class PgBanStore implements Async<BanStore> {
  constructor(private readonly pool: pg.Pool) {}

  /** Records a decided ban (not yet applied); returns it as stored. */
  async insert(req: BanRequest): Promise<StoredBan> {
    checkBanRequest(req);
    // One statement: the offence count is read in the insert's own snapshot.
    const r = await row<BanRow>(
      this.pool,
      `INSERT INTO bans (cidr, family, jail, reason, requested_by, approval_id, created_at, expires_at, offence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::bigint,
         (SELECT count(*) FROM bans WHERE cidr = $1 AND applied_at IS NOT NULL)))
       RETURNING ${COLUMNS}`,
      [
        req.target.cidr,
        req.target.family,
        req.jail,
        req.reason,
        req.requestedBy,
        req.approvalId,
        Math.floor(req.createdAt),
        req.expiresAt === null ? null : Math.floor(req.expiresAt),
        req.offence ?? null,
      ],
    );
    return banFromRow(r!);
  }

  async get(id: number): Promise<StoredBan | null> {
    const r = await row<BanRow>(this.pool, `SELECT ${COLUMNS} FROM bans WHERE id = $1`, [id]);
    return r === undefined ? null : banFromRow(r);
  }

  async offences(cidr: string): Promise<number> {
    const r = await row<{ n: number }>(
      this.pool,
      'SELECT count(*) AS n FROM bans WHERE cidr = $1 AND applied_at IS NOT NULL',
      [cidr],
    );
    return r?.n ?? 0;
  }

  async offencesSince(cidr: string, since: Millis): Promise<number> {
    const r = await row<{ n: number }>(
      this.pool,
      'SELECT count(*) AS n FROM bans WHERE cidr = $1 AND applied_at >= $2',
      [cidr, ms('since', since)],
    );
    return r?.n ?? 0;
  }

  async markApplied(id: number, at: Millis, firewall: string): Promise<boolean> {
    const n = await changes(
      this.pool,
      `UPDATE bans SET applied_at = $1, firewall = $2
       WHERE id = $3 AND applied_at IS NULL AND removed_at IS NULL`,
      [ms('at', at), firewall, id],
    );
    return n === 1;
  }

  async markHeld(ids: readonly number[], firewall: string): Promise<void> {
    if (ids.length === 0) return;
    await query(
      this.pool,
      `UPDATE bans SET firewall = $1
       WHERE id = ANY($2::bigint[]) AND applied_at IS NOT NULL AND removed_at IS NULL`,
      [firewall, ids],
    );
  }

  async markRemoved(id: number, at: Millis, reason: string): Promise<boolean> {
    const n = await changes(
      this.pool,
      'UPDATE bans SET removed_at = $1, removed_reason = $2 WHERE id = $3 AND removed_at IS NULL',
      [ms('at', at), reason, id],
    );
    return n === 1;
  }

  async active(now: Millis, sensor?: string): Promise<StoredBan[]> {
    const active =
      'removed_at IS NULL AND applied_at IS NOT NULL AND (expires_at IS NULL OR expires_at > $1)';
    // A finding's ip is the prefix itself, or the address without /32 or /128.
    return sensor === undefined
      ? this.list(`WHERE ${active} ORDER BY created_at, id`, [ms('now', now)])
      : this.list(
          `WHERE ${active} AND EXISTS (SELECT 1 FROM findings f
             WHERE f.ip IN (bans.cidr, split_part(bans.cidr, '/', 1)) AND ${seenOn('f.hosts', 2)})
           ORDER BY created_at, id`,
          [ms('now', now), sensor],
        );
  }

  async pending(): Promise<StoredBan[]> {
    return this.list('WHERE removed_at IS NULL AND applied_at IS NULL ORDER BY created_at, id', []);
  }

  async expired(now: Millis): Promise<StoredBan[]> {
    return this.list(
      `WHERE removed_at IS NULL AND applied_at IS NOT NULL AND expires_at IS NOT NULL
         AND expires_at <= $1
       ORDER BY expires_at, id`,
      [ms('now', now)],
    );
  }

  async history(cidr: string, limit = 100): Promise<StoredBan[]> {
    return this.list('WHERE cidr = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [
      cidr,
      checkLimit(limit),
    ]);
  }

  private async list(tail: string, params: unknown[]): Promise<StoredBan[]> {
    return (await rows<BanRow>(this.pool, `SELECT ${COLUMNS} FROM bans ${tail}`, params)).map(
      banFromRow,
    );
  }
}
