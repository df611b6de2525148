//! The rolling fixity audit (DA/T 92 9.4; issue 6): once a day a slice of the archived records
//! is checked at the long-term stage, longest unchecked first, the slice sized so that the whole
//! archive is covered within the configured cycle. Each slice is an ordinary preservation check
//! run, stored and reported like any other; a digest mismatch raises an alert three ways: the
//! `fonds_fixity_mismatches_total` counter, a log line at ERROR, and the `fixity.mismatch`
//! webhook event to every endpoint that subscribes to it.

use std::time::Duration;

use fonds_domain::{CheckItem, FileId, Occasion, Outcome, RecordId};
use serde_json::json;
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use super::CheckRunView;
use crate::Archive;
use crate::error::CoreError;

/// The webhook event a digest mismatch announces.
pub const FIXITY_MISMATCH_EVENT: &str = "fixity.mismatch";

/// A stored file whose content no longer matches its recorded digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixityMismatch {
    /// The record holding it.
    pub record_id: Option<RecordId>,
    /// How the report names the record.
    pub record_key: String,
    /// The file.
    pub file_id: Option<FileId>,
    /// Its name.
    pub file_name: Option<String>,
    /// Both digests, or what was missing.
    pub evidence: String,
}

/// What one day's slice did.
#[derive(Debug, Clone)]
pub struct FixitySlice {
    /// The preservation check run, unless nothing is archived.
    pub run: Option<CheckRunView>,
    /// Files whose digest did not match.
    pub mismatches: Vec<FixityMismatch>,
}

/// How many records a daily slice checks so that `archived` records are covered in
/// `cycle_days` days.
#[must_use]
pub fn slice_size(archived: u64, cycle_days: u32) -> u64 {
    archived.div_ceil(u64::from(cycle_days.max(1)))
}

impl Archive {
    /// Checks today's slice of the archived records at the long-term stage and raises an alert
    /// for every digest mismatch.
    ///
    /// # Errors
    /// A store failure; the mismatches themselves are a result, not an error.
    pub async fn run_fixity_slice(&self) -> Result<FixitySlice, CoreError> {
        let archived = self.metadata.count_archived_records().await?;
        let size = slice_size(archived, self.settings.checks.fixity_cycle_days);
        if size == 0 {
            return Ok(FixitySlice {
                run: None,
                mismatches: Vec::new(),
            });
        }
        let limit = u32::try_from(size).unwrap_or(u32::MAX);
        // Every archived record qualifies; the store orders them longest unchecked first.
        let slice = self
            .metadata
            .records_due_for_preservation_check(OffsetDateTime::now_utc(), limit)
            .await?;
        let view = self
            .check_records(
                &slice,
                Occasion::Scheduled,
                &fonds_domain::access::RecordScope::everything(),
            )
            .await?;
        let mismatches: Vec<FixityMismatch> = view
            .results
            .iter()
            .filter(|r| r.item == CheckItem::FixityDigest && r.outcome == Outcome::Failed)
            .map(|r| FixityMismatch {
                record_id: r.record_id,
                record_key: r.record_key.clone(),
                file_id: r.file_id,
                file_name: r.file_name.clone(),
                evidence: r.evidence.clone(),
            })
            .collect();
        self.raise_fixity_alerts(&view, &mismatches).await?;
        tracing::info!(
            run = %view.run.id,
            records = slice.len(),
            archived,
            cycle_days = self.settings.checks.fixity_cycle_days,
            mismatches = mismatches.len(),
            "fixity audit slice checked"
        );
        Ok(FixitySlice {
            run: Some(view),
            mismatches,
        })
    }

    async fn raise_fixity_alerts(
        &self,
        view: &CheckRunView,
        mismatches: &[FixityMismatch],
    ) -> Result<(), CoreError> {
        metrics::counter!("fonds_fixity_files_checked_total").increment(
            view.results
                .iter()
                .filter(|r| r.item == CheckItem::FixityDigest)
                .count() as u64,
        );
        for mismatch in mismatches {
            metrics::counter!("fonds_fixity_mismatches_total").increment(1);
            tracing::error!(
                run = %view.run.id,
                record = %mismatch.record_key,
                file = mismatch.file_name.as_deref().unwrap_or("-"),
                evidence = %mismatch.evidence,
                "fixity mismatch: a stored file no longer matches its digest; restore it from the last backup (`fonds restore`) and see the check report"
            );
            let data = json!({
                "check_run_id": view.run.id.to_string(),
                "record_id": mismatch.record_id.map(|id| id.to_string()),
                "record": mismatch.record_key,
                "file_id": mismatch.file_id.map(|id| id.to_string()),
                "file_name": mismatch.file_name,
                "evidence": mismatch.evidence,
            });
            self.metadata
                .broadcast_event(FIXITY_MISMATCH_EVENT, data, OffsetDateTime::now_utc())
                .await?;
        }
        Ok(())
    }

    /// Starts the daily audit: a slice now, then one every `every`.
    #[must_use]
    pub fn spawn_fixity_audit(&self, every: Duration) -> JoinHandle<()> {
        let archive = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = archive.run_fixity_slice().await {
                    tracing::error!(error = %e, "the fixity audit could not run; retrying at the next interval");
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::slice_size;

    #[test]
    fn slices_cover_the_archive_within_the_cycle() {
        assert_eq!(slice_size(0, 30), 0);
        assert_eq!(slice_size(1, 30), 1);
        assert_eq!(slice_size(30, 30), 1);
        assert_eq!(slice_size(31, 30), 2);
        assert_eq!(slice_size(10_000, 30), 334);
        assert_eq!(slice_size(5, 0), 5, "a cycle of 0 days is read as 1");
    }
}
