//! `fonds backup DEST`, `fonds backup verify DEST` and `fonds restore SRC`: signed backups of the
//! data directory into a shared, content-addressed destination, and their restore.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::Actor;
use fonds_core::backup::{self, BackupError};

use crate::cli::{BackupArgs, BackupCommand, RestoreArgs};

/// `fonds backup …`.
pub async fn run(data: &Path, args: BackupArgs) -> anyhow::Result<ExitCode> {
    match (args.command, args.dest) {
        (Some(BackupCommand::Verify { dest }), _) => verify(data, &dest).await,
        (None, Some(dest)) => take(data, &dest, args.keep).await,
        (None, None) => anyhow::bail!(
            "say where to back up to: `fonds backup DEST`, or check a backup with \
             `fonds backup verify DEST`"
        ),
    }
}

// LIMITATION: backup and restore show no progress bar: the core reports only when done.
async fn take(data: &Path, dest: &Path, keep: usize) -> anyhow::Result<ExitCode> {
    let settings = super::settings(data)?;
    let report = backup::backup(data, dest, keep, &settings.at_rest).await?;
    // The backup copied files, so its event follows it on its own; the backup carries the head
    // of the trail as it was when its snapshot was taken.
    super::open(data, settings)
        .await?
        .audit_backup_taken(&Actor::cli(), &report)
        .await
        .context("the backup was written, but recording it in the audit trail failed")?;
    let snapshot = &report.manifest.snapshot;
    println!("Backup written to {}", report.folder.display());
    println!(
        "  database snapshot: {} bytes, sha256 {}",
        snapshot.size, snapshot.sha256
    );
    println!(
        "  files: {} referenced, {} copied ({:.1} MiB), the rest already in {}",
        report.manifest.blobs.len(),
        report.blobs_copied,
        report.bytes_copied as f64 / (1024.0 * 1024.0),
        dest.join("objects").display()
    );
    println!("  signed with public key {}", report.public_key);
    println!("  (keep this key somewhere apart from the backups, to check them with later)");
    if let Some(pruned) = &report.pruned {
        for folder in &pruned.backups_removed {
            println!("  removed old backup {}", folder.display());
        }
        if pruned.blobs_removed > 0 {
            println!(
                "  removed {} files no remaining backup needs",
                pruned.blobs_removed
            );
        }
        if let Some(reason) = &pruned.pool_kept_because {
            println!("  unreferenced files were not removed: {reason}");
        }
    }
    if report.problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &report.problems {
        println!("{problem}");
    }
    println!(
        "INCOMPLETE: {} file(s) could not be backed up, so old backups were kept. Repair the \
         data directory (`fonds verify`, then restore the files from an older backup) and back up \
         again.",
        report.problems.len()
    );
    Ok(ExitCode::from(1))
}

async fn verify(data: &Path, dest: &Path) -> anyhow::Result<ExitCode> {
    let report = backup::verify_backup(dest, super::existing_keys(data)?.keys).await?;
    for problem in &report.problems {
        println!("{problem}");
    }
    if let Some(key) = &report.public_key {
        println!("signed with public key {key} (compare it with the key you keep)");
    }
    if report.is_ok() {
        println!(
            "OK: backup {} (taken {}) — signature, snapshot and {} files ({:.1} MiB) check out.",
            report.folder.display(),
            report.created_at.as_deref().unwrap_or("at an unknown time"),
            report.blobs_checked,
            report.bytes_read as f64 / (1024.0 * 1024.0)
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "FAILED: backup {} has {} problem(s). Do not restore from it; use an older backup \
             (pass its folder to `fonds restore`).",
            report.folder.display(),
            report.problems.len()
        );
        Ok(ExitCode::from(1))
    }
}

/// `fonds restore SRC`: into the `--data` directory.
// LIMITATION: a restore is not audited: the restored trail is the backup's own, and nothing
// records on it that it was restored.
pub async fn restore(data: &Path, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let at_rest = super::existing_keys(data)?;
    if at_rest.keys.is_none() {
        println!(
            "note: no master key is configured for {}; a backup of an encrypted archive cannot be \
             restored without it (put it at keys/master.key in the data directory, or set \
             master_key_file or FONDS_MASTER_KEY)",
            data.display()
        );
    }
    let report =
        match backup::restore(&args.src, data, at_rest, &fonds_core::audit::Actor::cli()).await {
            Ok(report) => report,
            Err(BackupError::BackupInvalid { folder, problems }) => {
                for problem in &problems {
                    eprintln!("{problem}");
                }
                anyhow::bail!(
                    "the backup {} failed verification ({} problem(s) above) and was not restored; \
                 restore from an older backup folder instead",
                    folder.display(),
                    problems.len()
                );
            }
            Err(e) => return Err(e.into()),
        };
    println!(
        "Restored backup {} (taken {}) into {}: {} records, {} files copied, {} already present.",
        report.folder.display(),
        report.created_at,
        data.display(),
        report.records,
        report.blobs_copied,
        report.blobs_present
    );
    match &report.audit.broken {
        None => println!(
            "audit trail: {} events, whole up to the backup's head{}",
            report.audit.events,
            report
                .audit
                .head
                .as_ref()
                .map(|h| format!(" (event {} {})", h.sequence, h.hash))
                .unwrap_or_default()
        ),
        Some(broken) => println!("AUDIT TRAIL BROKEN  {broken}"),
    }
    for problem in &report.fixity.problems {
        println!("{problem}");
    }
    if report.is_ok() {
        println!(
            "OK: all {} files match their SHA-256 and SM3 digests.",
            report.fixity.files_checked
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "FAILED: the restored archive in {} has missing or changed files or a broken audit \
             trail (above); restore an older backup, or run `fonds verify` and `fonds audit \
             verify` there for details.",
            data.display()
        );
        Ok(ExitCode::from(1))
    }
}
