-- Fonds embedded schema, version 2: client systems (接入系统) that submit signed requests, and
-- idempotent submissions. Never edit after release.

CREATE TABLE clients (
    id           TEXT PRIMARY KEY,            -- fc_ + 24 hex
    name         TEXT NOT NULL UNIQUE,
    algorithm    TEXT NOT NULL CHECK (algorithm IN ('hmac-sha256', 'hmac-sm3')),
    enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    fonds_codes  TEXT NOT NULL,               -- JSON array of fonds codes it may submit to
    record_kinds TEXT NOT NULL,               -- JSON array; empty = every kind
    allowed_ips  TEXT NOT NULL,               -- JSON array of addresses or CIDR blocks; empty = any
    created_at   TEXT NOT NULL
) STRICT;

-- HMAC needs the secret itself on the server side.
-- LIMITATION: secrets are stored in clear until encryption at rest wraps them with the master key.
CREATE TABLE client_secrets (
    client_id  TEXT NOT NULL REFERENCES clients (id),
    version    INTEGER NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,                          -- the end of the overlap window after a rotation
    PRIMARY KEY (client_id, version)
) STRICT;

ALTER TABLE submissions ADD COLUMN client_id TEXT REFERENCES clients (id);
ALTER TABLE submissions ADD COLUMN idempotency_key TEXT;
ALTER TABLE submissions ADD COLUMN body_sha256 TEXT;

CREATE UNIQUE INDEX submissions_idempotency ON submissions (client_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- The client's own key for each record, echoed in receipts (also when a retry is answered).
ALTER TABLE records ADD COLUMN submission_key TEXT;

-- The multipart part each file arrived in, echoed in receipts (also when a retry is answered).
ALTER TABLE record_files ADD COLUMN part TEXT;
