//! Receiving submissions (归档信息包) from client systems and tools.
//!
//! Through the API a submission is checked and its files made durable at once, then it is
//! stored as received with a job that processes it ([`pipeline`]); the caller gets a receipt
//! (电子档案接收单) immediately and can wait for the outcome. Imports and the demo, which run
//! locally, write their records in the same transaction as the check instead.

mod pipeline;
mod prepare;

use std::time::Duration;

use fonds_domain::{FileId, FondsCode, LifecycleState, RecordId, Sha256Digest, SubmissionId};
use fonds_store::{
    ImportMark, NewSubmission, ReceivedSubmission, StagedBlob, SubmissionState, SubmissionStatus,
    SubmittingClient,
};
use time::OffsetDateTime;

pub(crate) use pipeline::Signals;
pub use pipeline::Workers;
pub(crate) use prepare::build_records;

use crate::Archive;
use crate::clients::ClientPrincipal;
use crate::error::{CoreError, ErrorCode, FieldError};
use crate::manifest::Manifest;

/// The longest a caller may wait for a submission's outcome.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

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
    /// The records the sender may submit (its scope for `record.submit`); a record outside it
    /// refuses the whole submission with `scope_denied`.
    pub scope: fonds_domain::access::RecordScope,
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
    /// A submission by a local tool on the server's machine: every record may be submitted.
    #[must_use]
    pub fn local(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            client: None,
            scope: fonds_domain::access::RecordScope::everything(),
        }
    }

    /// The same origin, limited to the records `scope` reaches.
    #[must_use]
    pub fn within(mut self, scope: fonds_domain::access::RecordScope) -> Self {
        self.scope = scope;
        self
    }

    fn submitting_client(&self) -> Option<SubmittingClient> {
        self.client.as_ref().map(|c| SubmittingClient {
            id: c.principal.id.clone(),
            idempotency_key: c.idempotency_key.clone(),
            body_sha256: c.body_sha256,
        })
    }
}

/// The receipt (电子档案接收单): where a submission stands and, once decided, what became of it.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The submission's id.
    pub submission_id: SubmissionId,
    /// The fonds.
    pub fonds: FondsCode,
    /// `received`, `processing`, `accepted` or `rejected`.
    pub state: SubmissionState,
    /// When it was received.
    pub received_at: OffsetDateTime,
    /// When the outcome was decided.
    pub decided_at: Option<OffsetDateTime>,
    /// The records created, once accepted.
    pub records: Vec<ReceiptRecord>,
    /// Why it was rejected, with failure codes.
    pub reasons: Vec<FieldError>,
}

/// One record in a receipt.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
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

