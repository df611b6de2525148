//! Check runs, item switches and the invoice register, in SQLite.

use fonds_domain::{CheckItem, CheckRunId, FondsCode, InvoiceKey, Occasion, RecordId, Stage};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite, SqlitePool};
use time::OffsetDateTime;

use super::{codec, parse_stored};
use crate::checks::{
    CheckResultRow, CheckRunRow, InvoiceBookingRow, NewCheckRun, NewInvoiceBooking, ReusePolicy,
};
use crate::error::StoreError;

/// Writes a run and its results inside the caller's transaction.
pub(super) async fn insert_run(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    run: &NewCheckRun,
) -> Result<(), StoreError> {
    let id = run.id.to_string();
    sqlx::query(
        "INSERT INTO check_runs (id, occasion, stage, submission_id, started_at, finished_at, record_count, passed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(run.occasion.as_str())
    .bind(run.occasion.stage().code())
    .bind(run.submission_id.map(|s| s.to_string()))
    .bind(codec::timestamp(run.started_at))
    .bind(codec::timestamp(run.finished_at))
    .bind(i64::try_from(run.record_count()).unwrap_or(i64::MAX))
    .bind(run.passed())
    .execute(&mut **tx)
    .await?;
    // Many rows per statement: a run over a few hundred records has thousands of results.
    const ROWS_PER_STATEMENT: usize = 200;
    let rows: Vec<(usize, &crate::checks::NewCheckResult)> =
        run.results.iter().enumerate().collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO check_results (run_id, seq, record_id, record_key, file_id, file_name, item,
                                        severity, outcome, reason, evidence, checked_at) ",
        );
        insert.push_values(chunk, |mut row, (seq, result)| {
            row.push_bind(id.clone())
                .push_bind(i64::try_from(*seq).unwrap_or(i64::MAX))
                .push_bind(result.record_id.map(|r| r.to_string()))
                .push_bind(result.record_key.clone())
                .push_bind(result.file_id.map(|f| f.to_string()))
                .push_bind(result.file_name.clone())
                .push_bind(result.item.as_str())
                .push_bind(result.severity.as_str())
                .push_bind(result.outcome.as_str())
                .push_bind(result.outcome.reason().map(str::to_owned))
                .push_bind(result.evidence.clone())
                .push_bind(codec::timestamp(result.checked_at));
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes a run in a transaction of its own.
pub(super) async fn insert_run_alone(
    pool: &SqlitePool,
    run: &NewCheckRun,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    insert_run(&mut tx, run).await?;
    tx.commit().await?;
    Ok(())
}

fn run_row(row: &SqliteRow) -> Result<CheckRunRow, StoreError> {
    let occasion: String = row.try_get("occasion")?;
    let stage: String = row.try_get("stage")?;
    let submission: Option<String> = row.try_get("submission_id")?;
    Ok(CheckRunRow {
        id: parse_stored("check run id", &row.try_get::<String, _>("id")?)?,
        occasion: parse_stored::<Occasion>("check occasion", &occasion)?,
        stage: parse_stored::<Stage>("check stage", &stage)?,
        submission_id: submission
            .map(|s| parse_stored("submission id", &s))
            .transpose()?,
        started_at: codec::parse_timestamp(&row.try_get::<String, _>("started_at")?)?,
        finished_at: codec::parse_timestamp(&row.try_get::<String, _>("finished_at")?)?,
        record_count: u64::try_from(row.try_get::<i64, _>("record_count")?).unwrap_or(0),
        passed: row.try_get("passed")?,
    })
}

fn result_row(row: &SqliteRow) -> Result<CheckResultRow, StoreError> {
    let record: Option<String> = row.try_get("record_id")?;
    let file: Option<String> = row.try_get("file_id")?;
    let item: String = row.try_get("item")?;
    let severity: String = row.try_get("severity")?;
    let outcome: String = row.try_get("outcome")?;
    let reason: Option<String> = row.try_get("reason")?;
    Ok(CheckResultRow {
        record_id: record.map(|r| parse_stored("record id", &r)).transpose()?,
        record_key: row.try_get("record_key")?,
        file_id: file.map(|f| parse_stored("file id", &f)).transpose()?,
        file_name: row.try_get("file_name")?,
        item: parse_stored::<CheckItem>("check item", &item)?,
        severity: match severity.as_str() {
            "error" => fonds_domain::Severity::Error,
            "warning" => fonds_domain::Severity::Warning,
            _ => return Err(StoreError::corrupt("check severity", &severity)),
        },
        outcome: fonds_domain::Outcome::from_parts(&outcome, reason)
            .map_err(|_| StoreError::corrupt("check outcome", &outcome))?,
        evidence: row.try_get("evidence")?,
        checked_at: codec::parse_timestamp(&row.try_get::<String, _>("checked_at")?)?,
    })
}

/// A run and its results.
pub(super) async fn run(
    pool: &SqlitePool,
    id: CheckRunId,
) -> Result<Option<(CheckRunRow, Vec<CheckResultRow>)>, StoreError> {
    let Some(row) = sqlx::query("SELECT * FROM check_runs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let results = sqlx::query("SELECT * FROM check_results WHERE run_id = $1 ORDER BY seq")
        .bind(id.to_string())
        .fetch_all(pool)
        .await?
        .iter()
        .map(result_row)
        .collect::<Result<_, _>>()?;
    Ok(Some((run_row(&row)?, results)))
}

/// The runs that covered a record, newest first.
pub(super) async fn runs_of_record(
    pool: &SqlitePool,
    record: RecordId,
) -> Result<Vec<CheckRunRow>, StoreError> {
    sqlx::query(
        "SELECT * FROM check_runs WHERE id IN (SELECT run_id FROM check_results WHERE record_id = $1)
         ORDER BY started_at DESC, id DESC",
    )
    .bind(record.to_string())
    .fetch_all(pool)
    .await?
    .iter()
    .map(run_row)
    .collect()
}

/// The runs of a submission, newest first.
pub(super) async fn runs_of_submission(
    pool: &SqlitePool,
    submission: fonds_domain::SubmissionId,
) -> Result<Vec<CheckRunRow>, StoreError> {
    sqlx::query(
        "SELECT * FROM check_runs WHERE submission_id = $1 ORDER BY started_at DESC, id DESC",
    )
    .bind(submission.to_string())
    .fetch_all(pool)
    .await?
    .iter()
    .map(run_row)
    .collect()
}

/// Archived records whose last run at the preservation stage, or whose archiving when they never
/// had one, is before `before`: longest unchecked first. A record archived recently waits one
/// interval for its first preservation check, so the schedule spreads over the year instead of
/// checking the whole archive at first start.
pub(super) async fn due_for_preservation(
    pool: &SqlitePool,
    before: OffsetDateTime,
    limit: u32,
) -> Result<Vec<RecordId>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT r.id FROM records r
         LEFT JOIN (SELECT cr.record_id, MAX(run.finished_at) AS last
                    FROM check_results cr JOIN check_runs run ON run.id = cr.run_id
                    WHERE run.stage = 'CQ' AND cr.record_id IS NOT NULL
                    GROUP BY cr.record_id) c ON c.record_id = r.id
         WHERE r.state = 'archived' AND julianday(COALESCE(c.last, r.archived_at)) < julianday($1)
         ORDER BY julianday(COALESCE(c.last, r.archived_at)), r.id
         LIMIT $2",
    )
    .bind(codec::timestamp(before))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| parse_stored("record id", r)).collect()
}

/// The items switched off or on for a fonds.
pub(super) async fn switches(
    pool: &SqlitePool,
    fonds: &FondsCode,
) -> Result<Vec<(CheckItem, bool)>, StoreError> {
    let rows = sqlx::query("SELECT item, enabled FROM check_item_switches WHERE fonds_code = $1")
        .bind(fonds.as_str())
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let item: String = row.try_get("item")?;
            Ok((parse_stored("check item", &item)?, row.try_get("enabled")?))
        })
        .collect()
}

