-- Device front doors beside MQTT (issue 21; mirrors Migrations/0011_adapters.sql): per-device PSKs
-- for CoAP over DTLS, legacy devices' secrets, and the legacy flag. verifier is SHA-256 of the
-- secret (UNIQUE: never shared), sealed a PSK sealed with the node's secret box.
CREATE TABLE device_credentials (
    key_id     TEXT COLLATE "C" PRIMARY KEY,
    device_id  TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('psk', 'legacy')),
    verifier   BYTEA  NOT NULL UNIQUE,
    sealed     BYTEA,
    issued_ms  BIGINT NOT NULL,
    revoked_ms BIGINT
);
CREATE UNIQUE INDEX device_credentials_in_force ON device_credentials (device_id, kind) WHERE revoked_ms IS NULL;

CREATE TABLE legacy_devices (
    device_id     TEXT COLLATE "C" PRIMARY KEY,
    reason        TEXT   NOT NULL,
    registered_by TEXT   NOT NULL,
    registered_ms BIGINT NOT NULL,
    replaced_ms   BIGINT
);
