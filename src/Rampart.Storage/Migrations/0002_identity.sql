-- Device identity: inventory, issued certificates, bootstrap tokens, CRLs, manufacturer CAs,
-- security events. Issue 3.

CREATE TABLE devices (
    id               TEXT PRIMARY KEY,       -- immutable, [A-Za-z0-9._-]{1,64}, never reused
    model            TEXT,
    vendor           TEXT,
    hardware_rev     TEXT,
    firmware_version TEXT,
    site             TEXT,
    zone             TEXT,
    tags             TEXT    NOT NULL,       -- JSON array
    state            TEXT    NOT NULL CHECK (state IN ('registered', 'active', 'quarantined', 'retired')),
    support_until    TEXT,                   -- ISO date
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX devices_state ON devices (state, id);

CREATE TABLE certificates (
    serial            TEXT PRIMARY KEY,      -- upper-case hex
    profile           TEXT    NOT NULL CHECK (profile IN ('device', 'service', 'server')),
    subject           TEXT    NOT NULL,
    key_sha256        TEXT    NOT NULL,
    not_before_ms     INTEGER NOT NULL,
    not_after_ms      INTEGER NOT NULL,
    revoked_ms        INTEGER,
    revocation_reason INTEGER,
    der               BLOB    NOT NULL
) STRICT;
CREATE INDEX certificates_subject ON certificates (profile, subject);
CREATE INDEX certificates_key ON certificates (key_sha256);
CREATE INDEX certificates_revoked ON certificates (revoked_ms) WHERE revoked_ms IS NOT NULL;

CREATE TABLE bootstrap_tokens (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT    NOT NULL REFERENCES devices (id),
    token_hash  BLOB    NOT NULL UNIQUE,     -- SHA-256; the token itself is never stored
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    used_ms     INTEGER,
    revoked_ms  INTEGER
) STRICT;
CREATE INDEX bootstrap_tokens_device ON bootstrap_tokens (device_id);

CREATE TABLE crls (
    number          INTEGER PRIMARY KEY,
    this_update_ms  INTEGER NOT NULL,
    next_update_ms  INTEGER NOT NULL,
    der             BLOB    NOT NULL
) STRICT;

CREATE TABLE vendor_trust (
    fingerprint  TEXT PRIMARY KEY,           -- SHA-256 of the CA certificate
    name         TEXT    NOT NULL,
    der          BLOB    NOT NULL,
    added_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE security_events (
    id         INTEGER PRIMARY KEY,
    time_ms    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    severity   TEXT    NOT NULL,
    device_id  TEXT,
    source     TEXT,
    details    TEXT    NOT NULL              -- JSON object
) STRICT;
CREATE INDEX security_events_device ON security_events (device_id, id);
CREATE INDEX security_events_time ON security_events (time_ms);
