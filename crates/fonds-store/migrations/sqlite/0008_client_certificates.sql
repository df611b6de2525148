-- Fonds embedded schema, version 8: a client certificate pinned per client system, a second
-- factor beside request signing (mutual TLS). Never edit after release.

-- The SHA-256 of the DER of the leaf certificate the client must present on its TLS connection,
-- lower-case hex; NULL = the client signs only, as before.
ALTER TABLE clients ADD COLUMN certificate_sha256 TEXT
    CHECK (certificate_sha256 IS NULL
        OR (length(certificate_sha256) = 64 AND certificate_sha256 NOT GLOB '*[^0-9a-f]*'));
