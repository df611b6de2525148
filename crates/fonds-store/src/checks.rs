//! Rows of the four-properties check and of the invoice register, as the store writes and reads
//! them.

use fonds_domain::{
    CheckItem, CheckRunId, FileId, FondsCode, InvoiceKey, Occasion, Outcome, RecordId, Severity,
    Stage, SubmissionId,
};
use time::OffsetDateTime;

/// A finished check run to store, with every result.
#[derive(Debug, Clone)]
pub struct NewCheckRun {
    /// The run's id.
    pub id: CheckRunId,
    /// What caused it.
    pub occasion: Occasion,
    /// The submission it checked, for runs at submission.
    pub submission_id: Option<SubmissionId>,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// When it finished.
    pub finished_at: OffsetDateTime,
    /// The results, in report order.
    pub results: Vec<NewCheckResult>,
}

impl NewCheckRun {
    /// Whether no item of error severity failed.
    #[must_use]
    pub fn passed(&self) -> bool {
        !self.results.iter().any(NewCheckResult::blocks)
    }

    /// How many records the run covered.
    #[must_use]
    pub fn record_count(&self) -> usize {
        let keys: std::collections::BTreeSet<&str> =
            self.results.iter().map(|r| r.record_key.as_str()).collect();
        keys.len()
    }

    /// The run's row as the store holds it once written.
    #[must_use]
    pub fn row(&self) -> CheckRunRow {
        CheckRunRow {
            id: self.id,
            occasion: self.occasion,
            stage: self.occasion.stage(),
            submission_id: self.submission_id,
            started_at: self.started_at,
            finished_at: self.finished_at,
            record_count: u64::try_from(self.record_count()).unwrap_or(u64::MAX),
            passed: self.passed(),
        }
    }
}

/// One item's outcome for one record, or one file of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckResult {
    /// The record, once it exists (records of a refused submission never do).
    pub record_id: Option<RecordId>,
    /// How the record is named in the report: its key in the manifest, or its id.
    pub record_key: String,
    /// The file, for items that examine one file.
    pub file_id: Option<FileId>,
    /// The file's name, for the report.
    pub file_name: Option<String>,
    /// The item.
    pub item: CheckItem,
    /// The severity that applied.
    pub severity: Severity,
    /// The outcome.
    pub outcome: Outcome,
    /// What was compared or found, e.g. both digests.
    pub evidence: String,
    /// When the item ran.
    pub checked_at: OffsetDateTime,
}

impl NewCheckResult {
    /// Whether this result refuses the act it guards: a failure of error severity.
    #[must_use]
    pub fn blocks(&self) -> bool {
        self.outcome == Outcome::Failed && self.severity == Severity::Error
    }
}

/// A stored check run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunRow {
    /// Id.
    pub id: CheckRunId,
    /// What caused it.
    pub occasion: Occasion,
    /// The stage whose items ran.
    pub stage: Stage,
    /// The submission it checked.
    pub submission_id: Option<SubmissionId>,
    /// Start.
    pub started_at: OffsetDateTime,
    /// End.
    pub finished_at: OffsetDateTime,
    /// Records covered.
    pub record_count: u64,
    /// Whether no item of error severity failed.
    pub passed: bool,
}

/// A stored result: what was written, in order.
pub type CheckResultRow = NewCheckResult;

/// What to do when an invoice already booked is booked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReusePolicy {
    /// Refuse the second booking (the default).
    #[default]
    Reject,
    /// Accept it, list it for review and mark the check item failed as a warning.
    Flag,
}

/// An invoice to enter in the register when its record is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoiceBooking {
    /// The invoice.
    pub key: InvoiceKey,
    /// The record it is booked to.
    pub record_id: RecordId,
    /// The record's voucher number, if it has one.
    pub voucher_number: Option<String>,
    /// Whether it is a red-letter invoice.
    pub red_letter: bool,
    /// The invoice a red-letter invoice reverses.
    pub reverses: Option<InvoiceKey>,
    /// What to do if it is booked already.
    pub on_reuse: ReusePolicy,
}

/// An invoice in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceBookingRow {
    /// The invoice.
    pub key: InvoiceKey,
    /// The record it was first booked to.
    pub record_id: RecordId,
    /// That record's fonds.
    pub fonds: FondsCode,
    /// That record's voucher number.
    pub voucher_number: Option<String>,
    /// That record's archival code, once archived.
    pub archival_code: Option<String>,
    /// Whether it is a red-letter invoice.
    pub red_letter: bool,
    /// The invoice it reverses.
    pub reverses: Option<InvoiceKey>,
    /// The red-letter invoice that reverses it, if one was booked.
    pub reversed_by: Option<InvoiceKey>,
    /// When it was booked.
    pub booked_at: OffsetDateTime,
}

impl InvoiceBookingRow {
    /// Where the invoice was first booked, in words an accountant reads: record, fonds, voucher
    /// number and archival code.
    #[must_use]
    pub fn first_booking(&self) -> String {
        let mut text = format!(
            "{} {} was first booked to record {} in fonds {}",
            self.key.kind_zh(),
            self.key,
            self.record_id,
            self.fonds
        );
        if let Some(number) = &self.voucher_number {
            text.push_str(&format!(", voucher {number}"));
        }
        if let Some(code) = &self.archival_code {
            text.push_str(&format!(", archival code {code}"));
        }
        text
    }
}
