-- The console's /exposure and /posture read stored, paged results (issue 22) instead of computing the fleet per request.
-- Mirrors Migrations/0037_console_stored_results.sql; COLLATE "C" so keyset order is byte order, as on SQLite.

CREATE TABLE exposure_lines (
    rank            TEXT COLLATE "C" PRIMARY KEY,
    scope           TEXT COLLATE "C" NOT NULL,
    vulnerability   TEXT NOT NULL,
    severity        TEXT NOT NULL,
    known_exploited TEXT,
    component       TEXT NOT NULL,
    version         TEXT,
    fixed_by        TEXT,
    status          TEXT NOT NULL
);
CREATE INDEX exposure_lines_scope ON exposure_lines (scope, rank);

CREATE TABLE exposure_scopes (
    scope        TEXT COLLATE "C" PRIMARY KEY,
    devices      INTEGER NOT NULL,
    open_lines   INTEGER NOT NULL,
    closed_lines INTEGER NOT NULL
);

CREATE TABLE exposure_device_scopes (
    scope     TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (scope, device_id)
);
CREATE INDEX exposure_device_scopes_device ON exposure_device_scopes (device_id, scope);

CREATE TABLE exposure_result (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    computed_ms BIGINT NOT NULL,
    digest      TEXT   NOT NULL
);

ALTER TABLE device_risk ADD COLUMN factors TEXT NOT NULL DEFAULT '{}';
CREATE INDEX device_risk_score ON device_risk (score DESC, device_id);
