-- Attestation nonces and the KEV catalog (issue 17; mirrors Migrations/0032_supply_chain_kev_attestation.sql,
-- which explains each column).
CREATE TABLE attestation_nonces (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id     TEXT COLLATE "C" NOT NULL,
    nonce_sha256  TEXT   NOT NULL,
    issued_ms     BIGINT NOT NULL,
    second_chance BOOLEAN NOT NULL DEFAULT FALSE,
    answer_sha256 TEXT,
    answered_ms   BIGINT,
    unanswered_ms BIGINT,
    UNIQUE (device_id, nonce_sha256)
);

CREATE INDEX attestation_nonces_open ON attestation_nonces (issued_ms) WHERE answer_sha256 IS NULL AND unanswered_ms IS NULL;

INSERT INTO attestation_nonces (device_id, nonce_sha256, issued_ms) SELECT device_id, nonce_sha256, issued_ms FROM attestation_challenges;
DROP TABLE attestation_challenges;

CREATE TABLE known_exploited (
    cve_id          TEXT COLLATE "C" PRIMARY KEY,
    vendor          TEXT NOT NULL,
    product         TEXT NOT NULL,
    name            TEXT NOT NULL,
    date_added      TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    ransomware      TEXT NOT NULL,
    required_action TEXT NOT NULL
);

CREATE TABLE known_exploited_catalog (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    catalog_version TEXT   NOT NULL,
    date_released   TEXT   NOT NULL,
    digest          TEXT   NOT NULL,
    imported_ms     BIGINT NOT NULL
);

INSERT INTO supply_chain_stamps (name, version) VALUES ('known-exploited', 0);
