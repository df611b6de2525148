//! Taking a backup: snapshot the database, copy the files the pool lacks, sign the manifest,
//! publish the folder, then apply retention.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::copy::{self, Copied, blocking};
use super::layout::{self, DATABASE, MANIFEST, PUBLIC_KEY};
use super::manifest::{BlobEntry, MANIFEST_FORMAT, Manifest, SnapshotEntry};
use super::retention::{self, Pruned};
use super::{BackupError, BackupProblem, SIGNING_KEY_FILE, snapshot};
use crate::at_rest::AtRest;
use crate::signing_key as key;

/// What a backup did.
#[derive(Debug, Clone)]
pub struct BackupReport {
    /// The new backup folder.
    pub folder: PathBuf,
    /// What it holds.
    pub manifest: Manifest,
    /// The public key its signature verifies with, in hex (also in `manifest.pub`).
    pub public_key: String,
    /// Files copied into the pool because it did not have them yet.
    pub blobs_copied: usize,
    /// Bytes of those files.
    pub bytes_copied: u64,
    /// Files the backup lacks because the data directory's copy was missing or changed. The
    /// backup is kept (its database is still good), but retention is not applied.
    pub problems: Vec<BackupProblem>,
    /// What retention removed; `None` when it was not applied because of problems.
    pub pruned: Option<Pruned>,
}

/// Backs up the archive in `data_dir` into a new folder under `dest_root`, then keeps only the
/// newest `keep` backups there and removes the pooled files none of them references. A server
/// may be running on `data_dir` meanwhile. Sealed files are copied sealed; with `at_rest`
/// sealing new files, the database snapshot is sealed too, so the whole backup is encrypted.
///
/// # Errors
/// When `keep` is 0, `data_dir` holds no archive, or a file or database operation fails; the
/// partial folder is removed then.
pub async fn backup(
    data_dir: &Path,
    dest_root: &Path,
    keep: usize,
    at_rest: &AtRest,
) -> Result<BackupReport, BackupError> {
    if keep == 0 {
        return Err(BackupError::Invalid(
            "keep must be at least 1: the backup just taken is always kept".into(),
        ));
    }
    let live = data_dir.join(DATABASE);
    if !live.is_file() {
        return Err(BackupError::NoArchive(data_dir.to_path_buf()));
    }
    let key_path = data_dir.join(SIGNING_KEY_FILE);
    let key = blocking(move || Ok(key::load_or_create(&key_path, "backup manifests")?)).await?;
    let created_at = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(OffsetDateTime::now_utc());
    let root = dest_root.to_path_buf();
    let (name, partial) = blocking(move || {
        copy::create_dir_durably(&root)?;
        layout::reserve(&root, created_at)
    })
    .await?;

    let built = build(data_dir, dest_root, &partial, created_at, &key, at_rest).await;
    let (manifest, copied, problems) = match built {
        Ok(built) => built,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    let folder = dest_root.join(&name);
    let (from, to, root) = (partial.clone(), folder.clone(), dest_root.to_path_buf());
    blocking(move || {
        std::fs::rename(&from, &to)
            .map_err(|e| BackupError::io("publish backup folder", &to, e))?;
        copy::fsync_dir(&root)
    })
    .await?;
    tracing::info!(folder = %folder.display(), blobs = manifest.blobs.len(),
        copied = copied.0, problems = problems.len(), "backup taken");

    let pruned = if problems.is_empty() {
        let root = dest_root.to_path_buf();
        Some(blocking(move || retention::prune(&root, keep)).await?)
    } else {
        None
    };
    Ok(BackupReport {
        folder,
        manifest,
        public_key: key::public_hex(&key.verifying_key()),
        blobs_copied: copied.0,
        bytes_copied: copied.1,
        problems,
        pruned,
    })
}

/// Fills the partial folder; returns the manifest, (files, bytes) copied and the problems.
async fn build(
    data_dir: &Path,
    dest_root: &Path,
    partial: &Path,
    created_at: OffsetDateTime,
    key: &SigningKey,
    at_rest: &AtRest,
) -> Result<(Manifest, (usize, u64), Vec<BackupProblem>), BackupError> {
    let snapshot_path = partial.join(DATABASE);
    let sealing = match (&at_rest.keys, at_rest.seal_with) {
        (Some(keys), Some(cipher)) => Some(fonds_store::Encryption {
            cipher,
            keys: keys.clone(),
        }),
        _ => None,
    };
    let snapshot_hashed = if let Some(sealing) = sealing {
        // The plaintext snapshot stays on the data directory's disk, which holds the live
        // database anyway; only its sealed form reaches the backup.
        let temp = data_dir.join(format!(".backup-snapshot-{}.sqlite", uuid::Uuid::now_v7()));
        snapshot::vacuum_into(&data_dir.join(DATABASE), &temp).await?;
        let listed = match snapshot::audit_head(&temp).await {
            Ok(head) => snapshot::referenced_blobs(&temp).await.map(|b| (b, head)),
            Err(e) => Err(e),
        };
        let target = snapshot_path.clone();
        let temp_again = temp.clone();
        let sealed = blocking(move || copy::seal_file(&temp_again, &target, &sealing)).await;
        let _ = std::fs::remove_file(&temp);
        (listed?, sealed?)
    } else {
        let temp = copy::temp_beside(&snapshot_path);
        snapshot::vacuum_into(&data_dir.join(DATABASE), &temp).await?;
        let listed = (
            snapshot::referenced_blobs(&temp).await?,
            snapshot::audit_head(&temp).await?,
        );
        let hashed = blocking(move || {
            std::fs::File::open(&temp)
                .and_then(|f| f.sync_all())
                .map_err(|e| BackupError::io("fsync", &temp, e))?;
            std::fs::rename(&temp, &snapshot_path)
                .map_err(|e| BackupError::io("move into place", &snapshot_path, e))?;
            match copy::hash_content(&snapshot_path, None)? {
                copy::Content::Hashed(hashed) => Ok(hashed),
                copy::Content::Missing => Err(BackupError::io(
                    "hash",
                    &snapshot_path,
                    std::io::ErrorKind::NotFound.into(),
                )),
                copy::Content::Undecryptable(reason) => Err(BackupError::Invalid(reason)),
            }
        })
        .await?;
        (listed, hashed)
    };
    let ((blobs, audit_head), snapshot_hashed) = snapshot_hashed;

    let (data, root, listed, keys) = (
        data_dir.to_path_buf(),
        dest_root.to_path_buf(),
        blobs.clone(),
        at_rest.keys.clone(),
    );
    let (copied, problems) =
        blocking(move || copy_missing(&data, &root, &listed, keys.as_deref())).await?;

    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        created_at: created_at
            .format(&Rfc3339)
            .unwrap_or_else(|_| created_at.unix_timestamp().to_string()),
        snapshot: SnapshotEntry {
            file: DATABASE.to_owned(),
            sha256: snapshot_hashed.sha256,
            size: snapshot_hashed.size,
        },
        blobs,
        audit_head,
    };
    let signed = manifest.signed_json(key);
    let public = format!("{}\n", key::public_hex(&key.verifying_key()));
    let folder = partial.to_path_buf();
    blocking(move || {
        copy::write_durably(&folder.join(PUBLIC_KEY), public.as_bytes())?;
        copy::write_durably(&folder.join(MANIFEST), &signed)
    })
    .await?;
    Ok((manifest, copied, problems))
}

