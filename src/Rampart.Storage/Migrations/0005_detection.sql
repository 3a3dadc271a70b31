-- Detection and response: alerts and the static rules set through the API. Issue 14.

CREATE TABLE alerts (
    id                INTEGER PRIMARY KEY,
    device_id         TEXT    NOT NULL,
    detector          TEXT    NOT NULL,
    severity          TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    summary           TEXT    NOT NULL,
    evidence          TEXT    NOT NULL,
    first_seen_ms     INTEGER NOT NULL,
    last_seen_ms      INTEGER NOT NULL,
    occurrences       INTEGER NOT NULL,
    suppressed_until_ms INTEGER,
    reason            TEXT,
    changed_by        TEXT,
    changed_ms        INTEGER NOT NULL,
    response          TEXT
) STRICT;

-- Deduplication: at most one active (not resolved) alert per device and detector.
CREATE UNIQUE INDEX alerts_active ON alerts (device_id, detector) WHERE state <> 'resolved';
CREATE INDEX alerts_device ON alerts (device_id, id);
CREATE INDEX alerts_state ON alerts (state, id);

-- The static rules operators set through the API (one document; the built-in and file rules are not stored).
CREATE TABLE detection_rules (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    document   TEXT    NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL
) STRICT;
