/**
 * The incidents and incident_timeline tables: one row per attacker campaign and
 * the story of it. What other parts read (Telegram /incidents, the web console,
 * the agent's tools) goes through list, get, addNote and setTriage; the
 * incident manager (incidents/manager.ts) is the only writer of activity.
 * JSON columns are parsed defensively: a row written by another version must
 * not crash a reader.
 */
import type { Database, Statement } from 'better-sqlite3';
import {
  type Millis,
  type Severity,
  type TriageResult,
  type Verdict,
  MAX_INCIDENT_MEMBERS,
  MAX_INCIDENT_USERS,
  type Enrichment,
  type Incident,
  type IncidentDetail,
  type IncidentKind,
  type IncidentState,
  type TimelineEntry,
  type TimelineKind,
  type TriageBy,
  type TriageRecord,
} from '../domain.js';
import { seenOn } from './findings.js';

export interface IncidentFilter {
  /** One state, or 'active' (open or triaged). */
  state?: IncidentState | 'active';
  verdict?: Verdict;
  attacker?: string;
  /** Incidents with activity (last_seen) at or after this. */
  since?: Millis;
  /** Incidents opened before this (exclusive). */
  openedBefore?: Millis;
  /** Incidents with a finding seen on this fleet host (at the hub). */
  sensor?: string;
  /** Default 100, at most 10000. */
  limit?: number;
}

/** What opens an incident. */
export interface NewIncident {
  attacker: string;
  scope: 'address' | 'prefix';
  kind: IncidentKind;
  jail: string;
  /** Event time of the activity. */
  first: Millis;
  last: Millis;
  users: readonly string[];
  members?: readonly string[];
}

/** Activity to fold into an incident (the span widens; lists merge, capped). */
export interface IncidentActivity {
  first: Millis;
  last: Millis;
  /** New totals, when recounted. */
  failures?: number;
  successes?: number;
  jails?: readonly string[];
  kinds?: readonly IncidentKind[];
  users?: readonly string[];
  members?: readonly string[];
}

export interface NewTimelineEntry {
  time: Millis;
  kind: TimelineKind;
  actor: string;
  refId?: number | null;
  ref?: string | null;
  detail?: Record<string, unknown>;
}

interface IncidentRow {
  id: number;
  attacker: string;
  scope: string;
  state: string;
  opened_at: number;
  updated_at: number;
  resolved_at: number | null;
  reopened: number;
  first_seen: number;
  last_seen: number;
  jails: string;
  kinds: string;
  users: string;
  members: string;
  failures: number;
  successes: number;
  enrichment: string | null;
  rules_triage: string | null;
  agent_triage: string | null;
  admin_triage: string | null;
  verdict: string | null;
  severity: string | null;
}

interface TimelineRow {
  id: number;
  incident_id: number;
  time: number;
  kind: string;
  actor: string;
  ref_id: number | null;
  ref: string | null;
  detail: string;
}

const TRIAGE_COLUMN: Record<TriageBy, string> = {
  rules: 'rules_triage',
  agent: 'agent_triage',
  admin: 'admin_triage',
};

/** What a triage's timeline entry records of it: the same in both stores. */
export function triageDetail(by: TriageBy, record: TriageRecord): Record<string, unknown> {
  return {
    by,
    verdict: record.verdict,
    confidence: record.confidence,
    severity: record.severity,
    reasons: record.reasons,
    evidence: record.evidence,
    ...(record.narrative === null ? {} : { narrative: record.narrative }),
  };
}

/** Severity as a number to sort by: critical 4 … low 1, none (not triaged yet) 0. */
const SEVERITY_RANK = `CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
  WHEN 'low' THEN 1 ELSE 0 END`;

export class IncidentNotFoundError extends Error {
  constructor(readonly id: number) {
    super(`no incident #${id}`);
    this.name = 'IncidentNotFoundError';
  }
}

