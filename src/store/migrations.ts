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
import { AGENT_SQL } from './schema/agent.js';
import { INCIDENTS_SQL } from './schema/incidents.js';
import { OUTBOX_SQL } from './schema/notify.js';

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
  {
    version: 2,
    name: 'bans, approvals, audit log',
    up: `
      -- A ban Sheriff decided on (approved by a human, or by a jail's explicit
      -- auto policy). Active only once applied_at is set (the firewall
      -- confirmed it), until removed_at or expires_at.
      CREATE TABLE bans (
        id INTEGER PRIMARY KEY,
        cidr TEXT NOT NULL, -- canonical CIDR (net/cidr.ts)
        family INTEGER NOT NULL CHECK (family IN (4, 6)),
        jail TEXT,
        reason TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        approval_id TEXT, -- approvals.id; NULL for an automatic ban
        created_at INTEGER NOT NULL,
        expires_at INTEGER, -- NULL: permanent
        applied_at INTEGER, -- NULL until the firewall confirmed it
        removed_at INTEGER,
        removed_reason TEXT,
        offence INTEGER NOT NULL DEFAULT 0 CHECK (offence >= 0) -- earlier bans of this cidr
      ) STRICT;
      CREATE INDEX bans_cidr_created ON bans (cidr, created_at);
      CREATE INDEX bans_open ON bans (expires_at) WHERE removed_at IS NULL;
      CREATE INDEX bans_approval ON bans (approval_id) WHERE approval_id IS NOT NULL;

      -- An action waiting for (or given) a human decision. The id goes into
      -- chat callback data, so it is short; mac authenticates the row's
      -- meaning (respond/approvals.ts) against edits made in the database.
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY
          CHECK (length(id) BETWEEN 1 AND 16 AND id NOT GLOB '*[^A-Za-z0-9]*'),
        action TEXT NOT NULL CHECK (action IN ('ban', 'unban', 'isolate', 'release')),
        cidr TEXT,
        family INTEGER CHECK (family IN (4, 6)),
        duration_ms INTEGER, -- NULL: permanent, or an action without a duration
        reason TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        jail TEXT,
        evidence TEXT NOT NULL, -- JSON {"findings": [ids], "events": [ids]}
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        mac TEXT NOT NULL, -- hex HMAC-SHA256
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'refused')),
        decided_at INTEGER,
        decided_by TEXT,
        channel TEXT CHECK (channel IN ('cli', 'telegram', 'web')), -- human channels only
        executed_at INTEGER
      ) STRICT;
      CREATE INDEX approvals_status_expires ON approvals (status, expires_at);
      CREATE INDEX approvals_created ON approvals (created_at);

      -- Who did what, append-only: the triggers refuse any change or removal.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        actor TEXT NOT NULL,
        channel TEXT,
        action TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL -- JSON object
      ) STRICT;
      CREATE INDEX audit_time ON audit (time);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
      BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
      END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
      BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
      END;
    `,
  },
  {
    version: 3,
    name: 'notification outbox, incidents, intel, reports, agent runs and chats',
    // One version for the areas added together; each area owns its part.
    up: [OUTBOX_SQL, INCIDENTS_SQL, AGENT_SQL].join('\n'),
  },
  {
    version: 4,
    name: 'connection addresses kept across restarts',
    up: `
      -- The address of each open connection a jail tracks (syslog host and
      -- pid), learned from lines no user name can forge, so that a restart
      -- does not leave the connection's later lines without one. A row's
      -- slot is a hash of its key: the table never holds more than the
      -- slots (store/connections.ts).
      CREATE TABLE connection_addresses (
        slot INTEGER PRIMARY KEY,
        jail TEXT NOT NULL,
        log_host TEXT,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        seen_at INTEGER NOT NULL -- epoch ms, event time
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'the firewall that holds each ban',
    up: `
      -- The backend that last confirmed the ban: 'nftables', 'iptables', 'ufw', or
      -- 'dry-run' (nothing blocked). NULL for bans applied before it was recorded;
      -- the daemon's first reconciliation fills it in for the active ones.
      ALTER TABLE bans ADD COLUMN firewall TEXT;
    `,
  },
  {
    version: 6,
    name: 'approvals signed with their decision',
    // From here the MAC covers the whole row, the decision included (respond/
    // approvals.ts). SQL has no key, so older rows are only marked: their MAC
    // gets a "v1:" prefix, which never verifies as a new one, and the first
    // process holding the key upgrades them (Approvals.upgradeLegacy).
    up: `
      UPDATE approvals SET mac = 'v1:' || mac;
      -- When a row was first found not to match its MAC (reported once).
      ALTER TABLE approvals ADD COLUMN tampered_at INTEGER;
    `,
  },
  {
    version: 7,
    name: 'scanners: connections that never tried to log in, per address and ten minutes',
    up: `
      -- Connections that ended before naming a user (port scanners, banner
      -- grabbers, failed key exchanges), summed per jail, address and bucket
      -- (event time floored to SCAN_BUCKET_MS, store/scans.ts): one row per
      -- scanning address and ten minutes, however many connections it made.
      CREATE TABLE scans (
        jail TEXT NOT NULL,
        ip TEXT NOT NULL, -- canonical address
        bucket INTEGER NOT NULL, -- epoch ms, start of the bucket
        connections INTEGER NOT NULL CHECK (connections > 0),
        first_seen INTEGER NOT NULL, -- epoch ms, event time
        last_seen INTEGER NOT NULL,
        rule TEXT, -- the filter rule of the latest connection (what it did)
        PRIMARY KEY (ip, bucket, jail)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX scans_bucket ON scans (bucket);
    `,
  },
  {
    version: 8,
    name: 'fleet: a sensor outbox for JetStream and the hub hosts table',
    up: `
      -- A sensor's events and findings waiting for JetStream's ack, one row per
      -- writer flush. seq only grows (AUTOINCREMENT never reuses a deleted one):
      -- it names the message (Nats-Msg-Id <host>-<seq>) and the hub stores each
      -- seq of a host once. A row is deleted when JetStream acknowledged it.
      CREATE TABLE fleet_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('events', 'findings')),
        payload TEXT NOT NULL, -- JSON array
        created_at INTEGER NOT NULL
      ) STRICT;
      -- The hub's view of each sensor: its last status and the last outbox seq
      -- stored from it (written with the rows, so a redelivered one is skipped).
      CREATE TABLE fleet_hosts (
        name TEXT PRIMARY KEY,
        last_seen INTEGER NOT NULL,
        epoch TEXT, -- the sensor outbox's epoch last_seq counts in
        last_seq INTEGER NOT NULL DEFAULT 0,
        version TEXT,
        lag_ms INTEGER,
        outbox INTEGER,
        errors TEXT NOT NULL DEFAULT '[]', -- JSON array of the sensor's last errors
        groups TEXT NOT NULL DEFAULT '[]', -- JSON array
        status_at INTEGER,
        rejected INTEGER NOT NULL DEFAULT 0 -- messages that failed their schema
      ) STRICT;
      -- What each sensor last said it did with each decision.
      CREATE TABLE fleet_confirmations (
        decision TEXT NOT NULL,
        host TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (decision, host)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'fleet: the hosts a finding was seen on (at the hub)',
    up: `
      -- JSON array of fleet host names; empty on a single host and on a sensor.
      -- The hub's per-host views of findings, incidents and bans read it.
      ALTER TABLE findings ADD COLUMN hosts TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 10,
    name: 'fleet: the identities of the outbox rows the hub stored',
    up: `
      -- Each sensor outbox row the hub stored (store/hosts.ts): a row is new iff
      -- its identity is not here, so a row JetStream delivers late (after newer
      -- ones) is stored and a redelivery is not. Kept as long as JetStream can
      -- redeliver (pruned by at, each host's and epoch's highest seq kept).
      CREATE TABLE fleet_ingested (
        host TEXT NOT NULL,
        epoch TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL, -- epoch ms, when the hub stored it
        PRIMARY KEY (host, epoch, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX fleet_ingested_at ON fleet_ingested (at);
      -- A hub before this version kept only each host's last seq: the rows of
      -- that epoch up to it count as stored, so its redeliveries stay skipped.
      ALTER TABLE fleet_hosts ADD COLUMN floor_epoch TEXT;
      ALTER TABLE fleet_hosts ADD COLUMN floor_seq INTEGER NOT NULL DEFAULT 0;
      UPDATE fleet_hosts SET floor_epoch = epoch, floor_seq = last_seq;
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

export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `store migrations must be numbered 1, 2, 3, … in order: #${i} is ${m.version}`,
      );
    }
  });
}
