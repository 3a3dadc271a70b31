-- Persistent MQTT sessions (issue 15; mirrors Migrations/0019_cluster.sql). Shared by every node of
-- the cluster: a device reconnecting through another node resumes its session from here.
CREATE TABLE mqtt_sessions (
    client_id  TEXT COLLATE "C" NOT NULL,
    owner      TEXT COLLATE "C" NOT NULL,
    node_id    TEXT COLLATE "C" NOT NULL,
    expires_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    state      BYTEA  NOT NULL,
    PRIMARY KEY (client_id, owner)
);
CREATE INDEX mqtt_sessions_expiry ON mqtt_sessions (expires_ms);
