/**
 * The PostgreSQL store's schema: the SQLite schema's records tables (not what
 * only a host's own process keeps: source positions, the notification outbox,
 * connection addresses), as numbered migrations tracked in schema_migrations.
 *
 * Same rule as store/migrations.ts: APPEND a migration, never edit one that has
 * shipped. Each runs in its own transaction with its row in schema_migrations,
 * and the whole upgrade holds an advisory lock, so two hubs starting at once
 * do not both run a step.
 *
 * Types: epoch ms, ids and counts are bigint (read back as numbers, db.ts);
 * JSON is jsonb; addresses and user names sort byte-wise (COLLATE "C"), as
 * in SQLite. Events are partitioned by day of event time (partitions.ts).
 */
import pg from 'pg';
import { checkMigrations, SchemaTooNewError, type Migration } from '../migrations.js';

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events (partitioned by day), findings, status, bans, approvals, audit, incidents, intel, reports, agent, chats, scans',
    up: `
      -- One classified log line. 'line' is the raw line: attacker-controlled
      -- text, stored and returned as data only. No primary key: a partitioned
      -- table's would have to include time, and ids come from one sequence.
      CREATE SEQUENCE events_id_seq AS bigint;
      CREATE TABLE events (
        id bigint NOT NULL DEFAULT nextval('events_id_seq'),
        time bigint NOT NULL, -- epoch ms, event time
        jail text NOT NULL,
        filter text NOT NULL,
        rule text,
        result text NOT NULL CHECK (result IN ('fail', 'success', 'nofail')),
        ip text COLLATE "C",
        host text COLLATE "C",
        "user" text COLLATE "C",
        attempts bigint NOT NULL DEFAULT 1,
        source text,
        line text NOT NULL
      ) PARTITION BY RANGE (time);
      ALTER SEQUENCE events_id_seq OWNED BY events.id;
      -- Fewer indexes than SQLite's: the hub's events table is written far
      -- more than read, and a time range already prunes to its days, so
      -- (result, time) would cost ingest a third of its rate for little.
      CREATE INDEX events_ip_time ON events (ip, time);
      CREATE INDEX events_time ON events (time, id);
      CREATE INDEX events_user_time ON events ("user", time);

      -- The address in an events row, or NULL when it is not one: a network
      -- filter must not fail on a row a newer (or hostile) writer stored.
      CREATE FUNCTION sheriff_inet(text) RETURNS inet
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        BEGIN
          RETURN $1::inet;
        EXCEPTION WHEN others THEN
          RETURN NULL;
        END $$;

      CREATE TABLE findings (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        jail text NOT NULL,
        scope text NOT NULL,
        ip text NOT NULL COLLATE "C",
        count bigint NOT NULL,
        "first" bigint NOT NULL,
        "last" bigint NOT NULL,
        users jsonb NOT NULL, -- array of strings
        created_at bigint NOT NULL
      );
      CREATE INDEX findings_created ON findings (created_at);
      CREATE INDEX findings_ip_created ON findings (ip, created_at);

      CREATE TABLE daemon_status (
        key text PRIMARY KEY COLLATE "C",
        value jsonb NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE bans (
        id bigserial PRIMARY KEY,
        cidr text NOT NULL COLLATE "C",
        family integer NOT NULL CHECK (family IN (4, 6)),
        jail text,
        reason text NOT NULL,
        requested_by text NOT NULL,
        approval_id text,
        created_at bigint NOT NULL,
        expires_at bigint,
        applied_at bigint,
        removed_at bigint,
        removed_reason text,
        offence bigint NOT NULL DEFAULT 0 CHECK (offence >= 0),
        firewall text
      );
      CREATE INDEX bans_cidr_created ON bans (cidr, created_at);
      CREATE INDEX bans_open ON bans (expires_at) WHERE removed_at IS NULL;
      CREATE INDEX bans_approval ON bans (approval_id) WHERE approval_id IS NOT NULL;

      CREATE TABLE approvals (
        id text PRIMARY KEY COLLATE "C" CHECK (id ~ '^[A-Za-z0-9]{1,16}$'),
        action text NOT NULL CHECK (action IN ('ban', 'unban', 'isolate', 'release')),
        cidr text,
        family integer CHECK (family IN (4, 6)),
        duration_ms bigint,
        reason text NOT NULL,
        requested_by text NOT NULL,
        jail text,
        evidence jsonb NOT NULL, -- {"findings": [ids], "events": [ids]}
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        mac text NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'refused')),
        decided_at bigint,
        decided_by text,
        channel text CHECK (channel IN ('cli', 'telegram', 'web')),
        executed_at bigint,
        tampered_at bigint
      );
      CREATE INDEX approvals_status_expires ON approvals (status, expires_at);
      CREATE INDEX approvals_created ON approvals (created_at);

      -- Who did what, append-only: the triggers refuse any change or removal.
      CREATE TABLE audit (
        id bigserial PRIMARY KEY,
        time bigint NOT NULL,
        actor text NOT NULL,
        channel text,
        action text NOT NULL,
        target text,
        outcome text NOT NULL,
        detail jsonb NOT NULL
      );
      CREATE INDEX audit_time ON audit (time);
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'the audit log is append-only';
        END $$;
      CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();
      CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

      CREATE TABLE incidents (
        id bigserial PRIMARY KEY,
        attacker text NOT NULL COLLATE "C",
        scope text NOT NULL CHECK (scope IN ('address', 'prefix')),
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'triaged', 'resolved')),
        opened_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        resolved_at bigint,
        reopened bigint NOT NULL DEFAULT 0,
        first_seen bigint NOT NULL,
        last_seen bigint NOT NULL,
        jails jsonb NOT NULL DEFAULT '[]',
        kinds jsonb NOT NULL DEFAULT '[]',
        users jsonb NOT NULL DEFAULT '[]',
        members jsonb NOT NULL DEFAULT '[]',
        failures bigint NOT NULL DEFAULT 0,
        successes bigint NOT NULL DEFAULT 0,
        enrichment jsonb,
        rules_triage jsonb,
        agent_triage jsonb,
        admin_triage jsonb,
        verdict text CHECK (verdict IN ('benign', 'suspicious', 'malicious')),
        severity text CHECK (severity IN ('low', 'medium', 'high', 'critical'))
      );
      CREATE INDEX incidents_attacker ON incidents (attacker, opened_at);
      CREATE INDEX incidents_state ON incidents (state, last_seen);
      CREATE INDEX incidents_opened ON incidents (opened_at);

      CREATE TABLE incident_timeline (
        id bigserial PRIMARY KEY,
        incident_id bigint NOT NULL REFERENCES incidents (id),
        time bigint NOT NULL,
        kind text NOT NULL,
        actor text NOT NULL,
        ref_id bigint,
        ref text,
        detail jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, time);

      CREATE TABLE intel_cache (
        provider text NOT NULL,
        ip text NOT NULL,
        value jsonb,
        fetched_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (provider, ip)
      );
      CREATE INDEX intel_cache_expires ON intel_cache (expires_at);

      CREATE TABLE reports (
        date text PRIMARY KEY COLLATE "C" CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
        created_at bigint NOT NULL,
        report jsonb NOT NULL
      );

      CREATE TABLE agent_messages (
        id bigserial PRIMARY KEY,
        conversation text NOT NULL,
        role text NOT NULL CHECK (role IN ('user', 'assistant')),
        content text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE INDEX agent_messages_conversation ON agent_messages (conversation, id);

      CREATE TABLE agent_runs (
        id bigserial PRIMARY KEY,
        conversation text NOT NULL,
        channel text NOT NULL,
        identity text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('llm', 'command')),
        model text,
        question text NOT NULL,
        answer text,
        status text CHECK (status IN ('normal', 'caution', 'danger')),
        outcome text NOT NULL DEFAULT 'running',
        stops jsonb NOT NULL DEFAULT '[]',
        steps bigint NOT NULL DEFAULT 0,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        started_at bigint NOT NULL,
        ended_at bigint
      );
      CREATE INDEX agent_runs_started ON agent_runs (started_at);
      CREATE INDEX agent_runs_conversation ON agent_runs (conversation, started_at);

      CREATE TABLE agent_tool_calls (
        id bigserial PRIMARY KEY,
        run_id bigint NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
        step bigint NOT NULL,
        call_id text NOT NULL,
        name text NOT NULL,
        arguments text NOT NULL,
        outcome text NOT NULL,
        result text NOT NULL,
        latency_ms bigint NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE INDEX agent_tool_calls_run ON agent_tool_calls (run_id, id);

      CREATE TABLE agent_usage (
        day text NOT NULL,
        conversation text NOT NULL,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        calls bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (day, conversation)
      );

      CREATE TABLE chat_settings (
        channel text NOT NULL,
        chat text NOT NULL,
        lang text CHECK (lang IN ('ko', 'en')),
        updated_at bigint NOT NULL,
        PRIMARY KEY (channel, chat)
      );

      CREATE TABLE scans (
        jail text NOT NULL COLLATE "C",
        ip text NOT NULL COLLATE "C",
        bucket bigint NOT NULL,
        connections bigint NOT NULL CHECK (connections > 0),
        first_seen bigint NOT NULL,
        last_seen bigint NOT NULL,
        rule text,
        PRIMARY KEY (ip, bucket, jail)
      );
      CREATE INDEX scans_bucket ON scans (bucket);
    `,
  },
  {
    version: 2,
    name: 'fleet: the hub hosts table and the hosts confirmations',
    up: `
      -- The hub's view of each sensor (store/pg/hosts.ts): its last status and
      -- the last outbox seq stored from it (written with the rows, so a
      -- redelivered one is skipped).
      CREATE TABLE fleet_hosts (
        name text COLLATE "C" PRIMARY KEY, -- sorts byte-wise, as in SQLite
        last_seen bigint NOT NULL,
        epoch text, -- the sensor outbox's epoch last_seq counts in
        last_seq bigint NOT NULL DEFAULT 0,
        version text,
        lag_ms bigint,
        outbox bigint,
        errors jsonb NOT NULL DEFAULT '[]', -- the sensor's last errors
        groups jsonb NOT NULL DEFAULT '[]',
        status_at bigint,
        rejected bigint NOT NULL DEFAULT 0 -- messages that failed their schema
      );
      -- What each sensor last said it did with each decision.
      CREATE TABLE fleet_confirmations (
        decision text NOT NULL,
        host text COLLATE "C" NOT NULL,
        outcome text NOT NULL,
        reason text,
        at bigint NOT NULL,
        PRIMARY KEY (decision, host)
      );
      CREATE INDEX fleet_confirmations_host ON fleet_confirmations (host, outcome);
    `,
  },
  {
    version: 3,
    name: 'fleet: the hosts a finding was seen on',
    up: `
      -- Array of fleet host names (the sensor that sent it; several for a
      -- distributed finding). The per-host views of findings, incidents and bans read it.
      ALTER TABLE findings ADD COLUMN hosts jsonb NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 4,
    name: 'fleet: the identities of the outbox rows the hub stored',
    up: `
      -- Each sensor outbox row the hub stored (store/pg/hosts.ts): a row is new
      -- iff its identity is not here, so a row JetStream delivers late (after
      -- newer ones) is stored and a redelivery is not. Kept as long as JetStream
      -- can redeliver (pruned by at, each host's and epoch's highest seq kept).
      CREATE TABLE fleet_ingested (
        host text COLLATE "C" NOT NULL,
        epoch text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        at bigint NOT NULL, -- epoch ms, when the hub stored it
        PRIMARY KEY (host, epoch, seq)
      );
      CREATE INDEX fleet_ingested_at ON fleet_ingested (at);
      -- A hub before this version kept only each host's last seq: the rows of
      -- that epoch up to it count as stored, so its redeliveries stay skipped.
      ALTER TABLE fleet_hosts ADD COLUMN floor_epoch text, ADD COLUMN floor_seq bigint NOT NULL DEFAULT 0;
      UPDATE fleet_hosts SET floor_epoch = epoch, floor_seq = last_seq;
    `,
  },
];

checkMigrations(PG_MIGRATIONS);

/** Any fixed number: the key of the advisory lock the upgrade holds. */
const MIGRATION_LOCK = 0x5348_5246; // "SHRF"

export interface PgMigrationResult {
  from: number;
  to: number;
  applied: string[];
}

/** Brings the database up to the last of `migrations`; a no-op when it is there. */
export async function migratePg(
  pool: pg.Pool,
  migrations: readonly Migration[] = PG_MIGRATIONS,
  where = 'the PostgreSQL store',
): Promise<PgMigrationResult> {
  checkMigrations(migrations);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const found = await client.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM schema_migrations',
      );
      const from = found.rows[0]?.v ?? 0;
      if (from > migrations.length) throw new SchemaTooNewError(from, migrations.length, where);
      const applied: string[] = [];
      for (const m of migrations) {
        if (m.version <= from) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.up);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`${where}: migration ${m.version} (${m.name}) failed: ${String(err)}`, {
            cause: err,
          });
        }
        applied.push(`${m.version}: ${m.name}`);
      }
      return { from, to: Math.max(from, migrations.length), applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