/// Switches an item on or off for a fonds.
pub(super) async fn set_switch(
    pool: &SqlitePool,
    fonds: &FondsCode,
    item: CheckItem,
    enabled: bool,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO check_item_switches (fonds_code, item, enabled, changed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (fonds_code, item) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at",
    )
    .bind(fonds.as_str())
    .bind(item.as_str())
    .bind(enabled)
    .bind(codec::timestamp(at))
    .execute(pool)
    .await?;
    Ok(())
}

const BOOKING_SELECT: &str = "SELECT b.*, r.archival_code,
        (SELECT red.invoice_key FROM invoice_bookings red WHERE red.reverses_key = b.invoice_key
         ORDER BY red.booked_at LIMIT 1) AS reversed_by
     FROM invoice_bookings b JOIN records r ON r.id = b.record_id";

fn booking_row(row: &SqliteRow) -> Result<InvoiceBookingRow, StoreError> {
    let key: String = row.try_get("invoice_key")?;
    let reverses: Option<String> = row.try_get("reverses_key")?;
    let reversed_by: Option<String> = row.try_get("reversed_by")?;
    let fonds: String = row.try_get("fonds_code")?;
    Ok(InvoiceBookingRow {
        key: parse_stored("invoice key", &key)?,
        record_id: parse_stored("record id", &row.try_get::<String, _>("record_id")?)?,
        fonds: parse_stored("fonds code", &fonds)?,
        voucher_number: row.try_get("voucher_number")?,
        archival_code: row.try_get("archival_code")?,
        red_letter: row.try_get("red_letter")?,
        reverses: reverses
            .map(|k| parse_stored("invoice key", &k))
            .transpose()?,
        reversed_by: reversed_by
            .map(|k| parse_stored("invoice key", &k))
            .transpose()?,
        booked_at: codec::parse_timestamp(&row.try_get::<String, _>("booked_at")?)?,
    })
}

