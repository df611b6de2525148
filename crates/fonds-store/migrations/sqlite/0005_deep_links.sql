-- Fonds embedded schema, version 5: deep links (深度链接) that let a client system open one record
-- for one of its users, once, for at most five minutes. Never edit after release.

-- Only the token's SHA-256 is stored: the token itself is a credential and is shown once.
-- Times here are written at a fixed width (UTC, milliseconds, `Z`), so that they compare
-- correctly as text in `expires_at > $now`. Rows are kept after use or expiry: together they say
-- which OA user opened which record, and when.
CREATE TABLE deep_links (
    token_sha256 TEXT PRIMARY KEY,
    record_id    TEXT NOT NULL REFERENCES records (id),
    client_id    TEXT NOT NULL REFERENCES clients (id),
    oa_user      TEXT NOT NULL,              -- the OA user the link was issued for
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT                        -- set once, when the link is opened
) STRICT;
