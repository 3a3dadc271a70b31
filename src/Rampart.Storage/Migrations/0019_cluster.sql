-- Persistent MQTT sessions (issue 15, docs/scale-out.md "Persistent sessions"). Runs in one
-- transaction with its schema_migrations row (MigrationRunner).
-- One row per session that outlives its connection: keyed by client id and the principal that owns
-- it (another identity with the same client id never resumes it, threat model "Identity"), the node
-- that holds it now (a node writes only rows it holds), when it ends unless resumed, and its state
-- (subscriptions, QoS 1/2 messages in flight and queued: Rampart.Mqtt SessionStateCodec, bounded by
-- the broker's queue and Rampart:Sessions:MaximumStoredBytes).
CREATE TABLE mqtt_sessions (
    client_id  TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    node_id    TEXT    NOT NULL,
    expires_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    state      BLOB    NOT NULL,
    PRIMARY KEY (client_id, owner)
) STRICT;
CREATE INDEX mqtt_sessions_expiry ON mqtt_sessions (expires_ms);
