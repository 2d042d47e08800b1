/**
 * The incidents and incident_timeline tables on PostgreSQL: the twin of
 * store/incidents.ts. Every read-modify-write locks the incident's row
 * (SELECT … FOR UPDATE) in its transaction, as SQLite's single writer does.
 */
import type pg from 'pg';
import {
  MAX_INCIDENT_MEMBERS,
  MAX_INCIDENT_USERS,
  type Enrichment,
  type Incident,
  type IncidentDetail,
  type Millis,
  type TimelineEntry,
  type TriageBy,
  type TriageRecord,
  type TriageResult,
} from '../../domain.js';
import type { Async } from '../api.js';
import {
  IncidentNotFoundError,
  incidentFromRow,
  mergeCapped as merge,
  timelineFromRow,
  triageDetail,
  type IncidentActivity,
  type IncidentFilter,
  type IncidentStore,
  type NewIncident,
  type NewTimelineEntry,
} from '../incidents.js';
import { json, ms, query, row, rows, transaction, type Queryable } from './db.js';
import { checkLimit, seenOn } from './records.js';

type IncidentRow = Parameters<typeof incidentFromRow>[0];
type TimelineRow = Parameters<typeof timelineFromRow>[0];

const TRIAGE_COLUMN: Record<TriageBy, string> = {
  rules: 'rules_triage',
  agent: 'agent_triage',
  admin: 'admin_triage',
};

/** Severity as a number to sort by: critical 4 … low 1, none (not triaged yet) 0. */
const SEVERITY_RANK = `CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
  WHEN 'low' THEN 1 ELSE 0 END`;

export class PgIncidentStore implements Async<IncidentStore> {
  constructor(private readonly pool: pg.Pool) {}

