//! Receiving a submission: the manifest is validated, every file part is matched to the file it
//! declares and checked against its declared SHA-256, the accepted blobs are made durable, and
//! only then are the records written, in one transaction. Any refusal leaves nothing behind: the
//! staged files delete themselves when dropped.

use std::collections::BTreeMap;

use fonds_domain::{FileId, FondsCode, LifecycleState, RecordId, Sha256Digest, SubmissionId};
use fonds_store::{
    ImportMark, NewFile, NewRecord, NewSubmission, PresetCode, StagedBlob, SubmissionRow,
    SubmittingClient,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::Archive;
use crate::clients::ClientPrincipal;
use crate::error::{CoreError, ErrorCode, FieldError};
use crate::manifest::{Manifest, ValidRecord};

/// One file part as received, already spooled and hashed.
#[derive(Debug)]
pub struct StagedPart {
    /// The multipart part name.
    pub name: String,
    /// The spooled bytes.
    pub blob: StagedBlob,
}

/// Who sent a submission.
#[derive(Debug, Clone)]
pub struct Origin {
    /// A description for the record of provenance, e.g. `api:admin`.
    pub source: String,
    /// The client system, when the request was signed by one.
    pub client: Option<ClientOrigin>,
}

/// A signed submission's client, key and body digest.
#[derive(Debug, Clone)]
pub struct ClientOrigin {
    /// The verified client.
    pub principal: ClientPrincipal,
    /// Its `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// The SHA-256 of the request body, verified by the transport.
    pub body_sha256: Sha256Digest,
}

impl Origin {
    /// A submission by an administrator's token or a local tool.
    #[must_use]
    pub fn local(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            client: None,
        }
    }
}

/// The receipt (电子档案接收单) answered for an accepted submission.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The submission's id.
    pub submission_id: SubmissionId,
    /// The fonds.
    pub fonds: FondsCode,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The records created.
    pub records: Vec<ReceiptRecord>,
}

/// One record in a receipt.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptRecord {
    /// The client's key.
    pub key: Option<String>,
    /// The record's id.
    pub id: RecordId,
    /// Its state.
    pub state: LifecycleState,
    /// Its archival code, when it arrived with one.
    pub archival_code: Option<String>,
    /// Its files.
    pub files: Vec<ReceiptFile>,
}

/// One file in a receipt.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptFile {
    /// The part it came in.
    pub part: String,
    /// The file's id.
    pub id: FileId,
    /// Its SHA-256 as computed.
    pub sha256: String,
    /// Its SM3 as computed.
    pub sm3: String,
    /// Its size.
    pub size: u64,
    /// The media type identified from its content.
    pub media_type: String,
}

fn part_error(pointer: String, code: ErrorCode, detail: String) -> FieldError {
    FieldError {
        pointer,
        code: code.as_str(),
        detail,
    }
}

impl Archive {
    /// Accepts a submission: `manifest` is the JSON part, `parts` the spooled file parts.
    ///
    /// # Errors
    /// Every problem with the manifest or the parts, with its code; a store failure.
    pub async fn submit(
        &self,
        manifest: &[u8],
        parts: Vec<StagedPart>,
        origin: &Origin,
    ) -> Result<Receipt, CoreError> {
        if let Some(replayed) = self.replay(origin).await? {
            return Ok(replayed);
        }
        let result = self
            .accept(Manifest::parse(manifest)?, parts, origin, None)
            .await;
        match result {
            // Two requests with one key raced; the other one won: answer with its receipt.
            Err(e) if e.code == ErrorCode::IdempotencyKeyReused => {
                self.replay(origin).await?.ok_or(e)
            }
            other => other,
        }
    }

