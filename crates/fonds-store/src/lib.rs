//! Persistence adapters of Fonds, behind traits that `fonds-core` depends on.
//!
//! Two kinds of state, kept apart: file bytes live in a [`BlobStore`], addressed by their SHA-256
//! and never in the database; metadata lives in a [`MetadataStore`]. The embedded deployment uses
//! [`LocalBlobStore`] and [`SqliteStore`]; S3-compatible and PostgreSQL implementations slot in
//! behind the same traits. The ordering rule that keeps the two consistent: a blob is made durable
//! before the row that points at it commits, so a crash can leave an unreferenced blob (collected
//! later) but never a row pointing at nothing.

pub mod access;
pub mod audit;
mod audit_search;
mod blob;
mod checks;
mod clients;
mod crypt;
mod deep_links;
mod error;
mod metadata;
pub mod people;
mod pipeline;
mod sqlite;
mod webhooks;

pub use audit::{AuditActor, AuditEventRow, AuditHash, AuditHead, AuditOutcome, NewAuditEvent};
pub use audit_search::{ActionFilter, AuditPage, AuditQuery, SearchOrder, USE_ACTIONS, UseSummary};
pub use blob::{
    BlobDigests, BlobRange, BlobReader, BlobStore, DualHasher, LocalBlobStore, RewrapCounts,
    StagedBlob, Stager, WholeBlob,
};
pub use checks::{
    CheckResultRow, CheckRunRow, InvoiceBookingRow, NewCheckResult, NewCheckRun, NewInvoiceBooking,
    ReusePolicy,
};
pub use crypt::{
    Cipher, CryptError, DataKey, Encryption, KeyId, KeyProvider, Keyring, MAGIC, MasterKey, Rewrap,
    Sealer, StoredContent, WrappedKey, open_value, plaintext_len_of, rewrap_file, seal_value,
};
pub use deep_links::{DeepLinkUse, NewDeepLink};
pub use error::{BlobError, StoreError};
pub use metadata::{
    ArchiveOutcome, ClientRow, ClientSecret, Cursor, FileRow, ImportMark, ImportRowStatus,
    MetadataStore, NewClient, NewFile, NewRecord, NewSubmission, NewToken, Page, PresetCode,
    RecordFilter, RecordForCheck, RecordLinks, RecordRow, RecordVersion, SubmissionRow,
    SubmittingClient, TokenRow,
};
pub use pipeline::{
    Acceptance, JobQueueStats, LeasedJob, ReceivedPart, ReceivedSubmission, ReceivedWork,
    SubmissionState, SubmissionStatus,
};
pub use sqlite::{ReadCommit, SqliteStore, append_audit};
pub use webhooks::{
    AttemptOutcome, DeliveryRow, EndpointRow, LeasedDelivery, NewEndpoint, NextStep,
};
