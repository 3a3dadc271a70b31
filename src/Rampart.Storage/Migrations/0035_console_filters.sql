-- The web console's device list filters by model, tag and risk in id order (issue 22), each served by
-- an index walked in id order ("... = ? AND id > ? ORDER BY id LIMIT n"), not a scan of the fleet.
CREATE INDEX devices_model ON devices (model, id);

-- device_tags: one row per tag of a device, kept by triggers from devices.tags (a JSON array) so
-- every writer of devices (the inventory, bulk loads) keeps it without knowing of it.
CREATE TABLE device_tags (
    tag       TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (tag, device_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_tags_device ON device_tags (device_id);
INSERT OR IGNORE INTO device_tags (tag, device_id) SELECT j.value, d.id FROM devices d, json_each(d.tags) j WHERE j.type = 'text';
CREATE TRIGGER device_tags_insert AFTER INSERT ON devices BEGIN
    INSERT OR IGNORE INTO device_tags (tag, device_id) SELECT value, NEW.id FROM json_each(NEW.tags) WHERE type = 'text';
END;
CREATE TRIGGER device_tags_update AFTER UPDATE OF tags ON devices BEGIN
    DELETE FROM device_tags WHERE device_id = OLD.id;
    INSERT OR IGNORE INTO device_tags (tag, device_id) SELECT value, NEW.id FROM json_each(NEW.tags) WHERE type = 'text';
END;
CREATE TRIGGER device_tags_delete AFTER DELETE ON devices BEGIN
    DELETE FROM device_tags WHERE device_id = OLD.id;
END;

-- device_risk: each device's risk as of the last fleet audit run (docs/posture.md "Risk score"),
-- replaced whole in that run's transaction; the band is what the list filters by.
CREATE TABLE device_risk (
    device_id   TEXT    PRIMARY KEY,
    band        TEXT    NOT NULL CHECK (band IN ('low', 'medium', 'high', 'critical')),
    score       INTEGER NOT NULL,
    assessed_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX device_risk_band ON device_risk (band, device_id);

-- A device's update history on its console page: the rollouts that planned it, newest first.
CREATE INDEX rollout_devices_device ON rollout_devices (device_id, rollout_id);
