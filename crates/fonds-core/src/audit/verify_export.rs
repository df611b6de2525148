//! Checking an audit export with nothing but the file and the archive's public key, exactly as
//! docs/audit.md tells anyone to do it without Fonds: the checkpoint's signature, then every
//! event's hash and link, then that the events are the ones the checkpoint vouches for.

use std::fmt;
use std::io::BufRead as _;
use std::path::Path;

use ed25519_dalek::{Signature, VerifyingKey};
use fonds_store::AuditHash;
use fonds_store::audit::GENESIS_PREV_HASH;

use super::checkpoint::{
    CHECKPOINT_FORMAT, Checkpoint, CheckpointLine, ExportedEvent, SIGNATURE_ALGORITHM,
};
use super::verify::well_formed;
use crate::signing_key::public_hex;

/// An export that checks out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCheck {
    /// Its checkpoint, signed by the key given.
    pub checkpoint: Checkpoint,
}

/// Why an export does not check out: the line at fault (from 1), when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFault {
    /// The line at fault.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ExportFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

fn fault(line: Option<usize>, reason: impl Into<String>) -> ExportFault {
    ExportFault {
        line,
        reason: reason.into(),
    }
}

fn lines(path: &Path) -> Result<impl Iterator<Item = std::io::Result<String>>, ExportFault> {
    let file = std::fs::File::open(path)
        .map_err(|e| fault(None, format!("cannot read {}: {e}", path.display())))?;
    Ok(std::io::BufReader::new(file).lines())
}

/// Checks the export at `path` against the archive's public key `key`. Reads the file twice:
/// once for its last line (the checkpoint names the hash to check the events with), once for
/// the events. Blocking.
///
/// # Errors
/// The first fault found.
pub fn verify_export(path: &Path, key: &VerifyingKey) -> Result<ExportCheck, ExportFault> {
    let (mut last, mut count) = (None, 0usize);
    for line in lines(path)? {
        let line = line.map_err(|e| fault(Some(count + 1), format!("unreadable: {e}")))?;
        count += 1;
        last = Some(line);
    }
    let last = last.ok_or_else(|| fault(None, "the file is empty"))?;
    let checkpoint = check_checkpoint(&last, key).map_err(|reason| fault(Some(count), reason))?;
    let algorithm: AuditHash = checkpoint
        .hash_algorithm
        .parse()
        .map_err(|e: String| fault(Some(count), e))?;
    let mut expected = checkpoint.first_sequence;
    let mut prev_hash = checkpoint.first_prev_hash.clone();
    if expected == 1 && prev_hash != GENESIS_PREV_HASH {
        return Err(fault(
            Some(count),
            "an export from event 1 must start from 64 zeros",
        ));
    }
    for (index, line) in lines(path)?.take(count - 1).enumerate() {
        let number = Some(index + 1);
        let line = line.map_err(|e| fault(number, format!("unreadable: {e}")))?;
        let event: ExportedEvent = serde_json::from_str(&line)
            .map_err(|e| fault(number, format!("not an event line: {e}")))?;
        if event.sequence != expected {
            return Err(fault(
                number,
                format!(
                    "event {} where event {expected} should be: events are missing, added or \
                     reordered",
                    event.sequence
                ),
            ));
        }
        if event.prev_hash != prev_hash {
            return Err(fault(
                number,
                format!(
                    "event {expected} is not linked to the event before (prev_hash {}, \
                     expected {prev_hash})",
                    event.prev_hash
                ),
            ));
        }
        let computed = event.row().computed_hash(algorithm);
        if !well_formed(&event.hash) || computed != event.hash {
            return Err(fault(
                number,
                format!(
                    "event {expected} was changed: it hashes to {computed}, not to its hash {}",
                    event.hash
                ),
            ));
        }
        prev_hash = event.hash;
        expected += 1;
    }
    let events = u64::try_from(count - 1).unwrap_or(u64::MAX);
    if events != checkpoint.count || expected - 1 != checkpoint.last_sequence {
        return Err(fault(
            None,
            format!(
                "the file holds {events} events up to {}, the checkpoint vouches for {} up to {}",
                expected - 1,
                checkpoint.count,
                checkpoint.last_sequence
            ),
        ));
    }
    if prev_hash != checkpoint.head_hash {
        return Err(fault(
            None,
            format!(
                "the last event's hash {prev_hash} is not the checkpoint's head {}",
                checkpoint.head_hash
            ),
        ));
    }
    Ok(ExportCheck { checkpoint })
}

/// Reads the last line and checks its signature with `key`.
fn check_checkpoint(line: &str, key: &VerifyingKey) -> Result<Checkpoint, String> {
    let signed: CheckpointLine = serde_json::from_str(line)
        .map_err(|e| format!("the last line is not a signed checkpoint: {e}"))?;
    let checkpoint = signed.checkpoint;
    if checkpoint.format != CHECKPOINT_FORMAT
        || checkpoint.signature_algorithm != SIGNATURE_ALGORITHM
    {
        return Err(format!(
            "a checkpoint of format {} signed with {}; this version reads {CHECKPOINT_FORMAT} \
             signed with {SIGNATURE_ALGORITHM}",
            checkpoint.format, checkpoint.signature_algorithm
        ));
    }
    let bytes: [u8; 64] = hex::decode(&signed.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the signature is not 128 hex digits")?;
    let signature = Signature::from_bytes(&bytes);
    key.verify_strict(&checkpoint.signed_bytes(), &signature)
        .map_err(|_| {
            let named = if signed.public_key == public_hex(key) {
                "the checkpoint was altered after it was signed".to_owned()
            } else {
                format!(
                    "the checkpoint names key {}, not the key given: it was not signed by that \
                     archive, or it was altered",
                    signed.public_key
                )
            };
            format!("the signature does not verify with the public key given: {named}")
        })?;
    Ok(checkpoint)
}