  async open(
    n: NewIncident,
    now: Millis,
    evidence: NewTimelineEntry | null = null,
  ): Promise<Incident> {
    return transaction(this.pool, async (c) => {
      const r = await row<{ id: number }>(
        c,
        `INSERT INTO incidents (attacker, scope, opened_at, updated_at, first_seen, last_seen, jails, kinds, users, members)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          n.attacker,
          n.scope,
          ms('now', now),
          ms('now', now),
          ms('first', n.first),
          ms('last', n.last),
          json([n.jail]),
          json([n.kind]),
          json(n.users.slice(0, MAX_INCIDENT_USERS)),
          json((n.members ?? []).slice(0, MAX_INCIDENT_MEMBERS)),
        ],
      );
      const id = r!.id;
      await addTimeline(c, id, {
        time: now,
        kind: 'opened',
        actor: 'detect',
        detail: { kind: n.kind },
      });
      if (evidence !== null) await addTimeline(c, id, evidence);
      return need(c, id);
    });
  }

  async get(id: number): Promise<IncidentDetail | null> {
    const r = await row<IncidentRow>(this.pool, 'SELECT * FROM incidents WHERE id = $1', [id]);
    if (r === undefined) return null;
    return { ...incidentFromRow(r), timeline: await this.timeline(id) };
  }

  /** The incident without its timeline (see store/incidents.ts). */
  async find(id: number): Promise<Incident | null> {
    const r = await row<IncidentRow>(this.pool, 'SELECT * FROM incidents WHERE id = $1', [id]);
    return r === undefined ? null : incidentFromRow(r);
  }

  async latest(attacker: string): Promise<Incident | null> {
    const r = await row<IncidentRow>(
      this.pool,
      'SELECT * FROM incidents WHERE attacker = $1 ORDER BY opened_at DESC, id DESC LIMIT 1',
      [attacker],
    );
    return r === undefined ? null : incidentFromRow(r);
  }

  /** The most severe first, then the most recent activity (see store/incidents.ts). */
  async list(f: IncidentFilter = {}): Promise<Incident[]> {
    const limit = checkLimit(f.limit ?? 100);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (column: string, op: string, value: unknown) => {
      params.push(value);
      where.push(`${column} ${op} $${params.length}`);
    };
    if (f.state === 'active') where.push("state IN ('open', 'triaged')");
    else if (f.state !== undefined) add('state', '=', f.state);
    if (f.verdict !== undefined) add('verdict', '=', f.verdict);
    if (f.attacker !== undefined) add('attacker', '=', f.attacker);
    if (f.since !== undefined) add('last_seen', '>=', ms('since', f.since));
    if (f.openedBefore !== undefined) add('opened_at', '<', ms('openedBefore', f.openedBefore));
    if (f.sensor !== undefined) {
      params.push(f.sensor);
      where.push(
        `EXISTS (SELECT 1 FROM incident_timeline t JOIN findings f ON f.id = t.ref_id
         WHERE t.incident_id = incidents.id AND t.kind = 'finding' AND ${seenOn('f.hosts', params.length)})`,
      );
    }
    params.push(limit);
    const found = await rows<IncidentRow>(
      this.pool,
      'SELECT * FROM incidents' +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ` ORDER BY ${SEVERITY_RANK} DESC, last_seen DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return found.map(incidentFromRow);
  }

  async countOpened(from: Millis, to: Millis): Promise<number> {
    const r = await row<{ n: number }>(
      this.pool,
      'SELECT count(*) AS n FROM incidents WHERE opened_at >= $1 AND opened_at < $2',
      [ms('from', from), ms('to', to)],
    );
    return r?.n ?? 0;
  }

  async timeline(id: number): Promise<TimelineEntry[]> {
    const found = await rows<TimelineRow>(
      this.pool,
      'SELECT * FROM incident_timeline WHERE incident_id = $1 ORDER BY time, id',
      [id],
    );
    return found.map(timelineFromRow);
  }

  async addTimeline(incidentId: number, e: NewTimelineEntry): Promise<number> {
    return addTimeline(this.pool, incidentId, e);
  }

  async addActivity(id: number, a: IncidentActivity, now: Millis): Promise<Incident> {
    return transaction(this.pool, async (c) => {
      const cur = await need(c, id, true);
      await query(
        c,
        `UPDATE incidents SET first_seen = $1, last_seen = $2, failures = $3, successes = $4,
           jails = $5, kinds = $6, users = $7, members = $8, updated_at = $9 WHERE id = $10`,
        [
          Math.min(cur.firstSeen, ms('first', a.first)),
          Math.max(cur.lastSeen, ms('last', a.last)),
          a.failures ?? cur.failures,
          a.successes ?? cur.successes,
          json(merge(cur.jails, a.jails, 64)),
          json(merge(cur.kinds, a.kinds, 16)),
          json(merge(cur.users, a.users, MAX_INCIDENT_USERS)),
          json(merge(cur.members, a.members, MAX_INCIDENT_MEMBERS)),
          ms('now', now),
          id,
        ],
      );
      return need(c, id);
    });
  }

  async reopen(id: number, now: Millis, why: Record<string, unknown> = {}): Promise<Incident> {
    return transaction(this.pool, async (c) => {
      await query(
        c,
        `UPDATE incidents SET state = 'open', resolved_at = NULL, reopened = reopened + 1, updated_at = $1
         WHERE id = $2 AND state = 'resolved'`,
        [ms('now', now), id],
      );
      await addTimeline(c, id, { time: now, kind: 'reopened', actor: 'detect', detail: why });
      return need(c, id);
    });
  }

  async resolve(id: number, now: Millis, actor: string, reason: string): Promise<boolean> {
    return transaction(this.pool, async (c) => {
      const changed = await query(
        c,
        `UPDATE incidents SET state = 'resolved', resolved_at = $1, updated_at = $1
         WHERE id = $2 AND state != 'resolved'`,
        [ms('now', now), id],
      );
      if (changed.rowCount !== 1) return false;
      await addTimeline(c, id, { time: now, kind: 'resolved', actor, detail: { reason } });
      return true;
    });
  }

  async quiet(quietSince: Millis): Promise<Incident[]> {
    const found = await rows<IncidentRow>(
      this.pool,
      "SELECT * FROM incidents WHERE state IN ('open', 'triaged') AND last_seen < $1 ORDER BY id",
      [ms('quietSince', quietSince)],
    );
    return found.map(incidentFromRow);
  }

  async setCounts(id: number, failures: number, successes: number): Promise<void> {
    await query(this.pool, 'UPDATE incidents SET failures = $1, successes = $2 WHERE id = $3', [
      failures,
      successes,
      id,
    ]);
  }

  async setEnrichment(id: number, e: Enrichment): Promise<void> {
    await query(this.pool, 'UPDATE incidents SET enrichment = $1 WHERE id = $2', [json(e), id]);
  }

  /** Records a triage and puts it on the timeline (see store/incidents.ts for who sets the verdict). */
  async setTriage(
    id: number,
    by: TriageBy,
    result: TriageResult,
    opts: { actor: string; at: Millis; narrative?: string | null },
  ): Promise<TriageRecord> {
    const record: TriageRecord = {
      ...result,
      reasons: [...result.reasons],
      evidence: [...result.evidence],
      by,
      actor: opts.actor,
      at: ms('at', opts.at),
      narrative: opts.narrative ?? null,
    };
    await transaction(this.pool, async (c) => {
      const cur = await need(c, id, true);
      await query(c, `UPDATE incidents SET ${TRIAGE_COLUMN[by]} = $1 WHERE id = $2`, [
        json(record),
        id,
      ]);
      if (by !== 'agent') {
        const inForce = by === 'admin' ? record : (cur.admin ?? record);
        await query(
          c,
          `UPDATE incidents SET verdict = $1, severity = $2,
             state = CASE state WHEN 'open' THEN 'triaged' ELSE state END WHERE id = $3`,
          [inForce.verdict, inForce.severity, id],
        );
      }
      await addTimeline(c, id, {
        time: opts.at,
        kind: 'triage',
        actor: opts.actor,
        detail: triageDetail(by, record),
      });
    });
    return record;
  }

  async addNote(id: number, actor: string, text: string, at: Millis): Promise<number> {
    if (typeof text !== 'string' || text.trim() === '') throw new TypeError('a note needs text');
    await need(this.pool, id);
    return addTimeline(this.pool, id, { time: at, kind: 'note', actor, detail: { text } });
  }
}

async function addTimeline(
  db: Queryable,
  incidentId: number,
  e: NewTimelineEntry,
): Promise<number> {
  const r = await row<{ id: number }>(
    db,
    `INSERT INTO incident_timeline (incident_id, time, kind, actor, ref_id, ref, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      incidentId,
      ms('time', e.time),
      e.kind,
      e.actor,
      e.refId ?? null,
      e.ref ?? null,
      json(e.detail ?? {}),
    ],
  );
  return r!.id;
}

/** The incident, or IncidentNotFoundError; `lock` holds its row until the transaction ends. */
async function need(db: Queryable, id: number, lock = false): Promise<Incident> {
  const r = await row<IncidentRow>(
    db,
    `SELECT * FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (r === undefined) throw new IncidentNotFoundError(id);
  return incidentFromRow(r);
}
