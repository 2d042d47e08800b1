/**
 * The audit table: who did what, with what outcome. Append-only: the schema's
 * triggers refuse UPDATE and DELETE, so an entry, once written, stays as written.
 *
 * An entry:
 * - `time`: epoch ms;
 * - `actor`: who acted — a human identity ("root", a Telegram user id), or a
 *   requester such as "jail:sshd", "agent", "system";
 * - `channel`: the human channel ('cli', 'telegram', 'web'), or null for the daemon itself;
 * - `action`: a dotted verb, e.g. "approval.request", "approval.approve",
 *   "approval.deny", "approval.expire", "approval.execute", "approval.refuse";
 * - `target`: what it was about (a canonical CIDR), or null;
 * - `outcome`: 'ok', 'refused' (a check said no; `detail.why` says why) or 'failed';
 * - `detail`: a JSON object (ids, codes, the reason of a refusal).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export type AuditOutcome = 'ok' | 'refused' | 'failed';

export interface AuditEntry {
  time: Millis;
  actor: string;
  channel: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

export interface AuditQuery {
  /** Inclusive lower bound on time. */
  since?: Millis;
  /** Default 100, at most 10000. */
  limit?: number;
}

interface AuditRow {
  id: number;
  time: number;
  actor: string;
  channel: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: string;
}

const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'refused', 'failed']);
const COLUMNS = 'id, time, actor, channel, action, target, outcome, detail';

export class AuditStore {
  private readonly insertStmt: Statement<unknown[]>;
  private readonly listStmt: Statement<[number, number], AuditRow>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO audit (time, actor, channel, action, target, outcome, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.listStmt = db.prepare(
      `SELECT ${COLUMNS} FROM audit WHERE time >= ? ORDER BY time DESC, id DESC LIMIT ?`,
    );
  }

  /** Appends one entry; returns its id. Runs in the caller's transaction when there is one. */
  append(e: AuditEntry): number {
    if (!Number.isFinite(e.time)) throw new TypeError(`invalid audit entry: time ${e.time}`);
    if (typeof e.actor !== 'string' || typeof e.action !== 'string') {
      throw new TypeError('invalid audit entry: actor and action must be strings');
    }
    if (!OUTCOMES.has(e.outcome)) {
      throw new TypeError(`invalid audit entry: outcome ${String(e.outcome)}`);
    }
    return Number(
      this.insertStmt.run(
        Math.floor(e.time),
        e.actor,
        e.channel,
        e.action,
        e.target,
        e.outcome,
        detailJson(e.detail),
      ).lastInsertRowid,
    );
  }

  /** Entries at or after `since`, newest first. */
  list(q: AuditQuery = {}): StoredAuditEntry[] {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}`);
    }
    const since = q.since === undefined ? Number.MIN_SAFE_INTEGER : Math.floor(q.since);
    return this.listStmt.all(since, limit).map(fromRow);
  }
}

function detailJson(detail: Record<string, unknown>): string {
  try {
    const json = JSON.stringify(detail ?? {});
    return json === undefined ? '{}' : json;
  } catch {
    // A cycle or a BigInt: still record that something happened.
    return JSON.stringify({ unserialisable: true });
  }
}

function fromRow(r: AuditRow): StoredAuditEntry {
  let detail: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(r.detail);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      detail = v as Record<string, unknown>;
    }
  } catch {
    detail = {};
  }
  return {
    id: r.id,
    time: r.time,
    actor: r.actor,
    channel: r.channel,
    action: r.action,
    target: r.target,
    // As written: a newer Sheriff may write outcomes this one does not know.
    outcome: r.outcome as AuditOutcome,
    detail,
  };
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { fromRow as auditFromRow };
