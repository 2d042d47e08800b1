/**
 * The bans table: every ban Sheriff decided on, from the request to its removal.
 * A ban is inserted when it is decided (a human approved it, or a jail's auto
 * policy allowed it), marked applied once the firewall confirmed it, and marked
 * removed when it is lifted (expiry, unban, failure). It is active only while
 * applied, not removed and not expired.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Ban, BanTarget, Millis } from '../domain.js';
import { CidrError, parseCidr } from '../net/cidr.js';
import { seenOn } from './findings.js';

/** What to insert. */
export interface BanRequest {
  target: BanTarget;
  jail: string | null;
  reason: string;
  /** Who asked: 'jail:sshd', 'admin:cli:root', 'agent'. */
  requestedBy: string;
  /** The approval behind it; null for an automatic ban. */
  approvalId: string | null;
  createdAt: Millis;
  /** Null for a permanent ban. */
  expiresAt: Millis | null;
  /**
   * Earlier bans of the same CIDR. Default: `offences(cidr)`, counted in the
   * same transaction as the insert. Pass it when the duration was computed
   * from it (bantime.increment), so both agree.
   */
  offence?: number;
}

export interface StoredBan extends Ban {
  requestedBy: string;
  approvalId: string | null;
  removedReason: string | null;
  /** The backend that last confirmed it ('nftables', …, 'dry-run'); null before that, or unknown. */
  firewall: string | null;
  /** Packets from the target are dropped here: applied by a real backend (not dry-run, not the hub's fleet, not unknown). */
  enforced: boolean;
}

interface BanRow {
  id: number;
  cidr: string;
  family: number;
  jail: string | null;
  reason: string;
  requested_by: string;
  approval_id: string | null;
  created_at: number;
  expires_at: number | null;
  applied_at: number | null;
  removed_at: number | null;
  removed_reason: string | null;
  offence: number;
  firewall: string | null;
}

const COLUMNS =
  'id, cidr, family, jail, reason, requested_by, approval_id, created_at, expires_at, ' +
  'applied_at, removed_at, removed_reason, offence, firewall';

/** The `ip` of a finding about a ban's target: the prefix itself, or the address without /32 or /128. */
const FINDING_IP = "bans.cidr, substr(bans.cidr, 1, instr(bans.cidr, '/') - 1)";

/**
 * Whether a ban drops packets here: applied by a known backend other than
 * dry-run (which blocks nothing) and other than the hub's 'fleet', whose ban
 * is a published decision, in force only on the hosts that confirmed it
 * (fleet/ban-state.ts).
 */
export function isEnforced(ban: Pick<StoredBan, 'appliedAt' | 'firewall'>): boolean {
  return (
    ban.appliedAt !== null &&
    ban.firewall !== null &&
    ban.firewall !== 'dry-run' &&
    ban.firewall !== 'fleet'
  );
}

/** Throws a TypeError unless `target` is a canonical CIDR of the family it claims. */
export function checkBanTarget(target: BanTarget): void {
  let text: string;
  let family: number;
  try {
    const c = parseCidr(target.cidr);
    text = c.text;
    family = c.family;
  } catch (err) {
    if (err instanceof CidrError) throw new TypeError(`invalid ban target: ${err.message}`);
    throw err;
  }
  if (text !== target.cidr || family !== target.family) {
    throw new TypeError(
      `invalid ban target: "${String(target.cidr)}" (IPv${String(target.family)}) is not canonical; expected "${text}" (IPv${family})`,
    );
  }
}

export class BanStore {
  private readonly insertStmt: Statement<unknown[]>;
  private readonly getStmt: Statement<[number], BanRow>;
  private readonly offencesStmt: Statement<[string], { n: number }>;
  private readonly offencesSinceStmt: Statement<[string, number], { n: number }>;
  private readonly appliedStmt: Statement<[number, string, number]>;
  private readonly heldStmt: Statement<[string, number]>;
  private readonly removedStmt: Statement<[number, string, number]>;
  private readonly activeStmt: Statement<[number], BanRow>;
  private readonly activeOnStmt: Statement<[number, string], BanRow>;
  private readonly pendingStmt: Statement<[], BanRow>;
  private readonly expiredStmt: Statement<[number], BanRow>;
  private readonly historyStmt: Statement<[string, number], BanRow>;

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO bans (cidr, family, jail, reason, requested_by, approval_id, created_at, expires_at, offence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM bans WHERE id = ?`);
    this.offencesStmt = db.prepare(
      'SELECT count(*) AS n FROM bans WHERE cidr = ? AND applied_at IS NOT NULL',
    );
    this.offencesSinceStmt = db.prepare(
      'SELECT count(*) AS n FROM bans WHERE cidr = ? AND applied_at >= ?',
    );
    this.appliedStmt = db.prepare(
      'UPDATE bans SET applied_at = ?, firewall = ? WHERE id = ? AND applied_at IS NULL AND removed_at IS NULL',
    );
    this.heldStmt = db.prepare(
      'UPDATE bans SET firewall = ? WHERE id = ? AND applied_at IS NOT NULL AND removed_at IS NULL',
    );
    this.removedStmt = db.prepare(
      'UPDATE bans SET removed_at = ?, removed_reason = ? WHERE id = ? AND removed_at IS NULL',
    );
    this.activeStmt = db.prepare(
      `SELECT ${COLUMNS} FROM bans
       WHERE removed_at IS NULL AND applied_at IS NOT NULL AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY created_at, id`,
    );
    this.activeOnStmt = db.prepare(
      `SELECT ${COLUMNS} FROM bans
       WHERE removed_at IS NULL AND applied_at IS NOT NULL AND (expires_at IS NULL OR expires_at > ?)
         AND EXISTS (SELECT 1 FROM findings f WHERE f.ip IN (${FINDING_IP}) AND ${seenOn('f.hosts')})
       ORDER BY created_at, id`,
    );
    this.pendingStmt = db.prepare(
      `SELECT ${COLUMNS} FROM bans WHERE removed_at IS NULL AND applied_at IS NULL
       ORDER BY created_at, id`,
    );
    this.expiredStmt = db.prepare(
      `SELECT ${COLUMNS} FROM bans
       WHERE removed_at IS NULL AND applied_at IS NOT NULL AND expires_at IS NOT NULL AND expires_at <= ?
       ORDER BY expires_at, id`,
    );
    this.historyStmt = db.prepare(
      `SELECT ${COLUMNS} FROM bans WHERE cidr = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
  }

