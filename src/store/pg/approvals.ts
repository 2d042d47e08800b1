/** The approvals and audit tables on PostgreSQL: the twins of store/approvals.ts and store/audit.ts. */
import type pg from 'pg';
import type { Millis } from '../../domain.js';
import type { Async } from '../api.js';
import {
  approvalFromRow,
  LEGACY_MAC_PREFIX,
  type ApprovalChange,
  type ApprovalQuery,
  type ApprovalRecord,
  type ApprovalStore,
  type StoredApproval,
} from '../approvals.js';
import {
  auditFromRow,
  type AuditEntry,
  type AuditQuery,
  type AuditStore,
  type StoredAuditEntry,
} from '../audit.js';
import { changes, json, query, row, rows, transaction, type Queryable } from './db.js';
import { checkLimit } from './records.js';

type ApprovalRow = Parameters<typeof approvalFromRow>[0];
type AuditRow = Parameters<typeof auditFromRow>[0];

const COLUMNS =
  'id, action, cidr, family, duration_ms, reason, requested_by, jail, evidence, created_at, ' +
  'expires_at, mac, status, decided_at, decided_by, channel, executed_at';

const floorOrNull = (t: Millis | null) => (t === null ? null : Math.floor(t));

export class PgApprovalStore implements Async<ApprovalStore> {
  constructor(private readonly pool: pg.Pool) {}

  /** Inserts a request, and `audit` with it in one transaction. */
  async insert(r: ApprovalRecord, audit?: AuditEntry): Promise<void> {
    await this.audited(audit, async (db) => {
      await query(
        db,
        `INSERT INTO approvals (id, action, cidr, family, duration_ms, reason, requested_by, jail,
         evidence, created_at, expires_at, mac)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          r.id,
          r.action,
          r.target?.cidr ?? null,
          r.target?.family ?? null,
          r.durationMs,
          r.reason,
          r.requestedBy,
          r.jail,
          json({ findings: r.evidence.findings, events: r.evidence.events }),
          Math.floor(r.createdAt),
          Math.floor(r.expiresAt),
          r.mac,
        ],
      );
      return true;
    });
  }

  async get(id: string): Promise<StoredApproval | null> {
    const r = await row<ApprovalRow>(this.pool, `SELECT ${COLUMNS} FROM approvals WHERE id = $1`, [
      id,
    ]);
    return r === undefined ? null : approvalFromRow(r);
  }

  /**
   * The next state, if the row still carries `expectedMac`: one UPDATE, so the
   * first decision wins even between hubs.
   */
  async change(
    id: string,
    expectedMac: string,
    next: ApprovalChange,
    audit?: AuditEntry,
  ): Promise<boolean> {
    return this.audited(audit, async (db) => {
      const n = await changes(
        db,
        `UPDATE approvals SET status = $1, decided_at = $2, decided_by = $3, channel = $4,
         executed_at = $5, mac = $6
       WHERE id = $7 AND mac = $8`,
        [
          next.status,
          floorOrNull(next.decidedAt),
          next.decidedBy,
          next.channel,
          floorOrNull(next.executedAt),
          next.mac,
          id,
          expectedMac,
        ],
      );
      return n === 1;
    });
  }

  /** Replaces the MAC only (a row signed by an older Sheriff); `audit` as in change. */
  async resign(id: string, expectedMac: string, mac: string, audit?: AuditEntry): Promise<boolean> {
    return this.audited(
      audit,
      async (db) =>
        (await changes(db, 'UPDATE approvals SET mac = $1 WHERE id = $2 AND mac = $3', [
          mac,
          id,
          expectedMac,
        ])) === 1,
    );
  }

  /** True only the first time (report it once), and only then is `audit` appended with it. */
  async markTampered(id: string, at: Millis, audit?: AuditEntry): Promise<boolean> {
    return this.audited(
      audit,
      async (db) =>
        (await changes(
          db,
          'UPDATE approvals SET tampered_at = $1 WHERE id = $2 AND tampered_at IS NULL',
          [Math.floor(at), id],
        )) === 1,
    );
  }

  /** Runs `write` and, when it changed something, appends `audit`: both or neither. */
  private async audited(
    audit: AuditEntry | undefined,
    write: (db: Queryable) => Promise<boolean>,
  ): Promise<boolean> {
    if (audit === undefined) return write(this.pool);
    return transaction(this.pool, async (c) => {
      const changed = await write(c);
      if (changed) await appendAudit(c, audit);
      return changed;
    });
  }

  async due(now: Millis): Promise<StoredApproval[]> {
    return this.select(`WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at, id`, [
      Math.floor(now),
    ]);
  }

  async legacy(): Promise<StoredApproval[]> {
    return this.select(`WHERE starts_with(mac, $1) ORDER BY created_at, id`, [LEGACY_MAC_PREFIX]);
  }

  /** Approvals that expired or were denied at or after `since`, oldest first. */
  async closedSince(since: Millis): Promise<StoredApproval[]> {
    return this.select(
      `WHERE status IN ('expired', 'denied') AND decided_at >= $1 ORDER BY decided_at, id`,
      [Math.floor(since)],
    );
  }

  /** Newest first. */
  async list(q: ApprovalQuery = {}): Promise<StoredApproval[]> {
    const limit = checkLimit(q.limit ?? 100);
    return q.status === undefined
      ? this.select('ORDER BY created_at DESC, id DESC LIMIT $1', [limit])
      : this.select('WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [
          q.status,
          limit,
        ]);
  }

  private async select(tail: string, params: unknown[]): Promise<StoredApproval[]> {
    const found = await rows<ApprovalRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM approvals ${tail}`,
      params,
    );
    return found.map(approvalFromRow);
  }
}

const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'refused', 'failed']);

export class PgAuditStore implements Async<AuditStore> {
  constructor(private readonly pool: pg.Pool) {}

  /** Appends one entry; returns its id. The table's triggers refuse any change after. */
  async append(e: AuditEntry): Promise<number> {
    return appendAudit(this.pool, e);
  }

  async list(q: AuditQuery = {}): Promise<StoredAuditEntry[]> {
    const limit = checkLimit(q.limit ?? 100);
    const since = q.since === undefined ? Number.MIN_SAFE_INTEGER : Math.floor(q.since);
    const found = await rows<AuditRow>(
      this.pool,
      `SELECT id, time, actor, channel, action, target, outcome, detail FROM audit
       WHERE time >= $1 ORDER BY time DESC, id DESC LIMIT $2`,
      [since, limit],
    );
    return found.map(auditFromRow);
  }
}

async function appendAudit(db: Queryable, e: AuditEntry): Promise<number> {
  if (!Number.isFinite(e.time)) throw new TypeError(`invalid audit entry: time ${e.time}`);
  if (typeof e.actor !== 'string' || typeof e.action !== 'string') {
    throw new TypeError('invalid audit entry: actor and action must be strings');
  }
  if (!OUTCOMES.has(e.outcome)) {
    throw new TypeError(`invalid audit entry: outcome ${String(e.outcome)}`);
  }
  const r = await row<{ id: number }>(
    db,
    `INSERT INTO audit (time, actor, channel, action, target, outcome, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [Math.floor(e.time), e.actor, e.channel, e.action, e.target, e.outcome, detailJson(e.detail)],
  );
  return r!.id;
}

function detailJson(detail: Record<string, unknown>): string {
  try {
    const text = json(detail ?? {});
    return text === undefined ? '{}' : text;
  } catch {
    return json({ unserialisable: true });
  }
}
