-- Fonds embedded schema, version 6: links between related items (单证关联) by the business keys
-- source systems use. Never edit after release.

-- What each record is called by the source systems: one record per key within a fonds.
CREATE TABLE business_keys (
    fonds_code TEXT NOT NULL REFERENCES fonds (code),
    key_type   TEXT NOT NULL,
    key_value  TEXT NOT NULL,
    record_id  TEXT NOT NULL REFERENCES records (id),
    PRIMARY KEY (fonds_code, key_type, key_value)
) STRICT;
CREATE INDEX business_keys_record ON business_keys (record_id);

-- A record's reference to another by its key; `to_record` stays NULL (pending) until a record
-- with that key arrives, in whichever order the two come.
CREATE TABLE record_links (
    from_record TEXT NOT NULL REFERENCES records (id),
    fonds_code  TEXT NOT NULL,
    key_type    TEXT NOT NULL,
    key_value   TEXT NOT NULL,
    to_record   TEXT REFERENCES records (id),
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    PRIMARY KEY (from_record, key_type, key_value)
) STRICT;
CREATE INDEX record_links_pending ON record_links (fonds_code, key_type, key_value);
CREATE INDEX record_links_to ON record_links (to_record);

-- Looking a voucher up by its number (the check at receipt and at write) is indexed for every
-- kind; the unique index of version 1 covers only 记账凭证 and cannot serve a query whose kind
-- is a parameter.
CREATE INDEX records_number ON records (fonds_code, fiscal_year, period, number);
