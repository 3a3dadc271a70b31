-- One delivering node per export destination (issue 15; mirrors Migrations/0021_export_leases.sql):
-- the node that holds a destination's lease alone sends its records; it renews the lease every
-- delivery round, and a node that stopped (or died) loses it at expires_ms, when another node
-- takes over from the outbox rows, which only a delivery removes. Times are the holder's clock
-- (TimeProvider) in Unix ms.
CREATE TABLE export_leases (
    destination TEXT COLLATE "C" PRIMARY KEY,
    holder      TEXT   NOT NULL,
    expires_ms  BIGINT NOT NULL
);