/// Copies into the pool each listed file it does not hold with the right plaintext size, on
/// [`copy::COPY_THREADS`] threads, checking each copy's plaintext SHA-256 (decrypting a sealed
/// one) before it is placed; the copies are made durable together.
fn copy_missing(
    data_dir: &Path,
    root: &Path,
    blobs: &[BlobEntry],
    keys: Option<&dyn fonds_store::KeyProvider>,
) -> Result<((usize, u64), Vec<BackupProblem>), BackupError> {
    let shares = copy::in_parallel(blobs, |share| copy_share(data_dir, root, share, keys))?;
    let mut copied = (0usize, 0u64);
    let mut problems = Vec::new();
    let mut pending = copy::Pending::default();
    for (share_copied, share_problems, share_pending) in shares {
        copied.0 += share_copied.0;
        copied.1 += share_copied.1;
        problems.extend(share_problems);
        pending.extend(share_pending);
    }
    // Durable before the manifest that lists them is written.
    pending.place_all(root)?;
    Ok((copied, problems))
}

type ShareOutcome = ((usize, u64), Vec<BackupProblem>, copy::Pending);

fn copy_share(
    data_dir: &Path,
    root: &Path,
    blobs: &[BlobEntry],
    keys: Option<&dyn fonds_store::KeyProvider>,
) -> Result<ShareOutcome, BackupError> {
    let mut copied = (0usize, 0u64);
    let mut problems = Vec::new();
    let mut pending = copy::Pending::default();
    for blob in blobs {
        let pooled = layout::object_path(root, &blob.sha256);
        // Presence and size only: the pool is checked whole by `fonds backup verify`, and
        // unwrapping every pooled file's key here would slow each incremental backup.
        match fonds_store::plaintext_len_of(&pooled) {
            Ok(len) if len == blob.size => continue,
            Ok(_) => {
                tracing::warn!(blob = %blob.sha256, "pooled copy has the wrong size; copying again");
            }
            Err(fonds_store::CryptError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(blob = %blob.sha256, error = %e, "pooled copy does not open; copying again");
            }
        }
        let source = layout::live_blob(data_dir, &blob.sha256);
        let want = copy::Want::Address {
            sha256: &blob.sha256,
            size: blob.size,
        };
        match copy::copy_checked(&source, &pooled, want, keys, &mut pending)? {
            Copied::Done(hashed) => {
                copied.0 += 1;
                copied.1 += hashed.size;
            }
            Copied::SourceMissing => problems.push(BackupProblem::SourceMissing {
                sha256: blob.sha256,
            }),
            Copied::Mismatch(hashed) => problems.push(BackupProblem::SourceCorrupt {
                sha256: blob.sha256,
                actual: hashed.sha256,
            }),
            Copied::Undecryptable(reason) => problems.push(BackupProblem::Undecryptable {
                what: format!("blob {} in the data directory", blob.sha256),
                reason,
            }),
        }
    }
    Ok((copied, problems, pending))
}
