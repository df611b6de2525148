//! Importing a folder laid out as DA/T 94 §16 describes: one folder per voucher number holding
//! that item's files, and the register (电子会计档案登记表, Table F.1) as CSV beside them.
//!
//! Each register row becomes one submission, checked by exactly the rules of the API. The
//! import remembers, in the same transaction as each row's records, that the row is done, so an
//! interrupted import resumes where it stopped and never imports a row twice. Every refused row
//! is reported with its line and reason, and the rest go on.

use std::path::{Path, PathBuf};

use fonds_domain::{FileRole, FondsCode, RecordId};
use fonds_formats::register::{RegisterLimits, RegisterRow, read_register};
use fonds_store::{ImportMark, ImportRowStatus};
use sha2::Digest as _;

use crate::Archive;
use crate::error::{CoreError, ErrorCode};
use crate::ingest::StagedPart;
use crate::manifest::{Manifest, ManifestFile, ManifestRecord};

/// The register file names looked for, in order.
pub const REGISTER_NAMES: [&str; 3] = ["register.csv", "登记表.csv", "电子会计档案登记表.csv"];

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedRow {
    /// Imported now, as this record.
    Imported(RecordId),
    /// Imported by an earlier, interrupted run.
    AlreadyImported(RecordId),
    /// Refused; the reason says why.
    Refused(String),
}

/// The outcome of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// The register that was read.
    pub register: PathBuf,
    /// Rows read.
    pub rows: usize,
    /// Rows imported by this run.
    pub imported: usize,
    /// Rows an earlier run had imported.
    pub resumed: usize,
    /// Refused rows: register line and reason.
    pub refused: Vec<(u64, String)>,
}

/// Told after each row, for progress bars.
pub trait ImportProgress: Send {
    /// The register has this many rows.
    fn start(&mut self, rows: usize);
    /// One more row was handled.
    fn row(&mut self, line: u64, outcome: &ImportedRow);
}

impl ImportProgress for () {
    fn start(&mut self, _rows: usize) {}
    fn row(&mut self, _line: u64, _outcome: &ImportedRow) {}
}

fn find_register(dir: &Path) -> Result<PathBuf, CoreError> {
    REGISTER_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CoreError::new(
                ErrorCode::ManifestInvalid,
                format!(
                    "no register in {}: put the DA/T 94 F.1 register there as one of {}",
                    dir.display(),
                    REGISTER_NAMES.join(", ")
                ),
            )
        })
}

/// The role a file plays, from its position and name: the first file is the main document.
fn role_of(position: usize, file_name: &str) -> FileRole {
    if position == 0 {
        return FileRole::Main;
    }
    let keywords = [
        ("报销单", FileRole::ReimbursementForm),
        ("审批", FileRole::ApprovalForm),
        ("发票", FileRole::Invoice),
        ("回单", FileRole::BankReceipt),
        ("合同", FileRole::Contract),
    ];
    keywords
        .iter()
        .find(|(word, _)| file_name.contains(word))
        .map_or(FileRole::Attachment, |(_, role)| *role)
}

impl Archive {
    /// Imports the folder `dir` into the fonds `fonds`.
    ///
    /// # Errors
    /// When the register is missing or unreadable as a whole, the fonds does not exist, or the
    /// store fails. Problems with single rows are reported in the [`ImportReport`] instead.
    pub async fn import_dir(
        &self,
        dir: &Path,
        fonds: &FondsCode,
        progress: &mut dyn ImportProgress,
    ) -> Result<ImportReport, CoreError> {
        self.fonds_or_404(fonds).await?;
        let register = find_register(dir)?;
        let bytes = tokio::fs::read(&register).await.map_err(|e| {
            CoreError::new(
                ErrorCode::ManifestInvalid,
                format!("cannot read {}: {e}", register.display()),
            )
        })?;
        let import_key = hex::encode(
            sha2::Sha256::new()
                .chain_update(fonds.as_str())
                .chain_update(&bytes)
                .finalize(),
        );
        let rows = read_register(bytes.as_slice(), &RegisterLimits::default()).map_err(|e| {
            CoreError::new(
                ErrorCode::ManifestInvalid,
                format!("{}: {e}", register.display()),
            )
        })?;
        let mut report = ImportReport {
            register,
            rows: rows.len(),
            ..ImportReport::default()
        };
        progress.start(rows.len());
        for row in rows {
            let (line, outcome) = match row {
                Err(e) => (e.line, ImportedRow::Refused(e.to_string())),
                Ok(row) => (
                    row.line,
                    self.import_row(dir, fonds, &import_key, &row).await?,
                ),
            };
            match &outcome {
                ImportedRow::Imported(_) => report.imported += 1,
                ImportedRow::AlreadyImported(_) => report.resumed += 1,
                ImportedRow::Refused(reason) => report.refused.push((line, reason.clone())),
            }
            progress.row(line, &outcome);
        }
        tracing::info!(
            register = %report.register.display(),
            imported = report.imported,
            resumed = report.resumed,
            refused = report.refused.len(),
            "import finished"
        );
        Ok(report)
    }

