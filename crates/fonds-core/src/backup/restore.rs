//! Restoring a backup into a data directory in one pass over its files: the manifest's signature
//! and the snapshot are checked first, the snapshot is put in place under a temporary name and
//! its catalogue read, then every file is copied and checked against that catalogue (SHA-256,
//! SM3 and size) as it is written; the database takes its real name last, so an interrupted or
//! refused restore never looks like an archive.

use std::path::{Path, PathBuf};

use fonds_store::KeyProvider;

use super::copy::{self, Content, Copied, Want, blocking};
use super::layout::{self, DATABASE};
use super::snapshot::{self, CatalogueEntry};
use super::verify::{inspect, locate};
use super::{BackupError, BackupProblem};
use crate::at_rest::AtRest;
use crate::{Archive, Settings, VerifyReport};

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The backup folder restored.
    pub folder: PathBuf,
    /// When that backup was taken.
    pub created_at: String,
    /// Files copied into the data directory.
    pub blobs_copied: usize,
    /// Files the data directory already held with the right content.
    pub blobs_present: usize,
    /// Records in the restored archive.
    pub records: u64,
    /// The fixity check of the restored files: each checked against the restored catalogue's
    /// SHA-256, SM3 and size as it was copied.
    pub fixity: VerifyReport,
    /// The restored audit trail, verified from its first event to the head the backup's
    /// manifest names.
    pub audit: crate::audit::AuditReport,
}

impl RestoreReport {
    /// Whether every file is back and the audit trail is whole up to the backup's head.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.fixity.problems.is_empty() && self.audit.is_ok()
    }
}

/// Restores the backup `src` (a backup folder, or a destination root for its newest backup) into
/// `data_dir`, which must not hold a database yet, checking every file against the restored
/// catalogue. `at_rest` holds the master keys that open a sealed backup; stored files stay
/// sealed as they were, the snapshot is decrypted into the live database. A restore that checks
/// out is recorded in the restored audit trail as done `by`.
///
/// # Errors
/// When `data_dir` holds an archive or a stray journal, the backup fails verification (every
/// problem is in the error, and nothing is left that looks like an archive), or a file
/// operation fails.
pub async fn restore(
    src: &Path,
    data_dir: &Path,
    at_rest: AtRest,
    by: &crate::audit::Actor,
) -> Result<RestoreReport, BackupError> {
    let (src, data) = (src.to_path_buf(), data_dir.to_path_buf());
    let keys = at_rest.keys.clone();
    let restoring = data_dir.join(format!("{DATABASE}.restoring"));
    let (folder, root, manifest) = {
        let (restoring, keys) = (restoring.clone(), keys.clone());
        blocking(move || {
            check_target(&data)?;
            let (folder, root) = locate(&src)?;
            let (verification, manifest) = inspect(&folder, &root, keys.as_deref(), false)?;
            let manifest = match manifest {
                Some(manifest) if verification.is_ok() => manifest,
                _ => {
                    return Err(BackupError::BackupInvalid {
                        folder,
                        problems: verification.problems,
                    });
                }
            };
            if !data.exists() {
                // Owner-only, as a new data directory always is.
                std::os::unix::fs::DirBuilderExt::mode(
                    std::fs::DirBuilder::new().recursive(true),
                    0o700,
                )
                .create(&data)
                .map_err(|e| BackupError::io("create data directory", &data, e))?;
            }
            copy::create_dir_durably(&data)?;
            let snapshot = folder.join(DATABASE);
            match copy::open_file_to(
                &snapshot,
                &restoring,
                &manifest.snapshot.sha256,
                keys.as_deref(),
            )? {
                Copied::Done(_) => Ok((folder, root, manifest)),
                _ => Err(BackupError::Invalid(format!(
                    "the snapshot {} changed while it was being restored; run `fonds backup \
                     verify {}` and restore again",
                    snapshot.display(),
                    folder.display()
                ))),
            }
        })
        .await?
    };
    let refused = |problems: Vec<BackupProblem>| {
        let _ = std::fs::remove_file(&restoring);
        BackupError::BackupInvalid {
            folder: folder.clone(),
            problems,
        }
    };
    let catalogue = match snapshot::catalogue(&restoring).await {
        Ok(catalogue) => catalogue,
        Err(e) => {
            let _ = std::fs::remove_file(&restoring);
            return Err(e);
        }
    };
    match snapshot::audit_head(&restoring).await {
        Ok(head) if head == manifest.audit_head => {}
        Ok(_) => {
            return Err(refused(vec![BackupProblem::ManifestUnreadable {
                path: folder.join(layout::MANIFEST),
                detail: "the audit chain head in the manifest differs from the snapshot's".into(),
            }]));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&restoring);
            return Err(e);
        }
    }
    let listed: Vec<_> = manifest.blobs.iter().map(|b| (b.sha256, b.size)).collect();
    let catalogued: Vec<_> = catalogue.iter().map(|c| (c.sha256, c.size)).collect();
    if listed != catalogued {
        return Err(refused(vec![BackupProblem::ManifestUnreadable {
            path: folder.join(layout::MANIFEST),
            detail: "the manifest's file list differs from the files the snapshot catalogues"
                .into(),
        }]));
    }
    let (copy_root, copy_data) = (root.clone(), data_dir.to_path_buf());
    let outcome =
        blocking(move || copy_all(&copy_root, &copy_data, &catalogue, keys.as_deref())).await?;
    if !outcome.problems.is_empty() {
        return Err(refused(outcome.problems));
    }
    let (from, to, dir) = (
        restoring.clone(),
        data_dir.join(DATABASE),
        data_dir.to_path_buf(),
    );
    blocking(move || {
        std::fs::rename(&from, &to).map_err(|e| BackupError::io("move into place", &to, e))?;
        copy::fsync_dir(&dir)
    })
    .await?;
    tracing::info!(folder = %folder.display(), data = %data_dir.display(),
        copied = outcome.copied, present = outcome.present, "backup restored and checked");

    let settings = Settings {
        at_rest,
        ..Settings::default()
    };
    let archive = Archive::open_embedded(data_dir, settings).await?;
    let records = archive.count_records().await?;
    let audit = archive
        .verify_audit_chain_from(manifest.audit_head.clone())
        .await?;
    let report = RestoreReport {
        folder,
        created_at: manifest.created_at,
        blobs_copied: outcome.copied,
        blobs_present: outcome.present,
        records,
        fixity: VerifyReport {
            files_checked: (outcome.copied + outcome.present) as u64,
            bytes_read: outcome.bytes,
            problems: Vec::new(),
        },
        audit,
    };
    if report.is_ok() {
        // After the check: the restored chain ends at the backup's head, then says it was
        // restored.
        archive.audit_backup_restored(by, &report).await?;
    }
    Ok(report)
}

