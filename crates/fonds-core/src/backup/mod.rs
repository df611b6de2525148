//! Backups of the embedded deployment: a consistent snapshot of `fonds.sqlite` and the stored
//! files it references, signed, kept in a destination that many backups share.
//!
//! Layout of a destination root:
//!
//! ```text
//! <dest>/objects/ab/cd/<sha256>         every file, once, shared by all backups (content-addressed)
//! <dest>/20261204T120000Z/fonds.sqlite  the database snapshot (SQLite `VACUUM INTO`)
//! <dest>/20261204T120000Z/manifest.json what the backup holds, with its Ed25519 signature
//! <dest>/20261204T120000Z/manifest.pub  the public key the signature verifies with
//! ```
//!
//! A backup folder appears under its final name only once it is complete; until then it is
//! built under `.partial-<name>`.
//!
//! LIMITATION: backups are not encrypted yet; whoever can read the destination can read the
//! archive. Keep the destination on storage only operators can reach.

mod copy;
mod error;
mod layout;
mod manifest;
mod problem;
mod restore;
mod retention;
mod schedule;
mod snapshot;
mod take;
mod verify;

pub use error::BackupError;
pub use manifest::{AuditHead, BlobEntry, MANIFEST_FORMAT, Manifest, SnapshotEntry};
pub use problem::BackupProblem;
pub use restore::{RestoreReport, restore};
pub use retention::Pruned;
pub use schedule::{newest_backup_at, spawn_schedule};
pub use take::{BackupReport, backup};
pub use verify::{BackupVerification, verify_backup};

/// The file in the data directory that holds the key backups are signed with.
pub const SIGNING_KEY_FILE: &str = "backup-signing.key";