    async fn import_row(
        &self,
        dir: &Path,
        fonds: &FondsCode,
        import_key: &str,
        row: &RegisterRow,
    ) -> Result<ImportedRow, CoreError> {
        let row_key = format!("{}:{}", row.seq, row.number);
        if let Some(ImportRowStatus::Imported(id)) =
            self.metadata.import_row(import_key, &row_key).await?
        {
            return Ok(ImportedRow::AlreadyImported(id));
        }
        let folder = dir.join(row.number.as_str());
        let mut parts = Vec::with_capacity(row.file_names.len());
        let mut files = Vec::with_capacity(row.file_names.len());
        for (i, name) in row.file_names.iter().enumerate() {
            let path = folder.join(name);
            let file = match tokio::fs::File::open(&path).await {
                Ok(file) => file,
                Err(e) => {
                    let reason = format!("line {}: cannot open {}: {e}", row.line, path.display());
                    return self.refuse(import_key, &row_key, reason).await;
                }
            };
            let stream = tokio_util_stream(file);
            let blob = self
                .stager()
                .stage(stream, self.settings.max_upload_bytes)
                .await?;
            let part = format!("f{i}");
            files.push(ManifestFile {
                part: part.clone(),
                role: role_of(i, name).as_str().to_owned(),
                file_name: name.clone(),
                sha256: blob.digests().sha256.to_hex(),
            });
            parts.push(StagedPart { name: part, blob });
        }
        let year = i64::from(row.date.year());
        let record = ManifestRecord {
            key: Some(row_key.clone()),
            kind: row.kind.as_str().to_owned(),
            fiscal_year: year,
            period: row
                .kind
                .is_periodic()
                .then_some(i64::from(u8::from(row.date.month()))),
            voucher_number: Some(row.number.as_str().to_owned()),
            date: Some(row.date.to_string()),
            title: row.title.clone(),
            amount: row.amount.map(|a| a.to_string()),
            preparer: row.preparer.clone(),
            reviewer: row.reviewer.clone(),
            attachment_count: row.attachment_count,
            retention: row.retention.map(|r| r.code()),
            archival_code: row.archival_code.clone(),
            remarks: row.remarks.clone(),
            files,
            ..ManifestRecord::default()
        };
        let manifest = Manifest {
            fonds: fonds.to_string(),
            records: vec![record],
        };
        let mark = ImportMark {
            import_key: import_key.to_owned(),
            row_key: row_key.clone(),
        };
        let origin = crate::ingest::Origin::local(format!("import:{}", dir.display()));
        match self.accept_now(manifest, parts, &origin, Some(mark)).await {
            Ok(ids) => match ids.first() {
                Some(id) => Ok(ImportedRow::Imported(*id)),
                None => Err(CoreError::new(
                    ErrorCode::Internal,
                    "an accepted row created no record",
                )),
            },
            Err(e) if e.code.kind() == crate::ErrorKind::Internal => Err(e),
            Err(e) => {
                self.refuse(
                    import_key,
                    &row_key,
                    format!("line {}: {}", row.line, e.detail),
                )
                .await
            }
        }
    }

    async fn refuse(
        &self,
        import_key: &str,
        row_key: &str,
        reason: String,
    ) -> Result<ImportedRow, CoreError> {
        self.metadata
            .record_import_row(
                import_key,
                row_key,
                &ImportRowStatus::Refused(reason.clone()),
            )
            .await?;
        Ok(ImportedRow::Refused(reason))
    }
}

/// A file as a stream of chunks for the stager.
fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Unpin + Send {
    use tokio::io::AsyncReadExt;
    Box::pin(futures_util::stream::unfold(
        Some(file),
        |state| async move {
            let mut file = state?;
            let mut buffer = vec![0u8; 64 * 1024];
            match file.read(&mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok(bytes::Bytes::from(buffer)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_file_is_the_main_document_and_the_rest_are_known_by_name() {
        assert_eq!(role_of(0, "发票.pdf"), FileRole::Main);
        assert_eq!(
            role_of(1, "报销单-记-0001.pdf"),
            FileRole::ReimbursementForm
        );
        assert_eq!(role_of(2, "发票-1234.xml"), FileRole::Invoice);
        assert_eq!(role_of(3, "银行回单-77.pdf"), FileRole::BankReceipt);
        assert_eq!(role_of(4, "scan.png"), FileRole::Attachment);
    }
}
