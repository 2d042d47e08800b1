/**
 * Where each source resumes. The daemon writes a cursor only in the same
 * transaction as the events its lines produced (see writer.ts).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export interface SourcePosition {
  sourceId: string;
  /** Opaque cursor from the source (see sources/source.ts). */
  cursor: string;
  updatedAt: Millis;
}

interface PositionRow {
  source_id: string;
  cursor: string;
  updated_at: number;
}

export class PositionStore {
  private readonly getStmt: Statement<[string], { cursor: string }>;
  private readonly setStmt: Statement<[string, string, number]>;
  private readonly allStmt: Statement<[], PositionRow>;
  private readonly deleteStmt: Statement<[string]>;

  constructor(db: Database) {
    this.getStmt = db.prepare('SELECT cursor FROM source_positions WHERE source_id = ?');
    this.setStmt = db.prepare(
      `INSERT INTO source_positions (source_id, cursor, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (source_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
    );
    this.allStmt = db.prepare(
      'SELECT source_id, cursor, updated_at FROM source_positions ORDER BY source_id',
    );
    this.deleteStmt = db.prepare('DELETE FROM source_positions WHERE source_id = ?');
  }

  /** The saved cursor of a source, or null when it has none (start at its default). */
  get(sourceId: string): string | null {
    return this.getStmt.get(sourceId)?.cursor ?? null;
  }

  /** Runs in the caller's transaction when there is one. */
  set(sourceId: string, cursor: string, now: Millis): void {
    this.setStmt.run(sourceId, cursor, Math.floor(now));
  }

  /** Forgets a source's position (it will start at its default). */
  delete(sourceId: string): boolean {
    return this.deleteStmt.run(sourceId).changes > 0;
  }

  all(): SourcePosition[] {
    return this.allStmt
      .all()
      .map((r) => ({ sourceId: r.source_id, cursor: r.cursor, updatedAt: r.updated_at }));
  }
}
