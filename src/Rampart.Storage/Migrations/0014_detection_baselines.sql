-- Learned baselines kept across restarts (issue 14, item 2). Runs in one transaction with its
-- schema_migrations row (MigrationRunner). One row per device: the own baseline and the drift
-- reference as one blob (BaselineSnapshot: 418 bytes for 17 metrics), replaced at each save
-- (Detection:BaselineSaveInterval, and at an orderly stop), deleted once not saved for
-- Detection:BaselineRetention (default 30 days).
CREATE TABLE device_baselines (
    device_id TEXT    PRIMARY KEY,
    saved_ms  INTEGER NOT NULL,
    state     BLOB    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX device_baselines_saved ON device_baselines (saved_ms);
