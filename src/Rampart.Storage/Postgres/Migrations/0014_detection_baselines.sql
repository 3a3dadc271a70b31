-- Learned baselines kept across restarts (issue 14, item 2); the SQLite migration of the same
-- number explains the columns. One row per device, the blob replaced at each save.
CREATE TABLE device_baselines (
    device_id TEXT COLLATE "C" PRIMARY KEY,
    saved_ms  BIGINT NOT NULL,
    state     BYTEA  NOT NULL
);
CREATE INDEX device_baselines_saved ON device_baselines (saved_ms);
