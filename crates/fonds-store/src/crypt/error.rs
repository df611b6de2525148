//! What can go wrong sealing and opening stored files.

use std::io;

use super::KeyId;

/// A failure of encryption at rest.
#[derive(Debug, thiserror::Error)]
pub enum CryptError {
    /// A cipher name that is not supported.
    #[error("unknown cipher {0:?}: use aes-256-gcm or sm4-gcm")]
    UnknownCipher(String),
    /// The file's data key is wrapped by a master key that is not loaded.
    #[error(
        "the file is encrypted under master key {0}, which is not loaded: configure that key \
         (master_key_file or FONDS_MASTER_KEY), or keep it in the keys/retired directory after a rotation"
    )]
    KeyNotLoaded(KeyId),
    /// The file is encrypted and no master key is configured at all.
    #[error(
        "the file is encrypted and no master key is configured: set master_key_file or FONDS_MASTER_KEY"
    )]
    NoKeys,
    /// A master key that cannot be used.
    #[error("master key {source_name}: {detail}")]
    BadMasterKey {
        /// Where it came from (a path or an environment variable).
        source_name: String,
        /// What is wrong, and what to do.
        detail: String,
    },
    /// The header is not one this version writes.
    #[error("the file's encryption header is damaged or of an unknown version: {0}")]
    BadHeader(String),
    /// No key slot of the header unwraps with a loaded key: a damaged or altered header.
    #[error(
        "no key slot of the file's header authenticates under master key {0}: the header was damaged or altered"
    )]
    KeySlotInauthentic(KeyId),
    /// A chunk failed authentication: the content was damaged or altered.
    #[error("chunk {chunk} of the file does not authenticate: its content was damaged or altered")]
    ChunkInauthentic {
        /// The chunk's index.
        chunk: u64,
    },
    /// The file ends before its final chunk.
    #[error("the file is truncated: its final chunk is missing")]
    Truncated,
    /// The cipher refused to seal (input beyond its limits).
    #[error("the cipher refused to seal the content")]
    SealFailed,
    /// The random number generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
    /// The disk failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl CryptError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// Whether the failure says the stored bytes are not what was sealed (damage or tampering),
    /// as opposed to a missing key or a failing disk.
    #[must_use]
    pub fn is_content_damage(&self) -> bool {
        matches!(
            self,
            Self::BadHeader(_)
                | Self::KeySlotInauthentic(_)
                | Self::ChunkInauthentic { .. }
                | Self::Truncated
        )
    }
}
