//! `fonds audit export`: the trail as JSON lines with a signed checkpoint (see
//! [`super::checkpoint`]), for auditors and regulators to keep and check without Fonds.
//!
//! The head is fixed before the first line is written, so events appended during the export
//! are left for the next one. The whole chain is verified while it is written, from event 1
//! even when only later events are exported: a checkpoint over a broken chain would lend a
//! tampered trail the archive's signature, so a broken chain is refused and nothing is signed.
//! The file is written under a temporary name and appears under its own only when complete.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer as _, SigningKey};
use fonds_store::NewAuditEvent;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::io::AsyncWriteExt as _;

use super::checkpoint::{
    CHECKPOINT_FORMAT, Checkpoint, CheckpointLine, ExportedEvent, SIGNATURE_ALGORITHM,
};
use super::verify::{PAGE, Walk};
use super::{Actor, actions};
use crate::Archive;
use crate::error::{CoreError, ErrorCode};
use crate::signing_key::public_hex;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The file written.
    pub path: PathBuf,
    /// Its signed checkpoint.
    pub checkpoint: Checkpoint,
    /// The public key that verifies it, 64 hex digits.
    pub public_key: String,
}

fn io_error(action: &str, path: &Path, e: &std::io::Error) -> CoreError {
    CoreError::new(
        ErrorCode::Internal,
        format!("cannot {action} {}: {e}", path.display()),
    )
}

fn json_line<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CoreError> {
    let mut line = serde_json::to_vec(value).map_err(|e| {
        CoreError::new(
            ErrorCode::Internal,
            format!("cannot write an export line: {e}"),
        )
    })?;
    line.push(b'\n');
    Ok(line)
}

/// A hidden name beside `path`, so the final rename is atomic.
fn partial_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

impl Archive {
    /// Writes the events from sequence `from` to the current head to `out` as JSON lines, with
    /// a last line holding a checkpoint signed with `key`; then appends `audit.exported` by
    /// `by` (after the head the export vouches for).
    ///
    /// # Errors
    /// `query_invalid` when `from` is not an event of the trail or `out` exists already; an
    /// internal error naming the first broken event when the chain does not verify (nothing is
    /// written or signed then); a file or store failure.
    pub async fn export_audit(
        &self,
        out: &Path,
        from: i64,
        key: &SigningKey,
        by: &Actor,
    ) -> Result<ExportReport, CoreError> {
        let algorithm = self.metadata.audit_hash().await?;
        let head = self.metadata.audit_head().await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::Internal,
                "the audit trail has no events, but every archive starts it when first opened: \
                 run `fonds audit verify`",
            )
        })?;
        if from < 1 || from > head.sequence {
            return Err(CoreError::new(
                ErrorCode::QueryInvalid,
                format!(
                    "--from must be an event of the trail, 1 to {}",
                    head.sequence
                ),
            ));
        }
        if tokio::fs::try_exists(out).await.unwrap_or(true) {
            return Err(CoreError::new(
                ErrorCode::QueryInvalid,
                format!(
                    "{} exists already (or cannot be checked); an export never overwrites one: \
                     choose another name",
                    out.display()
                ),
            ));
        }
        let partial = partial_beside(out);
        let written = self
            .write_export(&partial, from, head.sequence, algorithm, key)
            .await;
        let checkpoint = match written {
            Ok(checkpoint) => checkpoint,
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e);
            }
        };
        tokio::fs::rename(&partial, out)
            .await
            .map_err(|e| io_error("move the export into place at", out, &e))?;
        if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            let dir = tokio::fs::File::open(dir)
                .await
                .map_err(|e| io_error("open the directory of", out, &e))?;
            dir.sync_all()
                .await
                .map_err(|e| io_error("sync the directory of", out, &e))?;
        }
        let public_key = public_hex(&key.verifying_key());
        let event = NewAuditEvent::success(
            by,
            actions::AUDIT_EXPORTED,
            None,
            serde_json::json!({
                "file": out.display().to_string(),
                "first_sequence": checkpoint.first_sequence,
                "last_sequence": checkpoint.last_sequence,
                "head_hash": checkpoint.head_hash,
                "public_key": public_key,
            }),
        );
        self.metadata.append_audit_event(&event).await?;
        tracing::info!(file = %out.display(), first = checkpoint.first_sequence,
            last = checkpoint.last_sequence, "audit trail exported");
        Ok(ExportReport {
            path: out.to_path_buf(),
            checkpoint,
            public_key,
        })
    }

    /// Verifies the chain from event 1 to `last` and writes events `from..=last` and the signed
    /// checkpoint to `path`, synced.
    async fn write_export(
        &self,
        path: &Path,
        from: i64,
        last: i64,
        algorithm: fonds_store::AuditHash,
        key: &SigningKey,
    ) -> Result<Checkpoint, CoreError> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await
            .map_err(|e| io_error("create", path, &e))?;
        let mut writer = tokio::io::BufWriter::new(file);
        let mut walk = Walk::new(algorithm, None);
        let (mut after, mut first_prev_hash, mut head_hash, mut count) = (0, None, None, 0u64);
        'pages: while after < last {
            let page = self.metadata.audit_events_after(after, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for event in page.iter().take_while(|e| e.sequence <= last) {
                walk.step(event).map_err(|broken| {
                    CoreError::new(
                        ErrorCode::Internal,
                        format!(
                            "the audit trail is broken at {broken}; nothing was signed. Run \
                             `fonds audit verify` and compare with the last backup"
                        ),
                    )
                })?;
                after = event.sequence;
                if event.sequence < from {
                    continue;
                }
                let line = ExportedEvent::of(event).ok_or_else(|| {
                    CoreError::new(ErrorCode::Internal, "a verified event lost its hash")
                })?;
                if first_prev_hash.is_none() {
                    first_prev_hash = Some(line.prev_hash.clone());
                }
                head_hash = Some(line.hash.clone());
                count += 1;
                writer
                    .write_all(&json_line(&line)?)
                    .await
                    .map_err(|e| io_error("write", path, &e))?;
                if event.sequence == last {
                    break 'pages;
                }
            }
        }
        let (Some(first_prev_hash), Some(head_hash)) = (first_prev_hash, head_hash) else {
            return Err(CoreError::new(
                ErrorCode::Internal,
                format!("events {from} to {last} could not be read back: run `fonds audit verify`"),
            ));
        };
        if after != last {
            return Err(CoreError::new(
                ErrorCode::Internal,
                format!(
                    "the trail ends at event {after} before its head {last}: run `fonds audit verify`"
                ),
            ));
        }
        let checkpoint = Checkpoint {
            format: CHECKPOINT_FORMAT.to_owned(),
            hash_algorithm: algorithm.as_str().to_owned(),
            first_sequence: from,
            last_sequence: last,
            count,
            first_prev_hash,
            head_hash,
            exported_at: OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .format(&Rfc3339)
                .unwrap_or_default(),
            signature_algorithm: SIGNATURE_ALGORITHM.to_owned(),
        };
        let signature = key.sign(&checkpoint.signed_bytes());
        let line = CheckpointLine {
            checkpoint: checkpoint.clone(),
            public_key: public_hex(&key.verifying_key()),
            signature: hex::encode(signature.to_bytes()),
        };
        writer
            .write_all(&json_line(&line)?)
            .await
            .map_err(|e| io_error("write", path, &e))?;
        writer
            .flush()
            .await
            .map_err(|e| io_error("write", path, &e))?;
        writer
            .get_ref()
            .sync_all()
            .await
            .map_err(|e| io_error("sync", path, &e))?;
        Ok(checkpoint)
    }
}
