//! The client certificate a TLS connection presented, as a request extension. The TLS listener
//! (in the `fonds` binary) verifies the certificate against the configured client CA during the
//! handshake and attaches this to every request of the connection; the API only compares the
//! fingerprint with the one pinned to the signing client, and so knows nothing of TLS itself.

use sha2::Digest as _;

/// The verified leaf certificate of the connection a request came on: absent over plain HTTP,
/// and on TLS connections that presented no certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The SHA-256 of the leaf certificate's DER.
    pub sha256: [u8; 32],
}

impl ClientCertificate {
    /// The certificate whose DER is `der`.
    #[must_use]
    pub fn of_der(der: &[u8]) -> Self {
        Self {
            sha256: sha2::Sha256::digest(der).into(),
        }
    }
}
