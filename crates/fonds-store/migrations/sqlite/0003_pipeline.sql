-- Fonds embedded schema, version 3: submissions are received durably and processed by jobs.
-- Never edit after release.

-- Submissions stored before this version were processed at once, so they are accepted.
ALTER TABLE submissions ADD COLUMN state TEXT NOT NULL DEFAULT 'accepted'
    CHECK (state IN ('received', 'processing', 'accepted', 'rejected'));
ALTER TABLE submissions ADD COLUMN manifest TEXT;       -- the manifest as received (JSON)
ALTER TABLE submissions ADD COLUMN reasons TEXT;        -- JSON array of {code, pointer, detail}
ALTER TABLE submissions ADD COLUMN decided_at TEXT;

-- The files of a received submission, durable in the blob store before this row commits.
CREATE TABLE submission_parts (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    part          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    sm3           TEXT NOT NULL,
    size          INTEGER NOT NULL,
    media_type    TEXT NOT NULL,
    PRIMARY KEY (submission_id, part)
) STRICT;

-- Durable jobs with leases: a worker leases a job, and its effects commit in the same
-- transaction that marks the job done, only while the lease is still its own.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,                -- e.g. the submission id
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    run_after     INTEGER NOT NULL,             -- Unix milliseconds
    lease_token   TEXT,
    lease_until   INTEGER,                      -- Unix milliseconds
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    finished_at   TEXT
) STRICT;
CREATE INDEX jobs_ready ON jobs (state, run_after);
