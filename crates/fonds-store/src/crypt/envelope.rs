//! The header of an enveloped file: preamble and two key slots (see the module documentation
//! of [`super`] for the layout).

use super::CryptError;
use super::cipher::{Cipher, TAG_LEN};
use super::keys::{DataKey, KeyId, KeyProvider, WrappedKey};

/// The first bytes of every enveloped file.
pub const MAGIC: &[u8; 8] = b"FNDSENC1";

/// Bytes before the key slots.
pub(super) const PREAMBLE_LEN: usize = 16;
/// Bytes of one key slot.
pub(super) const SLOT_LEN: usize = 4 + 8 + 12 + 32 + TAG_LEN;
/// Bytes before the first chunk.
pub(super) const HEADER_LEN: usize = PREAMBLE_LEN + 2 * SLOT_LEN;
/// Chunk size as a power of two.
pub(super) const CHUNK_LOG2: u8 = 16;
/// Plaintext bytes in a full chunk.
pub(super) const CHUNK_LEN: usize = 1 << CHUNK_LOG2;

/// The cipher code of a file stored in the clear behind a preamble: written only when
/// encryption is off and the content itself begins with [`MAGIC`].
const PLAIN_CODE: u8 = 0;

/// How a stored file is kept, read from its first bytes.
#[derive(Debug)]
pub(super) enum Preamble {
    /// No preamble: the whole file is the plaintext.
    Bare,
    /// A preamble marking plaintext that follows it.
    Plain,
    /// Sealed with this cipher, in chunks of this size.
    Sealed(Cipher),
}

/// The preamble of a sealed file.
pub(super) fn sealed_preamble(cipher: Cipher) -> [u8; PREAMBLE_LEN] {
    let mut preamble = [0u8; PREAMBLE_LEN];
    preamble[..8].copy_from_slice(MAGIC);
    preamble[8] = cipher.code();
    preamble[9] = CHUNK_LOG2;
    preamble
}

/// The preamble of a plaintext file whose content begins with [`MAGIC`].
pub(crate) fn plain_preamble() -> [u8; PREAMBLE_LEN] {
    let mut preamble = [0u8; PREAMBLE_LEN];
    preamble[..8].copy_from_slice(MAGIC);
    preamble[8] = PLAIN_CODE;
    preamble
}

/// Reads the preamble from a file's first bytes (`head` holds up to [`PREAMBLE_LEN`] of them).
pub(super) fn read_preamble(head: &[u8]) -> Result<Preamble, CryptError> {
    if head.len() < PREAMBLE_LEN || &head[..8] != MAGIC {
        return Ok(Preamble::Bare);
    }
    if head[10..PREAMBLE_LEN].iter().any(|b| *b != 0) {
        return Err(CryptError::BadHeader("reserved bytes are set".into()));
    }
    if head[8] == PLAIN_CODE {
        return Ok(Preamble::Plain);
    }
    let cipher = Cipher::from_code(head[8])
        .ok_or_else(|| CryptError::BadHeader(format!("unknown cipher code {}", head[8])))?;
    if head[9] != CHUNK_LOG2 {
        return Err(CryptError::BadHeader(format!(
            "unsupported chunk size 2^{}",
            head[9]
        )));
    }
    Ok(Preamble::Sealed(cipher))
}

/// One key slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Slot {
    /// Higher is newer; 0 never appears in a filled slot.
    pub generation: u32,
    pub wrapped: WrappedKey,
}

/// What the associated data of a key wrap is: the preamble, the slot's generation and the
/// master key's id.
fn wrap_aad(preamble: &[u8; PREAMBLE_LEN], generation: u32, key_id: KeyId) -> Vec<u8> {
    let mut aad = Vec::with_capacity(PREAMBLE_LEN + 12);
    aad.extend_from_slice(preamble);
    aad.extend_from_slice(&generation.to_be_bytes());
    aad.extend_from_slice(&key_id.0);
    aad
}

impl Slot {
    /// Wraps `data_key` for the slot of this generation with the provider's current key.
    pub(super) fn wrap(
        keys: &dyn KeyProvider,
        cipher: Cipher,
        preamble: &[u8; PREAMBLE_LEN],
        generation: u32,
        data_key: &DataKey,
    ) -> Result<Self, CryptError> {
        let aad = wrap_aad(preamble, generation, keys.current());
        let wrapped = keys.wrap(cipher, data_key, &aad)?;
        Ok(Self {
            generation,
            wrapped,
        })
    }

