//! The key backups are signed with: an Ed25519 key kept in the data directory, created on the
//! first backup with owner-only permissions, stored as 64 hex characters.

use std::io::Write as _;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};

use super::BackupError;

/// Loads the signing key at `path`, creating it when it does not exist yet.
pub fn load_or_create(path: &Path) -> Result<SigningKey, BackupError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(BackupError::io("read backup signing key", path, e)),
    }
}

fn parse(path: &Path, text: &str) -> Result<SigningKey, BackupError> {
    let bad = |detail: String| BackupError::SigningKey {
        path: path.to_path_buf(),
        detail,
    };
    let bytes = hex::decode(text.trim()).map_err(|e| bad(format!("not hex: {e}")))?;
    let secret: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| bad(format!("{} bytes instead of 32", b.len())))?;
    Ok(SigningKey::from_bytes(&secret))
}

fn create(path: &Path) -> Result<SigningKey, BackupError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| BackupError::SigningKey {
        path: path.to_path_buf(),
        detail: format!("no randomness to create it: {e}"),
    })?;
    let key = SigningKey::from_bytes(&secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| BackupError::io("create backup signing key", path, e))?;
    writeln!(file, "{}", hex::encode(secret))
        .and_then(|()| file.sync_all())
        .map_err(|e| BackupError::io("write backup signing key", path, e))?;
    secret.fill(0);
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        super::copy::fsync_dir(dir)?;
    }
    tracing::info!(key = %path.display(), "created the backup signing key");
    Ok(key)
}

/// A public key as written to `manifest.pub`: 64 hex characters.
pub fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_bytes())
}

/// Reads a public key written by [`public_hex`].
pub fn parse_public(text: &str) -> Result<VerifyingKey, String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("not hex: {e}"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("{} bytes instead of 32", b.len()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_owner_only_and_read_back_the_same() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("backup-signing.key");
        let created = load_or_create(&path).expect("create");
        let loaded = load_or_create(&path).expect("load");
        assert_eq!(created.to_bytes(), loaded.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let public = public_hex(&created.verifying_key());
        assert_eq!(
            parse_public(&public).expect("parse"),
            created.verifying_key()
        );
        std::fs::write(&path, "zz").expect("write");
        assert!(matches!(
            load_or_create(&path),
            Err(BackupError::SigningKey { .. })
        ));
    }
}
