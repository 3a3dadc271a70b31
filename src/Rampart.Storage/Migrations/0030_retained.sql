-- Retained MQTT messages beyond the process (issue 15 items 3 and 5, docs/scale-out.md "Retained
-- messages"). Runs in one transaction with its schema_migrations row (MigrationRunner).
-- One row per retained topic, keyed by the SHA-256 of the topic (topics may be longer than an index
-- entry allows on PostgreSQL): the message in the broker's stored form (Rampart.Mqtt
-- RetainedMessageCodec), or NULL once cleared (a tombstone, so an older value written late by another
-- node does not come back; deleted after a day), when it expires (MQTT 5 message expiry) and when it
-- was set, which orders writers (the later set wins).
CREATE TABLE mqtt_retained (
    topic_key  BLOB    NOT NULL PRIMARY KEY,
    topic      TEXT    NOT NULL,
    message    BLOB,
    expires_ms INTEGER,
    set_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX mqtt_retained_set ON mqtt_retained (set_ms);