    pub(super) fn unwrap(
        &self,
        keys: &dyn KeyProvider,
        cipher: Cipher,
        preamble: &[u8; PREAMBLE_LEN],
    ) -> Result<DataKey, CryptError> {
        let aad = wrap_aad(preamble, self.generation, self.wrapped.key_id);
        keys.unwrap(cipher, &self.wrapped, &aad)
    }

    pub(super) fn encode(slot: Option<&Self>) -> [u8; SLOT_LEN] {
        let mut bytes = [0u8; SLOT_LEN];
        if let Some(slot) = slot {
            bytes[..4].copy_from_slice(&slot.generation.to_be_bytes());
            bytes[4..12].copy_from_slice(&slot.wrapped.key_id.0);
            bytes[12..24].copy_from_slice(&slot.wrapped.nonce);
            bytes[24..].copy_from_slice(&slot.wrapped.sealed);
        }
        bytes
    }

    pub(super) fn decode(bytes: &[u8]) -> Option<Self> {
        let generation = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
        if generation == 0 {
            return None;
        }
        Some(Self {
            generation,
            wrapped: WrappedKey {
                key_id: KeyId(bytes.get(4..12)?.try_into().ok()?),
                nonce: bytes.get(12..24)?.try_into().ok()?,
                sealed: bytes.get(24..SLOT_LEN)?.try_into().ok()?,
            },
        })
    }
}

/// The full header of a sealed file.
#[derive(Debug)]
pub(super) struct Header {
    pub preamble: [u8; PREAMBLE_LEN],
    pub cipher: Cipher,
    pub slots: [Option<Slot>; 2],
}

impl Header {
    /// Parses a sealed file's first [`HEADER_LEN`] bytes.
    pub(super) fn parse(bytes: &[u8; HEADER_LEN]) -> Result<Self, CryptError> {
        let Preamble::Sealed(cipher) = read_preamble(bytes)? else {
            return Err(CryptError::BadHeader("not a sealed file".into()));
        };
        let mut preamble = [0u8; PREAMBLE_LEN];
        preamble.copy_from_slice(&bytes[..PREAMBLE_LEN]);
        let slot_a = Slot::decode(&bytes[PREAMBLE_LEN..PREAMBLE_LEN + SLOT_LEN]);
        let slot_b = Slot::decode(&bytes[PREAMBLE_LEN + SLOT_LEN..]);
        Ok(Self {
            preamble,
            cipher,
            slots: [slot_a, slot_b],
        })
    }

    pub(super) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        bytes[..PREAMBLE_LEN].copy_from_slice(&self.preamble);
        bytes[PREAMBLE_LEN..PREAMBLE_LEN + SLOT_LEN]
            .copy_from_slice(&Slot::encode(self.slots[0].as_ref()));
        bytes[PREAMBLE_LEN + SLOT_LEN..].copy_from_slice(&Slot::encode(self.slots[1].as_ref()));
        bytes
    }

    /// The filled slots, newest first, with their positions.
    pub(super) fn newest_first(&self) -> Vec<(usize, &Slot)> {
        let mut filled: Vec<(usize, &Slot)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .collect();
        filled.sort_by_key(|(_, slot)| std::cmp::Reverse(slot.generation));
        filled
    }

    /// The data key from the newest slot that unwraps. A slot whose master key is not loaded is
    /// passed over for an older one that is; when none unwraps, the newest slot's error.
    pub(super) fn data_key(&self, keys: &dyn KeyProvider) -> Result<DataKey, CryptError> {
        let mut first_error = None;
        for (_, slot) in self.newest_first() {
            match slot.unwrap(keys, self.cipher, &self.preamble) {
                Ok(key) => return Ok(key),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| CryptError::BadHeader("both key slots are empty".into())))
    }
}

/// The nonce of chunk `index`.
pub(super) fn chunk_nonce(index: u64, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[3..11].copy_from_slice(&index.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// The plaintext size of a sealed file of `stored_len` bytes, or why that length is impossible.
pub(super) fn plaintext_len(stored_len: u64) -> Result<u64, CryptError> {
    let body = stored_len
        .checked_sub(HEADER_LEN as u64)
        .filter(|b| *b >= TAG_LEN as u64)
        .ok_or(CryptError::Truncated)?;
    let sealed_chunk = (CHUNK_LEN + TAG_LEN) as u64;
    let chunks = body.div_ceil(sealed_chunk);
    let last = body - (chunks - 1) * sealed_chunk;
    if last < TAG_LEN as u64 {
        return Err(CryptError::Truncated);
    }
    Ok(body - chunks * TAG_LEN as u64)
}
