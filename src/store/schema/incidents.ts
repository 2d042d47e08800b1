/** Tables of the incidents area (incidents, their timelines, intel cache, daily reports), created by migration 3. */
export const INCIDENTS_SQL = `
  -- One attacker's campaign (Incident in domain.ts). JSON columns hold arrays or
  -- objects; users and members are attacker text, stored as data only.
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    attacker TEXT NOT NULL, -- canonical address, or IPv6 prefix in CIDR form
    scope TEXT NOT NULL CHECK (scope IN ('address', 'prefix')),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'triaged', 'resolved')),
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolved_at INTEGER,
    reopened INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL, -- event time
    last_seen INTEGER NOT NULL,
    jails TEXT NOT NULL DEFAULT '[]',
    kinds TEXT NOT NULL DEFAULT '[]',
    users TEXT NOT NULL DEFAULT '[]',
    members TEXT NOT NULL DEFAULT '[]',
    failures INTEGER NOT NULL DEFAULT 0,
    successes INTEGER NOT NULL DEFAULT 0,
    enrichment TEXT, -- JSON Enrichment
    rules_triage TEXT, -- JSON TriageRecord: the deterministic verdict
    agent_triage TEXT, -- JSON TriageRecord: the analyst's opinion and narrative, never the verdict
    admin_triage TEXT, -- JSON TriageRecord: a human's verdict, which overrides the rules'
    verdict TEXT CHECK (verdict IN ('benign', 'suspicious', 'malicious')), -- admin's, else rules'
    severity TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical'))
  ) STRICT;
  CREATE INDEX incidents_attacker ON incidents (attacker, opened_at);
  CREATE INDEX incidents_state ON incidents (state, last_seen);
  CREATE INDEX incidents_opened ON incidents (opened_at);

  CREATE TABLE incident_timeline (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    ref_id INTEGER, -- finding, ban or event id
    ref TEXT, -- approval id
    detail TEXT NOT NULL DEFAULT '{}' -- JSON object
  ) STRICT;
  CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, time);

  -- Reputation answers (null: the service knew nothing), kept until expires_at.
  CREATE TABLE intel_cache (
    provider TEXT NOT NULL,
    ip TEXT NOT NULL,
    value TEXT, -- JSON
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (provider, ip)
  ) STRICT;
  CREATE INDEX intel_cache_expires ON intel_cache (expires_at);

  -- The daily report, one per local calendar day.
  CREATE TABLE reports (
    date TEXT PRIMARY KEY CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at INTEGER NOT NULL,
    report TEXT NOT NULL -- JSON DailyReport
  ) STRICT;
`;
