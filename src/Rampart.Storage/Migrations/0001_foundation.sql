-- Foundation: the audit chain, its signed checkpoints, setup tokens and node settings.
-- Issue 2. Tables are STRICT so a wrong type is an error, not a silent conversion.

CREATE TABLE audit_entries (
    seq        INTEGER PRIMARY KEY,      -- assigned by the single writer, 1, 2, 3, ...
    time_ms    INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    details    TEXT    NOT NULL,         -- JSON object, keys in ordinal order
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL
) STRICT;

CREATE TABLE audit_checkpoints (
    seq        INTEGER PRIMARY KEY,      -- the entry the checkpoint covers up to
    entry_hash BLOB    NOT NULL,
    time_ms    INTEGER NOT NULL,
    key_id     TEXT    NOT NULL,
    signature  BLOB    NOT NULL
) STRICT;

-- Append-only inside the application. Someone with the file can drop these triggers; the hash
-- chain and the signed checkpoints are what detect that.
CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_checkpoints_append_only_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_append_only_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

CREATE TABLE setup_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  BLOB    NOT NULL,        -- SHA-256 of the token; the token itself is never stored
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    consumed_ms INTEGER,
    revoked_ms  INTEGER
) STRICT;

CREATE TABLE node_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
