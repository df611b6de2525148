//! One data row of the register: field checks and parsing into a [`RegisterRow`].
//!
//! Every field is trimmed before it is read, since spreadsheets pad cells freely; an empty
//! optional field means "not given". The first fault in a row is reported with its column and
//! what was expected, and the row is dropped.

use std::str::FromStr;

use fonds_domain::{RecordKind, RetentionPeriod, VoucherNumber};
use time::{Date, Month};

use super::columns::{Column, Columns};
use super::{RegisterLimits, RegisterRow, RowError};

/// How much of a rejected value an error message quotes.
const QUOTED_CHARS: usize = 40;

/// Parses one record whose line in the file is `line`.
pub(super) fn parse_row(
    columns: &Columns,
    record: &csv::ByteRecord,
    line: u64,
    limits: &RegisterLimits,
) -> Result<RegisterRow, RowError> {
    let fields = Fields::decode(columns, record, line, limits)?;
    let fault = |column: Column, message: String| RowError {
        line,
        column: Some(column.name()),
        message,
    };

    let seq = fields.get(Column::Seq);
    let seq = required(seq, "the row number").map_err(|m| fault(Column::Seq, m))?;
    let seq = seq.parse::<u32>().map_err(|_| {
        fault(
            Column::Seq,
            format!(
                "{} is not a row number (expected a whole number such as 1)",
                quote(seq)
            ),
        )
    })?;

    let number = required(
        fields.get(Column::Number),
        "the voucher, ledger or report number",
    )
    .and_then(|n| VoucherNumber::from_str(n).map_err(|e| e.to_string()))
    .map_err(|m| fault(Column::Number, m))?;

    let title = required(
        fields.get(Column::Title),
        "the title (for a voucher, its 摘要)",
    )
    .map_err(|m| fault(Column::Title, m))?
    .to_owned();

    let date = required(fields.get(Column::Date), "a date as YYYY-MM-DD")
        .and_then(|d| {
            parse_date(d).ok_or_else(|| format!("{} is not a date (expected YYYY-MM-DD)", quote(d)))
        })
        .map_err(|m| fault(Column::Date, m))?;

    let retention = optional(fields.get(Column::Retention))
        .map(parse_retention)
        .transpose()
        .map_err(|m| fault(Column::Retention, m))?;

    let file_names =
        parse_file_names(fields.get(Column::FileNames)).map_err(|m| fault(Column::FileNames, m))?;

    let count = fields.get(Column::FileCount);
    let file_count = required(count, "the number of files")
        .and_then(|c| parse_count(c, "a file count"))
        .map_err(|m| fault(Column::FileCount, m))?;
    if usize::try_from(file_count).ok() != Some(file_names.len()) {
        return Err(fault(
            Column::FileCount,
            format!(
                "says {file_count} but {} lists {} file(s); make them agree",
                Column::FileNames.name(),
                file_names.len()
            ),
        ));
    }

    let kind = optional(fields.get(Column::Kind))
        .map(|k| RecordKind::from_str(k).map_err(|e| e.to_string()))
        .transpose()
        .map_err(|m| fault(Column::Kind, m))?
        .unwrap_or(RecordKind::AccountingVoucher);

    let amount = optional(fields.get(Column::Amount))
        .map(|a| {
            a.parse()
                .map_err(|e: fonds_domain::MoneyError| e.to_string())
        })
        .transpose()
        .map_err(|m| fault(Column::Amount, m))?;

    let attachment_count = optional(fields.get(Column::AttachmentCount))
        .map(|c| parse_count(c, "an attachment count"))
        .transpose()
        .map_err(|m| fault(Column::AttachmentCount, m))?;

    Ok(RegisterRow {
        line,
        seq,
        archival_code: optional(fields.get(Column::ArchivalCode)).map(str::to_owned),
        number,
        title,
        date,
        retention,
        file_names,
        file_count,
        remarks: optional(fields.get(Column::Remarks)).map(str::to_owned),
        kind,
        amount,
        preparer: optional(fields.get(Column::Preparer)).map(str::to_owned),
        reviewer: optional(fields.get(Column::Reviewer)).map(str::to_owned),
        attachment_count,
    })
}

/// Whether every field of a record is blank. Spreadsheets often save trailing rows of empty
/// cells; they carry nothing and are skipped rather than reported.
pub(super) fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

