-- Issue 21: held adapter commands and hand-made network bindings; the SQLite migration of the same number explains the columns.
CREATE TABLE adapter_held_commands (
    device_id  TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    topic      TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    payload    BYTEA  NOT NULL,
    expires_ms BIGINT NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX adapter_held_commands_expires ON adapter_held_commands (expires_ms);
CREATE TABLE network_bindings (
    kind      TEXT COLLATE "C" NOT NULL,
    value     TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    bound_by  TEXT   NOT NULL,
    bound_ms  BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX network_bindings_device ON network_bindings (device_id);
