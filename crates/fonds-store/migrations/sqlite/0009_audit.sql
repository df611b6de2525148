-- Fonds embedded schema, version 9: the tamper-evident audit trail (docs/audit.md). Every event
-- carries the hash of the one before, over the whole canonical event; the database refuses to
-- change or remove an event, and refuses an event that does not continue the chain.
-- Never edit after release.

-- The hash of the chain, one for the whole chain: chosen when the chain starts (the first open
-- of the database) and fixed from its first event on, so a verifier never has to trust a
-- per-event choice.
CREATE TABLE audit_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    hash_algorithm TEXT NOT NULL CHECK (hash_algorithm IN ('sha256', 'sm3'))
) STRICT;
INSERT INTO audit_settings (id, hash_algorithm) VALUES (1, 'sha256');

-- One event per act. `sequence` counts from 1 without gaps; `detail` is JSON text, hashed as
-- stored; `prev_hash` of event 1 is 64 zeros; hashes are lower-case hex.
CREATE TABLE audit_events (
    sequence       INTEGER PRIMARY KEY CHECK (sequence >= 1),
    occurred_at    TEXT NOT NULL,
    actor          TEXT NOT NULL,
    client_address TEXT,
    action         TEXT NOT NULL,
    target_kind    TEXT,
    target_id      TEXT,
    archival_code  TEXT,
    outcome        TEXT NOT NULL CHECK (outcome IN ('success', 'refused', 'failed')),
    detail         TEXT NOT NULL CHECK (json_valid(detail)),
    prev_hash      TEXT NOT NULL
        CHECK (length(prev_hash) = 64 AND prev_hash NOT GLOB '*[^0-9a-f]*'),
    hash           TEXT NOT NULL
        CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*')
) STRICT;

CREATE TRIGGER audit_settings_fixed BEFORE UPDATE ON audit_settings
WHEN EXISTS (SELECT 1 FROM audit_events)
BEGIN
    SELECT RAISE(ABORT, 'the audit hash algorithm cannot change once the audit trail has events');
END;

CREATE TRIGGER audit_settings_kept BEFORE DELETE ON audit_settings
BEGIN
    SELECT RAISE(ABORT, 'the audit settings cannot be deleted');
END;

-- Events are written once and never changed or removed, whoever asks.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be changed');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be deleted');
END;

-- A new event continues the chain: the next sequence number, linked to the last event's hash.
-- Two writers can therefore never fork the chain, even outside Fonds' own serialised writer.
CREATE TRIGGER audit_events_continue_chain BEFORE INSERT ON audit_events
WHEN NEW.sequence IS NOT (SELECT COALESCE(MAX(sequence), 0) + 1 FROM audit_events)
  OR NEW.prev_hash IS NOT COALESCE(
         (SELECT hash FROM audit_events ORDER BY sequence DESC LIMIT 1),
         '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
    SELECT RAISE(ABORT, 'an audit event must continue the chain: next sequence, last hash');
END;
