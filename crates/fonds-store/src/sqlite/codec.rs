//! Conversions between domain values and the text and integers SQLite stores.

use fonds_domain::access::SecrecyLevel;
use fonds_domain::{
    AccountingPeriod, ArchivalCodePattern, Classification, FiscalYear, Fonds, Money,
    RecordDescription, RetentionDue, RetentionPeriod,
};
use sqlx::Row as _;
use sqlx::sqlite::SqliteRow;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::parse_stored;
use crate::error::StoreError;
use crate::metadata::RecordRow;

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub(super) fn timestamp(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub(super) fn parse_timestamp(value: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| StoreError::corrupt("timestamp", value))
}

pub(super) fn date(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

pub(super) fn parse_date(value: &str) -> Result<Date, StoreError> {
    Date::parse(value, DATE).map_err(|_| StoreError::corrupt("date", value))
}

pub(super) fn due(due: RetentionDue) -> (Option<String>, bool) {
    match due {
        RetentionDue::Never => (None, false),
        RetentionDue::On(d) => (Some(date(d)), false),
        RetentionDue::AwaitingEvent => (None, true),
    }
}

pub(super) fn fonds(row: &SqliteRow) -> Result<Fonds, StoreError> {
    let code: String = row.try_get("code")?;
    let scheme: String = row.try_get("retention_scheme")?;
    let pattern: String = row.try_get("code_pattern")?;
    Ok(Fonds {
        code: parse_stored("fonds code", &code)?,
        name: row.try_get("name")?,
        retention_scheme: parse_stored("retention scheme", &scheme)?,
        code_pattern: ArchivalCodePattern::parse(&pattern)
            .map_err(|_| StoreError::corrupt("archival-code pattern", &pattern))?,
    })
}

fn opt_parse<T: std::str::FromStr>(
    row: &SqliteRow,
    column: &'static str,
) -> Result<Option<T>, StoreError> {
    let value: Option<String> = row.try_get(column)?;
    value.map(|v| parse_stored(column, &v)).transpose()
}

pub(super) fn record(row: &SqliteRow) -> Result<RecordRow, StoreError> {
    let fiscal_year: i64 = row.try_get("fiscal_year")?;
    let fiscal_year = FiscalYear::new(fiscal_year)
        .map_err(|_| StoreError::corrupt("fiscal year", fiscal_year))?;
    let period: Option<i64> = row.try_get("period")?;
    let period = period
        .map(|m| {
            AccountingPeriod::new(fiscal_year, m).map_err(|_| StoreError::corrupt("period", m))
        })
        .transpose()?;
    let retention: String = row.try_get("retention")?;
    let retention: RetentionPeriod = parse_stored("retention", &retention)?;
    let record_date: Option<String> = row.try_get("record_date")?;
    let amount: Option<i64> = row.try_get("amount_fen")?;
    let attachment_count: Option<i64> = row.try_get("attachment_count")?;
    let due_date: Option<String> = row.try_get("retention_due")?;
    let awaiting: bool = row.try_get("awaiting_event")?;
    let retention_due = match (due_date, awaiting) {
        (_, true) => RetentionDue::AwaitingEvent,
        (Some(d), false) => RetentionDue::On(parse_date(&d)?),
        (None, false) => RetentionDue::Never,
    };
    let archived_at: Option<String> = row.try_get("archived_at")?;
    let created_at: String = row.try_get("created_at")?;
    let version: i64 = row.try_get("version")?;
    let id: String = row.try_get("id")?;
    let fonds: String = row.try_get("fonds_code")?;
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let secrecy: i64 = row.try_get("secrecy")?;
    Ok(RecordRow {
        id: parse_stored("record id", &id)?,
        fonds: parse_stored("fonds code", &fonds)?,
        submission_id: opt_parse(row, "submission_id")?,
        classification: Classification {
            kind: parse_stored("record kind", &kind)?,
            fiscal_year,
            period,
            retention,
        },
        description: RecordDescription {
            title: row.try_get("title")?,
            date: record_date.as_deref().map(parse_date).transpose()?,
            number: opt_parse(row, "number")?,
            amount: amount.map(Money::from_fen),
            preparer: row.try_get("preparer")?,
            reviewer: row.try_get("reviewer")?,
            attachment_count: attachment_count
                .map(|n| u32::try_from(n).map_err(|_| StoreError::corrupt("attachment count", n)))
                .transpose()?,
            remarks: row.try_get("remarks")?,
        },
        version: u32::try_from(version).map_err(|_| StoreError::corrupt("version", version))?,
        state: parse_stored("lifecycle state", &state)?,
        archival_code: row.try_get("archival_code")?,
        archived_at: archived_at.as_deref().map(parse_timestamp).transpose()?,
        retention_due,
        created_at: parse_timestamp(&created_at)?,
        key: row.try_get("submission_key")?,
        department: opt_parse(row, "department")?,
        secrecy: SecrecyLevel::from_rank(secrecy)
            .ok_or_else(|| StoreError::corrupt("secrecy level", secrecy))?,
    })
}
