//! Small secrets sealed for a database column (a TOTP key): the same envelope as a stored file,
//! in one piece. A fresh data key, wrapped by the current master key, seals the value with the
//! chosen cipher; `context` (what the value is and whose) is the associated data of both, so a
//! sealed value moved to another row or purpose no longer opens.
//!
//! ```text
//! offset  size
//!      0     4  magic "FSV1"
//!      4     1  cipher: 1 AES-256-GCM, 2 SM4-GCM
//!      5     8  the master key's id
//!     13    12  the wrap's nonce
//!     25    48  the wrapped data key and its tag
//!     73    12  the value's nonce
//!     85     n  the sealed value
//!   85+n    16  its tag
//! ```

use zeroize::Zeroizing;

use super::cipher::{Cipher, TAG_LEN};
use super::keys::random;
use super::{CryptError, DataKey, KeyId, KeyProvider, WrappedKey};

const VALUE_MAGIC: &[u8; 4] = b"FSV1";
const HEADER_LEN: usize = 4 + 1 + 8 + 12 + 32 + TAG_LEN + 12;

/// Seals `value` with a new data key wrapped by the current master key of `keys`.
///
/// # Errors
/// When the random source or the key provider fails.
pub fn seal_value(
    keys: &dyn KeyProvider,
    cipher: Cipher,
    value: &[u8],
    context: &[u8],
) -> Result<Vec<u8>, CryptError> {
    let data_key = DataKey::generate()?;
    let wrapped = keys.wrap(cipher, &data_key, context)?;
    let nonce: [u8; 12] = random()?;
    let mut sealed = Vec::with_capacity(HEADER_LEN + value.len() + TAG_LEN);
    sealed.extend_from_slice(VALUE_MAGIC);
    sealed.push(cipher.code());
    sealed.extend_from_slice(&wrapped.key_id.0);
    sealed.extend_from_slice(&wrapped.nonce);
    sealed.extend_from_slice(&wrapped.sealed);
    sealed.extend_from_slice(&nonce);
    let start = sealed.len();
    sealed.extend_from_slice(value);
    let tag = cipher
        .keyed(data_key.bytes())
        .seal(nonce, context, &mut sealed[start..])?;
    sealed.extend_from_slice(&tag);
    Ok(sealed)
}

/// Opens a value sealed by [`seal_value`] with the same `context`.
///
/// # Errors
/// [`CryptError::BadHeader`] for bytes that are not a sealed value; [`CryptError::KeyNotLoaded`]
/// when its master key is not loaded; [`CryptError::KeySlotInauthentic`] when the value or its
/// wrap does not authenticate (damaged, altered, or sealed for another context).
pub fn open_value(
    keys: &dyn KeyProvider,
    sealed: &[u8],
    context: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptError> {
    let bad = |what: &str| CryptError::BadHeader(format!("sealed value: {what}"));
    if sealed.len() < HEADER_LEN + TAG_LEN || !sealed.starts_with(VALUE_MAGIC) {
        return Err(bad("too short or without its magic"));
    }
    let cipher = Cipher::from_code(sealed[4]).ok_or_else(|| bad("unknown cipher"))?;
    let take = |from: usize, to: usize| &sealed[from..to];
    let mut key_id = [0u8; 8];
    key_id.copy_from_slice(take(5, 13));
    let mut wrap_nonce = [0u8; 12];
    wrap_nonce.copy_from_slice(take(13, 25));
    let mut wrapped_key = [0u8; 32 + TAG_LEN];
    wrapped_key.copy_from_slice(take(25, 25 + 32 + TAG_LEN));
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(take(HEADER_LEN - 12, HEADER_LEN));
    let wrapped = WrappedKey {
        key_id: KeyId(key_id),
        nonce: wrap_nonce,
        sealed: wrapped_key,
    };
    let data_key = keys.unwrap(cipher, &wrapped, context)?;
    let body = &sealed[HEADER_LEN..];
    let (ciphertext, tag_bytes) = body.split_at(body.len() - TAG_LEN);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(tag_bytes);
    let mut value = Zeroizing::new(ciphertext.to_vec());
    cipher
        .keyed(data_key.bytes())
        .open(nonce, context, &mut value, &tag)
        .map_err(|_| CryptError::KeySlotInauthentic(wrapped.key_id))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypt::{Keyring, MasterKey};

    fn keyring(byte: u8) -> Keyring {
        Keyring::new(MasterKey::from_bytes([byte; 32]), Vec::new())
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_context_only() -> Result<(), CryptError> {
        let keys = keyring(7);
        for cipher in [Cipher::Aes256Gcm, Cipher::Sm4Gcm] {
            let sealed = seal_value(&keys, cipher, b"twenty secret bytes!", b"totp user-1")?;
            assert!(!sealed.windows(20).any(|w| w == b"twenty secret bytes!"));
            let opened = open_value(&keys, &sealed, b"totp user-1")?;
            assert_eq!(opened.as_slice(), b"twenty secret bytes!");
            assert!(open_value(&keys, &sealed, b"totp user-2").is_err());
            assert!(matches!(
                open_value(&keyring(8), &sealed, b"totp user-1"),
                Err(CryptError::KeyNotLoaded(_))
            ));
            let mut altered = sealed.clone();
            if let Some(last) = altered.last_mut() {
                *last ^= 1;
            }
            assert!(matches!(
                open_value(&keys, &altered, b"totp user-1"),
                Err(CryptError::KeySlotInauthentic(_))
            ));
        }
        assert!(matches!(
            open_value(&keys, b"FSV1short", b""),
            Err(CryptError::BadHeader(_))
        ));
        Ok(())
    }

    #[test]
    fn a_value_sealed_before_a_rotation_opens_with_the_retired_key() -> Result<(), CryptError> {
        let sealed = seal_value(&keyring(1), Cipher::Aes256Gcm, b"secret", b"c")?;
        let rotated = Keyring::new(
            MasterKey::from_bytes([2; 32]),
            vec![MasterKey::from_bytes([1; 32])],
        );
        assert_eq!(open_value(&rotated, &sealed, b"c")?.as_slice(), b"secret");
        Ok(())
    }
}
