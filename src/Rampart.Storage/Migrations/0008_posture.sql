-- Fleet posture: device models and the procurement verdict, last posture reports, confinements,
-- fleet audit runs and suppressions, posture snapshots. Issue 18 (docs/posture.md).

CREATE TABLE posture_models (
    key        TEXT PRIMARY KEY,          -- vendor/model
    document   TEXT    NOT NULL,          -- the model, JSON (schema form)
    admission  TEXT    NOT NULL,          -- the procurement gate's verdict, JSON
    admitted   INTEGER NOT NULL,
    added_by   TEXT    NOT NULL,
    added_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE posture_reports (
    device_id        TEXT PRIMARY KEY,
    firmware_version TEXT,
    measurement      TEXT,
    listening_ports  TEXT    NOT NULL,    -- JSON array of ports
    reported_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE posture_confinements (
    device_id      TEXT PRIMARY KEY,
    reason         TEXT    NOT NULL,
    confined_by    TEXT    NOT NULL,
    since_ms       INTEGER NOT NULL,
    released_ms    INTEGER,
    released_by    TEXT,
    release_reason TEXT
) STRICT;

CREATE TABLE fleet_audit_runs (
    id          INTEGER PRIMARY KEY,
    started_ms  INTEGER NOT NULL,
    finished_ms INTEGER NOT NULL,
    document    TEXT    NOT NULL          -- the run with every check's result, JSON
) STRICT;

CREATE TABLE fleet_audit_suppressions (
    id         INTEGER PRIMARY KEY,
    check_id   TEXT    NOT NULL,
    resource   TEXT,                      -- null: the whole check
    until_ms   INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX fleet_audit_suppressions_until ON fleet_audit_suppressions (until_ms);

CREATE TABLE posture_snapshots (
    id       INTEGER PRIMARY KEY,
    at_ms    INTEGER NOT NULL,
    document TEXT    NOT NULL
) STRICT;
CREATE INDEX posture_snapshots_at ON posture_snapshots (at_ms);
