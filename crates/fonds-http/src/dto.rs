//! The JSON shapes of the API, described for OpenAPI. They are built from core values and never
//! leak storage details.

use fonds_core::{FileRow, Receipt, RecordDetail, RecordRow, RecordVersion};
use fonds_domain::{RecordDescription, RetentionDue, VoucherEntry};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// A time as the API writes it: RFC 3339.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A record as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordSummary {
    /// Record id (UUIDv7).
    pub id: String,
    /// Fonds code, e.g. `Z001`.
    pub fonds: String,
    /// Record kind, e.g. `accounting_voucher`.
    pub kind: String,
    /// The kind's Chinese name, e.g. 记账凭证.
    pub kind_zh: String,
    /// Category: `voucher`, `ledger`, `report` or `other`.
    pub category: String,
    /// Fiscal year.
    pub fiscal_year: u16,
    /// Month, for periodic records.
    pub period: Option<u8>,
    /// Retention code: `Y`, `D30`, `D10`, `F5` (5 years after scrapping).
    pub retention: String,
    /// When retention ends (first day after the period), absent when permanent or awaiting the event.
    pub retention_due: Option<String>,
    /// Lifecycle state: `collected`, `archived`, ….
    pub state: String,
    /// Archival code (档号), once archived.
    pub archival_code: Option<String>,
    /// When it was archived (RFC 3339).
    pub archived_at: Option<String>,
    /// Title (题名 / 摘要).
    pub title: String,
    /// Date of creation (YYYY-MM-DD).
    pub date: Option<String>,
    /// Voucher, ledger or report number.
    pub voucher_number: Option<String>,
    /// Amount as a decimal string.
    pub amount: Option<String>,
    /// Description version, from 1.
    pub version: u32,
    /// The department's code in its fonds' tree, if it belongs to one.
    pub department: Option<String>,
    /// 密级: `public`, `internal`, `confidential` or `secret`.
    pub secrecy: String,
}

impl From<&RecordRow> for RecordSummary {
    fn from(r: &RecordRow) -> Self {
        let class = &r.classification;
        let d = &r.description;
        Self {
            id: r.id.to_string(),
            fonds: r.fonds.to_string(),
            kind: class.kind.as_str().to_owned(),
            kind_zh: class.kind.name_zh().to_owned(),
            category: serde_json::to_value(class.kind.category())
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            fiscal_year: class.fiscal_year.get(),
            period: class.period.map(|p| p.month()),
            retention: class.retention.code(),
            retention_due: match r.retention_due {
                RetentionDue::On(date) => Some(date.to_string()),
                RetentionDue::Never | RetentionDue::AwaitingEvent => None,
            },
            state: r.state.as_str().to_owned(),
            archival_code: r.archival_code.clone(),
            archived_at: r.archived_at.map(rfc3339),
            title: d.title.clone(),
            date: d.date.map(|x| x.to_string()),
            voucher_number: d.number.as_ref().map(|n| n.to_string()),
            amount: d.amount.map(|a| a.to_string()),
            version: r.version,
            department: r.department.as_ref().map(ToString::to_string),
            secrecy: r.secrecy.code().to_owned(),
        }
    }
}

/// A page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordPage {
    /// The records, newest first.
    pub items: Vec<RecordSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A stored file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileInfo {
    /// File id.
    pub id: String,
    /// Position in the item, from 1.
    pub position: u32,
    /// Role: `main`, `reimbursement_form`, `invoice`, `bank_receipt`, ….
    pub role: String,
    /// File name as submitted.
    pub file_name: String,
    /// Media type identified from the content.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// SM3, hex.
    pub sm3: String,
    /// Where to download it.
    pub href: String,
}

