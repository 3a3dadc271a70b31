-- Detection follow-ups (issue 14). Runs in one transaction with its schema_migrations row
-- (MigrationRunner): a failure or kill -9 leaves the schema at 0011 with every row in place.

-- 1. security_events.id never repeats. As INTEGER PRIMARY KEY (a rowid alias) SQLite hands out
--    MAX(id)+1, so once retention deleted the newest rows a new event took an id the export cursor
--    had passed (skipped) or reused one a reader had seen (repeated). AUTOINCREMENT keeps the highest
--    id ever used in sqlite_sequence (https://sqlite.org/autoinc.html). SQLite cannot change a column
--    in place, so the table is rebuilt (https://sqlite.org/lang_altertable.html#otheralter, steps
--    4-7): nothing references it by foreign key and it has no triggers or views.
CREATE TABLE security_events_autoincrement (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    severity   TEXT    NOT NULL,
    device_id  TEXT,
    source     TEXT,
    details    TEXT    NOT NULL              -- JSON object
) STRICT;
INSERT INTO security_events_autoincrement (id, time_ms, kind, severity, device_id, source, details)
    SELECT id, time_ms, kind, severity, device_id, source, details FROM security_events ORDER BY id;
DROP TABLE security_events;
ALTER TABLE security_events_autoincrement RENAME TO security_events;
CREATE INDEX security_events_device ON security_events (device_id, id);
CREATE INDEX security_events_time ON security_events (time_ms);

-- Ids already handed out before this migration but deleted since (retention) must not come back
-- either: the sequence starts past the export cursor too, which has seen them.
DELETE FROM sqlite_sequence WHERE name = 'security_events';
INSERT INTO sqlite_sequence (name, seq) VALUES ('security_events', MAX(
    COALESCE((SELECT MAX(id) FROM security_events), 0),
    COALESCE((SELECT position FROM export_cursors WHERE source = 'security-events'), 0)));

-- 2. The "tighten limits" response: a device's lower publish limits until its alert is resolved.
CREATE TABLE limit_overrides (
    device_id           TEXT    PRIMARY KEY,
    messages_per_second REAL    NOT NULL,
    message_burst       REAL    NOT NULL,
    bytes_per_second    REAL    NOT NULL,
    byte_burst          REAL    NOT NULL,
    alert_id            INTEGER NOT NULL,
    reason              TEXT    NOT NULL,
    set_by              TEXT    NOT NULL,
    set_ms              INTEGER NOT NULL
) STRICT;

-- 3. The guard rail's automatic containments, shared by every node: one row per containment taken,
--    rows past the period deleted as new ones are taken (so at most the budget's rows per pool live).
CREATE TABLE containment_budget (
    id       INTEGER PRIMARY KEY,
    pool     TEXT    NOT NULL,
    alert_id INTEGER NOT NULL,
    taken_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX containment_budget_pool ON containment_budget (pool, taken_ms);
CREATE INDEX containment_budget_alert ON containment_budget (alert_id);

-- 4. Closed behaviour windows (issue 14, item 1: "stored compactly, bounded retention"): the metric
--    values as one blob of little-endian floats (68 bytes for 17 metrics), deleted past
--    Detection:WindowRetention (default 1 hour). A restart puts the newest back into the profiles.
CREATE TABLE behaviour_windows (
    device_id TEXT    NOT NULL,
    start_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    metrics   BLOB    NOT NULL,
    PRIMARY KEY (device_id, start_ms)
) STRICT, WITHOUT ROWID;
CREATE INDEX behaviour_windows_end ON behaviour_windows (end_ms);
