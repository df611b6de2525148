-- Fonds embedded schema, version 4: outbound webhooks. Events are written to the outbox in the
-- same transaction as the change that causes them, and delivered from there. Never edit after
-- release.

CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients (id),
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,                 -- JSON array of event names
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_endpoints_client ON webhook_endpoints (client_id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,         -- sent as X-Fonds-Delivery
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,            -- the JSON body, fixed at the time of the event
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,   -- every attempt, numbering webhook_attempts
    window_attempts INTEGER NOT NULL DEFAULT 0,   -- attempts since the window (re)started
    next_attempt_at INTEGER NOT NULL,         -- Unix milliseconds
    window_start    INTEGER NOT NULL,         -- Unix ms; retries stop a set time after this
                                              -- (24 h by default) and the delivery is dead
    lease_until     INTEGER,                  -- Unix milliseconds
    created_at      TEXT NOT NULL,
    finished_at     TEXT
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);

-- Every attempt, kept for the operator and the integrator.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    status      INTEGER,                      -- the HTTP status, if the endpoint answered
    error       TEXT,                         -- why it failed, if it did
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;
