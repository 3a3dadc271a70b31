-- The update signing state a cluster shares (issue 15 item 6; mirrors Migrations/0038_update_signing_state.sql).
-- lms_state: each LMS key's next unused leaf, by key identifier I (hex). Nodes take a leaf with one
-- UPDATE ... RETURNING, so no two get the same one-time key (RFC 8554 §5.4).
CREATE TABLE lms_state (
    key_id    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    next_leaf BIGINT NOT NULL CHECK (next_leaf >= 0)
);

-- tuf_files: the TUF repository (metadata/N.root.json, metadata/timestamp.json, …, targets/<sha256>.<name>,
-- pending-targets.json), by path under DATA/tuf. Written only under pg_advisory_xact_lock
-- (StoreLocks.TufRepository), so versions are consecutive across the cluster (TUF spec §5).
CREATE TABLE tuf_files (
    path    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    sha256  TEXT NOT NULL,
    content BYTEA NOT NULL
);