    /// The first answer to a retried submission: the stored receipt when the client sent the same
    /// idempotency key with the same body, a refusal when the body differs.
    async fn replay(&self, origin: &Origin) -> Result<Option<Receipt>, CoreError> {
        let Some(client) = &origin.client else {
            return Ok(None);
        };
        let Some(key) = &client.idempotency_key else {
            return Ok(None);
        };
        let Some(first) = self
            .metadata
            .submission_by_key(&client.principal.id, key)
            .await?
        else {
            return Ok(None);
        };
        if first.body_sha256 != Some(client.body_sha256) {
            return Err(CoreError::new(
                ErrorCode::IdempotencyKeyReused,
                format!(
                    "idempotency key `{key}` was used for submission {} with a different body; \
                     use a new key for a new submission",
                    first.id
                ),
            ));
        }
        Ok(Some(self.stored_receipt(first).await?))
    }

    async fn stored_receipt(&self, submission: SubmissionRow) -> Result<Receipt, CoreError> {
        let mut records = Vec::new();
        for record in self.metadata.submission_records(submission.id).await? {
            let files = self.metadata.record_files(record.id).await?;
            records.push(ReceiptRecord {
                key: record.key,
                id: record.id,
                state: record.state,
                archival_code: record.archival_code,
                files: files
                    .into_iter()
                    .map(|f| ReceiptFile {
                        part: f.part.unwrap_or_default(),
                        id: f.id,
                        sha256: f.sha256.to_hex(),
                        sm3: f.sm3.to_hex(),
                        size: f.size,
                        media_type: f.media_type,
                    })
                    .collect(),
            });
        }
        Ok(Receipt {
            submission_id: submission.id,
            fonds: submission.fonds,
            received_at: submission.received_at,
            records,
        })
    }

    /// Validates and stores a parsed manifest with its parts; `import_row` ties the submission to
    /// an import row in the same transaction.
    pub(crate) async fn accept(
        &self,
        manifest: Manifest,
        parts: Vec<StagedPart>,
        origin: &Origin,
        import_row: Option<ImportMark>,
    ) -> Result<Receipt, CoreError> {
        let fonds_code: FondsCode =
            manifest
                .fonds
                .parse()
                .map_err(|e: fonds_domain::FondsCodeError| {
                    CoreError::fields(vec![part_error(
                        "/fonds".into(),
                        ErrorCode::ManifestInvalid,
                        e.to_string(),
                    )])
                })?;
        let fonds = self.fonds_or_404(&fonds_code).await?;
        let records = manifest.validate(&fonds, &Self::retention_table(&fonds))?;
        if let Some(client) = &origin.client {
            for record in &records {
                client
                    .principal
                    .may_submit(&fonds.code, record.classification.kind)?;
            }
        }
        let mut parts = match_parts(&records, parts)?;

        // Blobs first, made durable; then the rows that point at them.
        // LIMITATION: a submission refused by the final transaction (a duplicate voucher or a
        // taken archival code that appeared concurrently) leaves its newly committed blobs
        // unreferenced. They are never served, but nothing collects them yet; the sweep belongs
        // with the scheduled fixity and backup jobs.
        let received_at = OffsetDateTime::now_utc();
        let mut new_records = Vec::with_capacity(records.len());
        let mut receipt_records = Vec::with_capacity(records.len());
        for record in records {
            let mut files = Vec::with_capacity(record.files.len());
            let mut receipt_files = Vec::with_capacity(record.files.len());
            for file in &record.files {
                let Some(blob) = parts.remove(&file.part) else {
                    continue; // match_parts guarantees every declared part is present
                };
                let media_type = fonds_formats::sniff::identify(blob.head())
                    .media_type
                    .to_owned();
                let digests = self.blobs.commit(blob).await?;
                let id = FileId::new();
                receipt_files.push(ReceiptFile {
                    part: file.part.clone(),
                    id,
                    sha256: digests.sha256.to_hex(),
                    sm3: digests.sm3.to_hex(),
                    size: digests.size,
                    media_type: media_type.clone(),
                });
                files.push(NewFile {
                    id,
                    part: Some(file.part.clone()),
                    role: file.role,
                    file_name: file.file_name.clone(),
                    media_type,
                    size: digests.size,
                    sha256: digests.sha256,
                    sm3: digests.sm3,
                });
            }
            let id = RecordId::new();
            let preset_code = record
                .archival_code
                .as_ref()
                .map(|code| {
                    fonds
                        .code_pattern
                        .sequence_key(code.parts())
                        .map(|sequence_key| PresetCode {
                            code: code.clone(),
                            sequence_key,
                        })
                })
                .transpose()
                .map_err(|e| CoreError::new(ErrorCode::ManifestInvalid, e.to_string()))?;
            receipt_records.push(ReceiptRecord {
                key: record.key.clone(),
                id,
                state: if preset_code.is_some() {
                    LifecycleState::Archived
                } else {
                    LifecycleState::Collected
                },
                archival_code: preset_code.as_ref().map(|p| p.code.to_string()),
                files: receipt_files,
            });
            new_records.push(into_new_record(id, record, files, preset_code));
        }
        let submission = NewSubmission {
            id: SubmissionId::new(),
            fonds: fonds.code.clone(),
            source: origin.source.clone(),
            received_at,
            records: new_records,
            import_row,
            client: origin.client.as_ref().map(|c| SubmittingClient {
                id: c.principal.id.clone(),
                idempotency_key: c.idempotency_key.clone(),
                body_sha256: c.body_sha256,
            }),
        };
        self.metadata.insert_submission(&submission).await?;
        tracing::info!(
            submission = %submission.id,
            fonds = %submission.fonds,
            records = submission.records.len(),
            source = %origin.source,
            "submission accepted"
        );
        Ok(Receipt {
            submission_id: submission.id,
            fonds: submission.fonds,
            received_at,
            records: receipt_records,
        })
    }
}

