//! Creating records from a submission, and reading them back.

use fonds_domain::access::RecordScope;
use fonds_domain::{CheckRunId, FileId, FondsCode, Money, RecordId, SubmissionId, VoucherEntry};
use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite, SqlitePool};

use super::{codec, parse_stored};
use crate::error::StoreError;
use crate::metadata::{
    Cursor, FileRow, NewRecord, NewSubmission, Page, RecordFilter, RecordForCheck, RecordRow,
    RecordVersion,
};

pub(super) const RECORD_COLUMNS: &str =
    "id, fonds_code, submission_id, kind, fiscal_year, period, retention,
    retention_due, awaiting_event, state, archival_code, archived_at, version, title, record_date,
    number, amount_fen, preparer, reviewer, attachment_count, remarks, created_at, submission_key,
    department, secrecy";

/// The values of a new row of `submissions`.
pub(super) struct SubmissionRowValues<'a> {
    pub id: SubmissionId,
    pub fonds: &'a FondsCode,
    pub source: &'a str,
    pub received: &'a str,
    pub record_count: usize,
    pub client: Option<&'a crate::metadata::SubmittingClient>,
    pub state: &'static str,
    pub manifest: Option<&'a str>,
}

/// Inserts a submission row; a client's idempotency key used twice is
/// [`StoreError::IdempotencyKeyTaken`].
pub(super) async fn insert_submission_row(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    row: &SubmissionRowValues<'_>,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO submissions (id, fonds_code, source, received_at, record_count, client_id,
            idempotency_key, body_sha256, state, manifest)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(row.id.to_string())
    .bind(row.fonds.as_str())
    .bind(row.source)
    .bind(row.received)
    .bind(i64::try_from(row.record_count).unwrap_or(i64::MAX))
    .bind(row.client.map(|c| c.id.as_str().to_owned()))
    .bind(row.client.and_then(|c| c.idempotency_key.clone()))
    .bind(row.client.map(|c| c.body_sha256.to_hex()))
    .bind(row.state)
    .bind(row.manifest)
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            Err(StoreError::IdempotencyKeyTaken)
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn insert_submission(
    pool: &SqlitePool,
    submission: &NewSubmission,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let received = codec::timestamp(submission.received_at);
    insert_submission_row(
        &mut tx,
        &SubmissionRowValues {
            id: submission.id,
            fonds: &submission.fonds,
            source: &submission.source,
            received: &received,
            record_count: submission.records.len(),
            client: submission.client.as_ref(),
            state: "accepted",
            manifest: None,
        },
    )
    .await?;
    for record in &submission.records {
        insert_record(&mut tx, &submission.fonds, submission.id, record, &received).await?;
    }
    for booking in &submission.invoices {
        super::checks::book(&mut tx, &submission.fonds, booking, &received).await?;
    }
    if let Some(run) = &submission.checks {
        super::checks::insert_run(&mut tx, run).await?;
    }
    if let (Some(mark), Some(first)) = (&submission.import_row, submission.records.first()) {
        sqlx::query(
            "INSERT INTO import_rows (import_key, row_key, record_id, refusal) VALUES ($1, $2, $3, NULL)
             ON CONFLICT (import_key, row_key) DO UPDATE SET record_id = excluded.record_id, refusal = NULL",
        )
        .bind(&mark.import_key)
        .bind(&mark.row_key)
        .bind(first.id.to_string())
        .execute(&mut *tx)
        .await?;
    }
    let client = submission.client.as_ref().map(|c| c.id.to_string());
    let event = super::audit::submission_accepted(
        submission.id,
        &submission.fonds,
        Some(&submission.source),
        client.as_deref(),
        &submission.records,
        submission.received_at,
    );
    super::audit::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn insert_record(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    fonds: &FondsCode,
    submission_id: SubmissionId,
    record: &NewRecord,
    received: &str,
) -> Result<(), StoreError> {
    let class = &record.classification;
    let d = &record.description;
    let (due, awaiting) = codec::due(record.retention_due);
    if let Some(number) = &d.number {
        let taken: Option<String> = sqlx::query_scalar(
            "SELECT COALESCE(archival_code, id) FROM records
             WHERE fonds_code = $1 AND kind = $2 AND fiscal_year = $3 AND period IS $4
               AND number = $5",
        )
        .bind(fonds.as_str())
        .bind(class.kind.as_str())
        .bind(i64::from(class.fiscal_year.get()))
        .bind(class.period.map(|p| i64::from(p.month())))
        .bind(number.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(existing) = taken {
            return Err(StoreError::Duplicate(format!(
                "fonds {} already holds {} {} of {} as {existing}",
                fonds,
                class.kind.name_zh(),
                number,
                class
                    .period
                    .map_or_else(|| class.fiscal_year.to_string(), |p| p.to_string()),
            )));
        }
    }
    sqlx::query(
        "INSERT INTO records (id, fonds_code, submission_id, source_reference, kind, fiscal_year,
            period, retention, retention_due, awaiting_event, state, title, record_date, number,
            amount_fen, preparer, reviewer, attachment_count, remarks, created_at, submission_key,
            department, secrecy)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'collected', $11, $12, $13, $14, $15,
            $16, $17, $18, $19, $20, $21, $22)",
    )
    .bind(record.id.to_string())
    .bind(fonds.as_str())
    .bind(submission_id.to_string())
    .bind(&record.source_reference)
    .bind(class.kind.as_str())
    .bind(i64::from(class.fiscal_year.get()))
    .bind(class.period.map(|p| i64::from(p.month())))
    .bind(class.retention.code())
    .bind(due)
    .bind(awaiting)
    .bind(&d.title)
    .bind(d.date.map(codec::date))
    .bind(d.number.as_ref().map(|n| n.as_str().to_owned()))
    .bind(d.amount.map(Money::fen))
    .bind(&d.preparer)
    .bind(&d.reviewer)
    .bind(d.attachment_count.map(i64::from))
    .bind(&d.remarks)
    .bind(received)
    .bind(&record.key)
    .bind(record.department.as_ref().map(|d| d.as_str().to_owned()))
    .bind(i64::from(record.secrecy.rank()))
    .execute(&mut **tx)
    .await?;
    let description =
        serde_json::to_string(d).map_err(|e| StoreError::corrupt("description", e))?;
    sqlx::query(
        "INSERT INTO record_versions (record_id, version, description, reason, changed_at)
         VALUES ($1, 1, $2, NULL, $3)",
    )
    .bind(record.id.to_string())
    .bind(description)
    .bind(received)
    .execute(&mut **tx)
    .await?;
    for (line, entry) in record.entries.iter().enumerate() {
        sqlx::query(
            "INSERT INTO voucher_entries (record_id, line, summary, account_code, account_name,
                debit_fen, credit_fen) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(record.id.to_string())
        .bind(i64::try_from(line + 1).unwrap_or(i64::MAX))
        .bind(&entry.summary)
        .bind(&entry.account_code)
        .bind(&entry.account_name)
        .bind(entry.debit.fen())
        .bind(entry.credit.fen())
        .execute(&mut **tx)
        .await?;
    }
    for (position, file) in record.files.iter().enumerate() {
        sqlx::query(
            "INSERT INTO record_files (id, record_id, position, role, file_name, media_type, size,
                sha256, sm3, part) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(file.id.to_string())
        .bind(record.id.to_string())
        .bind(i64::try_from(position + 1).unwrap_or(i64::MAX))
        .bind(file.role.as_str())
        .bind(&file.file_name)
        .bind(&file.media_type)
        .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
        .bind(file.sha256.to_hex())
        .bind(file.sm3.to_hex())
        .bind(&file.part)
        .execute(&mut **tx)
        .await?;
    }
    super::links::insert(tx, fonds, record, received).await?;
    if let Some(preset) = &record.preset_code {
        // Archived on arrival: the record, its files and entries were written as collected
        // (the freezing triggers forbid adding files to an archived record), and are frozen now.
        archive_with_preset(tx, fonds, record, preset, received).await?;
    }
    Ok(())
}

