//! Restoring a backup into a data directory: verify the backup, copy its files and then its
//! database snapshot (the database last, so an interrupted restore never looks like an archive),
//! open the archive and re-hash every file it references.

use std::path::{Path, PathBuf};

use super::BackupError;
use super::copy::{self, Content, Copied, blocking};
use super::layout::{self, DATABASE};
use super::manifest::Manifest;
use super::verify::{inspect, locate};
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
    /// The fixity check of the restored archive (`fonds verify`).
    pub fixity: VerifyReport,
}

/// Restores the backup `src` (a backup folder, or a destination root for its newest backup) into
/// `data_dir`, which must not hold a database yet, and proves with the fixity check that every
/// file is back. `at_rest` holds the master keys that open a sealed backup; stored files stay
/// sealed as they were, the snapshot is decrypted into the live database.
///
/// # Errors
/// When `data_dir` holds an archive or a stray journal, the backup fails verification (every
/// problem is in the error), or a file operation fails.
pub async fn restore(
    src: &Path,
    data_dir: &Path,
    at_rest: AtRest,
) -> Result<RestoreReport, BackupError> {
    let (src, data) = (src.to_path_buf(), data_dir.to_path_buf());
    let keys = at_rest.keys.clone();
    let (folder, manifest, copied) = blocking(move || {
        check_target(&data)?;
        let (folder, root) = locate(&src)?;
        let (verification, manifest) = inspect(&folder, &root, keys.as_deref())?;
        let manifest = match manifest {
            Some(manifest) if verification.is_ok() => manifest,
            _ => {
                return Err(BackupError::BackupInvalid {
                    folder,
                    problems: verification.problems,
                });
            }
        };
        let copied = copy_back(&folder, &root, &manifest, &data, keys.as_deref())?;
        Ok((folder, manifest, copied))
    })
    .await?;
    tracing::info!(folder = %folder.display(), data = %data_dir.display(), "backup restored; verifying");

    let settings = Settings {
        at_rest,
        ..Settings::default()
    };
    let archive = Archive::open_embedded(data_dir, settings).await?;
    let fixity = archive.verify(&mut ()).await?;
    let records = archive.count_records().await?;
    Ok(RestoreReport {
        folder,
        created_at: manifest.created_at,
        blobs_copied: copied.0,
        blobs_present: copied.1,
        records,
        fixity,
    })
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

/// Copies the files the data directory lacks (or holds changed), then the snapshot. Returns
/// (copied, already present).
fn copy_back(
    folder: &Path,
    root: &Path,
    manifest: &Manifest,
    data_dir: &Path,
    keys: Option<&dyn fonds_store::KeyProvider>,
) -> Result<(usize, usize), BackupError> {
    let (mut copied, mut present) = (0, 0);
    for blob in &manifest.blobs {
        let target = layout::live_blob(data_dir, &blob.sha256);
        if matches!(copy::hash_content(&target, keys)?, Content::Hashed(h) if h.sha256 == blob.sha256)
        {
            present += 1;
            continue;
        }
        if target.exists() {
            // A damaged live copy is replaced; it is read-only like every stored file.
            let _ = std::fs::remove_file(&target);
        }
        let pooled = layout::object_path(root, &blob.sha256);
        match copy::copy_stored(&pooled, &target, &blob.sha256, keys)? {
            Copied::Done(_) => copied += 1,
            Copied::SourceMissing | Copied::Mismatch(_) | Copied::Undecryptable(_) => {
                return Err(BackupError::Invalid(format!(
                    "the pooled file {} changed while it was being restored; run `fonds backup \
                     verify {}` and restore again",
                    pooled.display(),
                    folder.display()
                )));
            }
        }
    }
    let snapshot = folder.join(DATABASE);
    let target = data_dir.join(DATABASE);
    match copy::open_file_to(&snapshot, &target, &manifest.snapshot.sha256, keys)? {
        Copied::Done(_) => Ok((copied, present)),
        Copied::SourceMissing | Copied::Mismatch(_) | Copied::Undecryptable(_) => {
            Err(BackupError::Invalid(format!(
                "the snapshot {} changed while it was being restored; run `fonds backup verify {}` \
             and restore again",
                snapshot.display(),
                folder.display()
            )))
        }
    }
}
