//! Received submissions and their jobs, in SQLite.

use fonds_domain::SubmissionId;
use sqlx::{Row as _, Sqlite, SqlitePool};
use time::OffsetDateTime;

use super::{codec, parse_stored, records, webhooks};
use crate::audit::{AuditActor, AuditOutcome, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::pipeline::{
    Acceptance, LeasedJob, ReceivedPart, ReceivedSubmission, ReceivedWork, SubmissionStatus,
};

/// The only job kind so far.
pub(super) const INGEST: &str = "ingest";

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Writes one received submission, its parts and its job, inside the caller's transaction.
pub(super) async fn receive_on(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    s: &ReceivedSubmission,
) -> Result<(), StoreError> {
    let received = codec::timestamp(s.received_at);
    records::insert_submission_row(
        tx,
        &records::SubmissionRowValues {
            id: s.id,
            fonds: &s.fonds,
            source: &s.source,
            received: &received,
            record_count: 0,
            client: s.client.as_ref(),
            state: "received",
            manifest: Some(&s.manifest),
        },
    )
    .await?;
    for part in &s.parts {
        sqlx::query(
            "INSERT INTO submission_parts (submission_id, part, sha256, sm3, size, media_type)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.id.to_string())
        .bind(&part.part)
        .bind(part.sha256.to_hex())
        .bind(part.sm3.to_hex())
        .bind(i64::try_from(part.size).unwrap_or(i64::MAX))
        .bind(&part.media_type)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO jobs (id, kind, subject, state, attempts, run_after, created_at)
         VALUES ($1, $2, $3, 'queued', 0, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(INGEST)
    .bind(s.id.to_string())
    .bind(millis(s.received_at))
    .bind(&received)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn lease(
    pool: &SqlitePool,
    now: OffsetDateTime,
    lease_ms: i64,
    max: u32,
) -> Result<Vec<LeasedJob>, StoreError> {
    let mut relaxed = super::relaxed::Relaxed::acquire(pool).await?;
    let leased = lease_on(relaxed.conn(), now, lease_ms, max).await;
    relaxed.restore().await;
    leased
}

async fn lease_on(
    conn: &mut sqlx::SqliteConnection,
    now: OffsetDateTime,
    lease_ms: i64,
    max: u32,
) -> Result<Vec<LeasedJob>, StoreError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let now_ms = millis(now);
    // A running job whose lease ran out belongs to a worker that died: it is taken over.
    let rows = sqlx::query(
        "SELECT id, subject, attempts FROM jobs
         WHERE (state = 'queued' AND run_after <= $1) OR (state = 'running' AND lease_until < $1)
         ORDER BY run_after LIMIT $2",
    )
    .bind(now_ms)
    .bind(i64::from(max))
    .fetch_all(&mut *tx)
    .await?;
    let mut leased = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("id")?;
        let subject: String = row.try_get("subject")?;
        let attempts: i64 = row.try_get::<i64, _>("attempts")? + 1;
        let token = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "UPDATE jobs SET state = 'running', attempts = $1, lease_token = $2, lease_until = $3
             WHERE id = $4",
        )
        .bind(attempts)
        .bind(&token)
        .bind(now_ms + lease_ms)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE submissions SET state = 'processing' WHERE id = $1 AND state = 'received'",
        )
        .bind(&subject)
        .execute(&mut *tx)
        .await?;
        leased.push(LeasedJob {
            id,
            subject,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            token,
        });
    }
    if !leased.is_empty() {
        tx.commit().await?;
    }
    Ok(leased)
}

/// Marks the job done if the lease is still ours; otherwise the transaction must roll back.
async fn finish_job(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    job: &LeasedJob,
) -> Result<(), StoreError> {
    // A finished job is deleted: the submission row keeps the outcome, and the queue stays as
    // small as the work still to do, so leasing never scans history.
    let done =
        sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_token = $2 AND state = 'running'")
            .bind(&job.id)
            .bind(&job.token)
            .execute(&mut **tx)
            .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::LeaseLost(job.id.clone()))
    }
}

