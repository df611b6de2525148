//! The format of an audit export (docs/audit.md, "Exporting the trail"): JSON lines, one event
//! per line with every column exactly as stored, and a last line holding the signed checkpoint.
//!
//! The checkpoint is signed over its own length-prefixed encoding (the same field encoding as
//! an event's canonical bytes), not over JSON, so that a verifier needs no JSON
//! canonicalisation: it rebuilds the bytes from the nine fields and checks the Ed25519 signature.

use std::path::{Path, PathBuf};

use fonds_store::AuditEventRow;
use fonds_store::audit::encode_fields;
use serde::{Deserialize, Serialize};

/// The tag that opens the signed bytes of a checkpoint; a new form gets a new tag.
pub const CHECKPOINT_FORMAT: &str = "fonds.audit.checkpoint.v1";

/// The signature algorithm of checkpoints.
pub const SIGNATURE_ALGORITHM: &str = "ed25519";

/// Where the key audit exports are signed with lives in a data directory.
#[must_use]
pub fn signing_key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("audit-signing.key")
}

/// One event line of an export: every column exactly as stored. `detail` is the stored JSON
/// text as a JSON string, byte for byte, because it is hashed as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEvent {
    /// Position in the chain.
    pub sequence: i64,
    /// When, as stored.
    pub occurred_at: String,
    /// Who.
    pub actor: String,
    /// From where.
    pub client_address: Option<String>,
    /// What.
    pub action: String,
    /// The kind of thing acted on.
    pub target_kind: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// Its archival code.
    pub archival_code: Option<String>,
    /// `success`, `refused` or `failed`.
    pub outcome: String,
    /// The stored JSON text.
    pub detail: String,
    /// The hash of the event before.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl ExportedEvent {
    /// The line of a stored event that has a hash and a link (a verified event always has).
    #[must_use]
    pub fn of(row: &AuditEventRow) -> Option<Self> {
        Some(Self {
            sequence: row.sequence,
            occurred_at: row.occurred_at.clone(),
            actor: row.actor.clone(),
            client_address: row.client_address.clone(),
            action: row.action.clone(),
            target_kind: row.target_kind.clone(),
            target_id: row.target_id.clone(),
            archival_code: row.archival_code.clone(),
            outcome: row.outcome.clone(),
            detail: row.detail.clone(),
            prev_hash: row.prev_hash.clone()?,
            hash: row.hash.clone()?,
        })
    }

    /// The event as stored, to hash.
    #[must_use]
    pub fn row(&self) -> AuditEventRow {
        AuditEventRow {
            sequence: self.sequence,
            occurred_at: self.occurred_at.clone(),
            actor: self.actor.clone(),
            client_address: self.client_address.clone(),
            action: self.action.clone(),
            target_kind: self.target_kind.clone(),
            target_id: self.target_id.clone(),
            archival_code: self.archival_code.clone(),
            outcome: self.outcome.clone(),
            detail: self.detail.clone(),
            prev_hash: Some(self.prev_hash.clone()),
            hash: Some(self.hash.clone()),
        }
    }
}

/// What an export vouches for: the events `first_sequence..=last_sequence` of a trail whose
/// event `last_sequence` (the head when exported) has `head_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The hash that chains the events: `sha256` or `sm3`.
    pub hash_algorithm: String,
    /// The first event exported.
    pub first_sequence: i64,
    /// The last event exported: the head of the trail when it was exported.
    pub last_sequence: i64,
    /// How many events were exported.
    pub count: u64,
    /// The `prev_hash` of the first event exported: 64 zeros from event 1, else the hash of
    /// the event before, which ties this export to an earlier one.
    pub first_prev_hash: String,
    /// The hash of the last event exported.
    pub head_hash: String,
    /// When the export was made, RFC 3339 in UTC.
    pub exported_at: String,
    /// [`SIGNATURE_ALGORITHM`].
    pub signature_algorithm: String,
}

impl Checkpoint {
    /// The bytes the signature covers: the nine fields in declaration order, numbers in
    /// decimal, each encoded as in an event's canonical bytes.
    #[must_use]
    pub fn signed_bytes(&self) -> Vec<u8> {
        let (first, last, count) = (
            self.first_sequence.to_string(),
            self.last_sequence.to_string(),
            self.count.to_string(),
        );
        encode_fields(&[
            Some(&self.format),
            Some(&self.hash_algorithm),
            Some(&first),
            Some(&last),
            Some(&count),
            Some(&self.first_prev_hash),
            Some(&self.head_hash),
            Some(&self.exported_at),
            Some(&self.signature_algorithm),
        ])
    }
}

/// The last line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointLine {
    /// What is vouched for.
    pub checkpoint: Checkpoint,
    /// The public key of the archive's audit signing key, 64 hex digits. It says which key
    /// signed; a verifier checks the signature with the key it obtained on its own.
    pub public_key: String,
    /// The Ed25519 signature over [`Checkpoint::signed_bytes`], 128 hex digits.
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Checkpoint {
        Checkpoint {
            format: CHECKPOINT_FORMAT.to_owned(),
            hash_algorithm: "sha256".to_owned(),
            first_sequence: 1,
            last_sequence: 3,
            count: 3,
            first_prev_hash: "0".repeat(64),
            head_hash: "a".repeat(64),
            exported_at: "2026-12-04T12:00:00Z".to_owned(),
            signature_algorithm: SIGNATURE_ALGORITHM.to_owned(),
        }
    }

    /// The signed bytes as docs/audit.md spells them out: if this changes, the documented form
    /// changed.
    #[test]
    fn the_signed_bytes_are_the_documented_length_prefixed_fields() {
        let bytes = example().signed_bytes();
        let mut expected = Vec::new();
        for field in [
            CHECKPOINT_FORMAT,
            "sha256",
            "1",
            "3",
            "3",
            &"0".repeat(64),
            &"a".repeat(64),
            "2026-12-04T12:00:00Z",
            "ed25519",
        ] {
            expected.push(1u8);
            expected.extend_from_slice(&(field.len() as u64).to_be_bytes());
            expected.extend_from_slice(field.as_bytes());
        }
        assert_eq!(bytes, expected);
        let mut later = example();
        later.last_sequence = 4;
        assert_ne!(later.signed_bytes(), bytes);
    }
}
