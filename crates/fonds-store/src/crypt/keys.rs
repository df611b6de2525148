//! Master keys and data keys. A master key never touches file content: it only wraps the
//! per-file data keys. [`KeyProvider`] is the seam for an external key management service.

use std::fmt;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

use sha2::Digest as _;

use super::CryptError;
use super::cipher::{Cipher, TAG_LEN};

/// The first 8 bytes of a master key's fingerprint: names the key without revealing it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// 32 secret bytes, wiped from memory when dropped.
struct Secret([u8; 32]);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// A master key: 32 random bytes, kept in a file (hex) or an environment variable.
pub struct MasterKey {
    id: KeyId,
    secret: Secret,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// A new random key.
    ///
    /// # Errors
    /// When the system random number generator fails.
    pub fn generate() -> Result<Self, CryptError> {
        Ok(Self::from_bytes(random()?))
    }

    /// The key with these bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let fingerprint = sha2::Sha256::new()
            .chain_update(b"fonds master key id")
            .chain_update(bytes)
            .finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&fingerprint[..8]);
        Self {
            id: KeyId(id),
            secret: Secret(bytes),
        }
    }

    /// The key written as 64 hex digits (surrounding whitespace ignored); `source_name` says
    /// where it came from, for the error.
    ///
    /// # Errors
    /// When the text is not 64 hex digits.
    pub fn from_hex(text: &str, source_name: &str) -> Result<Self, CryptError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| CryptError::BadMasterKey {
            source_name: source_name.to_owned(),
            detail:
                "is not 64 hexadecimal digits (32 bytes); generate one with `fonds keys generate`"
                    .into(),
        })?;
        Ok(Self::from_bytes(bytes))
    }

    /// Reads a key file, refusing one that others than its owner can read.
    ///
    /// # Errors
    /// When the file cannot be read, is readable by group or others, or is not a key.
    pub fn load(path: &Path) -> Result<Self, CryptError> {
        let name = path.display().to_string();
        let metadata =
            std::fs::metadata(path).map_err(|e| CryptError::io("read master key", path, e))?;
        if metadata.permissions().mode() & 0o077 != 0 {
            return Err(CryptError::BadMasterKey {
                source_name: name,
                detail: format!(
                    "is readable by others (mode {:o}); run `chmod 600 {}`",
                    metadata.permissions().mode() & 0o777,
                    path.display()
                ),
            });
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| CryptError::io("read master key", path, e))?;
        Self::from_hex(&text, &name)
    }

    /// Writes the key to a new file, owner-only (0600), durably. Refuses to overwrite.
    ///
    /// # Errors
    /// When the file exists or cannot be written.
    pub fn save_new(&self, path: &Path) -> Result<(), CryptError> {
        if let Some(dir) = path.parent() {
            // Missing directories (the data directory too, when the key comes first) are made
            // owner-only; an existing key directory is made so.
            std::os::unix::fs::DirBuilderExt::mode(
                std::fs::DirBuilder::new().recursive(true),
                0o700,
            )
            .create(dir)
            .map_err(|e| CryptError::io("create key directory", dir, e))?;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| CryptError::io("create master key file", path, e))?;
        file.write_all(format!("{}\n", hex::encode(self.secret.0)).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| CryptError::io("write master key file", path, e))?;
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| CryptError::io("fsync key directory", dir, e))?;
        }
        Ok(())
    }

    /// The key's id.
    #[must_use]
    pub fn id(&self) -> KeyId {
        self.id
    }

    fn wrap(
        &self,
        cipher: Cipher,
        data_key: &DataKey,
        aad: &[u8],
    ) -> Result<WrappedKey, CryptError> {
        let nonce: [u8; 12] = random()?;
        let mut sealed = [0u8; 32 + TAG_LEN];
        sealed[..32].copy_from_slice(&data_key.secret.0);
        let tag = cipher
            .keyed(&self.secret.0)
            .seal(nonce, aad, &mut sealed[..32])?;
        sealed[32..].copy_from_slice(&tag);
        Ok(WrappedKey {
            key_id: self.id,
            nonce,
            sealed,
        })
    }

    fn unwrap(
        &self,
        cipher: Cipher,
        wrapped: &WrappedKey,
        aad: &[u8],
    ) -> Result<DataKey, CryptError> {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&wrapped.sealed[..32]);
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&wrapped.sealed[32..]);
        cipher
            .keyed(&self.secret.0)
            .open(wrapped.nonce, aad, &mut bytes, &tag)
            .map_err(|_| CryptError::KeySlotInauthentic(self.id))?;
        Ok(DataKey {
            secret: Secret(bytes),
        })
    }
}