pub(crate) fn into_new_record(
    id: RecordId,
    record: ValidRecord,
    files: Vec<NewFile>,
    preset_code: Option<PresetCode>,
) -> NewRecord {
    let retention_due = record
        .classification
        .retention
        .due(record.classification.fiscal_year, None);
    NewRecord {
        id,
        classification: record.classification,
        description: record.description,
        entries: record.entries,
        files,
        retention_due,
        source_reference: record.source_reference,
        key: record.key,
        preset_code,
    }
}

/// Pairs every declared file with its part, refusing missing, unexpected and mismatched parts.
fn match_parts(
    records: &[ValidRecord],
    parts: Vec<StagedPart>,
) -> Result<BTreeMap<String, StagedBlob>, CoreError> {
    let mut errors = Vec::new();
    let mut by_name = BTreeMap::new();
    for part in parts {
        if by_name.contains_key(&part.name) {
            errors.push(part_error(
                format!("part {}", part.name),
                ErrorCode::FilePartUnexpected,
                format!("part `{}` was sent twice", part.name),
            ));
            continue;
        }
        by_name.insert(part.name, part.blob);
    }
    let mut declared = std::collections::BTreeSet::new();
    for (i, record) in records.iter().enumerate() {
        for (j, file) in record.files.iter().enumerate() {
            declared.insert(file.part.as_str());
            let pointer = format!("/records/{i}/files/{j}");
            match by_name.get(&file.part) {
                None => errors.push(part_error(
                    pointer,
                    ErrorCode::FilePartMissing,
                    format!(
                        "the manifest names part `{}` but no such part was sent",
                        file.part
                    ),
                )),
                Some(blob) if blob.digests().sha256 != file.sha256 => errors.push(part_error(
                    format!("{pointer}/sha256"),
                    ErrorCode::DigestMismatch,
                    format!(
                        "part `{}` has SHA-256 {} but the manifest declares {}; the file was \
                         changed or truncated in transit",
                        file.part,
                        blob.digests().sha256,
                        file.sha256
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for name in by_name.keys() {
        if !declared.contains(name.as_str()) {
            errors.push(part_error(
                format!("part {name}"),
                ErrorCode::FilePartUnexpected,
                format!("part `{name}` is not named by any file in the manifest"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(by_name)
    } else {
        Err(CoreError::fields(errors))
    }
}
