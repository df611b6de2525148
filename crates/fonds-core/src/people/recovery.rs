//! One-time recovery codes: ten per enrolment, each 80 random bits written as four groups of four
//! characters (`7k2m-q9xd-…`) in Crockford's base 32, which has no look-alikes. They are shown once; only
//! the SHA-256 of the normalised code is kept, which is enough for 80 random bits (no one can
//! search that space, unlike a password's).

use sha2::Digest as _;
use zeroize::Zeroizing;

use crate::error::CoreError;

/// Codes issued at each enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Crockford's base 32: digits and lower-case letters without `i l o u`, 5 bits a symbol.
const SYMBOLS: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters in a code, without its dashes.
const CODE_CHARS: usize = 16;

/// New recovery codes, formatted for people.
///
/// # Errors
/// When the system random number generator fails.
pub(super) fn new_codes() -> Result<Vec<Zeroizing<String>>, CoreError> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes = super::hashing::random::<CODE_CHARS>()?;
            let mut code = Zeroizing::new(String::with_capacity(CODE_CHARS + 3));
            for (i, byte) in bytes.iter().enumerate() {
                if i > 0 && i % 4 == 0 {
                    code.push('-');
                }
                code.push(char::from(SYMBOLS[usize::from(byte & 31)]));
            }
            Ok(code)
        })
        .collect()
}

/// The code as compared: dashes and spaces dropped, in lower case, with the look-alikes
/// Crockford's alphabet leaves out read as the digits they resemble.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_lowercase() {
            'i' | 'l' => '1',
            'o' => '0',
            other => other,
        })
        .collect()
}

/// Whether `code` has the shape of a recovery code.
pub(super) fn looks_like_recovery_code(code: &str) -> bool {
    let code = normalise(code);
    code.len() == CODE_CHARS && code.bytes().all(|b| SYMBOLS.contains(&b))
}

/// The SHA-256 (hex) kept for a code.
pub(super) fn hash(code: &str) -> String {
    hex::encode(sha2::Sha256::digest(normalise(code).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_of_four_groups_each_hash_alike_however_typed() -> Result<(), CoreError> {
        let codes = new_codes()?;
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut hashes: Vec<String> = codes.iter().map(|c| hash(c)).collect();
        hashes.sort();
        hashes.dedup();
        assert_eq!(hashes.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 19);
            assert_eq!(code.split('-').count(), 4);
            assert!(looks_like_recovery_code(code));
            assert_eq!(hash(code), hash(&code.replace('-', " ")));
            assert_eq!(hash(code), hash(&code.to_uppercase()));
            assert_eq!(hash(code).len(), 64);
        }
        assert!(!looks_like_recovery_code("123456"));
        Ok(())
    }
}
