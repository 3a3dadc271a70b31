-- Privacy by construction (issue 19). Plain SQL on purpose: Postgres/Migrations/0009_privacy.sql
-- mirrors it. A subject is stored only under its keyed pseudonym (HMAC-SHA256 with the node's
-- pseudonym key); its id and personal fields only sealed (AES-256-GCM) with its own data key, and
-- the data key only wrapped by a key-encryption key kept in the node's keys folder.

CREATE TABLE privacy_subjects (
    pseudonym  TEXT    PRIMARY KEY,
    region     TEXT    NOT NULL,
    sealed     BLOB    NOT NULL,        -- nonce ‖ ciphertext ‖ tag of {id, fields} under the data key
    created_ms INTEGER NOT NULL
) STRICT;

-- Apart from the subject row, so erasure destroys the key first (crypto-shredding) and a KEK
-- rotation rewrites only this table.
CREATE TABLE privacy_subject_keys (
    pseudonym   TEXT    PRIMARY KEY,
    kek_version INTEGER NOT NULL,
    wrapped_key BLOB    NOT NULL
) STRICT;
CREATE INDEX privacy_subject_keys_version ON privacy_subject_keys (kek_version);

CREATE TABLE privacy_subject_devices (
    device_id TEXT PRIMARY KEY,         -- a device belongs to one subject
    pseudonym TEXT NOT NULL
) STRICT;
CREATE INDEX privacy_subject_devices_subject ON privacy_subject_devices (pseudonym);

CREATE TABLE privacy_consents (
    pseudonym  TEXT    NOT NULL,
    purpose    TEXT    NOT NULL,
    granted    INTEGER NOT NULL,
    changed_ms INTEGER NOT NULL,
    PRIMARY KEY (pseudonym, purpose)
) STRICT;

CREATE TABLE privacy_retention (
    category   TEXT    PRIMARY KEY,
    days       INTEGER NOT NULL,
    changed_ms INTEGER NOT NULL
) STRICT;
