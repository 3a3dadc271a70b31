-- Device front doors beside MQTT (issue 21): per-device PSKs for CoAP over DTLS, legacy devices'
-- secrets, and the legacy flag. Secrets are never stored in clear: verifier is SHA-256 of the
-- secret (UNIQUE: no two credentials ever share one), sealed is a PSK sealed with the node's secret
-- box (the DTLS handshake needs it back), bound to the device and key id.
CREATE TABLE device_credentials (
    key_id     TEXT    PRIMARY KEY,
    device_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('psk', 'legacy')),
    verifier   BLOB    NOT NULL UNIQUE,
    sealed     BLOB,
    issued_ms  INTEGER NOT NULL,
    revoked_ms INTEGER
) STRICT;
-- At most one credential of each kind in force per device.
CREATE UNIQUE INDEX device_credentials_in_force ON device_credentials (device_id, kind) WHERE revoked_ms IS NULL;

-- Devices registered explicitly as legacy; an open audit finding while replaced_ms is null.
CREATE TABLE legacy_devices (
    device_id     TEXT    PRIMARY KEY,
    reason        TEXT    NOT NULL,
    registered_by TEXT    NOT NULL,
    registered_ms INTEGER NOT NULL,
    replaced_ms   INTEGER
) STRICT;
