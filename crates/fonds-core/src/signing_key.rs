//! Ed25519 signing keys kept in the data directory: the key backups are signed with and the key
//! audit exports are signed with. Each is a file of 64 hex characters (the 32-byte secret),
//! created on first use owner-only (0600, in a directory the owner alone can enter when Fonds
//! creates it), and refused when others than its owner can read it.
//!
//! Public keys travel as 64 hex characters too (`manifest.pub`, `fonds audit public-key`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// A signing key file that cannot be read, created or used.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// A file operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "read signing key".
        action: &'static str,
        /// The key file or its directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file holds no usable key, or others than its owner can read it.
    #[error("the signing key {} cannot be used: {detail}", path.display())]
    Unusable {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
}

impl SigningKeyError {
    fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    fn unusable(path: &Path, detail: impl Into<String>) -> Self {
        Self::Unusable {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
}

/// Loads the signing key at `path`, creating it (and its directory) when it does not exist.
/// `purpose` names the key in the log line written when it is created.
///
/// # Errors
/// When the file cannot be read or created, is readable by others, or holds no key.
pub fn load_or_create(path: &Path, purpose: &str) -> Result<SigningKey, SigningKeyError> {
    match std::fs::metadata(path) {
        Ok(metadata) => {
            refuse_shared(path, &metadata)?;
            let text = std::fs::read_to_string(path)
                .map_err(|e| SigningKeyError::io("read signing key", path, e))?;
            parse(path, &text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path, purpose),
        Err(e) => Err(SigningKeyError::io("read signing key", path, e)),
    }
}

#[cfg(unix)]
fn refuse_shared(path: &Path, metadata: &std::fs::Metadata) -> Result<(), SigningKeyError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SigningKeyError::unusable(
            path,
            format!(
                "others than its owner can read it (mode {mode:o}); run `chmod 600 {}`, and \
                 consider the key exposed",
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_shared(_: &Path, _: &std::fs::Metadata) -> Result<(), SigningKeyError> {
    Ok(())
}

fn parse(path: &Path, text: &str) -> Result<SigningKey, SigningKeyError> {
    let bytes = hex::decode(text.trim())
        .map_err(|e| SigningKeyError::unusable(path, format!("not hex: {e}")))?;
    let secret: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
        SigningKeyError::unusable(path, format!("{} bytes instead of 32", b.len()))
    })?;
    Ok(SigningKey::from_bytes(&secret))
}

fn create(path: &Path, purpose: &str) -> Result<SigningKey, SigningKeyError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| SigningKeyError::unusable(path, format!("no randomness to create it: {e}")))?;
    let key = SigningKey::from_bytes(&secret);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = dir
        && !dir.is_dir()
    {
        create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| SigningKeyError::io("create signing key", path, e))?;
    writeln!(file, "{}", hex::encode(secret))
        .and_then(|()| file.sync_all())
        .map_err(|e| SigningKeyError::io("write signing key", path, e))?;
    secret.fill(0);
    if let Some(dir) = dir {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| SigningKeyError::io("fsync key directory", dir, e))?;
    }
    tracing::info!(key = %path.display(), purpose, "created a signing key");
    Ok(key)
}

/// Creates a missing key directory (and its missing parents) that only its owner can enter.
fn create_private_dir(dir: &Path) -> Result<(), SigningKeyError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| SigningKeyError::io("create key directory", dir, e))
}

/// A public key as 64 hex characters.
#[must_use]
pub fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_bytes())
}

/// Reads a public key written by [`public_hex`].
///
/// # Errors
/// When the text is not 64 hex characters of an Ed25519 public key.
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
        let path = dir.path().join("keys").join("audit-signing.key");
        let created = load_or_create(&path, "test").expect("create");
        let loaded = load_or_create(&path, "test").expect("load");
        assert_eq!(created.to_bytes(), loaded.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.path().join("keys")), 0o700);
        }
        let public = public_hex(&created.verifying_key());
        assert_eq!(
            parse_public(&public).expect("parse"),
            created.verifying_key()
        );
    }

    #[test]
    fn a_key_others_can_read_or_that_is_not_a_key_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("signing.key");
        load_or_create(&path, "test").expect("create");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let refused = load_or_create(&path, "test").expect_err("shared key");
            assert!(refused.to_string().contains("chmod 600"), "{refused}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        std::fs::write(&path, "zz").expect("write");
        assert!(matches!(
            load_or_create(&path, "test"),
            Err(SigningKeyError::Unusable { .. })
        ));
    }
}
