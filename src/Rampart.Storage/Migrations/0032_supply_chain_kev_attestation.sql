-- Attestation nonces (issue 17 item 8), replacing attestation_challenges: the last few challenges per
-- device, answered or not, shared by every node. Each verdict is judged from this table alone, so a
-- resend (byte for byte the device's last answer: `answer_sha256` of the row answered last, `answered_ms`) or an answer to a challenge a newer
-- one replaced (not the device's newest `seq`) is judged the same on any node and after a restart,
-- not only on the node that saw the first answer. `unanswered_ms` marks a challenge the sweep found
-- unanswered past its deadline (claimed once across the cluster); `second_chance` a challenge the node
-- holding the device sent after the first went unanswered. Nonces and answers are kept as SHA-256 only.
CREATE TABLE attestation_nonces (
    seq           INTEGER PRIMARY KEY,           -- issue order (newest = the device's outstanding challenge)
    device_id     TEXT    NOT NULL,
    nonce_sha256  TEXT    NOT NULL,              -- hex SHA-256 of the nonce sent
    issued_ms     INTEGER NOT NULL,
    second_chance INTEGER NOT NULL DEFAULT 0,
    answer_sha256 TEXT,                          -- hex SHA-256 of the answer that took it
    answered_ms   INTEGER,
    unanswered_ms INTEGER,
    UNIQUE (device_id, nonce_sha256)
) STRICT;

-- The sweep's question: newest challenges neither answered nor flagged, oldest first.
CREATE INDEX attestation_nonces_open ON attestation_nonces (issued_ms) WHERE answer_sha256 IS NULL AND unanswered_ms IS NULL;

INSERT INTO attestation_nonces (device_id, nonce_sha256, issued_ms) SELECT device_id, nonce_sha256, issued_ms FROM attestation_challenges;
DROP TABLE attestation_challenges;

-- CISA's Known Exploited Vulnerabilities catalog (issue 17: exposure ranked by known exploitation):
-- the last imported catalog, replaced whole by the next (an entry CISA removes goes), with the
-- catalog's version and release; its change raises the 'known-exploited' stamp so every node reloads it.
CREATE TABLE known_exploited (
    cve_id          TEXT    PRIMARY KEY,         -- CVE-YYYY-NNNN, upper case
    vendor          TEXT    NOT NULL,
    product         TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    date_added      TEXT    NOT NULL,            -- YYYY-MM-DD
    due_date        TEXT    NOT NULL,            -- YYYY-MM-DD
    ransomware      TEXT    NOT NULL,            -- knownRansomwareCampaignUse: Known or Unknown
    required_action TEXT    NOT NULL
) STRICT;

CREATE TABLE known_exploited_catalog (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    catalog_version TEXT    NOT NULL,
    date_released   TEXT    NOT NULL,
    digest          TEXT    NOT NULL,            -- SHA-256 of the entries as stored: an unchanged re-import writes nothing
    imported_ms     INTEGER NOT NULL
) STRICT;

INSERT INTO supply_chain_stamps (name, version) VALUES ('known-exploited', 0);