impl From<&FileRow> for FileInfo {
    fn from(f: &FileRow) -> Self {
        Self {
            id: f.id.to_string(),
            position: f.position,
            role: f.role.as_str().to_owned(),
            file_name: f.file_name.clone(),
            media_type: f.media_type.clone(),
            size: f.size,
            sha256: f.sha256.to_hex(),
            sm3: f.sm3.to_hex(),
            href: format!("/api/v1/records/{}/files/{}", f.record_id, f.id),
        }
    }
}

/// One line of a 记账凭证.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    /// 摘要.
    pub summary: String,
    /// 科目编码.
    pub account_code: String,
    /// 科目名称.
    pub account_name: String,
    /// Debit, decimal string.
    pub debit: String,
    /// Credit, decimal string.
    pub credit: String,
}

impl From<&VoucherEntry> for Entry {
    fn from(e: &VoucherEntry) -> Self {
        Self {
            summary: e.summary.clone(),
            account_code: e.account_code.clone(),
            account_name: e.account_name.clone(),
            debit: e.debit.to_string(),
            credit: e.credit.to_string(),
        }
    }
}

/// A record with its files and entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    /// The record.
    #[serde(flatten)]
    pub record: RecordSummary,
    /// Preparer.
    pub preparer: Option<String>,
    /// Reviewer.
    pub reviewer: Option<String>,
    /// Declared attachment count.
    pub attachment_count: Option<u32>,
    /// Remarks.
    pub remarks: Option<String>,
    /// Files in item order.
    pub files: Vec<FileInfo>,
    /// Entries of a 记账凭证.
    pub entries: Vec<Entry>,
    /// How often the record was viewed (this view included), downloaded and printed; the
    /// whole history is at `/records/{id}/use-history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_history: Option<UseHistorySummary>,
}

/// How much use a record has seen, from the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct UseHistorySummary {
    /// Views of its description.
    pub views: u64,
    /// Downloads of its files (each range request counts).
    pub downloads: u64,
    /// Prints registered.
    pub prints: u64,
    /// The sequence number of the last use in the audit trail.
    pub last_use_sequence: Option<i64>,
}

impl From<&RecordDetail> for RecordView {
    fn from(d: &RecordDetail) -> Self {
        let desc = &d.record.description;
        Self {
            record: RecordSummary::from(&d.record),
            preparer: desc.preparer.clone(),
            reviewer: desc.reviewer.clone(),
            attachment_count: desc.attachment_count,
            remarks: desc.remarks.clone(),
            files: d.files.iter().map(FileInfo::from).collect(),
            entries: d.entries.iter().map(Entry::from).collect(),
            use_history: d.use_summary.map(|u| UseHistorySummary {
                views: u.views,
                downloads: u.downloads,
                prints: u.prints,
                last_use_sequence: u.last_use,
            }),
        }
    }
}

/// The descriptive metadata that may be corrected.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// Title.
    pub title: String,
    /// Date, YYYY-MM-DD.
    pub date: Option<String>,
    /// Voucher number.
    pub voucher_number: Option<String>,
    /// Amount, decimal string.
    pub amount: Option<String>,
    /// Preparer.
    pub preparer: Option<String>,
    /// Reviewer.
    pub reviewer: Option<String>,
    /// Declared attachment count.
    pub attachment_count: Option<u32>,
    /// Remarks.
    pub remarks: Option<String>,
}

impl From<&RecordDescription> for Description {
    fn from(d: &RecordDescription) -> Self {
        Self {
            title: d.title.clone(),
            date: d.date.map(|x| x.to_string()),
            voucher_number: d.number.as_ref().map(|n| n.to_string()),
            amount: d.amount.map(|a| a.to_string()),
            preparer: d.preparer.clone(),
            reviewer: d.reviewer.clone(),
            attachment_count: d.attachment_count,
            remarks: d.remarks.clone(),
        }
    }
}

/// A correction of a record's description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The whole corrected description.
    pub description: Description,
    /// Why it is corrected; kept with the new version.
    pub reason: String,
}

/// The answer to a correction.
#[derive(Debug, Serialize, ToSchema)]
pub struct Corrected {
    /// The new version number.
    pub version: u32,
}

