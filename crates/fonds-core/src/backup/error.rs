//! Why a backup, a verification or a restore could not run. Problems found in the content of a
//! backup are not errors: they are listed in the reports (see [`super::BackupProblem`]).

use std::path::{Path, PathBuf};

use super::BackupProblem;
use crate::CoreError;

/// A backup, verification or restore that could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "read manifest".
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite refused the snapshot or a query on it.
    #[error("cannot {action} {}: {source}", path.display())]
    Database {
        /// What was being done.
        action: &'static str,
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: sqlx::Error,
    },
    /// The data directory holds no archive to back up.
    #[error(
        "{} holds no fonds.sqlite; pass the data directory of an initialised archive with --data",
        .0.display()
    )]
    NoArchive(PathBuf),
    /// The restore target already holds an archive.
    #[error(
        "{} already holds an archive (fonds.sqlite); restore into a new or empty directory with \
         --data, or move the existing one away first",
        .0.display()
    )]
    TargetHoldsArchive(PathBuf),
    /// A database journal without its database lies in the restore target.
    #[error(
        "{} holds a SQLite journal ({}) without its database; it belongs to a lost database and \
         would be replayed into the restored one: move it away, then restore again",
        .dir.display(), .file
    )]
    StaleJournal {
        /// The restore target.
        dir: PathBuf,
        /// The journal file's name.
        file: String,
    },
    /// Neither a backup folder nor a destination root holding one.
    #[error(
        "{} is not a backup: it has no manifest.json and no backup folders; pass a backup folder \
         or the destination root given to `fonds backup`",
        .0.display()
    )]
    NotABackup(PathBuf),
    /// The backup failed verification, so it is not restored.
    #[error(
        "the backup {} failed verification with {} problem(s), first: {}; run \
         `fonds backup verify {}` for the full list and restore from another backup",
        .folder.display(), .problems.len(),
        .problems.first().map(ToString::to_string).unwrap_or_default(), .folder.display()
    )]
    BackupInvalid {
        /// The backup folder.
        folder: PathBuf,
        /// Every problem found.
        problems: Vec<BackupProblem>,
    },
    /// The signing key file cannot be used.
    #[error(
        "the backup signing key {} is unreadable: {detail}; restore it from where you keep it \
         safe, or move it away to start a new key",
        .path.display()
    )]
    SigningKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A bad argument.
    #[error("{0}")]
    Invalid(String),
    /// The restored archive could not be opened or verified.
    #[error("the restored archive cannot be checked: {0}")]
    Archive(#[from] CoreError),
}

impl From<crate::signing_key::SigningKeyError> for BackupError {
    fn from(error: crate::signing_key::SigningKeyError) -> Self {
        use crate::signing_key::SigningKeyError as E;
        match error {
            E::Io {
                action,
                path,
                source,
            } => Self::Io {
                action,
                path,
                source,
            },
            E::Unusable { path, detail } => Self::SigningKey { path, detail },
        }
    }
}

impl BackupError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn db(action: &'static str, path: &Path, source: sqlx::Error) -> Self {
        Self::Database {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A blocking task that panicked or was cancelled.
    pub(crate) fn task(error: tokio::task::JoinError) -> Self {
        Self::Io {
            action: "finish background file work",
            path: PathBuf::new(),
            source: std::io::Error::other(error),
        }
    }
}
