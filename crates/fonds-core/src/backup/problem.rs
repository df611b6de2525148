//! What can be wrong with a backup's content, named precisely enough to act on.

use std::fmt;
use std::path::PathBuf;

use fonds_domain::Sha256Digest;

/// One thing wrong with a backup. Verification lists all of them, never only the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupProblem {
    /// `manifest.json` cannot be read or parsed, so nothing else can be checked.
    ManifestUnreadable {
        /// The manifest file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The signature does not verify: the manifest was changed or signed by another key.
    BadSignature {
        /// Why.
        detail: String,
    },
    /// The database snapshot is gone.
    SnapshotMissing {
        /// Where it should be.
        path: PathBuf,
    },
    /// The database snapshot's bytes differ from the manifest.
    SnapshotCorrupt {
        /// The manifest's digest.
        expected: Sha256Digest,
        /// The file's digest.
        actual: Sha256Digest,
    },
    /// A stored file listed in the manifest is not in the pool.
    BlobMissing {
        /// Its address.
        sha256: Sha256Digest,
    },
    /// A stored file in the pool does not hash to its address, or has the wrong size.
    BlobCorrupt {
        /// Its address.
        sha256: Sha256Digest,
        /// What its bytes hash to.
        actual: Sha256Digest,
        /// Its size on disk.
        size: u64,
        /// The manifest's size.
        expected_size: u64,
    },
    /// While backing up, a file the database references was missing from the live data
    /// directory and not in the pool yet: this backup lacks it.
    SourceMissing {
        /// Its address.
        sha256: Sha256Digest,
    },
    /// While backing up, a file in the live data directory did not hash to its address, so it
    /// was not copied: this backup lacks it.
    SourceCorrupt {
        /// Its address.
        sha256: Sha256Digest,
        /// What the live file hashes to.
        actual: Sha256Digest,
    },
    /// A sealed file (or snapshot) that does not decrypt, or was not checked because no
    /// master key is loaded.
    Undecryptable {
        /// Which file: a blob's address or the snapshot's name.
        what: String,
        /// Why, in words.
        reason: String,
    },
}

impl fmt::Display for BackupProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ManifestUnreadable { path, detail } => {
                write!(f, "MANIFEST UNREADABLE  {}: {detail}", path.display())
            }
            Self::BadSignature { detail } => write!(f, "BAD SIGNATURE  {detail}"),
            Self::SnapshotMissing { path } => {
                write!(f, "SNAPSHOT MISSING  {}", path.display())
            }
            Self::SnapshotCorrupt { expected, actual } => {
                write!(
                    f,
                    "SNAPSHOT CORRUPT  expected sha256 {expected}, found {actual}"
                )
            }
            Self::BlobMissing { sha256 } => write!(f, "MISSING  blob {sha256}"),
            Self::BlobCorrupt {
                sha256,
                actual,
                size,
                expected_size,
            } => write!(
                f,
                "CORRUPT  blob {sha256}: found sha256 {actual}, {size} bytes \
                 (expected {expected_size})"
            ),
            Self::SourceMissing { sha256 } => write!(
                f,
                "SOURCE MISSING  blob {sha256} is missing from the data directory; \
                 run `fonds verify` and restore it from an older backup"
            ),
            Self::SourceCorrupt { sha256, actual } => write!(
                f,
                "SOURCE CORRUPT  blob {sha256} in the data directory hashes to {actual}; \
                 run `fonds verify` and restore it from an older backup"
            ),
            Self::Undecryptable { what, reason } => {
                write!(f, "NOT CHECKED OR DAMAGED  {what}: {reason}")
            }
        }
    }
}
