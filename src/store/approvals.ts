/**
 * The approvals table: actions waiting for a human decision, and the decision.
 * Only rows and atomic state changes live here; the rules (who may decide,
 * expiry, the MAC) are in respond/approvals.ts, which every channel goes through.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ActionKind, BanTarget, Millis } from '../domain.js';

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

export interface ApprovalQuery {
  status?: ApprovalStatus;
  /** Default 100, at most 10000. */
  limit?: number;
}

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
  private readonly decideStmt: Statement<[string, number, string, string, string]>;
  private readonly closeStmt: Statement<[string, number, string]>;
  private readonly refuseApprovedStmt: Statement<[string]>;
  private readonly dueStmt: Statement<[number], ApprovalRow>;
  private readonly executedStmt: Statement<[number, string]>;
  private readonly listAllStmt: Statement<[number], ApprovalRow>;
  private readonly listStatusStmt: Statement<[string, number], ApprovalRow>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO approvals (id, action, cidr, family, duration_ms, reason, requested_by, jail,
         evidence, created_at, expires_at, mac)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM approvals WHERE id = ?`);
    // The first decision wins: the status guard makes the change atomic even
    // between processes, and `changes` says whether this one was first.
    this.decideStmt = db.prepare(
      `UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, channel = ?
       WHERE id = ? AND status = 'pending'`,
    );
    this.closeStmt = db.prepare(
      `UPDATE approvals SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'`,
    );
    this.refuseApprovedStmt = db.prepare(
      `UPDATE approvals SET status = 'refused'
       WHERE id = ? AND status = 'approved' AND executed_at IS NULL`,
    );
    this.dueStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals WHERE status = 'pending' AND expires_at <= ?
       ORDER BY expires_at, id`,
    );
    this.executedStmt = db.prepare(
      `UPDATE approvals SET executed_at = ?
       WHERE id = ? AND status = 'approved' AND executed_at IS NULL`,
    );
    this.listAllStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
    this.listStatusStmt = db.prepare(
      `SELECT ${COLUMNS} FROM approvals WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
  }

  insert(r: ApprovalRecord): void {
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

  /** Pending → approved/denied. False when it was not pending any more (someone decided first). */
  decide(
    id: string,
    status: 'approved' | 'denied',
    decidedBy: string,
    channel: HumanChannel,
    at: Millis,
  ): boolean {
    return this.decideStmt.run(status, Math.floor(at), decidedBy, channel, id).changes === 1;
  }

  /** Pending → expired/refused (no human decided). False when it was not pending. */
  close(id: string, status: 'expired' | 'refused', at: Millis): boolean {
    return this.closeStmt.run(status, Math.floor(at), id).changes === 1;
  }

  /**
   * Approved but not executed → refused (a guardrail said no at execution).
   * decided_at/decided_by keep the approval; the audit log has the refusal.
   */
  refuseApproved(id: string): boolean {
    return this.refuseApprovedStmt.run(id).changes === 1;
  }

  /** Pending approvals whose time ran out at `now`. */
  due(now: Millis): StoredApproval[] {
    return this.dueStmt.all(Math.floor(now)).map(fromRow);
  }

  /** Approved and not executed → executed. True exactly once per approval. */
  markExecuted(id: string, at: Millis): boolean {
    return this.executedStmt.run(Math.floor(at), id).changes === 1;
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
