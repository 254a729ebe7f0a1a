-- The consent ledger's schema (docs/ledger.md §3), SQLite. postgres/001_init.sql is the same
-- schema in PostgreSQL's types; a change to one is a new numbered file in both folders.
CREATE TABLE events (
  seq           INTEGER PRIMARY KEY,         -- chain position 1, 2, 3 … (no gaps)
  server_at     INTEGER NOT NULL,            -- epoch ms, server clock
  event_key     TEXT    NOT NULL UNIQUE,     -- ledger::eventKey(recordId, eventId)
  kind          TEXT    NOT NULL,            -- change | display | erasure
  op            TEXT    NOT NULL,
  method        TEXT    NOT NULL DEFAULT '',
  policy_id     TEXT    NOT NULL,
  policy_version TEXT   NOT NULL,
  client_at     INTEGER NOT NULL DEFAULT 0,
  record_id     TEXT,                        -- personal; NULL after erasure
  body          TEXT    NOT NULL,            -- non-personal, compact JSON
  personal      TEXT,                        -- personal JSON; NULL after erasure
  personal_hash TEXT    NOT NULL,
  row_hash      TEXT    NOT NULL,
  erased_at     INTEGER
);
CREATE INDEX events_record ON events (record_id);
CREATE INDEX events_server_at ON events (server_at);

CREATE TABLE checkpoints (
  seq        INTEGER NOT NULL,
  head       TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  public_key TEXT    NOT NULL,
  signature  TEXT    NOT NULL,
  PRIMARY KEY (seq, at)
);

-- The chain head in one row: with PostgreSQL every append locks it (SELECT … FOR UPDATE), so
-- several servers on one database append in one order; SQLite has one writer anyway.
CREATE TABLE ledger_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT    NOT NULL
);
INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
