-- Fonds embedded schema, version 7: the four-properties check (四性检测) runs and their results,
-- per-fonds item switches, and the installation-wide register of booked invoices that prevents
-- duplicate booking (重复入账). Never edit after release.

-- One run of the check over some records, on one occasion (submission, archiving, transfer,
-- the yearly schedule, on demand). Runs and results are never changed or deleted: every run is
-- kept beside the earlier ones, as the record's business-entity metadata (DA/T 94 E.1.4).
CREATE TABLE check_runs (
    id            TEXT PRIMARY KEY,
    occasion      TEXT NOT NULL CHECK (occasion IN ('submission', 'archiving', 'transfer', 'scheduled', 'on_demand')),
    stage         TEXT NOT NULL CHECK (stage IN ('GD', 'YJ', 'CQ')),
    submission_id TEXT REFERENCES submissions (id),
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    record_count  INTEGER NOT NULL,
    passed        INTEGER NOT NULL CHECK (passed IN (0, 1))  -- no failure of error severity
) STRICT;
CREATE INDEX check_runs_submission ON check_runs (submission_id);

-- One item's outcome for one record (and file, for file items). A record of a refused
-- submission was never created: its results name it by its key in the manifest.
CREATE TABLE check_results (
    run_id     TEXT NOT NULL REFERENCES check_runs (id),
    seq        INTEGER NOT NULL,
    record_id  TEXT REFERENCES records (id),
    record_key TEXT NOT NULL,
    file_id    TEXT,
    file_name  TEXT,
    item       TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
    outcome    TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'not_applicable', 'not_run')),
    reason     TEXT CHECK ((outcome IN ('not_applicable', 'not_run')) = (reason IS NOT NULL)),
    evidence   TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT;
CREATE INDEX check_results_record ON check_results (record_id, run_id);

CREATE TRIGGER check_runs_never_updated BEFORE UPDATE ON check_runs
BEGIN
    SELECT RAISE(ABORT, 'check runs are never changed; a new run is added beside them');
END;
CREATE TRIGGER check_runs_never_deleted BEFORE DELETE ON check_runs
BEGIN
    SELECT RAISE(ABORT, 'check runs are never deleted');
END;
CREATE TRIGGER check_results_never_updated BEFORE UPDATE ON check_results
BEGIN
    SELECT RAISE(ABORT, 'check results are never changed; a new run is added beside them');
END;
CREATE TRIGGER check_results_never_deleted BEFORE DELETE ON check_results
BEGIN
    SELECT RAISE(ABORT, 'check results are never deleted');
END;

-- Items switched off for a fonds; an item not listed runs. A switched-off item is recorded as
-- not run, with that as the reason.
CREATE TABLE check_item_switches (
    fonds_code TEXT NOT NULL REFERENCES fonds (code),
    item       TEXT NOT NULL,
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    changed_at TEXT NOT NULL,
    PRIMARY KEY (fonds_code, item)
) STRICT;

-- Every invoice booked, once for the whole installation (all fonds of the group): the canonical
-- invoice key (sdp:<20 digits>, vat:<code>:<number>, ticket:<carrier>:<number>) and the record it
-- was first booked to. A red-letter invoice names the invoice it reverses.
CREATE TABLE invoice_bookings (
    invoice_key    TEXT PRIMARY KEY,
    record_id      TEXT NOT NULL REFERENCES records (id),
    fonds_code     TEXT NOT NULL REFERENCES fonds (code),
    voucher_number TEXT,
    red_letter     INTEGER NOT NULL CHECK (red_letter IN (0, 1)),
    reverses_key   TEXT,
    booked_at      TEXT NOT NULL
) STRICT;
CREATE INDEX invoice_bookings_record ON invoice_bookings (record_id);
CREATE INDEX invoice_bookings_reverses ON invoice_bookings (reverses_key);

-- Under the `flag` policy a second booking of an invoice is accepted and listed here for review.
CREATE TABLE invoice_reuses (
    invoice_key TEXT NOT NULL REFERENCES invoice_bookings (invoice_key),
    record_id   TEXT NOT NULL REFERENCES records (id),
    flagged_at  TEXT NOT NULL,
    PRIMARY KEY (invoice_key, record_id)
) STRICT;
