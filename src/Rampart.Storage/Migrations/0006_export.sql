-- The export outbox (issue 14, item 6): a persisted, bounded queue per destination in front of
-- syslog collectors and webhook receivers, fed from cursors over the security events and the
-- audit checkpoints. Plain SQL on purpose: the PostgreSQL provider runs the same statements.

-- How far each source was enqueued: 'security-events' (event id), 'audit-checkpoints' (seq).
CREATE TABLE export_cursors (
    source   TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;

-- Per destination: what was delivered and dropped, and the retry state of its head record.
CREATE TABLE export_destinations (
    name              TEXT    PRIMARY KEY,
    delivered         INTEGER NOT NULL DEFAULT 0,
    dropped           INTEGER NOT NULL DEFAULT 0,
    failed_attempts   INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms   INTEGER,
    last_error        TEXT,
    last_error_ms     INTEGER,
    last_delivered_ms INTEGER
) STRICT;

-- record_id is the id receivers deduplicate by; UNIQUE makes a repeated enqueue a no-op.
CREATE TABLE export_outbox (
    id          INTEGER PRIMARY KEY,
    destination TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    enqueued_ms INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    UNIQUE (destination, record_id)
) STRICT;
CREATE INDEX export_outbox_order ON export_outbox (destination, id);
-- The age bound deletes by enqueue time without scanning the destination's rows.
CREATE INDEX export_outbox_age ON export_outbox (destination, enqueued_ms);