/// The register's entry for an invoice.
pub(super) async fn booking<'e, E>(
    executor: E,
    key: &InvoiceKey,
) -> Result<Option<InvoiceBookingRow>, StoreError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE b.invoice_key = $1"
    )))
    .bind(key.to_string())
    .fetch_optional(executor)
    .await?
    .as_ref()
    .map(booking_row)
    .transpose()
}

/// The invoices booked to a record.
pub(super) async fn bookings_of_record(
    pool: &SqlitePool,
    record: RecordId,
) -> Result<Vec<InvoiceBookingRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE b.record_id = $1 OR b.invoice_key IN
            (SELECT invoice_key FROM invoice_reuses WHERE record_id = $1) ORDER BY b.invoice_key"
    )))
    .bind(record.to_string())
    .fetch_all(pool)
    .await?
    .iter()
    .map(booking_row)
    .collect()
}

/// Enters a record's invoices in the register inside the caller's transaction. An invoice booked
/// already is refused under [`ReusePolicy::Reject`], naming its first booking, and listed for
/// review under [`ReusePolicy::Flag`].
pub(super) async fn book(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    fonds: &FondsCode,
    booking: &NewInvoiceBooking,
    at: &str,
) -> Result<(), StoreError> {
    if let Some(first) = self::booking(&mut **tx, &booking.key).await? {
        if first.record_id == booking.record_id {
            return Ok(());
        }
        return match booking.on_reuse {
            ReusePolicy::Reject => Err(StoreError::InvoiceBooked(first.first_booking())),
            ReusePolicy::Flag => {
                sqlx::query(
                    "INSERT OR IGNORE INTO invoice_reuses (invoice_key, record_id, flagged_at) VALUES ($1, $2, $3)",
                )
                .bind(booking.key.to_string())
                .bind(booking.record_id.to_string())
                .bind(at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        };
    }
    sqlx::query(
        "INSERT INTO invoice_bookings (invoice_key, record_id, fonds_code, voucher_number, red_letter, reverses_key, booked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(booking.key.to_string())
    .bind(booking.record_id.to_string())
    .bind(fonds.as_str())
    .bind(&booking.voucher_number)
    .bind(booking.red_letter)
    .bind(booking.reverses.as_ref().map(ToString::to_string))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The voucher numbers of the 记账凭证 of one period, for the continuity check.
pub(super) async fn period_numbers(
    pool: &SqlitePool,
    fonds: &FondsCode,
    fiscal_year: i32,
    period: Option<u8>,
) -> Result<Vec<(RecordId, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, number FROM records
         WHERE fonds_code = $1 AND fiscal_year = $2 AND period IS $3 AND kind = 'accounting_voucher'
           AND number IS NOT NULL",
    )
    .bind(fonds.as_str())
    .bind(fiscal_year)
    .bind(period.map(i64::from))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            Ok((parse_stored("record id", &id)?, row.try_get("number")?))
        })
        .collect()
}
