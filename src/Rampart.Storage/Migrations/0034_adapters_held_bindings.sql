-- Issue 21 (docs/adapters.md, docs/network-visibility.md). Runs in one transaction with its
-- schema_migrations row (MigrationRunner).
-- adapter_held_commands: commands an HTTPS or CoAP device's broker link had taken from the broker
-- (and acknowledged: the broker forgot them) when the link closed before the device collected them.
-- Kept here, not in the node's memory, so a restart or the device's next link on another node of the
-- cluster still delivers them; taken (deleted) once, oldest first (seq per device). Bounded by
-- Adapters:HeldCommandsPerDevice, HeldCommandDevices and HeldCommandExpiry (expires_ms).
CREATE TABLE adapter_held_commands (
    device_id  TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX adapter_held_commands_expires ON adapter_held_commands (expires_ms);
-- network_bindings: an address or MAC an operator bound to a registered device by hand (a device that
-- never connects to Rampart, or one behind NAT): kind 'address' or 'mac', the value normalised
-- (address as IPAddress prints it, MAC lower-case with colons). A binding outranks the address the
-- gateway saw the device connect from.
CREATE TABLE network_bindings (
    kind      TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    device_id TEXT    NOT NULL,
    bound_by  TEXT    NOT NULL,
    bound_ms  INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX network_bindings_device ON network_bindings (device_id);
