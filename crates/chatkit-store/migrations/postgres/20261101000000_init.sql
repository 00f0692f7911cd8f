-- Threads, items, attachment metadata and feedback (see src/postgres.rs).
-- Values are stored as the JSON of their chatkit-types form (type `json`: kept verbatim, so any
-- string the protocol allows round-trips, including "\u0000"); the other columns are for lookups,
-- scoping and order. `seq` (bigserial) is the order of creation.

CREATE TABLE threads (
    seq        BIGSERIAL NOT NULL UNIQUE,
    id         TEXT PRIMARY KEY,
    identity   TEXT NOT NULL,
    agent      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    json       JSON NOT NULL
);

CREATE INDEX threads_owner_seq ON threads (identity, agent, seq);

CREATE TABLE items (
    seq        BIGSERIAL PRIMARY KEY,
    thread_id  TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    json       JSON NOT NULL,
    UNIQUE (thread_id, id)
);

CREATE INDEX items_thread_seq ON items (thread_id, seq);

-- No foreign key to threads: an attachment exists before its thread (two-phase upload) and is
-- removed with its thread by the store (delete_thread), scoped to the same identity and agent.
CREATE TABLE attachments (
    id        TEXT PRIMARY KEY,
    identity  TEXT NOT NULL,
    agent     TEXT NOT NULL,
    thread_id TEXT,
    json      JSON NOT NULL
);

CREATE INDEX attachments_thread ON attachments (thread_id);

CREATE TABLE feedback (
    thread_id  TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    identity   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('positive', 'negative')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (thread_id, item_id, identity),
    FOREIGN KEY (thread_id, item_id) REFERENCES items (thread_id, id) ON DELETE CASCADE
);