  /** Records a decided ban (not yet applied); returns it as stored. */
  insert(req: BanRequest): StoredBan {
    checkBanRequest(req);
    return this.db.transaction(() => {
      const offence = req.offence ?? this.offences(req.target.cidr);
      const id = Number(
        this.insertStmt.run(
          req.target.cidr,
          req.target.family,
          req.jail,
          req.reason,
          req.requestedBy,
          req.approvalId,
          Math.floor(req.createdAt),
          req.expiresAt === null ? null : Math.floor(req.expiresAt),
          offence,
        ).lastInsertRowid,
      );
      return this.get(id)!;
    })();
  }

  get(id: number): StoredBan | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : fromRow(row);
  }

  /** How many earlier bans of `cidr` were applied (the repeat-offender count). */
  offences(cidr: string): number {
    return this.offencesStmt.get(cidr)?.n ?? 0;
  }

  /** How many bans of `cidr` were applied at `since` or later, by any jail (recidive's count). */
  offencesSince(cidr: string, since: Millis): number {
    return this.offencesSinceStmt.get(cidr, Math.floor(checkTime('since', since)))?.n ?? 0;
  }

  /**
   * `firewall` (a backend id) confirmed the ban. False when it was already applied, or removed
   * meanwhile.
   */
  markApplied(id: number, at: Millis, firewall: string): boolean {
    return this.appliedStmt.run(Math.floor(checkTime('at', at)), firewall, id).changes === 1;
  }

  /** `firewall` holds these applied bans now (after a reconciliation, or a change of backend). */
  markHeld(ids: readonly number[], firewall: string): void {
    this.db.transaction(() => {
      for (const id of ids) this.heldStmt.run(firewall, id);
    })();
  }

  /** Lifts the ban (expired, unbanned, failed to apply…). False when it was already removed. */
  markRemoved(id: number, at: Millis, reason: string): boolean {
    return this.removedStmt.run(Math.floor(checkTime('at', at)), reason, id).changes === 1;
  }

  /** Bans in force at `now`: applied, not removed, not expired. Oldest first. */
  /** Bans in force, oldest first; with `sensor`, those of attackers a finding on that fleet host named. */
  active(now: Millis, sensor?: string): StoredBan[] {
    const at = Math.floor(checkTime('now', now));
    return (sensor === undefined ? this.activeStmt.all(at) : this.activeOnStmt.all(at, sensor)).map(
      fromRow,
    );
  }

  /**
   * Bans decided but not applied yet (and not removed), oldest first: what the
   * executor still has to hand to the firewall. Some may have expired while
   * waiting: compare `expiresAt` with the clock and remove those instead.
   */
  pending(): StoredBan[] {
    return this.pendingStmt.all().map(fromRow);
  }

  /** Applied, not removed, and `expiresAt <= now`: what to lift. Soonest expiry first. */
  expired(now: Millis): StoredBan[] {
    return this.expiredStmt.all(Math.floor(checkTime('now', now))).map(fromRow);
  }

  /** Every ban of `cidr` (any state), newest first. */
  history(cidr: string, limit = 100): StoredBan[] {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}`);
    }
    return this.historyStmt.all(cidr, limit).map(fromRow);
  }
}

/** Refuses a ban request either store would store wrongly: the same checks for both. */
export function checkBanRequest(req: BanRequest): void {
  checkBanTarget(req.target);
  for (const k of ['reason', 'requestedBy'] as const) {
    if (typeof req[k] !== 'string') throw new TypeError(`invalid ban: ${k} is not a string`);
  }
  checkTime('createdAt', req.createdAt);
  if (req.expiresAt !== null) checkTime('expiresAt', req.expiresAt);
  if (req.offence !== undefined && !(Number.isSafeInteger(req.offence) && req.offence >= 0)) {
    throw new TypeError(`invalid ban: offence ${req.offence}`);
  }
}

function checkTime(name: string, t: Millis): Millis {
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a finite time in ms, not ${t}`);
  return t;
}

function fromRow(r: BanRow): StoredBan {
  return {
    id: r.id,
    target: { cidr: r.cidr, family: r.family === 6 ? 6 : 4 },
    jail: r.jail,
    reason: r.reason,
    requestedBy: r.requested_by,
    approvalId: r.approval_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    appliedAt: r.applied_at,
    removedAt: r.removed_at,
    removedReason: r.removed_reason,
    offence: r.offence,
    firewall: r.firewall,
    enforced: isEnforced({ appliedAt: r.applied_at, firewall: r.firewall }),
  };
}

/** The row mapper, shared with the PostgreSQL store (store/pg/), whose rows have the same columns. */
export { fromRow as banFromRow };
