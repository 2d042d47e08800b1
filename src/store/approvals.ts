/**
 * The approvals table: actions waiting for a human decision, and the decision.
 * Only rows and atomic state changes live here; the rules (who may decide,
 * expiry, the MAC) are in respond/approvals.ts, which every channel goes through.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ActionKind, BanTarget, Millis } from '../domain.js';
import type { AuditEntry, AuditStore } from './audit.js';

/** The MAC of a row signed before decisions were covered (schema 4 marks them so). */
export const LEGACY_MAC_PREFIX = 'v1:';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'refused';

/** The channels a human decides through. There is deliberately no 'agent' channel. */
export type HumanChannel = 'cli' | 'telegram' | 'web';
export const HUMAN_CHANNELS: ReadonlySet<string> = new Set<HumanChannel>([
  'cli',
  'telegram',
  'web',
]);

export interface Evidence {
  findings: number[];
  events: number[];
}

/** A new approval, as inserted. */
export interface ApprovalRecord {
  id: string;
  action: ActionKind;
  target: BanTarget | null;
  durationMs: number | null;
  reason: string;
  requestedBy: string;
  jail: string | null;
  evidence: Evidence;
  createdAt: Millis;
  expiresAt: Millis;
  /** Hex HMAC-SHA256 (see respond/approvals.ts for its input). */
  mac: string;
}

export interface StoredApproval extends ApprovalRecord {
  status: ApprovalStatus;
  decidedAt: Millis | null;
  /** The identity that decided (approved/denied); null otherwise. */
  decidedBy: string | null;
  channel: HumanChannel | null;
  executedAt: Millis | null;
}

/** The fields a state change writes; the MAC is over the whole row as it will be. */
export type ApprovalChange = Pick<
  StoredApproval,
  'status' | 'decidedAt' | 'decidedBy' | 'channel' | 'executedAt' | 'mac'
>;

export interface ApprovalQuery {
  status?: ApprovalStatus;
  /** Default 100, at most 10000. */
  limit?: number;
}

const CLOSED: readonly ApprovalStatus[] = ['expired', 'denied'];

interface ApprovalRow {
  id: string;
  action: string;
  cidr: string | null;
  family: number | null;
  duration_ms: number | null;
  reason: string;
  requested_by: string;
  jail: string | null;
  evidence: string;
  created_at: number;
  expires_at: number;
  mac: string;
  status: string;
  decided_at: number | null;
  decided_by: string | null;
  channel: string | null;
  executed_at: number | null;
}

const COLUMNS =
  'id, action, cidr, family, duration_ms, reason, requested_by, jail, evidence, created_at, ' +
  'expires_at, mac, status, decided_at, decided_by, channel, executed_at';

