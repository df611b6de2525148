//! The application services of Fonds, independent of any transport.
//!
//! [`Archive`] is the one entry point the HTTP layer and the CLI call: it receives submissions,
//! answers queries, archives records, takes corrections, verifies fixity, imports registers and
//! builds the demo archive. It talks to storage only through the `fonds-store` traits, so the
//! embedded and cluster deployments share every rule.

pub mod access;
mod archiving;
pub mod at_rest;
pub mod audit;
mod auth;
pub mod backup;
pub mod checks;
pub mod clients;
mod deep_links;
pub mod demo;
mod error;
pub mod health;
mod import;
mod ingest;
pub mod links;
pub mod manifest;
pub mod people;
mod queries;
pub mod scan;
mod settings;
pub mod signing_key;
mod telemetry;
mod verify;
pub mod webhooks;

use std::path::Path;
use std::sync::Arc;

use fonds_domain::{Fonds, FondsCode, RetentionTable};
use fonds_store::{BlobStore, LocalBlobStore, MetadataStore, SqliteStore};

pub use audit::Actor;
pub use auth::{IssuedToken, Principal, TokenGrant};
pub use deep_links::{IssuedDeepLink, MAX_DEEP_LINK_TTL, OpenedDeepLink};
pub use error::{CoreError, ErrorCode, ErrorKind, FieldError};
pub use import::{ImportProgress, ImportReport, ImportedRow};
pub use ingest::{
    ClientOrigin, MAX_WAIT, Origin, Receipt, ReceiptFile, ReceiptRecord, StagedPart, Workers,
};
pub use queries::{ByteRange, FileContent, RecordDetail};
pub use settings::Settings;
pub use verify::{FixityProblem, VerifyProgress, VerifyReport};

pub use fonds_store::{
    BlobRange, CheckResultRow, CheckRunRow, Cursor, DeliveryRow, EndpointRow, FileRow,
    InvoiceBookingRow, Page, RecordFilter, RecordRow, RecordVersion, ReusePolicy, StagedBlob,
    SubmissionState,
};

/// Installs the one TLS crypto provider of the process (rustls on ring), which every outbound
/// HTTPS client needs. Calling it again is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The archive: metadata and files behind the application's rules.
#[derive(Debug, Clone)]
pub struct Archive {
    metadata: Arc<dyn MetadataStore>,
    blobs: Arc<dyn BlobStore>,
    settings: Settings,
    guard: Arc<clients::Guard>,
    signals: Arc<ingest::Signals>,
}

impl Archive {
    /// An archive over the given stores.
    #[must_use]
    pub fn new(
        metadata: Arc<dyn MetadataStore>,
        blobs: Arc<dyn BlobStore>,
        settings: Settings,
    ) -> Self {
        Self {
            metadata,
            blobs,
            settings,
            guard: Arc::new(clients::Guard::default()),
            signals: ingest::Signals::shared(),
        }
    }

    /// The embedded deployment: `fonds.sqlite` and `blobs/` inside `data_dir`, created if
    /// missing.
    ///
    /// # Errors
    /// When the directory, the database or the blob store cannot be opened.
    pub async fn open_embedded(data_dir: &Path, settings: Settings) -> Result<Self, CoreError> {
        // A new data directory is its owner's alone: it holds the archive and its keys.
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
            .create(data_dir)
            .map_err(|e| {
                CoreError::new(
                    ErrorCode::Internal,
                    format!("cannot create data directory {}: {e}", data_dir.display()),
                )
            })?;
        let metadata =
            SqliteStore::open_with_audit_hash(&data_dir.join("fonds.sqlite"), settings.audit_hash)
                .await?
                .with_read_commit(settings.audit_read_commit);
        let blobs = LocalBlobStore::open_with(
            &data_dir.join("blobs"),
            settings.at_rest.keys.clone(),
            settings.at_rest.seal_with,
        )?;
        Ok(Self::new(Arc::new(metadata), Arc::new(blobs), settings))
    }

    /// The settings in force.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The stager that spools uploads before they are accepted.
    #[must_use]
    pub fn stager(&self) -> &fonds_store::Stager {
        self.blobs.stager()
    }

    /// Creates a fonds if it does not exist yet; returns whether it was created (and audited).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn ensure_fonds(&self, fonds: &Fonds, by: &Actor) -> Result<bool, CoreError> {
        Ok(self.metadata.ensure_fonds(fonds, by).await?)
    }

    /// Every fonds.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn all_fonds(&self) -> Result<Vec<Fonds>, CoreError> {
        Ok(self.metadata.all_fonds().await?)
    }

    async fn fonds_or_404(&self, code: &FondsCode) -> Result<Fonds, CoreError> {
        self.metadata.fonds(code).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::FondsNotFound,
                format!("fonds {code} does not exist; create it with `fonds init --fonds {code}`"),
            )
        })
    }

    /// The retention table a fonds follows.
    fn retention_table(fonds: &Fonds) -> RetentionTable {
        RetentionTable::statutory(fonds.retention_scheme)
    }
}
