-- Threads, items, attachment metadata and feedback (see src/sqlite.rs).
-- Values are stored as the JSON of their chatkit-types form; the other columns are for lookups,
-- scoping and order. `seq` (the rowid, AUTOINCREMENT: never reused) is the order of creation.

CREATE TABLE threads (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    identity   TEXT NOT NULL,
    agent      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    json       TEXT NOT NULL
) STRICT;

CREATE INDEX threads_owner_seq ON threads (identity, agent, seq);

CREATE TABLE items (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id  TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    created_at TEXT NOT NULL,
    json       TEXT NOT NULL,
    UNIQUE (thread_id, id)
) STRICT;

CREATE INDEX items_thread_seq ON items (thread_id, seq);

-- No foreign key to threads: an attachment exists before its thread (two-phase upload) and is
-- removed with its thread by the store (delete_thread), scoped to the same identity and agent.
CREATE TABLE attachments (
    id        TEXT PRIMARY KEY NOT NULL,
    identity  TEXT NOT NULL,
    agent     TEXT NOT NULL,
    thread_id TEXT,
    json      TEXT NOT NULL
) STRICT;

CREATE INDEX attachments_thread ON attachments (thread_id);

CREATE TABLE feedback (
    thread_id  TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    identity   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('positive', 'negative')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, item_id, identity),
    FOREIGN KEY (thread_id, item_id) REFERENCES items (thread_id, id) ON DELETE CASCADE
) STRICT;