/// One version of a record's description.
#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    /// Version number, from 1.
    pub version: u32,
    /// The description as it was.
    pub description: Description,
    /// Why it changed; absent for version 1.
    pub reason: Option<String>,
    /// When (RFC 3339).
    pub changed_at: String,
}

impl From<&RecordVersion> for Version {
    fn from(v: &RecordVersion) -> Self {
        Self {
            version: v.version,
            description: Description::from(&v.description),
            reason: v.reason.clone(),
            changed_at: rfc3339(v.changed_at),
        }
    }
}

/// The answer to archiving.
#[derive(Debug, Serialize, ToSchema)]
pub struct Archived {
    /// The record.
    pub id: String,
    /// The archival code assigned.
    pub archival_code: String,
    /// When (RFC 3339).
    pub archived_at: String,
}

/// A fonds.
#[derive(Debug, Serialize, ToSchema)]
pub struct FondsInfo {
    /// Fonds code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `enterprise` or `public_institution`.
    pub retention_scheme: String,
    /// Archival-code pattern.
    pub code_pattern: String,
}

/// The receipt (电子档案接收单) of a submission: where it stands and, once decided, what became
/// of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionReceipt {
    /// Submission id.
    pub submission_id: String,
    /// Fonds.
    pub fonds: String,
    /// `received`, `processing`, `accepted` or `rejected`.
    pub state: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
    /// When the outcome was decided (RFC 3339).
    pub decided_at: Option<String>,
    /// Where to ask for the outcome (`?wait=SECONDS` waits for it).
    pub status_url: String,
    /// The records created, once accepted.
    pub records: Vec<ReceiptRecord>,
    /// Why it was rejected: every reason with its failure code.
    #[schema(value_type = Vec<crate::problem::FieldProblem>)]
    pub reasons: Vec<fonds_core::FieldError>,
}

/// A record in a receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptRecord {
    /// The client's key from the manifest.
    pub key: Option<String>,
    /// Record id.
    pub id: String,
    /// State: `collected`, or `archived` when it arrived with an archival code.
    pub state: String,
    /// Archival code, if it arrived with one.
    pub archival_code: Option<String>,
    /// Its files.
    pub files: Vec<ReceiptFile>,
}

/// A file in a receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptFile {
    /// Part name.
    pub part: String,
    /// File id.
    pub id: String,
    /// SHA-256 as computed.
    pub sha256: String,
    /// SM3 as computed.
    pub sm3: String,
    /// Size.
    pub size: u64,
    /// Media type identified from the content.
    pub media_type: String,
}

impl From<Receipt> for SubmissionReceipt {
    fn from(r: Receipt) -> Self {
        Self {
            status_url: format!("/api/v1/submissions/{}", r.submission_id),
            submission_id: r.submission_id.to_string(),
            fonds: r.fonds.to_string(),
            state: r.state.as_str().to_owned(),
            decided_at: r.decided_at.map(rfc3339),
            reasons: r.reasons,
            received_at: rfc3339(r.received_at),
            records: r
                .records
                .into_iter()
                .map(|rec| ReceiptRecord {
                    key: rec.key,
                    id: rec.id.to_string(),
                    state: rec.state.as_str().to_owned(),
                    archival_code: rec.archival_code,
                    files: rec
                        .files
                        .into_iter()
                        .map(|f| ReceiptFile {
                            part: f.part,
                            id: f.id.to_string(),
                            sha256: f.sha256,
                            sm3: f.sm3,
                            size: f.size,
                            media_type: f.media_type,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The multipart body of a submission (for documentation: the manifest part is JSON, every
/// other part is a file named by the manifest).
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "describes the multipart form for OpenAPI only")]
pub struct SubmissionForm {
    /// The manifest, JSON: `{"fonds": "Z001", "records": [...]}`; see docs/api.md.
    pub manifest: String,
    /// One part per file, named as the manifest's `files[].part`.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}