async fn archive_with_preset(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    fonds: &FondsCode,
    record: &NewRecord,
    preset: &crate::metadata::PresetCode,
    received: &str,
) -> Result<(), StoreError> {
    let taken: Option<String> =
        sqlx::query_scalar("SELECT id FROM records WHERE fonds_code = $1 AND archival_code = $2")
            .bind(fonds.as_str())
            .bind(preset.code.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(other) = taken {
        return Err(StoreError::ArchivalCodeTaken(format!(
            "archival code {} is already taken in fonds {} by record {other}",
            preset.code, fonds
        )));
    }
    let item = i64::from(preset.code.parts().item);
    sqlx::query(
        "INSERT INTO code_sequences (fonds_code, sequence_key, last_item) VALUES ($1, $2, $3)
         ON CONFLICT (fonds_code, sequence_key)
         DO UPDATE SET last_item = max(last_item, excluded.last_item)",
    )
    .bind(fonds.as_str())
    .bind(&preset.sequence_key)
    .bind(item)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE records SET state = 'archived', archival_code = $1, sequence_key = $2,
            item_number = $3, archived_at = $4
         WHERE id = $5",
    )
    .bind(preset.code.as_str())
    .bind(&preset.sequence_key)
    .bind(item)
    .bind(received)
    .bind(record.id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn record(
    pool: &SqlitePool,
    id: RecordId,
) -> Result<Option<RecordRow>, StoreError> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(codec::record).transpose()
}

pub(super) async fn record_in(
    pool: &SqlitePool,
    id: RecordId,
    scope: &RecordScope,
) -> Result<Option<RecordRow>, StoreError> {
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = "));
    q.push_bind(id.to_string()).push(" AND ");
    super::scope::push_condition(&mut q, scope, "records");
    let row = q.build().fetch_optional(pool).await?;
    row.as_ref().map(codec::record).transpose()
}

pub(super) async fn check_run_within(
    pool: &SqlitePool,
    id: CheckRunId,
    scope: &RecordScope,
) -> Result<bool, StoreError> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT NOT EXISTS (SELECT 1 FROM check_record_results res JOIN records ON records.id = \
         res.record_id WHERE res.run_id = ",
    );
    q.push_bind(id.to_string()).push(" AND NOT ");
    super::scope::push_condition(&mut q, scope, "records");
    q.push(")");
    let within: bool = q.build_query_scalar().fetch_one(pool).await?;
    Ok(within)
}

