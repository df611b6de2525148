//! Errors at the storage edge. A query failure is always an error, never an empty answer.

use std::io;

use fonds_domain::{ArchivalCodeError, RecordId, Sha256Digest, TransitionError};

/// A failure of the blob store.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The upload exceeded the configured limit; nothing was kept.
    #[error("upload exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// No blob with this digest.
    #[error("blob {0} is missing from the store")]
    Missing(Sha256Digest),
    /// The requested range lies outside the blob.
    #[error("range {start}..{end} is outside a blob of {size} bytes")]
    RangeNotSatisfiable {
        /// First byte asked for.
        start: u64,
        /// One past the last byte asked for.
        end: u64,
        /// The blob's size.
        size: u64,
    },
    /// The sending side failed while streaming.
    #[error("the upload stream failed: {0}")]
    Source(#[source] io::Error),
    /// A sealed file that cannot be opened: its content or header is damaged, or its master
    /// key is not loaded.
    #[error("stored file {sha256} cannot be decrypted: {source}")]
    Undecryptable {
        /// The file's address.
        sha256: Sha256Digest,
        /// Why.
        #[source]
        source: crate::CryptError,
    },
    /// Sealing an upload failed.
    #[error("encrypting the upload failed: {0}")]
    Seal(#[source] crate::CryptError),
    /// The disk failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl BlobError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }
}

/// A failure of the metadata store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record.
    #[error("record {0} does not exist")]
    RecordNotFound(RecordId),
    /// No such fonds.
    #[error("fonds {0} does not exist")]
    FondsNotFound(String),
    /// A record with the same business identity exists already.
    #[error("{0}")]
    Duplicate(String),
    /// A business key already names another record of the fonds.
    #[error("{0}")]
    BusinessKeyTaken(String),
    /// The archival code is used by another record of the fonds.
    #[error("{0}")]
    ArchivalCodeTaken(String),
    /// An invoice booked already, under the reject policy; the text names the first booking.
    #[error("{0}")]
    InvoiceBooked(String),
    /// Another worker took the job over (this worker's lease ran out); nothing was written.
    #[error("the lease on job {0} was lost; another worker owns it now")]
    LeaseLost(String),
    /// The group commit of receipts failed as a whole; nothing of the group was kept.
    #[error("storing the receipt failed: {0}")]
    GroupCommit(String),
    /// The commit that was to record a content read in the audit trail failed; the content
    /// must not be served.
    #[error("recording the read in the audit trail failed: {0}")]
    ReadNotRecorded(String),
    /// Another account has this login name.
    #[error("the login name `{0}` is taken")]
    LoginTaken(String),
    /// The fonds already has a department with this code.
    #[error("fonds {0} already has a department {1}")]
    DepartmentTaken(String, String),
    /// No such department (a parent named when adding one).
    #[error("fonds {0} has no department {1}")]
    DepartmentNotFound(String, String),
    /// A grant that would break the three-officer separation.
    #[error("{0}")]
    OfficerSeparation(String),
    /// A client already used this idempotency key.
    #[error("idempotency key already used by this client")]
    IdempotencyKeyTaken,
    /// The lifecycle forbids the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The archival code could not be written.
    #[error(transparent)]
    ArchivalCode(#[from] ArchivalCodeError),
    /// A stored value no longer parses: the database was changed outside Fonds.
    #[error("stored {what} `{value}` is not valid: the database was changed outside Fonds")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A schema migration failed.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub(crate) fn corrupt(what: &'static str, value: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what,
            value: value.to_string(),
        }
    }
}
