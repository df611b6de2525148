//! Verifying a backup: the manifest's signature, the snapshot's digest, and every pooled file's
//! presence and SHA-256. Every problem is listed; nothing stops at the first.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use fonds_store::KeyProvider;

use super::copy::{self, Content, blocking};
use super::layout::{self, DATABASE, MANIFEST, PUBLIC_KEY};
use super::manifest::{Manifest, SignedManifest};
use super::{BackupError, BackupProblem};
use crate::signing_key as key;

/// The outcome of verifying one backup.
#[derive(Debug, Clone)]
pub struct BackupVerification {
    /// The backup folder verified.
    pub folder: PathBuf,
    /// When it was taken, from its manifest.
    pub created_at: Option<String>,
    /// The public key in `manifest.pub`, in hex: compare it with the one printed when backups
    /// were taken, since whoever can replace the manifest can replace this file too.
    pub public_key: Option<String>,
    /// Pooled files checked.
    pub blobs_checked: usize,
    /// Bytes read, snapshot included.
    pub bytes_read: u64,
    /// Every problem found.
    pub problems: Vec<BackupProblem>,
}

impl BackupVerification {
    /// Whether the backup is whole and authentic.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies `dest`: a backup folder, or a destination root (then its newest backup). Sealed
/// files and snapshots are decrypted with `keys` and their plaintext hashed; without the key
/// they are reported as not checked, never as good.
///
/// # Errors
/// When `dest` is not a backup, or a file cannot be read for a reason other than its absence.
pub async fn verify_backup(
    dest: &Path,
    keys: Option<Arc<dyn KeyProvider>>,
) -> Result<BackupVerification, BackupError> {
    let dest = dest.to_path_buf();
    blocking(move || {
        let (folder, root) = locate(&dest)?;
        Ok(inspect(&folder, &root, keys.as_deref(), true)?.0)
    })
    .await
}

/// The backup folder `dest` names and the pool root beside it.
pub(super) fn locate(dest: &Path) -> Result<(PathBuf, PathBuf), BackupError> {
    if dest.join(MANIFEST).is_file() {
        let root = dest.parent().unwrap_or(Path::new(".")).to_path_buf();
        return Ok((dest.to_path_buf(), root));
    }
    match layout::backups(dest)?.pop() {
        Some(folder) => Ok((folder, dest.to_path_buf())),
        None => Err(BackupError::NotABackup(dest.to_path_buf())),
    }
}

/// Verifies a backup folder — its signature and snapshot, and with `check_blobs` every pooled
/// file; also returns its manifest when it could be read.
pub(super) fn inspect(
    folder: &Path,
    root: &Path,
    keys: Option<&dyn KeyProvider>,
    check_blobs: bool,
) -> Result<(BackupVerification, Option<Manifest>), BackupError> {
    let mut report = BackupVerification {
        folder: folder.to_path_buf(),
        created_at: None,
        public_key: None,
        blobs_checked: 0,
        bytes_read: 0,
        problems: Vec::new(),
    };
    let manifest_path = folder.join(MANIFEST);
    let parsed = std::fs::read(&manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| SignedManifest::parse(&bytes));
    let signed = match parsed {
        Ok(signed) => signed,
        Err(detail) => {
            report.problems.push(BackupProblem::ManifestUnreadable {
                path: manifest_path,
                detail,
            });
            return Ok((report, None));
        }
    };
    report.created_at = Some(signed.manifest.created_at.clone());
    check_signature(folder, &signed, &mut report);
    check_snapshot(folder, &signed.manifest, &mut report, keys)?;
    let blobs: &[super::BlobEntry] = if check_blobs {
        &signed.manifest.blobs
    } else {
        &[]
    };
    for blob in blobs {
        let path = layout::object_path(root, &blob.sha256);
        match copy::hash_content(&path, keys)? {
            Content::Missing => report.problems.push(BackupProblem::BlobMissing {
                sha256: blob.sha256,
            }),
            Content::Undecryptable(reason) => {
                report.problems.push(BackupProblem::Undecryptable {
                    what: format!("blob {}", blob.sha256),
                    reason,
                });
            }
            Content::Hashed(found) => {
                report.blobs_checked += 1;
                report.bytes_read += found.size;
                if found.sha256 != blob.sha256 || found.size != blob.size {
                    report.problems.push(BackupProblem::BlobCorrupt {
                        sha256: blob.sha256,
                        actual: found.sha256,
                        size: found.size,
                        expected_size: blob.size,
                    });
                }
            }
        }
    }
    Ok((report, Some(signed.manifest)))
}

fn check_signature(folder: &Path, signed: &SignedManifest, report: &mut BackupVerification) {
    let path = folder.join(PUBLIC_KEY);
    let key = std::fs::read_to_string(&path)
        .map_err(|e| format!("{} is unreadable: {e}", path.display()))
        .and_then(|text| key::parse_public(&text).map_err(|e| format!("{}: {e}", path.display())));
    let outcome = key.and_then(|key| {
        report.public_key = Some(key::public_hex(&key));
        signed.check(&key)
    });
    if let Err(detail) = outcome {
        report.problems.push(BackupProblem::BadSignature { detail });
    }
}

fn check_snapshot(
    folder: &Path,
    manifest: &Manifest,
    report: &mut BackupVerification,
    keys: Option<&dyn KeyProvider>,
) -> Result<(), BackupError> {
    // The snapshot is always `fonds.sqlite`: a manifest naming another file (which could point
    // outside the folder) is not followed.
    let path = folder.join(DATABASE);
    if manifest.snapshot.file != DATABASE {
        report.problems.push(BackupProblem::ManifestUnreadable {
            path: folder.join(MANIFEST),
            detail: format!(
                "the snapshot is named {:?} instead of {DATABASE:?}",
                manifest.snapshot.file
            ),
        });
    }
    match copy::hash_content(&path, keys)? {
        Content::Missing => report
            .problems
            .push(BackupProblem::SnapshotMissing { path }),
        Content::Undecryptable(reason) => report.problems.push(BackupProblem::Undecryptable {
            what: DATABASE.to_owned(),
            reason,
        }),
        Content::Hashed(found) => {
            report.bytes_read += found.size;
            if found.sha256 != manifest.snapshot.sha256 || found.size != manifest.snapshot.size {
                report.problems.push(BackupProblem::SnapshotCorrupt {
                    expected: manifest.snapshot.sha256,
                    actual: found.sha256,
                });
            }
        }
    }
    Ok(())
}
