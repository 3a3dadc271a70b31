-- The web console's device list filters by model, tag and risk in id order (issue 22), each served by
-- an index walked in id order ("... = ? AND id > ? ORDER BY id LIMIT n"), not a scan of the fleet.
-- Mirrors Migrations/0035_console_filters.sql.
CREATE INDEX devices_model ON devices (model, id);

-- device_tags: one row per tag of a device, kept by triggers from devices.tags (a JSON array) so
-- every writer of devices (the inventory, bulk loads) keeps it without knowing of it.
CREATE TABLE device_tags (
    tag       TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tag, device_id)
);
CREATE INDEX device_tags_device ON device_tags (device_id);
INSERT INTO device_tags (tag, device_id)
    SELECT DISTINCT t.value, d.id FROM devices d, json_array_elements_text(CAST(d.tags AS json)) t ON CONFLICT DO NOTHING;
CREATE FUNCTION device_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM device_tags WHERE device_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO device_tags (tag, device_id)
            SELECT DISTINCT t.value, NEW.id FROM json_array_elements_text(CAST(NEW.tags AS json)) t ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER device_tags_insert AFTER INSERT ON devices FOR EACH ROW EXECUTE FUNCTION device_tags_sync();
CREATE TRIGGER device_tags_update AFTER UPDATE OF tags ON devices FOR EACH ROW EXECUTE FUNCTION device_tags_sync();
CREATE TRIGGER device_tags_delete AFTER DELETE ON devices FOR EACH ROW EXECUTE FUNCTION device_tags_sync();

-- device_risk: each device's risk as of the last fleet audit run (docs/posture.md "Risk score"),
-- replaced whole in that run's transaction; the band is what the list filters by.
CREATE TABLE device_risk (
    device_id   TEXT COLLATE "C" PRIMARY KEY,
    band        TEXT   NOT NULL CHECK (band IN ('low', 'medium', 'high', 'critical')),
    score       INTEGER NOT NULL,
    assessed_ms BIGINT NOT NULL
);
CREATE INDEX device_risk_band ON device_risk (band, device_id);

-- A device's update history on its console page: the rollouts that planned it, newest first.
CREATE INDEX rollout_devices_device ON rollout_devices (device_id, rollout_id);
