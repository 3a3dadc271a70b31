-- Supply chain: SBOMs per release and model, vulnerability records, VEX statements, the last exposure. Issue 17 (mirrors Migrations/0007_supply_chain.sql).

CREATE TABLE sbom_documents (
    scope       TEXT COLLATE "C" PRIMARY KEY,
    sha256      TEXT    NOT NULL,
    description TEXT    NOT NULL,
    components  TEXT    NOT NULL,
    problem     TEXT,
    stored_by   TEXT    NOT NULL,
    stored_ms   BIGINT  NOT NULL
);

CREATE TABLE vulnerabilities (
    id          TEXT COLLATE "C" PRIMARY KEY,
    source      TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    record      TEXT    NOT NULL,
    imported_ms BIGINT  NOT NULL
);

CREATE TABLE vex_statements (
    scope     TEXT COLLATE "C" NOT NULL,
    position  INTEGER NOT NULL,
    statement TEXT    NOT NULL,
    set_ms    BIGINT  NOT NULL,
    PRIMARY KEY (scope, position)
);

CREATE TABLE exposure_snapshot (
    key           TEXT COLLATE "C" PRIMARY KEY,
    vulnerability TEXT    NOT NULL,
    component     TEXT    NOT NULL,
    severity      TEXT    NOT NULL,
    devices       INTEGER NOT NULL
);
