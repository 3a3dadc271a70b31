-- The console's /exposure and /posture read stored, paged results (issue 22) instead of computing the fleet per request.

-- exposure_lines: every line of the last exposure recompute that changed something (docs/supply-chain.md), replaced
-- whole in that recompute's audited transaction. rank orders the lines (open first, known exploited first, then
-- severity, vulnerability, scope, component) and is unique, so a page is "rank > last ORDER BY rank LIMIT n".
CREATE TABLE exposure_lines (
    rank            TEXT    PRIMARY KEY,
    scope           TEXT    NOT NULL,          -- release:<id> or model:<model>
    vulnerability   TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    known_exploited TEXT,                      -- the KEV entry's date added, when listed
    component       TEXT    NOT NULL,
    version         TEXT,
    fixed_by        TEXT,
    status          TEXT    NOT NULL           -- open, or the VEX status that closed it
) STRICT, WITHOUT ROWID;
CREATE INDEX exposure_lines_scope ON exposure_lines (scope, rank);

-- exposure_scopes: per scope, the devices that ran it and its open and closed lines at that recompute.
CREATE TABLE exposure_scopes (
    scope        TEXT    PRIMARY KEY,
    devices      INTEGER NOT NULL,
    open_lines   INTEGER NOT NULL,
    closed_lines INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- exposure_device_scopes: which scopes each device ran; a scoped operator's counts join it with devices at read time,
-- so a device moved out of their sites or zones since the recompute is not counted for them.
CREATE TABLE exposure_device_scopes (
    scope     TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (scope, device_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX exposure_device_scopes_device ON exposure_device_scopes (device_id, scope);

-- exposure_result: when the stored lines were computed, and their digest (a recompute that finds the same writes nothing).
CREATE TABLE exposure_result (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    computed_ms INTEGER NOT NULL,
    digest      TEXT    NOT NULL
) STRICT;

-- The posture page's riskiest devices, from the last fleet audit run: the factors behind each score, walked by score.
ALTER TABLE device_risk ADD COLUMN factors TEXT NOT NULL DEFAULT '{}';
CREATE INDEX device_risk_score ON device_risk (score DESC, device_id);
