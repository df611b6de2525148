//! Content-addressed file storage. Bytes are streamed into a staging area while both digests are
//! computed, and only a staged blob whose digests the caller has accepted is committed under its
//! SHA-256. Committing is durable before it returns.

mod hash;
mod local;
mod stage;

use std::fmt;
use std::pin::Pin;

use async_trait::async_trait;
use fonds_domain::{Sha256Digest, Sm3Digest};
use tokio::io::AsyncRead;

pub use hash::DualHasher;
pub use local::{LocalBlobStore, RewrapCounts};
pub use stage::{StagedBlob, Stager};

use crate::error::BlobError;

/// The digests and size of a blob, computed in one pass over its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobDigests {
    /// SHA-256: the content address.
    pub sha256: Sha256Digest,
    /// SM3, kept beside SHA-256 for national-standard fixity checks.
    pub sm3: Sm3Digest,
    /// Length in bytes.
    pub size: u64,
}

/// A byte range of a blob, `start..end` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobRange {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

/// An open blob: its bytes (the whole blob or the range asked for) and its full size.
pub struct BlobReader {
    /// The bytes.
    pub body: Pin<Box<dyn AsyncRead + Send>>,
    /// The size of the whole blob.
    pub total_size: u64,
}

impl fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobReader")
            .field("total_size", &self.total_size)
            .finish_non_exhaustive()
    }
}

/// A blob read whole, or too large to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WholeBlob {
    /// The content.
    Read(Vec<u8>),
    /// Larger than the limit asked for; its size.
    TooLarge(u64),
}

/// Where committed blobs live.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// The stager that spools uploads for this store.
    fn stager(&self) -> &Stager;

    /// Makes a staged blob durable under its SHA-256. Committing content that is already stored
    /// is a no-op: the store is content-addressed.
    async fn commit(&self, staged: StagedBlob) -> Result<BlobDigests, BlobError>;

    /// Opens a blob, or a range of it.
    async fn open(
        &self,
        sha256: &Sha256Digest,
        range: Option<BlobRange>,
    ) -> Result<BlobReader, BlobError>;

    /// Whether a blob is present.
    async fn contains(&self, sha256: &Sha256Digest) -> Result<bool, BlobError>;

    /// Whether the store can take new content now: for readiness. By default, whether it
    /// answers a lookup.
    async fn probe(&self) -> Result<(), BlobError> {
        self.contains(&Sha256Digest::from_bytes([0; 32]))
            .await
            .map(|_| ())
    }

    /// A whole blob in memory, or its size when that is over `limit`. Checks and readers that
    /// need the complete content use this; stores may serve it in one step.
    async fn read_whole(&self, sha256: &Sha256Digest, limit: u64) -> Result<WholeBlob, BlobError> {
        use tokio::io::AsyncReadExt as _;
        let reader = self.open(sha256, None).await?;
        if reader.total_size > limit {
            return Ok(WholeBlob::TooLarge(reader.total_size));
        }
        let mut content = Vec::with_capacity(usize::try_from(reader.total_size).unwrap_or(0));
        let mut body = reader.body;
        body.read_to_end(&mut content)
            .await
            .map_err(BlobError::Source)?;
        Ok(WholeBlob::Read(content))
    }
}
