//! Archiving (归档) and metadata corrections.

use fonds_domain::access::RecordScope;
use fonds_domain::{Occasion, RecordDescription, RecordId};
use fonds_store::ArchiveOutcome;
use time::OffsetDateTime;

use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive};

impl Archive {
    /// Archives a collected record: runs the four-properties check of the archiving stage
    /// (DA/T 94 9.2), then assigns its archival code from its fonds' pattern and freezes it.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), `check_failed` when an item of error severity fails (the run is kept
    /// and named), `scanner_unavailable`, `transition_not_allowed` when it is not in
    /// `collected`, `archival_code_taken`, or a store failure.
    pub async fn archive(
        &self,
        id: RecordId,
        scope: &RecordScope,
        by: &Actor,
    ) -> Result<ArchiveOutcome, CoreError> {
        let record = self.visible_record(id, scope).await?;
        let fonds = self.fonds_or_404(&record.fonds).await?;
        if record.state == fonds_domain::LifecycleState::Collected {
            let checked = self
                .check_records(&[id], Occasion::Archiving, scope)
                .await?;
            if !checked.run.passed {
                let failed: Vec<String> = checked
                    .results
                    .iter()
                    .filter(|r| r.blocks())
                    .map(|r| format!("{} {}", r.item.code(checked.run.stage), r.evidence))
                    .collect();
                return Err(CoreError::new(
                    ErrorCode::CheckFailed,
                    format!(
                        "the archiving check (run {}) failed, so the record was not archived: {}; \
                         see /api/v1/check-runs/{}/report.html",
                        checked.run.id,
                        failed.join("; "),
                        checked.run.id
                    ),
                ));
            }
        }
        let outcome = self
            .metadata
            .archive_record(id, &fonds.code_pattern, OffsetDateTime::now_utc(), by)
            .await?;
        self.signals.deliveries.notify_one();
        tracing::debug!(record = %id, archival_code = %outcome.archival_code, "record archived");
        Ok(outcome)
    }

    /// Corrects a record's description. The old version is kept; the reason is required.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), `manifest_invalid` for a description that breaks a rule or a missing
    /// reason, `record_duplicate` when the new number is taken, or a store failure.
    pub async fn correct(
        &self,
        id: RecordId,
        description: RecordDescription,
        reason: &str,
        scope: &RecordScope,
        by: &Actor,
    ) -> Result<u32, CoreError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(CoreError::new(
                ErrorCode::ManifestInvalid,
                "a correction needs a reason of 1 to 500 characters (DA/T 94 §14: every change is logged)",
            ));
        }
        let record = self.visible_record(id, scope).await?;
        description
            .validate(&record.classification)
            .map_err(|e| CoreError::new(ErrorCode::ManifestInvalid, e.to_string()))?;
        let version = self
            .metadata
            .correct_description(id, &description, reason, OffsetDateTime::now_utc(), by)
            .await?;
        tracing::debug!(record = %id, version, "record description corrected");
        Ok(version)
    }
}
