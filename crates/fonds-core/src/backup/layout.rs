//! Where things live: in the data directory, in the shared pool and in a backup folder; and
//! which folders of a destination root are backups, in order.

use std::path::{Path, PathBuf};

use fonds_domain::Sha256Digest;
use time::OffsetDateTime;
use time::macros::format_description;

use super::BackupError;

/// The database file, in a data directory and in a backup folder alike.
pub const DATABASE: &str = "fonds.sqlite";
/// The signed manifest in a backup folder.
pub const MANIFEST: &str = "manifest.json";
/// The public key beside the manifest.
pub const PUBLIC_KEY: &str = "manifest.pub";
/// Prefix of a backup folder still being built.
const PARTIAL_PREFIX: &str = ".partial-";

/// `objects/ab/cd/<sha256>` under `root`: the layout of the live blob store (see
/// `fonds_store::LocalBlobStore::path_of`) and of the backup pool alike. The live store is not
/// opened to ask it, because opening it clears the staging files of a running server.
pub fn object_path(root: &Path, sha256: &Sha256Digest) -> PathBuf {
    let hex = sha256.to_hex();
    root.join("objects")
        .join(&hex[0..2])
        .join(&hex[2..4])
        .join(hex)
}

/// Where the live data directory keeps a blob.
pub fn live_blob(data_dir: &Path, sha256: &Sha256Digest) -> PathBuf {
    object_path(&data_dir.join("blobs"), sha256)
}

/// The folder name of a backup taken at `at`, e.g. `20261204T120000Z`.
pub fn folder_name(at: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The partial folder a backup named `name` is built in.
pub fn partial_folder(root: &Path, name: &str) -> PathBuf {
    root.join(format!("{PARTIAL_PREFIX}{name}"))
}

/// How backup folders sort: by time, then by the `-N` suffix a second backup in the same
/// second gets. `None` for a name that is not a backup folder's.
fn sort_key(name: &str) -> Option<(String, u32)> {
    let (stamp, suffix) = match name.split_once('-') {
        Some((stamp, n)) => (stamp, n.parse::<u32>().ok()?),
        None => (name, 1),
    };
    let well_formed = stamp.len() == 16
        && stamp.as_bytes()[8] == b'T'
        && stamp.ends_with('Z')
        && stamp
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 8 || i == 15 || b.is_ascii_digit());
    well_formed.then(|| (stamp.to_owned(), suffix))
}

/// The backup folders under `root` that hold a manifest, oldest first.
pub fn backups(root: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io("list backups in", root, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::io("list backups in", root, e))?;
        let name = entry.file_name();
        let Some(key) = name.to_str().and_then(sort_key) else {
            continue;
        };
        let path = entry.path();
        if path.join(MANIFEST).is_file() {
            found.push((key, path));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// Reserves a fresh backup name for `at` under `root` and creates its partial folder.
pub fn reserve(root: &Path, at: OffsetDateTime) -> Result<(String, PathBuf), BackupError> {
    let base = folder_name(at);
    for n in 1..=1000_u32 {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if root.join(&name).exists() {
            continue;
        }
        let partial = partial_folder(root, &name);
        match std::fs::create_dir(&partial) {
            Ok(()) => return Ok((name, partial)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(BackupError::io("create backup folder", &partial, e)),
        }
    }
    Err(BackupError::Invalid(format!(
        "more than 1000 backups were started in {} within one second",
        root.display()
    )))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn backup_folders_are_named_by_utc_time_and_sort_in_time_order() {
        assert_eq!(
            folder_name(datetime!(2026-12-04 20:00:00 +8)),
            "20261204T120000Z"
        );
        let mut names = [
            "20261204T120000Z-10",
            "20261204T120000Z-2",
            "20261204T120000Z",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "20261204T120000Z",
                "20261204T120000Z-2",
                "20261204T120000Z-10"
            ]
        );
        assert_eq!(sort_key("objects"), None);
        assert_eq!(sort_key(".partial-20261204T120000Z"), None);
        assert_eq!(sort_key("20261204X120000Z"), None);
    }
}
