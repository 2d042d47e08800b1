/**
 * The reports table: one daily report per local calendar day (YYYY-MM-DD), as
 * JSON. The report's shape belongs to report/; the store keeps it as a value.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export interface StoredReport {
  date: string;
  createdAt: Millis;
  /** Parsed JSON: validate before use, it may come from another Sheriff version. */
  report: unknown;
}

interface ReportRow {
  date: string;
  created_at: number;
  report: string;
}

const DATE = /^\d{4}-\d\d-\d\d$/;

export class ReportStore {
  private readonly getStmt: Statement<[string], ReportRow>;
  private readonly beforeStmt: Statement<[string], ReportRow>;
  private readonly putStmt: Statement<[string, number, string]>;

  constructor(db: Database) {
    this.getStmt = db.prepare('SELECT date, created_at, report FROM reports WHERE date = ?');
    this.beforeStmt = db.prepare(
      'SELECT date, created_at, report FROM reports WHERE date < ? ORDER BY date DESC LIMIT 1',
    );
    this.putStmt = db.prepare(
      `INSERT INTO reports (date, created_at, report) VALUES (?, ?, ?)
       ON CONFLICT (date) DO UPDATE SET created_at = excluded.created_at, report = excluded.report`,
    );
  }

  /** Stores (or replaces) the report of `date`. */
  put(date: string, report: unknown, createdAt: Millis): void {
    checkDate(date);
    const json = JSON.stringify(report);
    if (json === undefined) throw new TypeError(`report ${date} is not JSON-serialisable`);
    this.putStmt.run(date, Math.floor(createdAt), json);
  }

  get(date: string): StoredReport | null {
    checkDate(date);
    const row = this.getStmt.get(date);
    return row === undefined ? null : fromRow(row);
  }

  /** The latest report of a day before `date`. */
  before(date: string): StoredReport | null {
    checkDate(date);
    const row = this.beforeStmt.get(date);
    return row === undefined ? null : fromRow(row);
  }
}

function checkDate(date: string): void {
  if (!DATE.test(date)) throw new RangeError(`expected a date like 2026-11-25, got "${date}"`);
}

function fromRow(r: ReportRow): StoredReport {
  let report: unknown = null;
  try {
    report = JSON.parse(r.report);
  } catch {
    // A damaged row reads as no content rather than crashing the reader.
  }
  return { date: r.date, createdAt: r.created_at, report };
}

/** The row mapper and the date check, shared with the PostgreSQL store (store/pg/). */
export { fromRow as reportFromRow, checkDate as checkReportDate };
