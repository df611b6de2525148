-- Fonds embedded schema, version 14: indexes for the auditor's search of the audit trail and for
-- a record's use history (docs/audit.md). SQLite keeps the rows of one key of a secondary index in
-- rowid order, and an event's rowid is its sequence number, so a page in sequence order is read
-- straight off whichever index the filter picks. Never edit after release.

-- The record (or other target) acted on: a record's events and its use history.
CREATE INDEX audit_events_by_target ON audit_events (target_kind, target_id);

-- The archival code recorded with an event; most events have none.
CREATE INDEX audit_events_by_archival_code ON audit_events (archival_code)
    WHERE archival_code IS NOT NULL;

-- Who acted.
CREATE INDEX audit_events_by_actor ON audit_events (actor);

-- What was done, exactly or by family (`record.` up to `record/`).
CREATE INDEX audit_events_by_action ON audit_events (action);

-- When, to the second: stored times carry a variable number of fractional digits, which do not
-- sort as text within one second; their first 19 characters (YYYY-MM-DDTHH:MM:SS) always do.
CREATE INDEX audit_events_by_second ON audit_events (substr(occurred_at, 1, 19));