export class ApprovalStore {
  private readonly insertStmt: Statement<unknown[]>;
  private readonly getStmt: Statement<[string], ApprovalRow>;
  private readonly changeStmt: Statement<unknown[]>;
  private readonly resignStmt: Statement<[string, string, string]>;
  private readonly tamperedStmt: Statement<[number, string]>;
  private readonly dueStmt: Statement<[number], ApprovalRow>;
  private readonly legacyStmt: Statement<[], ApprovalRow>;
  private readonly closedStmt: Statement<[number], ApprovalRow>;
  private readonly listAllStmt: Statement<[number], ApprovalRow>;
  private readonly listStatusStmt: Statement<[string, number], ApprovalRow>;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditStore,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO approvals (id, action, cidr, family, duration_ms, reason, requested_by, jail,
         evidence, created_at, expires_at, mac)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM approvals WHERE id = ?`);
    // Every state change is guarded by the MAC the caller verified: a row changed
    // since (by another process's decision, or in the database) is not overwritten,
    // so the first decision wins atomically, even between processes.
    this.changeStmt = db.prepare(
      `UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, channel = ?,
         executed_at = ?, mac = ?
       WHERE id = ? AND mac = ?`,
    );
    this.resignStmt = db.prepare(`UPDATE approvals SET mac = ? WHERE id = ? AND mac = ?`);
    this.tamperedStmt = db.prepare(
      `UPDATE approvals SET tampered_at = ? WHERE id = ? AND tampered_at IS NULL`,
    );
    this.dueStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals WHERE status = 'pending' AND expires_at <= ?
       ORDER BY expires_at, id`,
    );
    this.legacyStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals WHERE mac LIKE '${LEGACY_MAC_PREFIX}%' ORDER BY created_at, id`,
    );
    this.closedStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals
       WHERE status IN (${CLOSED.map((s) => `'${s}'`).join(', ')}) AND decided_at >= ?
       ORDER BY decided_at, id`,
    );
    this.listAllStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
    this.listStatusStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
  }

  /** Inserts a request, and `audit` with it in one transaction. */
  insert(r: ApprovalRecord, audit?: AuditEntry): void {
    this.audited(audit, () => {
      this.insertRow(r);
      return true;
    });
  }

  private insertRow(r: ApprovalRecord): void {
    this.insertStmt.run(
      r.id,
      r.action,
      r.target?.cidr ?? null,
      r.target?.family ?? null,
      r.durationMs,
      r.reason,
      r.requestedBy,
      r.jail,
      JSON.stringify({ findings: r.evidence.findings, events: r.evidence.events }),
      Math.floor(r.createdAt),
      Math.floor(r.expiresAt),
      r.mac,
    );
  }

  get(id: string): StoredApproval | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : fromRow(row);
  }

  /**
   * Moves the row to its next state (a decision, an expiry, a refusal, the
   * execution) with the MAC of that state, if it still carries `expectedMac`.
   * False when it does not: someone else changed it first. `audit` is appended
   * in the same transaction, only when the row changed.
   */
  change(id: string, expectedMac: string, next: ApprovalChange, audit?: AuditEntry): boolean {
    return this.audited(
      audit,
      () =>
        this.changeStmt.run(
          next.status,
          next.decidedAt === null ? null : Math.floor(next.decidedAt),
          next.decidedBy,
          next.channel,
          next.executedAt === null ? null : Math.floor(next.executedAt),
          next.mac,
          id,
          expectedMac,
        ).changes === 1,
    );
  }

  /** Replaces the MAC only (the upgrade of a row signed by an older Sheriff); `audit` as in change. */
  resign(id: string, expectedMac: string, mac: string, audit?: AuditEntry): boolean {
    return this.audited(audit, () => this.resignStmt.run(mac, id, expectedMac).changes === 1);
  }

  /**
   * Notes that the row was found tampered with; true only the first time (report it
   * once), and only then is `audit` appended, in the same transaction.
   */
  markTampered(id: string, at: Millis, audit?: AuditEntry): boolean {
    return this.audited(audit, () => this.tamperedStmt.run(Math.floor(at), id).changes === 1);
  }

  /** Runs `write` and, when it changed something, appends `audit`: both or neither. */
  private audited(audit: AuditEntry | undefined, write: () => boolean): boolean {
    if (audit === undefined) return write();
    return this.db.transaction(() => {
      const changed = write();
      if (changed) this.audit.append(audit);
      return changed;
    })();
  }

  /** Pending approvals whose time ran out at `now`. */
  due(now: Millis): StoredApproval[] {
    return this.dueStmt.all(Math.floor(now)).map(fromRow);
  }

  /** Rows still signed by a Sheriff before approvals v2 (their MAC starts with "v1:"). */
  legacy(): StoredApproval[] {
    return this.legacyStmt.all().map(fromRow);
  }

  /** Approvals that expired or were denied at or after `since`, oldest first. */
  closedSince(since: Millis): StoredApproval[] {
    return this.closedStmt.all(Math.floor(since)).map(fromRow);
  }

  /** Newest first. */
  list(q: ApprovalQuery = {}): StoredApproval[] {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}`);
    }
    const rows =
      q.status === undefined
        ? this.listAllStmt.all(limit)
        : this.listStatusStmt.all(q.status, limit);
    return rows.map(fromRow);
  }
}

function fromRow(r: ApprovalRow): StoredApproval {
  return {
    id: r.id,
    action: r.action as ActionKind,
    target: r.cidr === null ? null : { cidr: r.cidr, family: r.family === 6 ? 6 : 4 },
    durationMs: r.duration_ms,
    reason: r.reason,
    requestedBy: r.requested_by,
    jail: r.jail,
    evidence: parseEvidence(r.evidence),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    mac: r.mac,
    status: r.status as ApprovalStatus,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    channel:
      r.channel !== null && HUMAN_CHANNELS.has(r.channel) ? (r.channel as HumanChannel) : null,
    executedAt: r.executed_at,
  };
}

function parseEvidence(json: string): Evidence {
  const ids = (v: unknown): number[] =>
    Array.isArray(v) ? v.filter((x): x is number => Number.isSafeInteger(x)) : [];
  try {
    const v = JSON.parse(json) as { findings?: unknown; events?: unknown } | null;
    return { findings: ids(v?.findings), events: ids(v?.events) };
  } catch {
    return { findings: [], events: [] };
  }
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { fromRow as approvalFromRow };
