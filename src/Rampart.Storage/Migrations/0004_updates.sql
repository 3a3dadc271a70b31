-- Firmware releases, rollouts, and the firmware devices report. Issue 7.

CREATE TABLE releases (
    id              TEXT PRIMARY KEY,
    model           TEXT    NOT NULL,
    version         TEXT    NOT NULL,
    svn             INTEGER NOT NULL,
    hardware        TEXT    NOT NULL,
    image_target    TEXT    NOT NULL,
    manifest_target TEXT    NOT NULL,
    image_sha256    TEXT    NOT NULL,
    image_length    INTEGER NOT NULL,
    sbom_sha256     TEXT,
    status          TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_ms      INTEGER NOT NULL,
    promoted_by     TEXT,
    promoted_ms     INTEGER,
    UNIQUE (model, version)
) STRICT;

CREATE TABLE rollouts (
    id           INTEGER PRIMARY KEY,
    release_id   TEXT    NOT NULL REFERENCES releases (id),
    selector     TEXT    NOT NULL,
    policy       TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    reason       TEXT,
    current_wave INTEGER NOT NULL,
    wave_count   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX rollouts_state ON rollouts (state, id);

-- position: plan order (the shuffled order waves were cut from).
CREATE TABLE rollout_devices (
    rollout_id  INTEGER NOT NULL REFERENCES rollouts (id),
    device_id   TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    wave        INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    detail      TEXT,
    notified_ms INTEGER,
    updated_ms  INTEGER NOT NULL,
    PRIMARY KEY (rollout_id, device_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollout_devices_pending ON rollout_devices (rollout_id, state, position);
CREATE INDEX rollout_devices_wave ON rollout_devices (rollout_id, wave, state);

CREATE TABLE device_firmware (
    device_id   TEXT PRIMARY KEY,
    version     TEXT    NOT NULL,
    svn         INTEGER NOT NULL,
    reported_ms INTEGER NOT NULL
) STRICT;
