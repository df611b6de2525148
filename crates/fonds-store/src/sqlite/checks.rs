//! Check runs, item switches and the invoice register, in SQLite.

use std::borrow::Cow;

use fonds_domain::{CheckItem, CheckRunId, FondsCode, InvoiceKey, Occasion, RecordId, Stage};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite, SqlitePool};
use time::OffsetDateTime;

use super::{append_audit, codec, parse_stored};
use crate::audit::{AuditActor, NewAuditEvent, actions};
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
    // One row per record (its results as a JSON array), many rows per statement.
    const RECORDS_PER_STATEMENT: usize = 100;
    let records = by_record(&run.results)?;
    for chunk in records.chunks(RECORDS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO check_record_results (run_id, seq, record_id, record_key, results) ",
        );
        insert.push_values(chunk, |mut row, record| {
            row.push_bind(id.clone())
                .push_bind(record.seq)
                .push_bind(record.record_id.map(|r| r.to_string()))
                .push_bind(record.record_key)
                .push_bind(record.results.clone());
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// One record's results as a row of `check_record_results` holds them.
struct RecordResults<'a> {
    seq: i64,
    record_id: Option<RecordId>,
    record_key: &'a str,
    results: String,
}

/// One element of a row's `results` array.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredResult<'a> {
    #[serde(borrow)]
    item: Cow<'a, str>,
    #[serde(borrow)]
    severity: Cow<'a, str>,
    #[serde(borrow)]
    outcome: Cow<'a, str>,
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
    #[serde(borrow)]
    evidence: Cow<'a, str>,
    #[serde(borrow)]
    file_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    file_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    checked_at: Cow<'a, str>,
}

/// Groups a run's results by record — they come record by record — and encodes each group.
fn by_record(
    results: &[crate::checks::NewCheckResult],
) -> Result<Vec<RecordResults<'_>>, StoreError> {
    let mut records = Vec::new();
    let mut start = 0;
    while start < results.len() {
        let first = &results[start];
        let end = start
            + results[start..]
                .iter()
                .take_while(|r| r.record_key == first.record_key && r.record_id == first.record_id)
                .count();
        let mut stamp = (first.checked_at, codec::timestamp(first.checked_at));
        let mut elements = Vec::with_capacity(end - start);
        for result in &results[start..end] {
            if result.checked_at != stamp.0 {
                stamp = (result.checked_at, codec::timestamp(result.checked_at));
            }
            elements.push(StoredResult {
                item: Cow::Borrowed(result.item.as_str()),
                severity: Cow::Borrowed(result.severity.as_str()),
                outcome: Cow::Borrowed(result.outcome.as_str()),
                reason: result.outcome.reason().map(Cow::Borrowed),
                evidence: Cow::Borrowed(&result.evidence),
                file_id: result.file_id.map(|f| Cow::Owned(f.to_string())),
                file_name: result.file_name.as_deref().map(Cow::Borrowed),
                checked_at: Cow::Owned(stamp.1.clone()),
            });
        }
        records.push(RecordResults {
            seq: i64::try_from(records.len()).unwrap_or(i64::MAX),
            record_id: first.record_id,
            record_key: &first.record_key,
            results: serde_json::to_string(&elements)
                .map_err(|e| StoreError::corrupt("check results", e))?,
        });
        start = end;
    }
    Ok(records)
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

/// The results of one row of `check_record_results`, in order.
fn record_results(row: &SqliteRow) -> Result<Vec<CheckResultRow>, StoreError> {
    let record: Option<String> = row.try_get("record_id")?;
    let record_id: Option<RecordId> = record.map(|r| parse_stored("record id", &r)).transpose()?;
    let record_key: String = row.try_get("record_key")?;
    let json: String = row.try_get("results")?;
    let elements: Vec<StoredResult<'_>> =
        serde_json::from_str(&json).map_err(|e| StoreError::corrupt("check results", e))?;
    elements
        .into_iter()
        .map(|e| {
            Ok(CheckResultRow {
                record_id,
                record_key: record_key.clone(),
                file_id: e.file_id.map(|f| parse_stored("file id", &f)).transpose()?,
                file_name: e.file_name.map(Cow::into_owned),
                item: parse_stored::<CheckItem>("check item", &e.item)?,
                severity: match &*e.severity {
                    "error" => fonds_domain::Severity::Error,
                    "warning" => fonds_domain::Severity::Warning,
                    other => return Err(StoreError::corrupt("check severity", other)),
                },
                outcome: fonds_domain::Outcome::from_parts(
                    &e.outcome,
                    e.reason.map(Cow::into_owned),
                )
                .map_err(|_| StoreError::corrupt("check outcome", &e.outcome))?,
                evidence: e.evidence.into_owned(),
                checked_at: codec::parse_timestamp(&e.checked_at)?,
            })
        })
        .collect()
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
    let mut results = Vec::new();
    for row in sqlx::query("SELECT * FROM check_record_results WHERE run_id = $1 ORDER BY seq")
        .bind(id.to_string())
        .fetch_all(pool)
        .await?
    {
        results.extend(record_results(&row)?);
    }
    Ok(Some((run_row(&row)?, results)))
}

/// The runs that covered a record, newest first.
pub(super) async fn runs_of_record(
    pool: &SqlitePool,
    record: RecordId,
) -> Result<Vec<CheckRunRow>, StoreError> {
    sqlx::query(
        "SELECT * FROM check_runs WHERE id IN (SELECT run_id FROM check_record_results WHERE record_id = $1)
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
                    FROM check_record_results cr JOIN check_runs run ON run.id = cr.run_id
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
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO check_item_switches (fonds_code, item, enabled, changed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (fonds_code, item) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at",
    )
    .bind(fonds.as_str())
    .bind(item.as_str())
    .bind(enabled)
    .bind(codec::timestamp(at))
    .execute(&mut *tx)
    .await?;
    let event = NewAuditEvent::success(
        by,
        actions::CHECK_ITEM_SWITCHED,
        Some(("fonds", fonds.to_string())),
        serde_json::json!({ "item": item.as_str(), "enabled": enabled }),
    )
    .at(at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
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

/// The register's entries for many invoices, a few hundred keys a query.
pub(super) async fn bookings(
    pool: &SqlitePool,
    keys: &[InvoiceKey],
) -> Result<Vec<InvoiceBookingRow>, StoreError> {
    const KEYS_PER_QUERY: usize = 500;
    let mut found = Vec::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("{BOOKING_SELECT} WHERE b.invoice_key IN ("));
        let mut list = q.separated(", ");
        for key in chunk {
            list.push_bind(key.to_string());
        }
        q.push(")");
        for row in q.build().fetch_all(pool).await? {
            found.push(booking_row(&row)?);
        }
    }
    Ok(found)
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
