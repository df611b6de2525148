//! Client systems and the submissions they send, as the metadata store holds them: the rows
//! behind signed requests, secret rotation and idempotent submission.

use fonds_domain::{ClientId, FondsCode, RecordKind, Sha256Digest, SigningAlgorithm, SubmissionId};
use time::OffsetDateTime;

/// The client behind a submission.
#[derive(Debug, Clone)]
pub struct SubmittingClient {
    /// The client.
    pub id: ClientId,
    /// Its `Idempotency-Key`, if sent.
    pub idempotency_key: Option<String>,
    /// The SHA-256 of the request body, to tell a retry from a reused key.
    pub body_sha256: Sha256Digest,
}

/// A submission as stored.
#[derive(Debug, Clone)]
pub struct SubmissionRow {
    /// Id.
    pub id: SubmissionId,
    /// Fonds.
    pub fonds: FondsCode,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// The body's SHA-256, for client submissions.
    pub body_sha256: Option<Sha256Digest>,
}

/// A client system to create.
#[derive(Debug, Clone)]
pub struct NewClient {
    /// Its id.
    pub id: ClientId,
    /// A unique name, e.g. `oa-weaver`.
    pub name: String,
    /// How it signs.
    pub algorithm: SigningAlgorithm,
    /// The fonds it may submit to.
    pub fonds: Vec<FondsCode>,
    /// The kinds it may submit; empty means every kind.
    pub kinds: Vec<RecordKind>,
    /// Addresses or CIDR blocks it may call from; empty means any.
    pub allowed_ips: Vec<String>,
    /// The SHA-256 of the DER of the certificate it must present over TLS; `None` when it
    /// signs only.
    pub certificate_sha256: Option<Sha256Digest>,
    /// Its first secret.
    pub secret: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A client system as stored.
#[derive(Debug, Clone)]
pub struct ClientRow {
    /// Its id.
    pub id: ClientId,
    /// Its name.
    pub name: String,
    /// How it signs.
    pub algorithm: SigningAlgorithm,
    /// Whether it may call at all.
    pub enabled: bool,
    /// The fonds it may submit to.
    pub fonds: Vec<FondsCode>,
    /// The kinds it may submit; empty means every kind.
    pub kinds: Vec<RecordKind>,
    /// Addresses or CIDR blocks it may call from; empty means any.
    pub allowed_ips: Vec<String>,
    /// The SHA-256 of the DER of the certificate it must present over TLS; `None` when it
    /// signs only.
    pub certificate_sha256: Option<Sha256Digest>,
    /// Its secrets, newest first, with when each stops working.
    pub secrets: Vec<ClientSecret>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// One secret of a client.
#[derive(Clone)]
pub struct ClientSecret {
    /// Version, from 1.
    pub version: u32,
    /// The secret.
    pub secret: String,
    /// When it stops working, after a rotation.
    pub expires_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecret")
            .field("version", &self.version)
            .field("secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