/// Refuses a target that holds a database, or a journal that would be replayed into the
/// restored one.
fn check_target(data_dir: &Path) -> Result<(), BackupError> {
    if data_dir.join(DATABASE).exists() {
        return Err(BackupError::TargetHoldsArchive(data_dir.to_path_buf()));
    }
    for journal in ["-wal", "-journal"] {
        let file = format!("{DATABASE}{journal}");
        if data_dir.join(&file).exists() {
            return Err(BackupError::StaleJournal {
                dir: data_dir.to_path_buf(),
                file,
            });
        }
    }
    Ok(())
}

/// What copying the files back did.
#[derive(Debug, Default)]
struct CopyOutcome {
    copied: usize,
    present: usize,
    bytes: u64,
    problems: Vec<BackupProblem>,
}

/// Copies every catalogued file the data directory lacks (or holds changed), on
/// [`copy::COPY_THREADS`] threads, listing every problem.
fn copy_all(
    root: &Path,
    data_dir: &Path,
    catalogue: &[CatalogueEntry],
    keys: Option<&dyn KeyProvider>,
) -> Result<CopyOutcome, BackupError> {
    let results = copy::in_parallel(catalogue, |part| copy_part(root, data_dir, part, keys))?;
    let mut total = CopyOutcome::default();
    let mut pending = copy::Pending::default();
    for (part, part_pending) in results {
        total.copied += part.copied;
        total.present += part.present;
        total.bytes += part.bytes;
        total.problems.extend(part.problems);
        pending.extend(part_pending);
    }
    if total.problems.is_empty() {
        // Durable and in place before the database that points at them takes its name.
        pending.place_all(data_dir)?;
    }
    Ok(total)
}

fn copy_part(
    root: &Path,
    data_dir: &Path,
    part: &[CatalogueEntry],
    keys: Option<&dyn KeyProvider>,
) -> Result<(CopyOutcome, copy::Pending), BackupError> {
    let mut outcome = CopyOutcome::default();
    let mut pending = copy::Pending::default();
    for file in part {
        let target = layout::live_blob(data_dir, &file.sha256);
        if target.exists() {
            if matches!(copy::hash_content(&target, keys)?, Content::Hashed(h) if h.sha256 == file.sha256 && h.size == file.size)
            {
                outcome.present += 1;
                outcome.bytes += file.size;
                continue;
            }
            // A damaged live copy is replaced; it is read-only like every stored file.
            let _ = std::fs::remove_file(&target);
        }
        let pooled = layout::object_path(root, &file.sha256);
        match copy::copy_checked(&pooled, &target, Want::Catalogued(file), keys, &mut pending)? {
            Copied::Done(hashed) => {
                outcome.copied += 1;
                outcome.bytes += hashed.size;
            }
            Copied::SourceMissing => outcome.problems.push(BackupProblem::BlobMissing {
                sha256: file.sha256,
            }),
            Copied::Mismatch(found) => outcome.problems.push(BackupProblem::BlobCorrupt {
                sha256: file.sha256,
                actual: found.sha256,
                size: found.size,
                expected_size: file.size,
            }),
            Copied::Undecryptable(reason) => outcome.problems.push(BackupProblem::Undecryptable {
                what: format!("blob {}", file.sha256),
                reason,
            }),
        }
    }
    Ok((outcome, pending))
}