/// The trimmed text fields of one record, checked for encoding and length.
struct Fields<'a> {
    columns: &'a Columns,
    values: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    fn decode(
        columns: &'a Columns,
        record: &'a csv::ByteRecord,
        line: u64,
        limits: &RegisterLimits,
    ) -> Result<Self, RowError> {
        if record.len() != columns.width() {
            return Err(RowError {
                line,
                column: None,
                message: format!(
                    "the row has {} fields but the header has {}; quote any field that \
                     contains a comma",
                    record.len(),
                    columns.width()
                ),
            });
        }
        let mut values = Vec::with_capacity(record.len());
        for (i, raw) in record.iter().enumerate() {
            let column = columns.column_at(i).map(Column::name);
            let fault = |message: String| RowError {
                line,
                column,
                message: match column {
                    Some(_) => message,
                    None => format!("field {}: {message}", i + 1),
                },
            };
            let text = std::str::from_utf8(raw).map_err(|_| {
                fault("is not UTF-8 text; save the register as “CSV UTF-8”".to_owned())
            })?;
            let chars = text.chars().count();
            if chars > limits.max_field_chars {
                return Err(fault(format!(
                    "has {chars} characters; at most {} are allowed",
                    limits.max_field_chars
                )));
            }
            values.push(text.trim());
        }
        Ok(Self { columns, values })
    }

    /// The trimmed field, or "" when the header lacks the column.
    fn get(&self, column: Column) -> &'a str {
        self.columns
            .position(column)
            .and_then(|i| self.values.get(i).copied())
            .unwrap_or("")
    }
}

fn required<'s>(value: &'s str, expected: &str) -> Result<&'s str, String> {
    if value.is_empty() {
        Err(format!("is empty (expected {expected})"))
    } else {
        Ok(value)
    }
}

fn optional(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

fn quote(value: &str) -> String {
    let mut quoted: String = value.chars().take(QUOTED_CHARS).collect();
    if value.chars().nth(QUOTED_CHARS).is_some() {
        quoted.push('…');
    }
    format!("`{}`", quoted.escape_debug())
}

fn parse_count(value: &str, what: &str) -> Result<u32, String> {
    value
        .parse::<u32>()
        .map_err(|_| format!("{} is not {what} (expected a whole number)", quote(value)))
}

/// `YYYY-MM-DD` or `YYYYMMDD`, the two forms finance systems export.
fn parse_date(value: &str) -> Option<Date> {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        let part = b.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse::<u16>().ok()
        } else {
            None
        }
    };
    let (year, month, day) = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => (digits(0..4)?, digits(5..7)?, digits(8..10)?),
        8 => (digits(0..4)?, digits(4..6)?, digits(6..8)?),
        _ => return None,
    };
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()
}

/// The codes of DA/T 94 (`Y`, `D30`, `D10` …) or the labels printed on registers (永久, 30年).
fn parse_retention(value: &str) -> Result<RetentionPeriod, String> {
    let from_label = || {
        let years = value.strip_suffix('年')?;
        let n = years.parse::<u16>().ok()?;
        (!years.starts_with('0') && (1..=999).contains(&n)).then_some(RetentionPeriod::Years(n))
    };
    RetentionPeriod::from_str(value)
        .ok()
        .or_else(from_label)
        .ok_or_else(|| {
            format!(
                "{} is not a retention period (expected 永久, 30年, 10年 or a code such as \
                 Y, D30, D10)",
                quote(value)
            )
        })
}

/// The list of file names: separated by `;` or `；`, each a bare name that cannot leave the
/// item's folder, because the names locate files inside the uploaded package.
fn parse_file_names(value: &str) -> Result<Vec<String>, String> {
    if value.is_empty() {
        return Err("is empty (expected the row's file names, separated by ;)".to_owned());
    }
    value
        .split([';', '；'])
        .map(|name| {
            let name = name.trim();
            if name.is_empty() {
                return Err(
                    "has an empty file name; separate names with a single ; and end without one"
                        .to_owned(),
                );
            }
            let bare = !name.contains(['/', '\\']) && !name.contains("..");
            if bare && !name.chars().any(char::is_control) {
                Ok(name.to_owned())
            } else {
                Err(format!(
                    "{} is not a bare file name (no folders, no `..`, no control characters)",
                    quote(name)
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_in_two_forms_and_must_exist() {
        let expected = Date::from_calendar_date(2023, Month::March, 31).expect("date");
        assert_eq!(parse_date("2023-03-31"), Some(expected));
        assert_eq!(parse_date("20230331"), Some(expected));
        for bad in [
            "2023-13-01",
            "2023-02-30",
            "2023/03/31",
            "23-03-31",
            "+2023033",
            "２０２３0331",
        ] {
            assert_eq!(parse_date(bad), None, "{bad} was accepted");
        }
    }

    #[test]
    fn retention_accepts_codes_and_printed_labels() {
        assert_eq!(parse_retention("永久"), Ok(RetentionPeriod::Permanent));
        assert_eq!(parse_retention("Y"), Ok(RetentionPeriod::Permanent));
        assert_eq!(parse_retention("30年"), Ok(RetentionPeriod::Years(30)));
        assert_eq!(parse_retention("D10"), Ok(RetentionPeriod::Years(10)));
        for bad in ["30", "030年", "年", "forever"] {
            assert!(parse_retention(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn long_values_are_quoted_shortened() {
        let message = parse_count(&"9".repeat(100), "a file count").expect_err("too large");
        assert!(
            message.starts_with(&format!("`{}…`", "9".repeat(40))),
            "{message}"
        );
    }
}
