//! Deep links as the store sees them: a token's hash, the record it opens, and whether it has
//! been used. Issuing and the rules about who may ask for one live in `fonds-core`.

use fonds_domain::{ClientId, RecordId, Sha256Digest};
use time::OffsetDateTime;

/// A deep link to store. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone)]
pub struct NewDeepLink {
    /// The SHA-256 of the token.
    pub token_sha256: Sha256Digest,
    /// The record the link opens.
    pub record_id: RecordId,
    /// The client system that asked for it.
    pub client_id: ClientId,
    /// The OA user it was issued for.
    pub oa_user: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// What became of an attempt to use a deep link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLinkUse {
    /// No link has this token.
    Unknown,
    /// The link was opened before; it works once only.
    AlreadyUsed,
    /// The link expired before it was opened.
    Expired,
    /// The link was unused and alive; it is now marked used.
    Opened {
        /// The record it opens.
        record_id: RecordId,
        /// The client system that asked for it.
        client_id: ClientId,
        /// The OA user it was issued for.
        oa_user: String,
    },
}
