//! Encryption at rest as the archive runs it: which master keys open stored files, which
//! cipher seals new ones, where the keys come from, and rotating them.
//!
//! The current master key comes from `FONDS_MASTER_KEY` (64 hex digits) or the key file
//! (`<data>/keys/master.key` unless configured); keys retired by a rotation stay readable from
//! `retired/` beside the key file, so that files and backups wrapped before it still open.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fonds_store::LocalBlobStore;
pub use fonds_store::{Cipher, KeyProvider, Keyring, MasterKey, RewrapCounts};

use crate::error::{CoreError, ErrorCode};

/// The environment variable that may hold the current master key instead of the key file.
pub const MASTER_KEY_ENV: &str = "FONDS_MASTER_KEY";

/// The key file's default place in a data directory.
#[must_use]
pub fn default_key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("master.key")
}

/// What the archive opens and seals stored files with.
#[derive(Debug, Clone, Default)]
pub struct AtRest {
    /// The master keys; `None` when no key is configured (sealed files then cannot be read).
    pub keys: Option<Arc<dyn KeyProvider>>,
    /// The cipher new files are sealed with; `None` stores them in the clear.
    pub seal_with: Option<Cipher>,
}

/// Where the master keys are.
#[derive(Debug, Clone)]
pub struct KeySource {
    /// The key file.
    pub key_file: PathBuf,
    /// The key from [`MASTER_KEY_ENV`], when set; it takes precedence over the file.
    pub env_key: Option<String>,
}

impl KeySource {
    /// The configured key file (or the default one), and the environment's key.
    #[must_use]
    pub fn new(data_dir: &Path, key_file: Option<&Path>) -> Self {
        Self {
            key_file: key_file.map_or_else(|| default_key_file(data_dir), Path::to_path_buf),
            env_key: std::env::var(MASTER_KEY_ENV)
                .ok()
                .filter(|k| !k.trim().is_empty()),
        }
    }

    fn retired_dir(&self) -> PathBuf {
        self.key_file
            .parent()
            .unwrap_or(Path::new("."))
            .join("retired")
    }

    fn next_file(&self) -> PathBuf {
        let mut name = self.key_file.as_os_str().to_owned();
        name.push(".next");
        PathBuf::from(name)
    }

    /// The keys retired by earlier rotations.
    fn retired(&self) -> Result<Vec<MasterKey>, CoreError> {
        let dir = self.retired_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(CoreError::new(
                    ErrorCode::Internal,
                    format!("cannot read the retired keys in {}: {e}", dir.display()),
                ));
            }
        };
        let mut keys = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "key") {
                keys.push(MasterKey::load(&path).map_err(key_error)?);
            }
        }
        Ok(keys)
    }

    /// The current key, when one is configured.
    fn current(&self) -> Result<Option<MasterKey>, CoreError> {
        if let Some(text) = &self.env_key {
            return MasterKey::from_hex(text, MASTER_KEY_ENV)
                .map(Some)
                .map_err(key_error);
        }
        if self.key_file.exists() {
            return MasterKey::load(&self.key_file).map(Some).map_err(key_error);
        }
        Ok(None)
    }

    /// The keyring: the current key and the retired ones; `None` without a current key.
    ///
    /// # Errors
    /// When a key file is unreadable, readable by others, or malformed.
    pub fn keyring(&self) -> Result<Option<Keyring>, CoreError> {
        let Some(current) = self.current()? else {
            return Ok(None);
        };
        // A retired key that cannot be read is an error, not a key quietly left out: files
        // wrapped by it would fail later with a less helpful message.
        Ok(Some(Keyring::new(current, self.retired()?)))
    }
}

fn key_error(error: fonds_store::CryptError) -> CoreError {
    CoreError::new(ErrorCode::Internal, error.to_string())
}