/// The key that seals one file's content.
pub struct DataKey {
    secret: Secret,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A new random data key.
    ///
    /// # Errors
    /// When the system random number generator fails.
    pub fn generate() -> Result<Self, CryptError> {
        Ok(Self {
            secret: Secret(random()?),
        })
    }

    pub(super) fn bytes(&self) -> &[u8; 32] {
        &self.secret.0
    }
}

/// A data key wrapped by a master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The master key that wrapped it.
    pub key_id: KeyId,
    /// The wrap's nonce.
    pub nonce: [u8; 12],
    /// The sealed data key and its tag.
    pub sealed: [u8; 32 + TAG_LEN],
}

/// Who holds the master keys: the local [`Keyring`], or an external key management service
/// behind the same calls. Calls block; the store makes them from blocking threads.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The key new wraps are made with.
    fn current(&self) -> KeyId;

    /// Wraps `data_key` with the current master key.
    ///
    /// # Errors
    /// When the provider cannot wrap (an unreachable service, a failing random source).
    fn wrap(
        &self,
        cipher: Cipher,
        data_key: &DataKey,
        aad: &[u8],
    ) -> Result<WrappedKey, CryptError>;

    /// Unwraps a data key wrapped by any master key the provider knows.
    ///
    /// # Errors
    /// [`CryptError::KeyNotLoaded`] for an unknown master key, [`CryptError::KeySlotInauthentic`]
    /// when the wrap does not authenticate.
    fn unwrap(
        &self,
        cipher: Cipher,
        wrapped: &WrappedKey,
        aad: &[u8],
    ) -> Result<DataKey, CryptError>;
}

/// Master keys held in this process: the current one, and earlier ones kept for reading files
/// (and backups) wrapped before a rotation.
#[derive(Debug)]
pub struct Keyring {
    current: MasterKey,
    earlier: Vec<MasterKey>,
}

impl Keyring {
    /// A keyring wrapping with `current` and unwrapping with it or any of `earlier`.
    #[must_use]
    pub fn new(current: MasterKey, earlier: Vec<MasterKey>) -> Self {
        Self { current, earlier }
    }

    /// Whether a key with this id is loaded.
    #[must_use]
    pub fn knows(&self, id: KeyId) -> bool {
        self.find(id).is_some()
    }

    fn find(&self, id: KeyId) -> Option<&MasterKey> {
        std::iter::once(&self.current)
            .chain(&self.earlier)
            .find(|key| key.id == id)
    }
}

impl KeyProvider for Keyring {
    fn current(&self) -> KeyId {
        self.current.id
    }

    fn wrap(
        &self,
        cipher: Cipher,
        data_key: &DataKey,
        aad: &[u8],
    ) -> Result<WrappedKey, CryptError> {
        self.current.wrap(cipher, data_key, aad)
    }

    fn unwrap(
        &self,
        cipher: Cipher,
        wrapped: &WrappedKey,
        aad: &[u8],
    ) -> Result<DataKey, CryptError> {
        self.find(wrapped.key_id)
            .ok_or(CryptError::KeyNotLoaded(wrapped.key_id))?
            .unwrap(cipher, wrapped, aad)
    }
}

pub(super) fn random<const N: usize>() -> Result<[u8; N], CryptError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| CryptError::Random(e.to_string()))?;
    Ok(bytes)
}
