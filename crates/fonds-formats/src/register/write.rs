//! Writing a register: the inverse of reading, for exports, handovers and the printed copy that
//! DA/T 94 §16 asks for.

use std::io::{self, Write};

use fonds_domain::RetentionPeriod;
use time::Date;

use super::RegisterRow;
use super::columns::Column;

/// Writes `rows` as a register with every column, required and optional, under a Chinese header.
///
/// The file starts with a UTF-8 byte-order mark because spreadsheet programs otherwise open
/// Chinese text as mojibake. Rows produced by [`super::read_register`] read back equal, apart from
/// their `line`, which is where they land in the new file.
///
/// # Errors
/// Any error of the underlying writer.
pub fn write_register<W: Write>(mut out: W, rows: &[RegisterRow]) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(Column::ALL.map(Column::name))?;
    for row in rows {
        writer.write_record(Column::ALL.map(|c| field(row, c)))?;
    }
    writer.flush()
}

fn field(row: &RegisterRow, column: Column) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    match column {
        Column::Seq => row.seq.to_string(),
        Column::ArchivalCode => text(&row.archival_code),
        Column::Number => row.number.to_string(),
        Column::Title => row.title.clone(),
        Column::Date => format_date(row.date),
        Column::Retention => row.retention.map(retention_label).unwrap_or_default(),
        Column::FileNames => row.file_names.join(";"),
        Column::FileCount => row.file_count.to_string(),
        Column::Remarks => text(&row.remarks),
        Column::Kind => row.kind.name_zh().to_owned(),
        Column::Amount => row.amount.map(|a| a.to_string()).unwrap_or_default(),
        Column::Preparer => text(&row.preparer),
        Column::Reviewer => text(&row.reviewer),
        Column::AttachmentCount => row
            .attachment_count
            .map(|n| n.to_string())
            .unwrap_or_default(),
    }
}

fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The label printed registers use (永久, 30年) where one exists; the code otherwise, since the
/// other labels are Fonds' own and only the code reads back.
fn retention_label(period: RetentionPeriod) -> String {
    match period {
        RetentionPeriod::Permanent | RetentionPeriod::Years(_) => period.label_zh(),
        _ => period.code(),
    }
}
