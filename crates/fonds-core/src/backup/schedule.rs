//! Backups by themselves: `fonds serve` with a backup destination configured takes one every
//! interval, keeps the newest N, and publishes the time of the last good one as the gauge
//! `fonds_backup_last_success_timestamp_seconds` (alert on `time() - …` growing). A failed or
//! damaged backup logs at ERROR and counts in `fonds_backup_failures_total`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::task::JoinHandle;

use super::manifest::SignedManifest;
use super::{BackupError, backup, layout};

/// When the newest complete backup under `root` was taken; `None` when there is none.
///
/// # Errors
/// When the destination or the newest manifest cannot be read.
pub fn newest_backup_at(root: &Path) -> Result<Option<OffsetDateTime>, BackupError> {
    let Some(newest) = layout::backups(root)?.pop() else {
        return Ok(None);
    };
    let path = newest.join(layout::MANIFEST);
    let bytes = std::fs::read(&path).map_err(|e| BackupError::io("read", &path, e))?;
    let signed = SignedManifest::parse(&bytes)
        .map_err(|e| BackupError::Invalid(format!("{}: {e}", path.display())))?;
    OffsetDateTime::parse(
        &signed.manifest.created_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(Some)
    .map_err(|e| BackupError::Invalid(format!("{}: created_at: {e}", path.display())))
}

fn publish(at: OffsetDateTime) {
    #[allow(
        clippy::cast_precision_loss,
        reason = "Unix seconds stay far below 2^52"
    )]
    metrics::gauge!("fonds_backup_last_success_timestamp_seconds").set(at.unix_timestamp() as f64);
}

/// Starts the schedule: the first backup one interval after the newest existing one (at once
/// if that is overdue), then one every `every`. Each backup taken is recorded in `archive`'s
/// audit trail (as `system`), whose data directory is `data_dir`.
#[must_use]
pub fn spawn_schedule(
    archive: crate::Archive,
    data_dir: PathBuf,
    dest: PathBuf,
    every: Duration,
    keep: usize,
) -> JoinHandle<()> {
    let at_rest = archive.settings().at_rest.clone();
    tokio::spawn(async move {
        let newest = newest_backup_at(&dest).ok().flatten();
        if let Some(at) = newest {
            publish(at);
        }
        let mut wait = newest.map_or(Duration::ZERO, |at| {
            let since = (OffsetDateTime::now_utc() - at).unsigned_abs();
            every.saturating_sub(since)
        });
        loop {
            tokio::time::sleep(wait).await;
            wait = every;
            let taken = backup(&data_dir, &dest, keep, &at_rest).await;
            if let Ok(report) = &taken
                && let Err(e) = archive
                    .audit_backup_taken(&crate::audit::Actor::system(), report)
                    .await
            {
                tracing::error!(error = %e, folder = %report.folder.display(), "the scheduled backup was taken but could not be recorded in the audit trail");
            }
            match taken {
                Ok(report) if report.problems.is_empty() => {
                    if let Ok(at) = OffsetDateTime::parse(
                        &report.manifest.created_at,
                        &time::format_description::well_known::Rfc3339,
                    ) {
                        publish(at);
                    }
                    tracing::info!(
                        folder = %report.folder.display(),
                        files = report.manifest.blobs.len(),
                        copied = report.blobs_copied,
                        "scheduled backup taken"
                    );
                }
                Ok(report) => {
                    metrics::counter!("fonds_backup_failures_total").increment(1);
                    tracing::error!(
                        folder = %report.folder.display(),
                        problems = report.problems.len(),
                        "scheduled backup taken, but stored files were missing or changed; run `fonds verify` and `fonds backup verify`"
                    );
                }
                Err(e) => {
                    metrics::counter!("fonds_backup_failures_total").increment(1);
                    tracing::error!(error = %e, dest = %dest.display(), "scheduled backup failed; retrying at the next interval");
                }
            }
        }
    })
}
