//! The audit trail as the archive keeps it (docs/audit.md): who acted, the chain's head (which
//! backups carry), the events of acts that happen outside the database, and verifying the chain.
//!
//! Acts that change the database append their event in the store, in the same transaction as
//! the change; the methods here append the events of acts that do not (a backup, a master key
//! rotation), in a transaction of their own right after the act. Content reads are recorded
//! before the content is served ([`reads`]); the auditor searches the trail ([`search`]) and
//! exports it with a signed checkpoint that anyone can check without Fonds ([`export`],
//! [`verify_export`]).

mod checkpoint;
mod export;
mod reads;
mod search;
mod verify;
mod verify_export;

pub use checkpoint::{
    CHECKPOINT_FORMAT, Checkpoint, CheckpointLine, ExportedEvent, SIGNATURE_ALGORITHM,
    signing_key_file,
};
pub use export::ExportReport;
use fonds_store::NewAuditEvent;
pub use fonds_store::audit::actions;
pub use fonds_store::{
    ActionFilter, AuditActor as Actor, AuditEventRow, AuditHash, AuditHead, AuditOutcome,
    AuditPage, AuditQuery, ReadCommit, SearchOrder, UseSummary,
};
pub use reads::{MAX_PRINT_COPIES, PrintRegistered, ReportFormat};
pub use verify::{AuditReport, BreakReason, ChainBreak};
pub use verify_export::{ExportCheck, ExportFault, verify_export};

use crate::Archive;
use crate::at_rest::Rotation;
use crate::backup::BackupReport;
use crate::error::CoreError;

impl Archive {
    /// The last event of the audit trail: its sequence number (the number of events) and hash.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn audit_head(&self) -> Result<Option<AuditHead>, CoreError> {
        Ok(self.metadata.audit_head().await?)
    }

    /// The hash that chains this archive's audit trail.
    ///
    /// # Errors
    /// When the store fails or the stored choice is not a known hash.
    pub async fn audit_hash(&self) -> Result<AuditHash, CoreError> {
        Ok(self.metadata.audit_hash().await?)
    }

    /// Up to `limit` audit events after sequence number `after`, exactly as stored.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn audit_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEventRow>, CoreError> {
        Ok(self.metadata.audit_events_after(after, limit).await?)
    }

    /// Records a backup that was taken.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn audit_backup_taken(
        &self,
        by: &Actor,
        report: &BackupReport,
    ) -> Result<(), CoreError> {
        let mut event = NewAuditEvent::success(
            by,
            actions::BACKUP_TAKEN,
            Some(("backup", report.folder.display().to_string())),
            serde_json::json!({
                "created_at": report.manifest.created_at,
                "snapshot_sha256": report.manifest.snapshot.sha256.to_hex(),
                "files": report.manifest.blobs.len(),
                "files_copied": report.blobs_copied,
                "public_key": report.public_key,
                "problems": report.problems.len(),
            }),
        );
        if !report.problems.is_empty() {
            event.outcome = AuditOutcome::Failed;
        }
        self.metadata.append_audit_event(&event).await?;
        Ok(())
    }

    /// Records that this archive was restored from a backup and verified: the first event after
    /// the head the backup carried.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn audit_backup_restored(
        &self,
        by: &Actor,
        report: &crate::backup::RestoreReport,
    ) -> Result<(), CoreError> {
        let event = NewAuditEvent::success(
            by,
            actions::BACKUP_RESTORED,
            Some(("backup", report.folder.display().to_string())),
            serde_json::json!({
                "created_at": report.created_at,
                "records": report.records,
                "files_checked": report.fixity.files_checked,
                "files_copied": report.blobs_copied,
                "audit_events": report.audit.events,
            }),
        );
        self.metadata.append_audit_event(&event).await?;
        Ok(())
    }

    /// Records a rotation of the master key of encryption at rest.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn audit_key_rotation(
        &self,
        by: &Actor,
        rotation: &Rotation,
    ) -> Result<(), CoreError> {
        let event = NewAuditEvent::success(
            by,
            actions::MASTER_KEY_ROTATED,
            Some(("master_key", rotation.new_key.clone())),
            serde_json::json!({
                "old_key": rotation.old_key,
                "new_key": rotation.new_key,
                "rewrapped": rotation.counts.rewrapped,
                "already_current": rotation.counts.already_current,
                "not_sealed": rotation.counts.not_sealed,
            }),
        );
        self.metadata.append_audit_event(&event).await?;
        Ok(())
    }
}
