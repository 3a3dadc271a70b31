-- Supply chain: SBOMs per release and model, vulnerability records, VEX statements, the last exposure. Issue 17.

CREATE TABLE sbom_documents (
    scope       TEXT    PRIMARY KEY,     -- release:<id> or model:<model>
    sha256      TEXT    NOT NULL,
    description TEXT    NOT NULL,
    components  TEXT    NOT NULL,        -- JSON array of the normalised components
    problem     TEXT,                    -- why the document was refused (then no components)
    stored_by   TEXT    NOT NULL,
    stored_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE vulnerabilities (
    id          TEXT    PRIMARY KEY,
    source      TEXT    NOT NULL,
    digest      TEXT    NOT NULL,        -- SHA-256 of record: unchanged on re-import when equal
    record      TEXT    NOT NULL,        -- JSON of the normalised record
    imported_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE vex_statements (
    scope     TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    statement TEXT    NOT NULL,          -- JSON
    set_ms    INTEGER NOT NULL,
    PRIMARY KEY (scope, position)
) STRICT;

CREATE TABLE exposure_snapshot (
    key           TEXT    PRIMARY KEY,   -- vulnerability|scope|component
    vulnerability TEXT    NOT NULL,
    component     TEXT    NOT NULL,
    severity      TEXT    NOT NULL,
    devices       INTEGER NOT NULL
) STRICT;
