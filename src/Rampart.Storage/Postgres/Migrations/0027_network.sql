-- Network visibility (issue 21 item 5); the SQLite migration of the same number explains the columns.
CREATE TABLE network_hosts (
    address      TEXT COLLATE "C" PRIMARY KEY,
    mac          TEXT,
    vendor       TEXT,
    device_id    TEXT,
    first_ms     BIGINT NOT NULL,
    last_ms      BIGINT NOT NULL,
    flows        BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    ports        TEXT   NOT NULL,
    protocols    TEXT   NOT NULL,
    insecure     TEXT   NOT NULL
);
CREATE INDEX network_hosts_last ON network_hosts (last_ms);
CREATE TABLE network_device_addresses (
    address   TEXT COLLATE "C" PRIMARY KEY,
    device_id TEXT   NOT NULL,
    seen_ms   BIGINT NOT NULL
);
CREATE INDEX network_device_addresses_seen ON network_device_addresses (seen_ms);
