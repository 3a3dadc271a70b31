-- Privacy by construction (issue 19; mirrors Migrations/0009_privacy.sql). A subject is stored
-- only under its keyed pseudonym; its id and fields only sealed with its own data key, the data key
-- only wrapped by a key-encryption key kept in each node's keys folder.

CREATE TABLE privacy_subjects (
    pseudonym  TEXT COLLATE "C" PRIMARY KEY,
    region     TEXT COLLATE "C" NOT NULL,
    sealed     BYTEA  NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE privacy_subject_keys (
    pseudonym   TEXT COLLATE "C" PRIMARY KEY,
    kek_version INTEGER NOT NULL,
    wrapped_key BYTEA   NOT NULL
);
CREATE INDEX privacy_subject_keys_version ON privacy_subject_keys (kek_version);

CREATE TABLE privacy_subject_devices (
    device_id TEXT COLLATE "C" PRIMARY KEY,
    pseudonym TEXT COLLATE "C" NOT NULL
);
CREATE INDEX privacy_subject_devices_subject ON privacy_subject_devices (pseudonym);

CREATE TABLE privacy_consents (
    pseudonym  TEXT COLLATE "C" NOT NULL,
    purpose    TEXT COLLATE "C" NOT NULL,
    granted    INTEGER NOT NULL,
    changed_ms BIGINT  NOT NULL,
    PRIMARY KEY (pseudonym, purpose)
);

CREATE TABLE privacy_retention (
    category   TEXT COLLATE "C" PRIMARY KEY,
    days       INTEGER NOT NULL,
    changed_ms BIGINT  NOT NULL
);
