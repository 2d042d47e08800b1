/**
 * Versioned schema migrations, tracked with `PRAGMA user_version`.
 *
 * To change the schema, APPEND a migration with the next version number; never
 * edit one that has shipped (databases in the field already ran it). Each one
 * runs in its own transaction together with the bump of `user_version`, so a
 * crash mid-upgrade leaves the database at the previous version, intact.
 * Add a fixture of the new version under test/fixtures/store/ so the upgrade
 * path from it stays tested.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3, … with no gaps. */
  version: number;
  name: string;
  /** SQL run as one script. */
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, findings, source positions, daemon status',
    up: `
      -- One classified log line. 'line' is the raw line: attacker-controlled
      -- text, stored and returned as data only.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL, -- epoch ms, event time
        jail TEXT NOT NULL,
        filter TEXT NOT NULL,
        rule TEXT,
        result TEXT NOT NULL CHECK (result IN ('fail', 'success', 'nofail')),
        ip TEXT,
        host TEXT,
        user TEXT,
        attempts INTEGER NOT NULL DEFAULT 1,
        source TEXT,
        line TEXT NOT NULL
      ) STRICT;
      CREATE INDEX events_ip_time ON events (ip, time);
      CREATE INDEX events_time ON events (time);
      CREATE INDEX events_user_time ON events (user, time);
      CREATE INDEX events_result_time ON events (result, time);

      CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        jail TEXT NOT NULL,
        scope TEXT NOT NULL,
        ip TEXT NOT NULL,
        count INTEGER NOT NULL,
        "first" INTEGER NOT NULL,
        "last" INTEGER NOT NULL,
        users TEXT NOT NULL, -- JSON array of strings
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX findings_created ON findings (created_at);
      CREATE INDEX findings_ip_created ON findings (ip, created_at);

      -- Where each source resumes: written in the same transaction as the
      -- events its lines produced.
      CREATE TABLE source_positions (
        source_id TEXT PRIMARY KEY,
        cursor TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- What a running daemon publishes for 'sheriff status'.
      CREATE TABLE daemon_status (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL, -- JSON
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

checkMigrations(MIGRATIONS);

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

/** The database was written by a newer Sheriff: opening it could corrupt it. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
    where = 'the database',
  ) {
    super(
      `${where} has schema version ${found}, but this Sheriff only knows up to version ${known}: ` +
        'it was written by a newer Sheriff. Upgrade Sheriff, or point store.path at another file.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Brings the database up to the last of `migrations`. Each step takes the
 * write lock first (BEGIN IMMEDIATE) and re-reads the version, so two
 * processes opening the same new file do not both run a step.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  where?: string,
): MigrationResult {
  checkMigrations(migrations);
  const known = migrations.length;
  const from = schemaVersion(db);
  if (from > known) throw new SchemaTooNewError(from, known, where);
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    const step = db.transaction(() => {
      const now = schemaVersion(db);
      if (now >= m.version) return false; // another process got there first
      if (now !== m.version - 1) throw new SchemaTooNewError(now, known, where);
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (step.immediate()) applied.push(`${m.version}: ${m.name}`);
  }
  return { from, to: Math.max(from, known), applied };
}

function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `store migrations must be numbered 1, 2, 3, … in order: #${i} is ${m.version}`,
      );
    }
  });
}
