/** Tables of the agent area (conversations, runs, tool calls, token usage), created by migration 3. */
export const AGENT_SQL = `
  -- Conversation memory of the analyst, per chat ('telegram:123', 'cli:root').
  -- Trimmed to the newest messages on every write. Content may quote attacker
  -- text (tool results): stored and returned as data only.
  CREATE TABLE agent_messages (
    id INTEGER PRIMARY KEY,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX agent_messages_conversation ON agent_messages (conversation, id);

  -- One answer of the analyst: who asked, how it went, what it cost.
  CREATE TABLE agent_runs (
    id INTEGER PRIMARY KEY,
    conversation TEXT NOT NULL,
    channel TEXT NOT NULL,
    identity TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('llm', 'command')),
    model TEXT,
    question TEXT NOT NULL,
    answer TEXT,
    status TEXT CHECK (status IN ('normal', 'caution', 'danger')),
    outcome TEXT NOT NULL DEFAULT 'running', -- running, answered, stopped, failed, refused
    stops TEXT NOT NULL DEFAULT '[]', -- JSON array of {code, detail}: what code stopped or repaired
    steps INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    ended_at INTEGER
  ) STRICT;
  CREATE INDEX agent_runs_started ON agent_runs (started_at);
  CREATE INDEX agent_runs_conversation ON agent_runs (conversation, started_at);

  -- Every tool call a run made or was refused, with its raw arguments.
  CREATE TABLE agent_tool_calls (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    call_id TEXT NOT NULL,
    name TEXT NOT NULL,
    arguments TEXT NOT NULL, -- as the model wrote them (possibly malformed)
    outcome TEXT NOT NULL, -- ok, unknown-tool, invalid-args, refused, failed
    result TEXT NOT NULL, -- what the model was told (capped)
    latency_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX agent_tool_calls_run ON agent_tool_calls (run_id, id);

  -- Tokens per UTC day and conversation, for the budgets.
  CREATE TABLE agent_usage (
    day TEXT NOT NULL, -- YYYY-MM-DD (UTC)
    conversation TEXT NOT NULL,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, conversation)
  ) STRICT;
`;
