-- Operators: accounts, invitations, API tokens, four-eyes approvals. Issue 6.

CREATE TABLE users (
    name            TEXT PRIMARY KEY,
    role            TEXT    NOT NULL,
    sites           TEXT    NOT NULL,        -- JSON array; empty = all
    zones           TEXT    NOT NULL,        -- JSON array; empty = all
    password_hash   TEXT    NOT NULL,        -- pbkdf2-sha256$iterations$salt$hash
    totp_sealed     BLOB,                    -- AES-256-GCM under keys/secret-box.key
    activated       INTEGER NOT NULL,
    disabled        INTEGER NOT NULL,
    failed_logins   INTEGER NOT NULL,
    locked_until_ms INTEGER,
    last_totp_step  INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    token_hash  BLOB    NOT NULL UNIQUE,
    user_name   TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    sites       TEXT    NOT NULL,
    zones       TEXT    NOT NULL,
    invited_by  TEXT    NOT NULL,
    expires_ms  INTEGER NOT NULL,
    used_ms     INTEGER
) STRICT;

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_name   TEXT    NOT NULL REFERENCES users (name),
    name        TEXT    NOT NULL,
    token_hash  BLOB    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL,            -- JSON array of permissions
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    revoked_ms  INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_name, id);

CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY,
    operation    TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    permission   TEXT    NOT NULL,
    requested_by TEXT    NOT NULL,
    requested_ms INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    decided_by   TEXT,
    decided_ms   INTEGER,
    result       TEXT
) STRICT;
CREATE INDEX approvals_status ON approvals (status, id);
