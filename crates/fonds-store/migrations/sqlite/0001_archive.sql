-- Fonds embedded schema, version 1. Never edit after release: add a new migration instead.
-- Times are RFC 3339 UTC text; dates are YYYY-MM-DD; money is whole fen (INTEGER); ids are UUID text.

CREATE TABLE fonds (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    retention_scheme TEXT NOT NULL CHECK (retention_scheme IN ('enterprise', 'public_institution')),
    code_pattern     TEXT NOT NULL,
    created_at       TEXT NOT NULL
) STRICT;

CREATE TABLE submissions (
    id           TEXT PRIMARY KEY,
    fonds_code   TEXT NOT NULL REFERENCES fonds (code),
    source       TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    record_count INTEGER NOT NULL
) STRICT;

CREATE TABLE records (
    id               TEXT PRIMARY KEY,
    fonds_code       TEXT NOT NULL REFERENCES fonds (code),
    submission_id    TEXT REFERENCES submissions (id),
    source_reference TEXT,
    kind             TEXT NOT NULL,
    fiscal_year      INTEGER NOT NULL,
    period           INTEGER CHECK (period BETWEEN 1 AND 12),
    retention        TEXT NOT NULL,
    retention_due    TEXT,            -- a date, or NULL when never due
    awaiting_event   INTEGER NOT NULL DEFAULT 0 CHECK (awaiting_event IN (0, 1)),
    state            TEXT NOT NULL,
    archival_code    TEXT,
    sequence_key     TEXT,
    item_number      INTEGER,
    archived_at      TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    -- The current description, copied from record_versions for filtering.
    title            TEXT NOT NULL,
    record_date      TEXT,
    number           TEXT,
    amount_fen       INTEGER,
    preparer         TEXT,
    reviewer         TEXT,
    attachment_count INTEGER,
    remarks          TEXT,
    created_at       TEXT NOT NULL,
    CHECK ((state = 'collected') = (archival_code IS NULL))
) STRICT;

CREATE UNIQUE INDEX records_archival_code ON records (fonds_code, archival_code)
    WHERE archival_code IS NOT NULL;
CREATE UNIQUE INDEX records_sequence_item ON records (fonds_code, sequence_key, item_number)
    WHERE sequence_key IS NOT NULL;
-- One item per 记账凭证 number in a period (DA/T 94 8.4.1).
CREATE UNIQUE INDEX records_voucher_number ON records (fonds_code, fiscal_year, period, number)
    WHERE kind = 'accounting_voucher';
CREATE INDEX records_filter ON records (fonds_code, fiscal_year, period, kind);
CREATE INDEX records_state ON records (state);
CREATE INDEX records_date ON records (record_date);

CREATE TABLE record_versions (
    record_id   TEXT NOT NULL REFERENCES records (id),
    version     INTEGER NOT NULL,
    description TEXT NOT NULL,        -- JSON
    reason      TEXT,
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
) STRICT;

CREATE TABLE voucher_entries (
    record_id    TEXT NOT NULL REFERENCES records (id),
    line         INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    account_code TEXT NOT NULL,
    account_name TEXT NOT NULL,
    debit_fen    INTEGER NOT NULL,
    credit_fen   INTEGER NOT NULL,
    PRIMARY KEY (record_id, line)
) STRICT;

CREATE TABLE record_files (
    id         TEXT PRIMARY KEY,
    record_id  TEXT NOT NULL REFERENCES records (id),
    position   INTEGER NOT NULL,
    role       TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    sm3        TEXT NOT NULL,
    UNIQUE (record_id, position)
) STRICT;
CREATE INDEX record_files_sha256 ON record_files (sha256);

CREATE TABLE code_sequences (
    fonds_code   TEXT NOT NULL REFERENCES fonds (code),
    sequence_key TEXT NOT NULL,
    last_item    INTEGER NOT NULL,
    PRIMARY KEY (fonds_code, sequence_key)
) STRICT;

CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;

CREATE TABLE import_rows (
    import_key TEXT NOT NULL,
    row_key    TEXT NOT NULL,
    record_id  TEXT,
    refusal    TEXT,
    PRIMARY KEY (import_key, row_key)
) STRICT;

-- What archiving freezes, the database itself protects.
CREATE TRIGGER records_never_deleted BEFORE DELETE ON records
BEGIN
    SELECT RAISE(ABORT, 'records are never deleted; destruction keeps the metadata');
END;

CREATE TRIGGER records_code_is_stable BEFORE UPDATE OF archival_code, sequence_key, item_number, fonds_code, kind, fiscal_year ON records
    WHEN OLD.archival_code IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an archived record keeps its archival code and classification');
END;

CREATE TRIGGER record_versions_append_only_update BEFORE UPDATE ON record_versions
BEGIN
    SELECT RAISE(ABORT, 'record versions are never changed');
END;

CREATE TRIGGER record_versions_append_only_delete BEFORE DELETE ON record_versions
BEGIN
    SELECT RAISE(ABORT, 'record versions are never deleted');
END;

CREATE TRIGGER record_files_frozen_update BEFORE UPDATE ON record_files
    WHEN (SELECT state FROM records WHERE id = OLD.record_id) <> 'collected'
BEGIN
    SELECT RAISE(ABORT, 'files of an archived record never change');
END;

CREATE TRIGGER record_files_frozen_delete BEFORE DELETE ON record_files
    WHEN (SELECT state FROM records WHERE id = OLD.record_id) <> 'collected'
BEGIN
    SELECT RAISE(ABORT, 'files of an archived record never change');
END;

CREATE TRIGGER record_files_frozen_insert BEFORE INSERT ON record_files
    WHEN (SELECT state FROM records WHERE id = NEW.record_id) <> 'collected'
BEGIN
    SELECT RAISE(ABORT, 'files of an archived record never change');
END;

CREATE TRIGGER voucher_entries_frozen BEFORE UPDATE ON voucher_entries
    WHEN (SELECT state FROM records WHERE id = OLD.record_id) <> 'collected'
BEGIN
    SELECT RAISE(ABORT, 'entries of an archived voucher never change');
END;
