-- Fonds embedded schema, version 12: a second login factor (TOTP, RFC 6238) with one-time
-- recovery codes, and the stage a session is in until the second factor is given
-- (docs/people.md). Never edit after release.

-- A person's TOTP authenticator. `secret` is the shared key, sealed with the archive's master
-- key (`secret_format` 'sealed': a small envelope, see fonds-store crypt/value.rs) or, when no
-- master key is configured, in the clear ('clear'). `state` is 'pending' from the start of an
-- enrolment until a first valid code confirms it, then 'active'. `last_used_step` is the RFC 6238
-- time step of the last code accepted: a code is accepted once, so only later steps pass.
CREATE TABLE second_factors (
    user_id        TEXT PRIMARY KEY REFERENCES users (id),
    secret         BLOB NOT NULL,
    secret_format  TEXT NOT NULL CHECK (secret_format IN ('sealed', 'clear')),
    state          TEXT NOT NULL CHECK (state IN ('pending', 'active')),
    last_used_step INTEGER CHECK (last_used_step >= 0),
    created_at     TEXT NOT NULL,
    confirmed_at   TEXT,
    CHECK ((state = 'active') = (confirmed_at IS NOT NULL))
) STRICT;

-- One-time recovery codes, shown once at confirmation. Only the SHA-256 (hex) of a code is
-- kept: a code carries 80 random bits, so a fast hash is enough. `used_at` is set when it opens
-- a session; a used code never opens another.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL
        CHECK (length(code_hash) = 64 AND code_hash NOT GLOB '*[^0-9a-f]*'),
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

-- What a session opens. 'full': whatever the person may do. 'second_factor': the password was
-- right and a TOTP or recovery code must follow (only the session routes and that step).
-- 'enrolment': a second factor is required of the person but none is enrolled (only the session
-- routes and enrolment). Sessions from before this version were full.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'second_factor', 'enrolment'));
