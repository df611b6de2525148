//! The two authenticated ciphers a file can be sealed with.

use aes_gcm::aead::consts::U12;
use aes_gcm::{AeadInOut as _, Aes256Gcm, AesGcm, Key, KeyInit as _, Nonce, Tag};
use sm3::Digest as _;

use super::CryptError;

/// SM4 in Galois/Counter Mode (GB/T 32907 block cipher, GCM as in RFC 8998).
// LIMITATION: the sm4 crate is a portable software implementation, about 70 MB/s per core on the
// test machine against several GB/s for AES-GCM with AES-NI; with `encryption = "sm4-gcm"` reading
// cached files costs about 75 % and ingest about 40 % (`fonds bench at-rest`), over the 15 % that
// AES-256-GCM, the default, stays under.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The length of every authentication tag.
pub const TAG_LEN: usize = 16;

/// An authenticated cipher for stored files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cipher {
    /// AES-256 in GCM: the default.
    Aes256Gcm,
    /// SM4 in GCM, for the national commercial cryptography standards (国密).
    Sm4Gcm,
}

impl Cipher {
    /// The name used in configuration.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Aes256Gcm => "aes-256-gcm",
            Self::Sm4Gcm => "sm4-gcm",
        }
    }

    /// The cipher configured by `name`.
    ///
    /// # Errors
    /// When the name is neither `aes-256-gcm` nor `sm4-gcm`.
    pub fn from_name(name: &str) -> Result<Self, CryptError> {
        match name {
            "aes-256-gcm" => Ok(Self::Aes256Gcm),
            "sm4-gcm" => Ok(Self::Sm4Gcm),
            other => Err(CryptError::UnknownCipher(other.to_owned())),
        }
    }

    pub(super) fn code(self) -> u8 {
        match self {
            Self::Aes256Gcm => 1,
            Self::Sm4Gcm => 2,
        }
    }

    pub(super) fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Aes256Gcm),
            2 => Some(Self::Sm4Gcm),
            _ => None,
        }
    }

    /// A keyed instance. AES-256 takes all 32 bytes of `key`; SM4's 128-bit key is derived from
    /// them with SM3, so one key format serves both.
    pub(super) fn keyed(self, key: &[u8; 32]) -> Keyed {
        match self {
            Self::Aes256Gcm => Keyed::Aes(Box::new(Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key)))),
            Self::Sm4Gcm => {
                let digest = sm3::Sm3::new()
                    .chain_update(b"fonds sm4-gcm key")
                    .chain_update(key)
                    .finalize();
                let mut sm4_key = [0u8; 16];
                sm4_key.copy_from_slice(&digest[..16]);
                Keyed::Sm4(Box::new(Sm4Gcm::new(&Key::<Sm4Gcm>::from(sm4_key))))
            }
        }
    }
}

impl std::fmt::Display for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A cipher with its key set.
pub(super) enum Keyed {
    Aes(Box<Aes256Gcm>),
    Sm4(Box<Sm4Gcm>),
}

impl Keyed {
    /// Encrypts `buffer` in place and returns its tag.
    pub(super) fn seal(
        &self,
        nonce: [u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptError> {
        let nonce = Nonce::<U12>::from(nonce);
        // GCM refuses only inputs beyond 64 GiB; chunks and keys are far below that.
        let tag = match self {
            Self::Aes(c) => c.encrypt_inout_detached(&nonce, aad, buffer.into()),
            Self::Sm4(c) => c.encrypt_inout_detached(&nonce, aad, buffer.into()),
        };
        tag.map(Into::into).map_err(|_| CryptError::SealFailed)
    }

    /// Decrypts `buffer` in place when `tag` authenticates it (and `aad`).
    pub(super) fn open(
        &self,
        nonce: [u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), aes_gcm::Error> {
        let nonce = Nonce::<U12>::from(nonce);
        let tag = Tag::from(*tag);
        match self {
            Self::Aes(c) => c.decrypt_inout_detached(&nonce, aad, buffer.into(), &tag),
            Self::Sm4(c) => c.decrypt_inout_detached(&nonce, aad, buffer.into(), &tag),
        }
    }
}

impl std::fmt::Debug for Keyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Aes(_) => "Keyed(aes-256-gcm)",
            Self::Sm4(_) => "Keyed(sm4-gcm)",
        })
    }
}