export class IncidentStore {
  private readonly getStmt: Statement<[number], IncidentRow>;
  private readonly latestStmt: Statement<[string], IncidentRow>;
  private readonly insertStmt: Statement<unknown[]>;
  private readonly timelineStmt: Statement<[number], TimelineRow>;
  private readonly addTimelineStmt: Statement<unknown[]>;
  private readonly queries = new Map<string, Statement<unknown[], IncidentRow>>();

  constructor(private readonly db: Database) {
    this.getStmt = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.latestStmt = db.prepare(
      'SELECT * FROM incidents WHERE attacker = ? ORDER BY opened_at DESC, id DESC LIMIT 1',
    );
    this.insertStmt = db.prepare(
      `INSERT INTO incidents (attacker, scope, opened_at, updated_at, first_seen, last_seen, jails, kinds, users, members)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.timelineStmt = db.prepare(
      'SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY time, id',
    );
    this.addTimelineStmt = db.prepare(
      `INSERT INTO incident_timeline (incident_id, time, kind, actor, ref_id, ref, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Opens an incident and records why; returns it. */
  open(n: NewIncident, now: Millis, evidence: NewTimelineEntry | null = null): Incident {
    return this.db.transaction(() => {
      const id = Number(
        this.insertStmt.run(
          n.attacker,
          n.scope,
          ms(now),
          ms(now),
          ms(n.first),
          ms(n.last),
          JSON.stringify([n.jail]),
          JSON.stringify([n.kind]),
          JSON.stringify(n.users.slice(0, MAX_INCIDENT_USERS)),
          JSON.stringify((n.members ?? []).slice(0, MAX_INCIDENT_MEMBERS)),
        ).lastInsertRowid,
      );
      this.addTimeline(id, {
        time: now,
        kind: 'opened',
        actor: 'detect',
        detail: { kind: n.kind },
      });
      if (evidence !== null) this.addTimeline(id, evidence);
      return this.require(id);
    })();
  }

  get(id: number): IncidentDetail | null {
    const row = this.getStmt.get(id);
    if (row === undefined) return null;
    return { ...fromRow(row), timeline: this.timeline(id) };
  }

  /** The incident without its timeline (which grows with every finding and action on it). */
  find(id: number): Incident | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : fromRow(row);
  }

  /** The attacker's most recent incident, whatever its state. */
  latest(attacker: string): Incident | null {
    const row = this.latestStmt.get(attacker);
    return row === undefined ? null : fromRow(row);
  }

  /**
   * Incidents matching every criterion, the most severe first (critical, high,
   * medium, low, not triaged yet), then the most recent activity: the order of
   * every list an admin reads (console, CLI, Telegram, the analyst).
   */
  list(f: IncidentFilter = {}): Incident[] {
    const limit = f.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new RangeError(`limit must be an integer from 1 to 10000, not ${limit}`);
    }
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.state === 'active') where.push("state IN ('open', 'triaged')");
    else if (f.state !== undefined) {
      where.push('state = ?');
      params.push(f.state);
    }
    if (f.verdict !== undefined) {
      where.push('verdict = ?');
      params.push(f.verdict);
    }
    if (f.attacker !== undefined) {
      where.push('attacker = ?');
      params.push(f.attacker);
    }
    if (f.since !== undefined) {
      where.push('last_seen >= ?');
      params.push(ms(f.since));
    }
    if (f.openedBefore !== undefined) {
      where.push('opened_at < ?');
      params.push(ms(f.openedBefore));
    }
    if (f.sensor !== undefined) {
      where.push(
        `EXISTS (SELECT 1 FROM incident_timeline t JOIN findings f ON f.id = t.ref_id
         WHERE t.incident_id = incidents.id AND t.kind = 'finding' AND ${seenOn('f.hosts')})`,
      );
      params.push(f.sensor);
    }
    const sql =
      'SELECT * FROM incidents' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY ${SEVERITY_RANK} DESC, last_seen DESC, id DESC LIMIT ?`;
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], IncidentRow>(sql);
      this.queries.set(sql, stmt);
    }
    return stmt.all(...params, limit).map(fromRow);
  }

  /** How many incidents were opened in [from, to). */
  countOpened(from: Millis, to: Millis): number {
    const row = this.db
      .prepare<[number, number], { n: number }>(
        'SELECT count(*) AS n FROM incidents WHERE opened_at >= ? AND opened_at < ?',
      )
      .get(ms(from), ms(to));
    return row?.n ?? 0;
  }

  timeline(id: number): TimelineEntry[] {
    return this.timelineStmt.all(id).map(timelineFromRow);
  }

  /** Appends to an incident's timeline; returns the entry's id. */
  addTimeline(incidentId: number, e: NewTimelineEntry): number {
    return Number(
      this.addTimelineStmt.run(
        incidentId,
        ms(e.time),
        e.kind,
        e.actor,
        e.refId ?? null,
        e.ref ?? null,
        JSON.stringify(e.detail ?? {}),
      ).lastInsertRowid,
    );
  }

  /** Folds activity into an incident. */
  addActivity(id: number, a: IncidentActivity, now: Millis): Incident {
    return this.db.transaction(() => {
      const cur = this.require(id);
      this.db
        .prepare(
          `UPDATE incidents SET first_seen = ?, last_seen = ?, failures = ?, successes = ?,
             jails = ?, kinds = ?, users = ?, members = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          Math.min(cur.firstSeen, ms(a.first)),
          Math.max(cur.lastSeen, ms(a.last)),
          a.failures ?? cur.failures,
          a.successes ?? cur.successes,
          JSON.stringify(merge(cur.jails, a.jails, 64)),
          JSON.stringify(merge(cur.kinds, a.kinds, 16)),
          JSON.stringify(merge(cur.users, a.users, MAX_INCIDENT_USERS)),
          JSON.stringify(merge(cur.members, a.members, MAX_INCIDENT_MEMBERS)),
          ms(now),
          id,
        );
      return this.require(id);
    })();
  }

  /** Reopens a resolved incident (the attacker is back). */
  reopen(id: number, now: Millis, why: Record<string, unknown> = {}): Incident {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE incidents SET state = 'open', resolved_at = NULL, reopened = reopened + 1, updated_at = ?
           WHERE id = ? AND state = 'resolved'`,
        )
        .run(ms(now), id);
      this.addTimeline(id, { time: now, kind: 'reopened', actor: 'detect', detail: why });
      return this.require(id);
    })();
  }

  /** Resolves an incident. False when it was already resolved. */
  resolve(id: number, now: Millis, actor: string, reason: string): boolean {
    return this.db.transaction(() => {
      const changed =
        this.db
          .prepare(
            `UPDATE incidents SET state = 'resolved', resolved_at = ?, updated_at = ?
             WHERE id = ? AND state != 'resolved'`,
          )
          .run(ms(now), ms(now), id).changes === 1;
      if (changed) this.addTimeline(id, { time: now, kind: 'resolved', actor, detail: { reason } });
      return changed;
    })();
  }

  /** Active incidents with no activity since `quietSince`: what the sweep resolves. */
  quiet(quietSince: Millis): Incident[] {
    return this.db
      .prepare<[number], IncidentRow>(
        "SELECT * FROM incidents WHERE state IN ('open', 'triaged') AND last_seen < ? ORDER BY id",
      )
      .all(ms(quietSince))
      .map(fromRow);
  }

  /** Sets the counts of failed attempts and logins (recounted from the events). */
  setCounts(id: number, failures: number, successes: number): void {
    this.db
      .prepare('UPDATE incidents SET failures = ?, successes = ? WHERE id = ?')
      .run(failures, successes, id);
  }

  setEnrichment(id: number, e: Enrichment): void {
    this.db.prepare('UPDATE incidents SET enrichment = ? WHERE id = ?').run(JSON.stringify(e), id);
  }

  /**
   * Records a triage and puts it on the timeline. `rules` and `admin` set the
   * verdict in force (the admin's wins over the rules'); `agent` is stored
   * beside it as advice and narrative and never changes the verdict. A rules or
   * admin triage moves an open incident to triaged.
   */
  setTriage(
    id: number,
    by: TriageBy,
    result: TriageResult,
    opts: { actor: string; at: Millis; narrative?: string | null },
  ): TriageRecord {
    const record: TriageRecord = {
      ...result,
      reasons: [...result.reasons],
      evidence: [...result.evidence],
      by,
      actor: opts.actor,
      at: ms(opts.at),
      narrative: opts.narrative ?? null,
    };
    this.db.transaction(() => {
      const cur = this.require(id);
      const json = JSON.stringify(record);
      this.db.prepare(`UPDATE incidents SET ${TRIAGE_COLUMN[by]} = ? WHERE id = ?`).run(json, id);
      if (by !== 'agent') {
        const inForce = by === 'admin' ? record : (cur.admin ?? record);
        this.db
          .prepare(
            `UPDATE incidents SET verdict = ?, severity = ?,
               state = CASE state WHEN 'open' THEN 'triaged' ELSE state END WHERE id = ?`,
          )
          .run(inForce.verdict, inForce.severity, id);
      }
      this.addTimeline(id, {
        time: opts.at,
        kind: 'triage',
        actor: opts.actor,
        detail: triageDetail(by, record),
      });
    })();
    return record;
  }

  /** An admin's (or the agent's) note on the timeline. */
  addNote(id: number, actor: string, text: string, at: Millis): number {
    if (typeof text !== 'string' || text.trim() === '') throw new TypeError('a note needs text');
    this.require(id);
    return this.addTimeline(id, { time: at, kind: 'note', actor, detail: { text } });
  }

  private require(id: number): Incident {
    const row = this.getStmt.get(id);
    if (row === undefined) throw new IncidentNotFoundError(id);
    return fromRow(row);
  }
}

function ms(t: Millis): number {
  if (!Number.isFinite(t)) throw new RangeError(`expected a finite time in ms, not ${t}`);
  return Math.floor(t);
}

function merge<T>(cur: readonly T[], add: readonly T[] | undefined, max: number): T[] {
  if (add === undefined) return [...cur];
  const out = [...cur];
  for (const x of add) if (!out.includes(x) && out.length < max) out.push(x);
  return out;
}

function fromRow(r: IncidentRow): Incident {
  const rules = parseJson<TriageRecord>(r.rules_triage);
  const admin = parseJson<TriageRecord>(r.admin_triage);
  return {
    id: r.id,
    attacker: r.attacker,
    scope: r.scope === 'prefix' ? 'prefix' : 'address',
    state: r.state as IncidentState,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    reopened: r.reopened,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    jails: strings(r.jails),
    kinds: strings(r.kinds) as IncidentKind[],
    users: strings(r.users),
    members: strings(r.members),
    failures: r.failures,
    successes: r.successes,
    enrichment: parseJson<Enrichment>(r.enrichment),
    rules,
    agent: parseJson<TriageRecord>(r.agent_triage),
    admin,
    verdict: r.verdict as Verdict | null,
    severity: r.severity as Severity | null,
  };
}

function timelineFromRow(r: TimelineRow): TimelineEntry {
  const detail = parseJson<Record<string, unknown>>(r.detail);
  return {
    id: r.id,
    incidentId: r.incident_id,
    time: r.time,
    kind: r.kind as TimelineKind,
    actor: r.actor,
    refId: r.ref_id,
    ref: r.ref,
    detail: detail !== null && typeof detail === 'object' && !Array.isArray(detail) ? detail : {},
  };
}

function parseJson<T>(json: string | null): T | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}

function strings(json: string): string[] {
  const v = parseJson<unknown>(json);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The row mappers and the capped merge, shared with the PostgreSQL store (store/pg/). */
export { fromRow as incidentFromRow, timelineFromRow, merge as mergeCapped };
