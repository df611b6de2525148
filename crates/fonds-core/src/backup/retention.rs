//! Retention: keep the newest backups, remove older folders, then remove the pooled files that
//! no remaining manifest references. Blocking: call from a blocking thread.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use fonds_domain::Sha256Digest;

use super::BackupError;
use super::layout::{self, MANIFEST};
use super::manifest::SignedManifest;

/// What retention removed.
#[derive(Debug, Clone, Default)]
pub struct Pruned {
    /// Backup folders removed, oldest first.
    pub backups_removed: Vec<PathBuf>,
    /// Pooled files removed because no remaining backup references them.
    pub blobs_removed: usize,
    /// Their bytes.
    pub bytes_removed: u64,
    /// Why the pool was left as it was, when it was.
    pub pool_kept_because: Option<String>,
}

/// Keeps the newest `keep` backups under `root` and sweeps the pool.
pub fn prune(root: &Path, keep: usize) -> Result<Pruned, BackupError> {
    let mut pruned = Pruned::default();
    let backups = layout::backups(root)?;
    let excess = backups.len().saturating_sub(keep);
    for old in &backups[..excess] {
        std::fs::remove_dir_all(old).map_err(|e| BackupError::io("remove old backup", old, e))?;
        tracing::info!(folder = %old.display(), "old backup removed");
        pruned.backups_removed.push(old.clone());
    }
    // LIMITATION: two backups into one destination at the same time are not locked against each
    // other; a sweep is skipped while another backup's partial folder exists instead.
    if let Some(partial) = partial_folder(root)? {
        pruned.pool_kept_because = Some(format!(
            "{} exists: another backup is running, or one was interrupted (then remove it)",
            partial.display()
        ));
        return Ok(pruned);
    }
    let mut referenced = HashSet::new();
    for folder in &backups[excess..] {
        let path = folder.join(MANIFEST);
        let parsed = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| SignedManifest::parse(&bytes));
        match parsed {
            Ok(signed) => referenced.extend(signed.manifest.blobs.iter().map(|b| b.sha256)),
            Err(detail) => {
                pruned.pool_kept_because = Some(format!(
                    "{} is unreadable ({detail}), so which files it needs is unknown",
                    path.display()
                ));
                return Ok(pruned);
            }
        }
    }
    sweep(&root.join("objects"), &referenced, &mut pruned)?;
    Ok(pruned)
}

fn partial_folder(root: &Path) -> Result<Option<PathBuf>, BackupError> {
    let entries = std::fs::read_dir(root).map_err(|e| BackupError::io("list", root, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::io("list", root, e))?;
        if entry.file_name().to_string_lossy().starts_with(".partial-") {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Removes the files under `objects/ab/cd/` that are not referenced (and leftover temporary
/// files), and the directories that become empty.
fn sweep(
    objects: &Path,
    referenced: &HashSet<Sha256Digest>,
    pruned: &mut Pruned,
) -> Result<(), BackupError> {
    for first in read_dirs(objects)? {
        for second in read_dirs(&first)? {
            let entries =
                std::fs::read_dir(&second).map_err(|e| BackupError::io("list", &second, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| BackupError::io("list", &second, e))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let keep = name
                    .parse::<Sha256Digest>()
                    .is_ok_and(|sha| referenced.contains(&sha));
                if keep {
                    continue;
                }
                let path = entry.path();
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                std::fs::remove_file(&path)
                    .map_err(|e| BackupError::io("remove unreferenced file", &path, e))?;
                pruned.blobs_removed += 1;
                pruned.bytes_removed += size;
            }
            let _ = std::fs::remove_dir(&second);
        }
        let _ = std::fs::remove_dir(&first);
    }
    Ok(())
}

fn read_dirs(dir: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io("list", dir, e)),
    };
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::io("list", dir, e))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push(entry.path());
        }
    }
    Ok(dirs)
}
