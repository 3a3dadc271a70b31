-- Change stamps of the supply chain's shared data (issue 17): a counter that every write which adds
-- or changes vulnerability records raises in the same transaction, so each node can tell that its
-- in-memory index is stale even when another node's import changed records without adding any
-- (a record count cannot show that; a timestamp would depend on the writers' clocks).
CREATE TABLE supply_chain_stamps (
    name    TEXT    PRIMARY KEY,     -- what is stamped: 'vulnerabilities'
    version INTEGER NOT NULL
) STRICT;

INSERT INTO supply_chain_stamps (name, version) VALUES ('vulnerabilities', 0);

-- Outstanding attestation challenges (issue 17 item 8): one per device, shared by every node, so a
-- challenge survives a restart and is answered once across the cluster (the answer deletes the
-- row; of two nodes judging the same answer one deletes it, the other sees a replay). The nonce is
-- kept as its SHA-256 only: the row is looked up by it, and a database reader learns no live nonce.
CREATE TABLE attestation_challenges (
    device_id    TEXT    PRIMARY KEY,
    nonce_sha256 TEXT    NOT NULL,   -- hex SHA-256 of the nonce sent
    issued_ms    INTEGER NOT NULL
) STRICT;
