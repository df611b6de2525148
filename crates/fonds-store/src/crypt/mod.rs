//! Encryption at rest: envelope encryption of every stored file.
//!
//! Each file gets its own random data key. Its content is sealed in chunks of 64 KiB with
//! AES-256-GCM (the default) or SM4-GCM, and the data key, wrapped by the master key, sits in the
//! file's header. Rotating the master key rewrites the header only ([`rewrap_file`]); the
//! content is never decrypted for it. Fixity digests stay over the plaintext.
//!
//! A stored file that does not begin with [`MAGIC`] is plaintext, as files stored before
//! encryption was turned on are. Layout of an enveloped file:
//!
//! ```text
//! offset  size
//!      0     8  magic "FNDSENC1"
//!      8     1  cipher: 0 none (the plaintext follows the 16-byte preamble), 1 AES-256-GCM, 2 SM4-GCM
//!      9     1  chunk size as a power of two (16: 64 KiB)
//!     10     6  zero
//!     16    72  key slot A
//!     88    72  key slot B
//!    160        chunks, each its ciphertext and a 16-byte tag; every chunk is full but the last
//! ```
//!
//! A key slot is a generation (u32, big-endian; 0 marks an empty slot), the master key's id
//! (8 bytes), the wrap's nonce (12) and the wrapped data key (32 and a 16-byte tag). Two slots
//! let a rotation write the new wrap beside the old one before clearing it, so a crash at any
//! moment leaves one good slot. Chunk `i` is sealed under nonce `0,0,0 ‖ i (u64 BE) ‖ last`,
//! where `last` is 1 on the final chunk only: chunks cannot be reordered, and a file cut at a
//! chunk boundary fails for want of its final chunk. The 16-byte preamble is the associated data
//! of every chunk and of the key wrap, binding the cipher choice.

mod cipher;
mod envelope;
mod error;
mod keys;
mod rotate;
mod stream;
mod value;

use std::sync::Arc;

pub use cipher::Cipher;
pub use envelope::MAGIC;
pub(crate) use envelope::plain_preamble;
pub use error::CryptError;
pub use keys::{DataKey, KeyId, KeyProvider, Keyring, MasterKey, WrappedKey};
pub use rotate::{Rewrap, rewrap_file};
pub use stream::{Sealer, StoredContent, plaintext_len_of};
pub use value::{open_value, seal_value};

/// What new files are sealed with, and the keys that open them.
#[derive(Debug, Clone)]
pub struct Encryption {
    /// The cipher new files are sealed with.
    pub cipher: Cipher,
    /// The master keys: the current one wraps, any known one unwraps.
    pub keys: Arc<dyn KeyProvider>,
}

#[cfg(test)]
mod tests;