/// Loads the keys for an archive in `data_dir` sealing new files with `seal_with`. A fresh
/// data directory (no database yet) that is to seal gets a new master key file; an existing
/// archive without its key is refused, since generating a new key could not open what the old
/// one sealed.
///
/// # Errors
/// When keys cannot be read or written, or an existing archive's key is missing.
pub fn prepare(
    data_dir: &Path,
    seal_with: Option<Cipher>,
    source: &KeySource,
) -> Result<AtRest, CoreError> {
    if let Some(keyring) = source.keyring()? {
        return Ok(AtRest {
            keys: Some(Arc::new(keyring)),
            seal_with,
        });
    }
    let Some(cipher) = seal_with else {
        return Ok(AtRest::default());
    };
    if data_dir.join("fonds.sqlite").exists() {
        return Err(CoreError::new(
            ErrorCode::Internal,
            format!(
                "encryption at rest is on ({cipher}) but the master key is missing: neither {} \
                 nor {MASTER_KEY_ENV} holds it. Put the key back (from where you keep its copy); \
                 files sealed under it cannot be read without it. To run without encryption, set \
                 encryption = \"off\".",
                source.key_file.display()
            ),
        ));
    }
    let key = MasterKey::generate().map_err(key_error)?;
    key.save_new(&source.key_file).map_err(key_error)?;
    tracing::warn!(
        key_file = %source.key_file.display(),
        key_id = %key.id(),
        "generated the master key for encryption at rest: copy it somewhere apart from this \
         machine and its backups now; without it no stored file can ever be read again"
    );
    Ok(AtRest {
        keys: Some(Arc::new(Keyring::new(key, Vec::new()))),
        seal_with: Some(cipher),
    })
}

/// What a rotation did.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// The key files were wrapped by before.
    pub old_key: String,
    /// The key every file is wrapped by now.
    pub new_key: String,
    /// Where the old key was kept for reading older backups.
    pub retired_to: PathBuf,
    /// Files rewrapped, already current, or in the clear.
    pub counts: RewrapCounts,
}

/// Rotates the master key of the archive in `data_dir`: a new key (or the one an interrupted
/// rotation left in `<key file>.next`) rewraps every sealed file's data key, then becomes the
/// key file, and the old key moves to `retired/`. Run with the server stopped.
///
/// # Errors
/// When there is no current key, the key comes from [`MASTER_KEY_ENV`] (a rotation writes
/// files), or a file cannot be rewrapped (rerun to resume).
// LIMITATION: rotation is offline: a server running meanwhile keeps sealing with the old key
// (rerun the rotation after it stops) and cannot open files rewrapped under the new key until
// it restarts. Nothing enforces that the server is stopped.
pub fn rotate(data_dir: &Path, source: &KeySource) -> Result<Rotation, CoreError> {
    if source.env_key.is_some() {
        return Err(CoreError::new(
            ErrorCode::RequestInvalid,
            format!(
                "the master key comes from {MASTER_KEY_ENV}, and a rotation writes key files: \
                 write the key into a file (mode 600), point master_key_file at it, unset \
                 {MASTER_KEY_ENV} and rotate again"
            ),
        ));
    }
    let old = source.current()?.ok_or_else(|| {
        CoreError::new(
            ErrorCode::RequestInvalid,
            format!(
                "there is no master key at {} to rotate from",
                source.key_file.display()
            ),
        )
    })?;
    let next_file = source.next_file();
    let next = if next_file.exists() {
        MasterKey::load(&next_file).map_err(key_error)?
    } else {
        let key = MasterKey::generate().map_err(key_error)?;
        key.save_new(&next_file).map_err(key_error)?;
        key
    };
    let (old_id, new_id) = (old.id(), next.id());
    // The old key is kept for older backups before anything is rewrapped; it stays current
    // until the swap below, so a crash anywhere leaves a readable archive.
    let retired_to = source.retired_dir().join(format!("{old_id}.key"));
    if !retired_to.exists() {
        old.save_new(&retired_to).map_err(key_error)?;
    }
    let mut earlier = source.retired()?;
    if !earlier.iter().any(|key| key.id() == old_id) {
        earlier.push(old);
    }
    let keyring = Keyring::new(next, earlier);
    let store = LocalBlobStore::open_with(&data_dir.join("blobs"), None, None)
        .map_err(|e| CoreError::new(ErrorCode::Internal, e.to_string()))?;
    let counts = store.rewrap_all(&keyring, |_, _| {}).map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("{e}; nothing after this file was touched: fix it and run the rotation again to resume"),
        )
    })?;

    // Make the new key current. A crash before this leaves `.next` in place, and running again
    // resumes the rotation and completes the swap.
    std::fs::rename(&next_file, &source.key_file).map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!(
                "cannot move {} to {}: {e}",
                next_file.display(),
                source.key_file.display()
            ),
        )
    })?;
    tracing::info!(old = %old_id, new = %new_id, rewrapped = counts.rewrapped, "master key rotated");
    Ok(Rotation {
        old_key: old_id.to_string(),
        new_key: new_id.to_string(),
        retired_to,
        counts,
    })
}
