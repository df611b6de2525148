//! Content reads, audited: viewing a record, downloading a file, registering a print, reading a
//! check report. Each appends its event (with the reader, their address, the record and its
//! archival code) durably *before* the content is handed back, so that nothing is ever read
//! without a trace; when the event cannot be stored the read is refused.
//!
//! The events go through the store's group commit for reads: concurrent reads share one sync
//! to disk, so the price of auditing a read is one durable commit per burst of reads, not one
//! per read.

use std::collections::BTreeSet;

use fonds_domain::access::RecordScope;
use fonds_domain::{CheckRunId, FileId, RecordId};
use fonds_store::{FileRow, NewAuditEvent, RecordRow};
use serde_json::json;

use super::{Actor, actions};
use crate::Archive;
use crate::checks::CheckRunView;
use crate::error::{CoreError, ErrorCode};
use crate::queries::{ByteRange, FileContent, RecordDetail};

/// The most copies one print registration may name.
pub const MAX_PRINT_COPIES: u32 = 1000;

/// The form a check report was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// The JSON document of the API.
    Json,
    /// The HTML page.
    Html,
    /// The PDF.
    Pdf,
}

impl ReportFormat {
    /// The name recorded in the event.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Html => "html",
            Self::Pdf => "pdf",
        }
    }
}

/// A print registered in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintRegistered {
    /// The record.
    pub record: RecordId,
    /// The file printed.
    pub file: FileId,
    /// Copies.
    pub copies: u32,
    /// The record's archival code, if it has one.
    pub archival_code: Option<String>,
}

/// An event about `record`, naming its archival code when it has one.
fn about(record: &RecordRow, by: &Actor, action: &str, detail: serde_json::Value) -> NewAuditEvent {
    let event = NewAuditEvent::success(by, action, Some(("record", record.id.to_string())), detail);
    match &record.archival_code {
        Some(code) => event.with_archival_code(code.clone()),
        None => event,
    }
}

impl Archive {
    /// A record `scope` reaches, with its files, entries and use summary, read by `by`: appends
    /// `record.viewed` before answering. The summary counts this view.
    ///
    /// # Errors
    /// `record_not_found` (also for a record outside `scope`), or a store failure (then nothing
    /// is returned).
    pub async fn view_record(
        &self,
        id: RecordId,
        scope: &RecordScope,
        by: &Actor,
    ) -> Result<RecordDetail, CoreError> {
        self.view_record_for(id, scope, by, None).await
    }

    /// [`Archive::view_record`], naming in the event the OA user a deep link was issued for.
    pub(crate) async fn view_record_for(
        &self,
        id: RecordId,
        scope: &RecordScope,
        by: &Actor,
        oa_user: Option<&str>,
    ) -> Result<RecordDetail, CoreError> {
        let mut detail = self.record(id, scope).await?;
        let mut what = json!({
            "fonds": detail.record.fonds.as_str(),
            "version": detail.record.version,
        });
        if let Some(user) = oa_user {
            what["deep_link_for"] = json!(user);
        }
        let event = about(&detail.record, by, actions::RECORD_VIEWED, what);
        self.metadata.append_read_event(event).await?;
        detail.use_summary = Some(self.metadata.use_summary(id).await?);
        Ok(detail)
    }

    /// Opens a file of a record (found with [`Archive::file`] in the caller's scope) for `by` to
    /// download, whole or a byte range of it: appends
    /// `file.downloaded` (naming the range) once the bytes can be served, before they are.
    ///
    /// # Errors
    /// `range_not_satisfiable`, `blob_missing`, or a store failure (then nothing is served).
    // LIMITATION: each range request is one event, so a viewer that fetches a large file in many
    // ranges leaves many events; a conditional request answered 304 reads no bytes and leaves
    // none.
    pub async fn download_file(
        &self,
        file: FileRow,
        range: Option<ByteRange>,
        by: &Actor,
    ) -> Result<FileContent, CoreError> {
        let record = self.record_row(file.record_id).await?;
        let content = self.open_file(file, range).await?;
        let range = content
            .range
            .map(|r| format!("bytes {}-{}/{}", r.start, r.end - 1, content.file.size));
        let event = about(
            &record,
            by,
            actions::FILE_DOWNLOADED,
            json!({
                "file_id": content.file.id.to_string(),
                "file_name": content.file.file_name,
                "sha256": content.file.sha256.to_hex(),
                "range": range,
            }),
        );
        self.metadata.append_read_event(event).await?;
        Ok(content)
    }

    /// Registers that `by` printed `copies` copies of a file of a record: appends
    /// `record.printed`. A client prints from a file it downloaded, so the download is in the
    /// trail as well; this event says that paper copies exist.
    ///
    /// # Errors
    /// `query_invalid` for 0 or more than [`MAX_PRINT_COPIES`] copies, `record_not_found` (also
    /// for a record outside `scope`), `file_not_found`, or a store failure.
    pub async fn register_print(
        &self,
        record: RecordId,
        file: FileId,
        copies: u32,
        scope: &RecordScope,
        by: &Actor,
    ) -> Result<PrintRegistered, CoreError> {
        if copies == 0 || copies > MAX_PRINT_COPIES {
            return Err(CoreError::new(
                ErrorCode::QueryInvalid,
                format!("copies must be 1 to {MAX_PRINT_COPIES}, not {copies}"),
            ));
        }
        let file = self.file(record, file, scope).await?;
        let row = self.record_row(record).await?;
        let event = about(
            &row,
            by,
            actions::RECORD_PRINTED,
            json!({
                "file_id": file.id.to_string(),
                "file_name": file.file_name,
                "copies": copies,
            }),
        );
        self.metadata.append_read_event(event).await?;
        Ok(PrintRegistered {
            record,
            file: file.id,
            copies,
            archival_code: row.archival_code,
        })
    }

    /// A check report `scope` reaches (see [`Archive::check_run_in`]), read by `by` in `format`:
    /// appends `check_report.viewed`, naming the records the run covered.
    ///
    /// # Errors
    /// `check_run_not_found` (also for a run outside `scope`), or a store failure.
    pub async fn read_check_report(
        &self,
        id: CheckRunId,
        format: ReportFormat,
        scope: &RecordScope,
        by: &Actor,
    ) -> Result<CheckRunView, CoreError> {
        let view = self.check_run_in(id, scope).await?;
        let records: BTreeSet<String> = view
            .results
            .iter()
            .filter_map(|r| r.record_id.map(|id| id.to_string()))
            .collect();
        let event = NewAuditEvent::success(
            by,
            actions::CHECK_REPORT_VIEWED,
            Some(("check_run", id.to_string())),
            json!({ "format": format.as_str(), "records": records }),
        );
        self.metadata.append_read_event(event).await?;
        Ok(view)
    }

    async fn record_row(&self, id: RecordId) -> Result<RecordRow, CoreError> {
        self.metadata.record(id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::RecordNotFound,
                format!("record {id} does not exist"),
            )
        })
    }
}
