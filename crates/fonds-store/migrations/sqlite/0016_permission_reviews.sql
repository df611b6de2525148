-- Fonds embedded schema, version 16: permission reviews (权限审核, docs/people.md). Each row says
-- that someone reviewed who may do what, when, with what they found; rows are never changed or
-- removed, like the audit trail they are also recorded in. Never edit after release.

CREATE TABLE permission_reviews (
    id          INTEGER PRIMARY KEY,
    reviewed_at TEXT NOT NULL,
    -- The actor as the audit trail names them: `user <login>`, `cli`.
    reviewed_by TEXT NOT NULL,
    -- What the reviewer wrote: the decisions taken, the accounts to follow up.
    note        TEXT NOT NULL,
    -- The counts of the report the review was made on, as a JSON object.
    findings    TEXT NOT NULL CHECK (json_valid(findings))
) STRICT;

CREATE TRIGGER permission_reviews_never_updated BEFORE UPDATE ON permission_reviews
BEGIN
    SELECT RAISE(ABORT, 'a permission review is never changed; record a new one');
END;

CREATE TRIGGER permission_reviews_never_deleted BEFORE DELETE ON permission_reviews
BEGIN
    SELECT RAISE(ABORT, 'a permission review is never removed');
END;