pub(super) async fn accept_many(
    pool: &SqlitePool,
    batch: &[Acceptance],
    at: OffsetDateTime,
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    // One transaction, one sync to disk, for the whole batch; each submission in its own
    // savepoint, so one that fails (a duplicate that raced in) leaves the others to commit.
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for acceptance in batch {
        let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
        match accept_one(&mut savepoint, acceptance, at).await {
            Ok(()) => {
                savepoint.commit().await?;
                outcomes.push(Ok(()));
            }
            Err(e) => {
                savepoint.rollback().await?;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn accept_one(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    acceptance: &Acceptance,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let Acceptance {
        job,
        fonds,
        id,
        records,
        checks,
        invoices,
    } = acceptance;
    let (id, fonds) = (*id, fonds);
    let decided = codec::timestamp(at);
    finish_job(tx, job).await?;
    let received: String = sqlx::query_scalar("SELECT received_at FROM submissions WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut **tx)
        .await?;
    for record in records {
        records::insert_record(tx, fonds, id, record, &received).await?;
    }
    for booking in invoices {
        super::checks::book(tx, fonds, booking, &decided).await?;
    }
    if let Some(run) = checks {
        super::checks::insert_run(tx, run).await?;
    }
    sqlx::query(
        "UPDATE submissions SET state = 'accepted', decided_at = $1, record_count = $2 WHERE id = $3",
    )
    .bind(&decided)
    .bind(i64::try_from(records.len()).unwrap_or(i64::MAX))
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    let client = submission_client(tx, id).await?;
    let data = serde_json::json!({
        "submission_id": id.to_string(),
        "fonds": fonds.as_str(),
        "state": "accepted",
        "records": records.iter().map(|r| serde_json::json!({
            "key": r.key,
            "id": r.id.to_string(),
            "state": if r.preset_code.is_some() { "archived" } else { "collected" },
            "archival_code": r.preset_code.as_ref().map(|p| p.code.to_string()),
        })).collect::<Vec<_>>(),
    });
    webhooks::enqueue(tx, client.as_deref(), "submission.accepted", data, at).await?;
    let event = super::audit::submission_accepted(id, fonds, None, client.as_deref(), records, at);
    super::audit::append_audit(tx, &event).await?;
    Ok(())
}

pub(super) async fn reject(
    pool: &SqlitePool,
    job: &LeasedJob,
    id: SubmissionId,
    reasons: &str,
    checks: Option<&crate::checks::NewCheckRun>,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let decided = codec::timestamp(at);
    finish_job(&mut tx, job).await?;
    if let Some(run) = checks {
        super::checks::insert_run(&mut tx, run).await?;
    }
    sqlx::query(
        "UPDATE submissions SET state = 'rejected', decided_at = $1, reasons = $2 WHERE id = $3",
    )
    .bind(&decided)
    .bind(reasons)
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    let client = submission_client(&mut tx, id).await?;
    let fonds: String = sqlx::query_scalar("SELECT fonds_code FROM submissions WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await?;
    let reasons =
        serde_json::from_str::<serde_json::Value>(reasons).unwrap_or(serde_json::Value::Null);
    let data = serde_json::json!({
        "submission_id": id.to_string(),
        "fonds": fonds,
        "state": "rejected",
        "reasons": reasons,
    });
    webhooks::enqueue(&mut tx, client.as_deref(), "submission.rejected", data, at).await?;
    let mut event = NewAuditEvent::success(
        &AuditActor::system(),
        actions::SUBMISSION_REJECTED,
        Some(("submission", id.to_string())),
        serde_json::json!({
            "fonds": fonds,
            "client_id": client,
            "check_run_id": checks.map(|run| run.id.to_string()),
            "reasons": reasons,
        }),
    )
    .at(at);
    event.outcome = AuditOutcome::Refused;
    super::audit::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn retry(
    pool: &SqlitePool,
    job: &LeasedJob,
    error: &str,
    run_after: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE jobs SET state = 'queued', run_after = $1, last_error = $2, lease_token = NULL, lease_until = NULL
         WHERE id = $3 AND lease_token = $4",
    )
    .bind(millis(run_after))
    .bind(error)
    .bind(&job.id)
    .bind(&job.token)
    .execute(pool)
    .await?;
    Ok(())
}

const STATUS_COLUMNS: &str =
    "id, fonds_code, state, received_at, decided_at, reasons, client_id, source, manifest";

fn status_from(row: &sqlx::sqlite::SqliteRow) -> Result<SubmissionStatus, StoreError> {
    let id: String = row.try_get("id")?;
    let fonds: String = row.try_get("fonds_code")?;
    let state: String = row.try_get("state")?;
    let received: String = row.try_get("received_at")?;
    let decided: Option<String> = row.try_get("decided_at")?;
    let client: Option<String> = row.try_get("client_id")?;
    Ok(SubmissionStatus {
        id: parse_stored("submission id", &id)?,
        fonds: parse_stored("fonds code", &fonds)?,
        state: parse_stored("submission state", &state)?,
        received_at: codec::parse_timestamp(&received)?,
        decided_at: decided.as_deref().map(codec::parse_timestamp).transpose()?,
        reasons: row.try_get("reasons")?,
        client: client
            .as_deref()
            .map(|c| parse_stored("client id", c))
            .transpose()?,
    })
}

pub(super) async fn status(
    pool: &SqlitePool,
    id: SubmissionId,
) -> Result<Option<SubmissionStatus>, StoreError> {
    let sql = format!("SELECT {STATUS_COLUMNS} FROM submissions WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(status_from).transpose()
}

pub(super) async fn work(
    pool: &SqlitePool,
    id: SubmissionId,
) -> Result<Option<ReceivedWork>, StoreError> {
    let sql = format!("SELECT {STATUS_COLUMNS} FROM submissions WHERE id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let status = status_from(&row)?;
    let manifest: Option<String> = row.try_get("manifest")?;
    let parts = sqlx::query(
        "SELECT part, sha256, sm3, size, media_type FROM submission_parts WHERE submission_id = $1 ORDER BY part",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let parts = parts
        .iter()
        .map(|p| {
            let sha: String = p.try_get("sha256")?;
            let sm3: String = p.try_get("sm3")?;
            let size: i64 = p.try_get("size")?;
            Ok(ReceivedPart {
                part: p.try_get("part")?,
                sha256: parse_stored("sha256", &sha)?,
                sm3: parse_stored("sm3", &sm3)?,
                size: u64::try_from(size).map_err(|_| StoreError::corrupt("size", size))?,
                media_type: p.try_get("media_type")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(ReceivedWork {
        source: row.try_get("source")?,
        manifest: manifest.ok_or_else(|| StoreError::corrupt("manifest", id))?,
        status,
        parts,
    }))
}

async fn submission_client(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    id: SubmissionId,
) -> Result<Option<String>, StoreError> {
    let client: Option<Option<String>> =
        sqlx::query_scalar("SELECT client_id FROM submissions WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    Ok(client.flatten())
}