impl Archive {
    /// Receives a submission: `manifest` is the JSON part, `parts` the spooled file parts. The
    /// answer is the receipt of a submission stored as received; [`Archive::receipt`] waits for
    /// its outcome.
    ///
    /// # Errors
    /// Every problem with the manifest or the parts, with its code; a conflict with what the
    /// archive holds; `idempotency_key_reused`; a store failure.
    // LIMITATION: a submission's receipt, and a submission refused here before it is stored,
    // are not audited; only the pipeline's decision (accepted or rejected) is.
    pub async fn submit(
        &self,
        manifest: &[u8],
        parts: Vec<StagedPart>,
        origin: &Origin,
    ) -> Result<Receipt, CoreError> {
        if let Some(first) = self.replay(origin).await? {
            return Ok(first);
        }
        let text = std::str::from_utf8(manifest).map_err(|_| {
            CoreError::new(
                ErrorCode::ManifestMalformed,
                "the manifest is not UTF-8 text",
            )
        })?;
        let parsed = Manifest::parse(manifest)?;
        let prepared = self.prepare(&parsed, parts, origin).await?;
        let submission = ReceivedSubmission {
            id: SubmissionId::new(),
            fonds: prepared.fonds.code.clone(),
            source: origin.source.clone(),
            received_at: OffsetDateTime::now_utc(),
            client: origin.submitting_client(),
            manifest: text.to_owned(),
            parts: prepared.parts.into_values().collect(),
        };
        match self.metadata.receive_submission(&submission).await {
            Ok(()) => {}
            // Two requests with one key raced and the other one won: answer with its receipt.
            Err(fonds_store::StoreError::IdempotencyKeyTaken) => {
                if let Some(first) = self.replay(origin).await? {
                    return Ok(first);
                }
                return Err(CoreError::new(
                    ErrorCode::IdempotencyKeyReused,
                    "the idempotency key is in use; retry",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(
            submission = %submission.id,
            fonds = %submission.fonds,
            records = parsed.records.len(),
            source = %origin.source,
            "submission received"
        );
        crate::telemetry::submission("received");
        self.signals.work.notify_one();
        Ok(Receipt {
            submission_id: submission.id,
            fonds: submission.fonds,
            state: SubmissionState::Received,
            received_at: submission.received_at,
            decided_at: None,
            records: Vec::new(),
            reasons: Vec::new(),
        })
    }

    /// Checks and writes records at once, for local tools; `import_row` ties the submission to an
    /// import row in the same transaction.
    pub(crate) async fn accept_now(
        &self,
        manifest: Manifest,
        parts: Vec<StagedPart>,
        origin: &Origin,
        import_row: Option<ImportMark>,
    ) -> Result<Vec<RecordId>, CoreError> {
        let prepared = self.prepare(&manifest, parts, origin).await?;
        let declared: std::collections::BTreeMap<String, fonds_domain::Sha256Digest> = prepared
            .records
            .iter()
            .flat_map(|r| r.files.iter().map(|f| (f.part.clone(), f.sha256)))
            .collect();
        let records = build_records(&prepared.fonds, prepared.records, &prepared.parts)?;
        let ids = records.iter().map(|r| r.id).collect();
        // The same four-properties check as a submission through the interface gets.
        let id = SubmissionId::new();
        let declared_of =
            |f: &fonds_store::NewFile| f.part.as_ref().and_then(|p| declared.get(p)).copied();
        let subjects: Vec<crate::checks::Subject> = records
            .iter()
            .map(|r| crate::checks::Subject::received(&prepared.fonds, r, &declared_of))
            .collect();
        let checked = self
            .run_checks(fonds_domain::Occasion::Submission, Some(id), &subjects)
            .await?;
        if !checked.run.passed() {
            let refusals = checked.refusals(&subjects);
            let detail = refusals
                .iter()
                .map(|r| r.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let mut error = CoreError::fields(refusals);
            error.detail = detail;
            return Err(error);
        }
        let checked = checked.for_written_records(&subjects);
        let submission = NewSubmission {
            id,
            fonds: prepared.fonds.code,
            source: origin.source.clone(),
            received_at: OffsetDateTime::now_utc(),
            records,
            import_row,
            client: origin.submitting_client(),
            checks: Some(checked.run),
            invoices: checked.bookings,
        };
        self.metadata.insert_submission(&submission).await?;
        Ok(ids)
    }

    /// The first answer to a retried submission: its receipt when the client sent the same
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
        let status = self
            .metadata
            .submission_status(first.id)
            .await?
            .ok_or_else(|| not_found(first.id))?;
        Ok(Some(self.receipt_of(status).await?))
    }

    /// A submission's receipt, waiting up to `wait` (at most [`MAX_WAIT`]) for its outcome.
    /// `client` limits the answer to that client's own submissions, and `scope` to submissions
    /// into the fonds it reaches.
    ///
    /// # Errors
    /// `submission_not_found` (also outside `client` or `scope`), or a store failure.
    pub async fn receipt(
        &self,
        id: SubmissionId,
        client: Option<&ClientPrincipal>,
        scope: &fonds_domain::access::RecordScope,
        wait: Duration,
    ) -> Result<Receipt, CoreError> {
        let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
        loop {
            // Register for the wake-up before looking, so a decision in between is not missed.
            let decided = self.signals.decided.notified();
            tokio::pin!(decided);
            decided.as_mut().enable();
            let status = self
                .metadata
                .submission_status(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            // LIMITATION: a submission is reached by its fonds alone (anyone who may submit into
            // the fonds sees the receipt: ids, states and archival codes of its records, not
            // their descriptions); a receipt filtered record by record would need the scope's
            // other axes in the receipt query.
            if client.is_some_and(|c| status.client.as_ref() != Some(&c.id))
                || !scope.reaches_fonds(&status.fonds)
            {
                return Err(not_found(id));
            }
            if status.state.is_final() || tokio::time::Instant::now() >= deadline {
                return self.receipt_of(status).await;
            }
            let _ = tokio::time::timeout_at(deadline, decided).await;
        }
    }

    async fn receipt_of(&self, status: SubmissionStatus) -> Result<Receipt, CoreError> {
        let mut records = Vec::new();
        if status.state == SubmissionState::Accepted {
            for record in self.metadata.submission_records(status.id).await? {
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
        }
        let reasons = match &status.reasons {
            Some(json) => serde_json::from_str(json).map_err(CoreError::internal)?,
            None => Vec::new(),
        };
        Ok(Receipt {
            submission_id: status.id,
            fonds: status.fonds,
            state: status.state,
            received_at: status.received_at,
            decided_at: status.decided_at,
            records,
            reasons,
        })
    }
}

fn not_found(id: SubmissionId) -> CoreError {
    CoreError::new(
        ErrorCode::SubmissionNotFound,
        format!("submission {id} does not exist"),
    )
}
