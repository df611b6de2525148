//! The manifest of one backup: what it holds, and the Ed25519 signature over it.
//!
//! `manifest.json` is `{"manifest": {...}, "signature": {"algorithm": "ed25519", "value": hex}}`.
//! The signed bytes are the canonical form of the `manifest` object: compact JSON with the fields
//! in the order declared here and the blobs sorted by address, exactly as
//! [`Manifest::canonical_bytes`] writes it. Unknown fields are refused, so nothing can be added
//! to a manifest without breaking its signature check.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use fonds_domain::Sha256Digest;
use serde::{Deserialize, Serialize};

/// The manifest format this version writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

const ALGORITHM: &str = "ed25519";

/// What one backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// When the backup was taken, RFC 3339 in UTC.
    pub created_at: String,
    /// The database snapshot.
    pub snapshot: SnapshotEntry,
    /// Every stored file the snapshot references, sorted by address.
    pub blobs: Vec<BlobEntry>,
    /// The last event of the audit trail in the snapshot: a restore proves the trail is whole up
    /// to it. Absent in backups of an archive without an audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<AuditHead>,
}

pub use fonds_store::AuditHead;

/// The database snapshot in a backup folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotEntry {
    /// Its file name in the backup folder.
    pub file: String,
    /// Its SHA-256.
    pub sha256: Sha256Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// A stored file in the shared pool.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobEntry {
    /// Its address.
    pub sha256: Sha256Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// `manifest.json` as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignedManifest {
    pub manifest: Manifest,
    pub signature: SignatureEntry,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignatureEntry {
    pub algorithm: String,
    pub value: String,
}

impl Manifest {
    /// The bytes the signature covers.
    #[must_use]
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serialising plain structs of strings and integers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// `manifest.json`'s content, signed with `key`.
    pub(super) fn signed_json(&self, key: &SigningKey) -> Vec<u8> {
        let signature = key.sign(&self.canonical_bytes());
        let signed = SignedManifest {
            manifest: self.clone(),
            signature: SignatureEntry {
                algorithm: ALGORITHM.to_owned(),
                value: hex::encode(signature.to_bytes()),
            },
        };
        let mut json = serde_json::to_vec_pretty(&signed).unwrap_or_default();
        json.push(b'\n');
        json
    }
}

impl SignedManifest {
    /// Parses `manifest.json`.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let signed: Self = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if signed.manifest.format != MANIFEST_FORMAT {
            return Err(format!(
                "format {} is not the format {MANIFEST_FORMAT} this version of Fonds reads",
                signed.manifest.format
            ));
        }
        Ok(signed)
    }

    /// Checks the signature with `key`; the reason when it does not hold.
    pub fn check(&self, key: &VerifyingKey) -> Result<(), String> {
        if self.signature.algorithm != ALGORITHM {
            return Err(format!(
                "signature algorithm {:?} is not {ALGORITHM}",
                self.signature.algorithm
            ));
        }
        let bytes: [u8; 64] = hex::decode(&self.signature.value)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("the signature is not 64 bytes of hex")?;
        key.verify_strict(
            &self.manifest.canonical_bytes(),
            &Signature::from_bytes(&bytes),
        )
        .map_err(|_| {
            "the signature does not match the manifest: it was changed after signing, or signed \
             with another key"
                .to_owned()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            created_at: "2026-12-04T12:00:00Z".into(),
            snapshot: SnapshotEntry {
                file: "fonds.sqlite".into(),
                sha256: Sha256Digest::from_bytes([1; 32]),
                size: 4096,
            },
            blobs: vec![BlobEntry {
                sha256: Sha256Digest::from_bytes([2; 32]),
                size: 10,
            }],
            audit_head: Some(AuditHead {
                sequence: 7,
                hash: "ab".repeat(32),
            }),
        }
    }

    #[test]
    fn a_signed_manifest_verifies_and_any_change_to_it_does_not() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let json = manifest().signed_json(&key);
        let signed = SignedManifest::parse(&json).expect("parse");
        assert_eq!(signed.manifest, manifest());
        assert_eq!(signed.check(&key.verifying_key()), Ok(()));

        let text = String::from_utf8(json).expect("utf-8");
        let tampered = text.replace("\"size\": 10", "\"size\": 11");
        assert_ne!(tampered, text);
        let tampered = SignedManifest::parse(tampered.as_bytes()).expect("parse");
        assert!(tampered.check(&key.verifying_key()).is_err());

        let other = SigningKey::from_bytes(&[8; 32]);
        assert!(signed.check(&other.verifying_key()).is_err());

        let extra = text.replacen("\"format\"", "\"extra\": 1, \"format\"", 1);
        assert!(SignedManifest::parse(extra.as_bytes()).is_err());

        let head_moved = text.replace("\"sequence\": 7", "\"sequence\": 6");
        assert_ne!(head_moved, text);
        let head_moved = SignedManifest::parse(head_moved.as_bytes()).expect("parse");
        assert!(head_moved.check(&key.verifying_key()).is_err());
    }
}
