-- Fonds embedded schema, version 10: people and their login sessions (docs/people.md).
-- Roles, grants and data scope follow in their own migration and refer to `users.id`.
-- Never edit after release.

-- A person who logs in. Only an Argon2id PHC string of the password is kept. A temporary
-- lockout after failed logins is `locked_until`; `state` is the account's standing, set by an
-- administrator: `locked` (until unlocked) or `disabled` (for good).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL CHECK (password_hash GLOB '$argon2id$*'),
    state         TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'locked', 'disabled')),
    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  TEXT,
    created_at    TEXT NOT NULL,
    last_login_at TEXT
) STRICT;

-- A login session. `id` is the SHA-256 (hex) of the secret in the browser's cookie; the secret
-- itself is never stored. A session ends at `idle_expires_at` (pushed forward while it is used,
-- never past `absolute_expires_at`), at `absolute_expires_at`, or when revoked.
CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY
        CHECK (length(id) = 64 AND id NOT GLOB '*[^0-9a-f]*'),
    user_id             TEXT NOT NULL REFERENCES users (id),
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    idle_expires_at     TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    client_address      TEXT,
    user_agent          TEXT,
    revoked_at          TEXT
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
