-- Network visibility (issue 21 item 5, docs/network-visibility.md). Runs in one transaction with its
-- schema_migrations row (MigrationRunner).
-- network_hosts: the passive inventory, one row per IP address seen in a device network (pcap
-- imports, the IPFIX collector): MAC and vendor when a frame carried them, the registered device it
-- matched (NULL: unknown), first/last seen, counters, and JSON arrays of the ports it served
-- ("tcp/23"), the protocols it spoke and the insecure ones (each at most 64 entries).
CREATE TABLE network_hosts (
    address      TEXT    PRIMARY KEY,
    mac          TEXT,
    vendor       TEXT,
    device_id    TEXT,
    first_ms     INTEGER NOT NULL,
    last_ms      INTEGER NOT NULL,
    flows        INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    ports        TEXT    NOT NULL,
    protocols    TEXT    NOT NULL,
    insecure     TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX network_hosts_last ON network_hosts (last_ms);
-- network_device_addresses: the address each registered device last connected from (the gateway's
-- gateway.connected events), which is how a host on the network is matched to a device.
CREATE TABLE network_device_addresses (
    address   TEXT    PRIMARY KEY,
    device_id TEXT    NOT NULL,
    seen_ms   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX network_device_addresses_seen ON network_device_addresses (seen_ms);
