/** Tables of the notify area, created by migration 3. */
export const OUTBOX_SQL = `
  -- Outgoing notifications, written before anything is sent, so a slow or
  -- absent Telegram or webhook loses nothing (notify/delivery.ts drains it).
  -- target is a chat id or a webhook's configured name (never its URL, which
  -- may carry a credential). payload is JSON: what the channel sends.
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL, -- 'telegram', 'webhook'
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    done_at INTEGER, -- delivered or given up
    last_error TEXT,
    result TEXT -- JSON the channel answered with (e.g. a Telegram message id)
  ) STRICT;
  CREATE INDEX outbox_queued ON outbox (channel, id) WHERE state = 'queued';
  CREATE INDEX outbox_done ON outbox (done_at) WHERE state != 'queued';

  -- Per-chat settings chosen in the chat (/lang).
  CREATE TABLE chat_settings (
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    lang TEXT CHECK (lang IN ('ko', 'en')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, chat)
  ) STRICT;
`;