pub(super) async fn records(
    pool: &SqlitePool,
    filter: &RecordFilter,
    scope: &RecordScope,
    after: Option<Cursor>,
    limit: u32,
) -> Result<Page<RecordRow>, StoreError> {
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {RECORD_COLUMNS} FROM records WHERE "));
    super::scope::push_condition(&mut q, scope, "records");
    if let Some(fonds) = &filter.fonds {
        q.push(" AND fonds_code = ")
            .push_bind(fonds.as_str().to_owned());
    }
    if let Some(kind) = filter.kind {
        q.push(" AND kind = ").push_bind(kind.as_str());
    }
    if let Some(year) = filter.fiscal_year {
        q.push(" AND fiscal_year = ").push_bind(i64::from(year));
    }
    if let Some(period) = filter.period {
        q.push(" AND period = ").push_bind(i64::from(period));
    }
    if let Some(text) = &filter.title_contains {
        // instr() is a plain substring test: no LIKE wildcards to escape in user text.
        q.push(" AND instr(title, ")
            .push_bind(text.clone())
            .push(") > 0");
    }
    if let Some(min) = filter.amount_min {
        q.push(" AND amount_fen >= ").push_bind(min.fen());
    }
    if let Some(max) = filter.amount_max {
        q.push(" AND amount_fen <= ").push_bind(max.fen());
    }
    if let Some(from) = filter.date_from {
        q.push(" AND record_date >= ").push_bind(codec::date(from));
    }
    if let Some(to) = filter.date_to {
        q.push(" AND record_date <= ").push_bind(codec::date(to));
    }
    if let Some(state) = filter.state {
        q.push(" AND state = ").push_bind(state.as_str());
    }
    if let Some(Cursor(last)) = after {
        q.push(" AND id < ").push_bind(last.to_string());
    }
    q.push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows = q.build().fetch_all(pool).await?;
    let mut items = rows
        .iter()
        .map(codec::record)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|r| Cursor(r.id))
    } else {
        None
    };
    Ok(Page { items, next })
}

pub(super) async fn files(
    pool: &SqlitePool,
    record: Option<RecordId>,
    after: Option<FileId>,
    limit: u32,
) -> Result<Vec<FileRow>, StoreError> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT id, record_id, position, role, file_name, media_type, size, sha256, sm3, part
         FROM record_files WHERE 1 = 1",
    );
    if let Some(record) = record {
        q.push(" AND record_id = ").push_bind(record.to_string());
        q.push(" ORDER BY position");
    } else {
        if let Some(after) = after {
            q.push(" AND id > ").push_bind(after.to_string());
        }
        q.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit));
    }
    let rows = q.build().fetch_all(pool).await?;
    rows.iter().map(file_row).collect()
}

fn file_row(row: &SqliteRow) -> Result<FileRow, StoreError> {
    let get = |c: &'static str| row.try_get::<String, _>(c);
    let position: i64 = row.try_get("position")?;
    let size: i64 = row.try_get("size")?;
    Ok(FileRow {
        id: parse_stored("file id", &get("id")?)?,
        part: row.try_get("part")?,
        record_id: parse_stored("record id", &get("record_id")?)?,
        position: u32::try_from(position).map_err(|_| StoreError::corrupt("position", position))?,
        role: parse_stored("file role", &get("role")?)?,
        file_name: get("file_name")?,
        media_type: get("media_type")?,
        size: u64::try_from(size).map_err(|_| StoreError::corrupt("size", size))?,
        sha256: parse_stored("sha256", &get("sha256")?)?,
        sm3: parse_stored("sm3", &get("sm3")?)?,
    })
}

