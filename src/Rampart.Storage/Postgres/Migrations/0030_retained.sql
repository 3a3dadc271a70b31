-- Retained MQTT messages (issue 15; mirrors Migrations/0030_retained.sql). Shared by every node of
-- the cluster: a node that starts later reads here what the others retained.
CREATE TABLE mqtt_retained (
    topic_key  BYTEA  NOT NULL PRIMARY KEY,
    topic      TEXT COLLATE "C" NOT NULL,
    message    BYTEA,
    expires_ms BIGINT,
    set_ms     BIGINT NOT NULL
);
CREATE INDEX mqtt_retained_set ON mqtt_retained (set_ms);
