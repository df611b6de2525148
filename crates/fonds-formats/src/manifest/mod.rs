//! The submission manifest: the JSON part of `POST /api/v1/submissions` that declares the
//! records and names the file parts. It arrives from the sender as loosely typed JSON, so
//! [`Manifest::parse`] bounds it (size and nesting) before reading it, and
//! [`Manifest::validate`] turns it field by field into domain values, so that every problem is
//! reported with its JSON pointer and its own code, all at once.

#[cfg(test)]
mod tests;
mod validate;

use fonds_domain::access::{DepartmentCode, SecrecyLevel};
use fonds_domain::{
    ArchivalCode, BusinessKey, Classification, ErrorCode, FileRole, RecordDescription,
    Sha256Digest, VoucherEntry,
};
use serde::Deserialize;

/// The largest number of records one submission may declare.
pub const MAX_RECORDS: usize = 1000;
/// The largest number of files one record may carry.
pub const MAX_FILES_PER_RECORD: usize = 200;
/// The most bytes [`Manifest::parse`] reads: 4 MiB, room for [`MAX_RECORDS`] records with their
/// entries and files.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;
/// The deepest nesting of JSON arrays and objects [`Manifest::parse`] accepts. A valid manifest
/// nests five levels (manifest, records, record, entries, entry).
pub const MAX_MANIFEST_DEPTH: usize = 64;

/// A manifest that cannot be read at all; callers report it as `manifest_malformed`, with this
/// error's text as the detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// More bytes than [`MAX_MANIFEST_BYTES`].
    #[error(
        "the manifest has {size} bytes, more than the limit of {MAX_MANIFEST_BYTES}; send fewer \
         records per submission"
    )]
    TooLarge {
        /// The size received.
        size: usize,
    },
    /// Arrays and objects nested deeper than [`MAX_MANIFEST_DEPTH`].
    #[error(
        "the manifest nests arrays and objects deeper than {MAX_MANIFEST_DEPTH} levels; see \
         docs/api.md for its shape"
    )]
    TooDeep,
    /// Not JSON, or not JSON of the documented shape.
    #[error("the manifest is not valid: {0}; see docs/api.md for its shape")]
    Json(String),
}

impl ManifestError {
    /// The code a caller reports this error with.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        ErrorCode::ManifestMalformed
    }
}

/// The manifest as sent.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The fonds the records belong to.
    pub fonds: String,
    /// The records.
    pub records: Vec<ManifestRecord>,
}

/// One record as declared.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ManifestRecord {
    /// The client's key for the record, echoed in the receipt.
    pub key: Option<String>,
    /// Record kind, e.g. `accounting_voucher` or `记账凭证`.
    pub kind: String,
    /// Fiscal year.
    pub fiscal_year: i64,
    /// Month, for periodic kinds.
    pub period: Option<i64>,
    /// Voucher, ledger or report number.
    pub voucher_number: Option<String>,
    /// Date of creation, YYYY-MM-DD.
    pub date: Option<String>,
    /// Title (摘要).
    pub title: String,
    /// Amount, a decimal string.
    pub amount: Option<String>,
    /// Preparer.
    pub preparer: Option<String>,
    /// Reviewer.
    pub reviewer: Option<String>,
    /// Declared attachment count.
    pub attachment_count: Option<u32>,
    /// Requested retention (longer than the minimum only).
    pub retention: Option<String>,
    /// An archival code assigned by an earlier archive, for migrations.
    pub archival_code: Option<String>,
    /// Remarks.
    pub remarks: Option<String>,
    /// The source system's reference.
    pub source_reference: Option<String>,
    /// The department it belongs to: a code of the fonds' department tree. None: no department
    /// (then only callers whose scope covers every department see it).
    pub department: Option<String>,
    /// Its secrecy level (密级): `public`, `internal`, `confidential`, `secret` or the Chinese
    /// names. None: `internal` (内部).
    pub secrecy: Option<String>,
    /// Entries, for a 记账凭证.
    #[serde(default)]
    pub entries: Vec<ManifestEntry>,
    /// Files.
    #[serde(default)]
    pub files: Vec<ManifestFile>,
    /// What the source systems call this item (its invoice number, approval-form id …), so
    /// that other items can link to it.
    #[serde(default)]
    pub business_keys: Vec<ManifestKey>,
    /// Related items this one refers to, by their business keys (单证关联).
    #[serde(default)]
    pub links: Vec<ManifestKey>,
}

/// A business key as declared: `{"type": "invoice", "key": "24312000000012345678"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestKey {
    /// `invoice`, `approval_form`, `bank_receipt`, `contract` or `reimbursement_form`.
    #[serde(rename = "type")]
    pub link_type: String,
    /// The key's value.
    pub key: String,
}

/// One voucher entry as declared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// 摘要.
    pub summary: String,
    /// 科目编码.
    pub account_code: String,
    /// 科目名称.
    pub account_name: String,
    /// Debit, a decimal string.
    pub debit: Option<String>,
    /// Credit, a decimal string.
    pub credit: Option<String>,
}

/// One file as declared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// The multipart part that carries the bytes.
    pub part: String,
    /// Role in the item.
    pub role: String,
    /// File name.
    pub file_name: String,
    /// Declared SHA-256, hex.
    pub sha256: String,
}

/// A record that passed validation.
#[derive(Debug, Clone)]
pub struct ValidRecord {
    /// The client's key.
    pub key: Option<String>,
    /// Classification.
    pub classification: Classification,
    /// Description.
    pub description: RecordDescription,
    /// Entries.
    pub entries: Vec<VoucherEntry>,
    /// Files.
    pub files: Vec<ValidFile>,
    /// Preset archival code, checked against the fonds' pattern and the classification.
    pub archival_code: Option<ArchivalCode>,
    /// Source reference.
    pub source_reference: Option<String>,
    /// Its own business keys.
    pub business_keys: Vec<BusinessKey>,
    /// The items it links to.
    pub links: Vec<BusinessKey>,
    /// Its department's code (its existence in the fonds is checked against the store).
    pub department: Option<DepartmentCode>,
    /// Its secrecy level.
    pub secrecy: SecrecyLevel,
}

/// A file that passed validation (its bytes are checked against the digest later).
#[derive(Debug, Clone)]
pub struct ValidFile {
    /// Part name.
    pub part: String,
    /// Role.
    pub role: FileRole,
    /// File name.
    pub file_name: String,
    /// Declared digest.
    pub sha256: Sha256Digest,
}

impl Manifest {
    /// Reads a manifest.
    ///
    /// The input is bounded before it is read: at most [`MAX_MANIFEST_BYTES`] bytes, and arrays
    /// and objects nested at most [`MAX_MANIFEST_DEPTH`] deep. The depth is checked by one scan
    /// of the bytes before parsing (brackets inside strings do not count), so `serde_json`'s own
    /// recursion limit of 128 is never what stops a deep document.
    ///
    /// # Errors
    /// [`ManifestError`] (`manifest_malformed`): too large, too deep, or not JSON of the
    /// documented shape, with the position of the JSON error.
    pub fn parse(bytes: &[u8]) -> Result<Self, ManifestError> {
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge { size: bytes.len() });
        }
        if nesting_exceeds(bytes, MAX_MANIFEST_DEPTH) {
            return Err(ManifestError::TooDeep);
        }
        serde_json::from_slice(bytes).map_err(|e| ManifestError::Json(e.to_string()))
    }
}

/// Whether arrays and objects outside JSON strings nest deeper than `limit`. Malformed input is
/// scanned as far as it goes; the parser reports what is wrong with it.
fn nesting_exceeds(bytes: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}
