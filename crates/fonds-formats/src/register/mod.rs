//! The import register: DA/T 94 Table F.1 (电子会计档案登记表) as a UTF-8 CSV file.
//!
//! DA/T 94 §16 has units without an archive system list what they hand over in this register,
//! one row per item, and Fonds accepts the same file as its bulk import format. The header row
//! names the columns in Chinese, in any order; the nine columns of Table F.1 are required, and a
//! few optional ones (类型, 金额, 制单人, 审核人, 附件数) carry what an import needs beyond the
//! paper form. Reading is bounded by [`RegisterLimits`] and separates two kinds of failure: a file
//! that cannot be a register at all ([`RegisterError`]) and single bad rows ([`RowError`]), which
//! are reported one by one without stopping the others, so the sender can fix them all at once.

mod columns;
mod row;
#[cfg(test)]
mod tests;
mod write;

use std::io::Read;

use fonds_domain::{Money, RecordKind, RetentionPeriod, VoucherNumber};
use time::Date;

use self::columns::Columns;

pub use self::write::write_register;

/// Bounds on what [`read_register`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterLimits {
    /// Data rows, not counting the header and blank rows.
    pub max_rows: usize,
    /// Characters in any single field.
    pub max_field_chars: usize,
}

impl Default for RegisterLimits {
    fn default() -> Self {
        Self {
            max_rows: 1_000_000,
            max_field_chars: 2000,
        }
    }
}

/// One row of the register: one item (a voucher with its attachments, a ledger, a report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    /// The 1-based line of the file the row starts on; the header is line 1.
    pub line: u64,
    /// 序号.
    pub seq: u32,
    /// 档号, when the unit has already assigned one. Kept as written: the fonds' pattern, which
    /// can check it, is not known here.
    pub archival_code: Option<String>,
    /// 文件号: the voucher, ledger or report number.
    pub number: VoucherNumber,
    /// 题名; for a voucher, its 摘要.
    pub title: String,
    /// 形成日期.
    pub date: Date,
    /// 保管期限, when given; otherwise the retention table decides.
    pub retention: Option<RetentionPeriod>,
    /// 电子文件名: the item's files, in the order listed.
    pub file_names: Vec<String>,
    /// 数量: always equal to the number of file names.
    pub file_count: u32,
    /// 备注.
    pub remarks: Option<String>,
    /// 类型; 记账凭证 when the column is absent or empty.
    pub kind: RecordKind,
    /// 金额.
    pub amount: Option<Money>,
    /// 制单人.
    pub preparer: Option<String>,
    /// 审核人.
    pub reviewer: Option<String>,
    /// 附件数 as declared on the voucher.
    pub attachment_count: Option<u32>,
}

/// A file that cannot be read as a register at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The header row lacks columns of Table F.1.
    #[error(
        "the header row lacks the column(s) {}; a register needs 序号, 档号, 文件号, 题名, \
         形成日期, 保管期限, 电子文件名, 数量 and 备注",
        .0.join(", ")
    )]
    MissingColumns(Vec<&'static str>),
    /// More data rows than the limit.
    #[error("the register has more than {0} rows; split it into several registers")]
    TooManyRows(usize),
    /// The file is not readable CSV, or its header row is unusable.
    #[error("the register cannot be read: {0}")]
    Csv(String),
}

/// One row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {message}", column_label(*.column))]
pub struct RowError {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// The column at fault, when the fault is in one field.
    pub column: Option<&'static str>,
    /// What is wrong and what was expected.
    pub message: String,
}

fn column_label(column: Option<&str>) -> String {
    column.map(|c| format!(", column {c}")).unwrap_or_default()
}

/// Reads a register, returning one result per non-blank data row in file order.
///
/// A UTF-8 byte-order mark is accepted. Rows whose every field is blank are skipped.
///
/// LIMITATION: the input is read into memory whole (the rows returned hold about as much again),
/// because finding the true line of a row after skipped empty lines needs the bytes between
/// records; a caller reading from the network must bound the size of the input.
///
/// # Errors
/// [`RegisterError`] when the input cannot be read, the header lacks a required column or names
/// one twice, or the file has more than `limits.max_rows` data rows.
pub fn read_register<R: Read>(
    mut input: R,
    limits: &RegisterLimits,
) -> Result<Vec<Result<RegisterRow, RowError>>, RegisterError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| RegisterError::Csv(e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Rows with the wrong number of fields are row errors, not the end of the file.
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut record = csv::ByteRecord::new();
    if !read_record(&mut reader, &mut record)? {
        return Err(RegisterError::MissingColumns(Columns::all_required()));
    }
    let columns = Columns::from_header(&record)?;

    let mut rows = Vec::new();
    while read_record(&mut reader, &mut record)? {
        if row::is_blank(&record) {
            continue;
        }
        if rows.len() == limits.max_rows {
            return Err(RegisterError::TooManyRows(limits.max_rows));
        }
        let line = record
            .position()
            .map_or(0, |position| start_line(&bytes, position));
        rows.push(row::parse_row(&columns, &record, line, limits));
    }
    Ok(rows)
}

/// The line a record starts on. The parser reports the position where it began looking for the
/// record, which is before any empty lines it skipped (and, with CRLF endings, before the LF
/// that ended the previous record), so those line breaks are counted here.
fn start_line(bytes: &[u8], position: &csv::Position) -> u64 {
    let from = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let skipped = bytes
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    position.line() + u64::try_from(skipped).unwrap_or(0)
}

/// With byte records and flexible rows, reading from memory cannot fail; the mapping stays in
/// case the parser's guarantees change.
fn read_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::ByteRecord,
) -> Result<bool, RegisterError> {
    reader
        .read_byte_record(record)
        .map_err(|e| RegisterError::Csv(e.to_string()))
}