fn entry(row: &SqliteRow) -> Result<VoucherEntry, StoreError> {
    Ok(VoucherEntry {
        summary: row.try_get("summary")?,
        account_code: row.try_get("account_code")?,
        account_name: row.try_get("account_name")?,
        debit: Money::from_fen(row.try_get("debit_fen")?),
        credit: Money::from_fen(row.try_get("credit_fen")?),
    })
}

pub(super) async fn entries(
    pool: &SqlitePool,
    id: RecordId,
) -> Result<Vec<VoucherEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT summary, account_code, account_name, debit_fen, credit_fen
         FROM voucher_entries WHERE record_id = $1 ORDER BY line",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(entry).collect()
}

/// How many ids go into one `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

/// Runs `select` (which ends in `record_id IN `) once per slice of `ids`, with the ids bound,
/// followed by `order`.
async fn rows_for(
    pool: &SqlitePool,
    select: &str,
    order: &str,
    ids: &[String],
) -> Result<Vec<SqliteRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(select);
        q.push("(");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(id.as_str());
        }
        q.push(") ").push(order);
        rows.extend(q.build().fetch_all(pool).await?);
    }
    Ok(rows)
}

/// The records of `ids` that `scope` reaches, a few hundred per query.
async fn records_within(
    pool: &SqlitePool,
    ids: &[String],
    scope: &RecordScope,
) -> Result<Vec<SqliteRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("SELECT {RECORD_COLUMNS} FROM records WHERE "));
        super::scope::push_condition(&mut q, scope, "records");
        q.push(" AND id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(id.as_str());
        }
        q.push(")");
        rows.extend(q.build().fetch_all(pool).await?);
    }
    Ok(rows)
}

/// Records `scope` reaches with what the check reads about them: five queries per few hundred
/// records instead of six per record.
pub(super) async fn for_check(
    pool: &SqlitePool,
    ids: &[RecordId],
    scope: &RecordScope,
) -> Result<Vec<RecordForCheck>, StoreError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut found: HashMap<RecordId, RecordForCheck> = HashMap::with_capacity(ids.len());
    let records = records_within(pool, &keys, scope).await?;
    for row in &records {
        let record = codec::record(row)?;
        found.insert(
            record.id,
            RecordForCheck {
                record,
                files: Vec::new(),
                entries: Vec::new(),
                own_keys: Vec::new(),
                refers_to: Vec::new(),
            },
        );
    }
    let owner = |row: &SqliteRow, column: &'static str| -> Result<RecordId, StoreError> {
        parse_stored("record id", &row.try_get::<String, _>(column)?)
    };
    for row in &rows_for(
        pool,
        "SELECT id, record_id, position, role, file_name, media_type, size, sha256, sm3, part
         FROM record_files WHERE record_id IN ",
        "ORDER BY record_id, position",
        &keys,
    )
    .await?
    {
        if let Some(r) = found.get_mut(&owner(row, "record_id")?) {
            r.files.push(file_row(row)?);
        }
    }
    for row in &rows_for(
        pool,
        "SELECT record_id, summary, account_code, account_name, debit_fen, credit_fen
         FROM voucher_entries WHERE record_id IN ",
        "ORDER BY record_id, line",
        &keys,
    )
    .await?
    {
        if let Some(r) = found.get_mut(&owner(row, "record_id")?) {
            r.entries.push(entry(row)?);
        }
    }
    for row in &rows_for(
        pool,
        "SELECT record_id, key_type, key_value FROM business_keys WHERE record_id IN ",
        "ORDER BY record_id, key_type, key_value",
        &keys,
    )
    .await?
    {
        if let Some(r) = found.get_mut(&owner(row, "record_id")?) {
            r.own_keys.push(super::links::key(row)?);
        }
    }
    for row in &rows_for(
        pool,
        "SELECT from_record, key_type, key_value FROM record_links WHERE from_record IN ",
        "ORDER BY from_record, key_type, key_value",
        &keys,
    )
    .await?
    {
        if let Some(r) = found.get_mut(&owner(row, "from_record")?) {
            r.refers_to.push(super::links::key(row)?);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

pub(super) async fn versions(
    pool: &SqlitePool,
    id: RecordId,
) -> Result<Vec<RecordVersion>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, description, reason, changed_at FROM record_versions
         WHERE record_id = $1 ORDER BY version",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let version: i64 = row.try_get("version")?;
            let description: String = row.try_get("description")?;
            let changed_at: String = row.try_get("changed_at")?;
            Ok(RecordVersion {
                version: u32::try_from(version)
                    .map_err(|_| StoreError::corrupt("version", version))?,
                description: serde_json::from_str(&description)
                    .map_err(|_| StoreError::corrupt("description", &description))?,
                reason: row.try_get("reason")?,
                changed_at: codec::parse_timestamp(&changed_at)?,
            })
        })
        .collect()
}
