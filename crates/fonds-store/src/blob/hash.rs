//! SHA-256 and SM3 over the same bytes in one pass.

use fonds_domain::{Sha256Digest, Sm3Digest};
use sha2::Digest as _;

use super::BlobDigests;

/// Feeds every chunk to both hashes and counts the bytes.
#[derive(Debug, Clone, Default)]
pub struct DualHasher {
    sha256: sha2::Sha256,
    sm3: sm3::Sm3,
    size: u64,
}

impl DualHasher {
    /// A fresh hasher.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes.
    pub fn update(&mut self, chunk: &[u8]) {
        self.sha256.update(chunk);
        self.sm3.update(chunk);
        self.size += chunk.len() as u64;
    }

    /// The bytes seen so far.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The digests of everything added.
    #[must_use]
    pub fn finish(self) -> BlobDigests {
        BlobDigests {
            sha256: Sha256Digest::from_bytes(self.sha256.finalize().into()),
            sm3: Sm3Digest::from_bytes(self.sm3.finalize().into()),
            size: self.size,
        }
    }

    /// Digests of a slice, for tests and small in-memory content.
    #[must_use]
    pub fn digest(bytes: &[u8]) -> BlobDigests {
        let mut hasher = Self::new();
        hasher.update(bytes);
        hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_digests_match_their_published_test_vectors() {
        let d = DualHasher::digest(b"abc");
        assert_eq!(
            d.sha256.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // GB/T 32905-2016 Appendix A, example 1.
        assert_eq!(
            d.sm3.to_hex(),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(d.size, 3);
    }
}
