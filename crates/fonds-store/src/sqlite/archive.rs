//! Archiving (归档) and corrections: the two ways an existing record changes.

use fonds_domain::{ArchivalCodePattern, LifecycleState, Money, RecordDescription, RecordId};
use sqlx::{Row as _, SqlitePool};
use time::OffsetDateTime;

use super::codec;
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::metadata::ArchiveOutcome;

pub(super) async fn archive_record(
    pool: &SqlitePool,
    id: RecordId,
    pattern: &ArchivalCodePattern,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<ArchiveOutcome, StoreError> {
    // The writer pool has one connection, so this transaction holds the only write path until it
    // commits: the sequence read, its increment and the code written can never interleave with
    // another archiving.
    let mut tx = pool.begin().await?;
    let sql = format!(
        "SELECT {} FROM records WHERE id = $1",
        super::records::RECORD_COLUMNS
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::RecordNotFound(id))?;
    let record = codec::record(&row)?;
    record.state.transition(LifecycleState::Archived)?;

    let parts = record.classification.code_parts(&record.fonds, 1);
    let sequence_key = pattern.sequence_key(&parts)?;
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT last_item FROM code_sequences WHERE fonds_code = $1 AND sequence_key = $2",
    )
    .bind(record.fonds.as_str())
    .bind(&sequence_key)
    .fetch_optional(&mut *tx)
    .await?;
    let item = u32::try_from(last.unwrap_or(0) + 1)
        .map_err(|_| StoreError::corrupt("sequence", sequence_key.clone()))?;
    let code = pattern.format(&record.classification.code_parts(&record.fonds, item))?;
    sqlx::query(
        "INSERT INTO code_sequences (fonds_code, sequence_key, last_item) VALUES ($1, $2, $3)
         ON CONFLICT (fonds_code, sequence_key) DO UPDATE SET last_item = excluded.last_item",
    )
    .bind(record.fonds.as_str())
    .bind(&sequence_key)
    .bind(i64::from(item))
    .execute(&mut *tx)
    .await?;
    let archived_at = codec::timestamp(at);
    let updated = sqlx::query(
        "UPDATE records SET state = 'archived', archival_code = $1, sequence_key = $2,
            item_number = $3, archived_at = $4
         WHERE id = $5 AND state = 'collected'",
    )
    .bind(code.as_str())
    .bind(&sequence_key)
    .bind(i64::from(item))
    .bind(&archived_at)
    .bind(id.to_string())
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Err(StoreError::RecordNotFound(id)),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(StoreError::Duplicate(format!(
                "archival code {code} is already taken in fonds {}",
                record.fonds
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let client = super::webhooks::record_client(&mut tx, &id.to_string()).await?;
    let data = serde_json::json!({
        "record_id": id.to_string(),
        "fonds": record.fonds.as_str(),
        "archival_code": code.as_str(),
        "archived_at": archived_at,
        "key": record.key,
        "submission_id": record.submission_id.map(|s| s.to_string()),
    });
    super::webhooks::enqueue(&mut tx, client.as_deref(), "record.archived", data, at).await?;
    let event = NewAuditEvent::success(
        by,
        actions::RECORD_ARCHIVED,
        Some(("record", id.to_string())),
        serde_json::json!({ "fonds": record.fonds.as_str(), "item_number": item }),
    )
    .at(at)
    .with_archival_code(code.as_str());
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(ArchiveOutcome {
        archival_code: code,
        archived_at: at,
    })
}

pub(super) async fn correct_description(
    pool: &SqlitePool,
    id: RecordId,
    description: &RecordDescription,
    reason: &str,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<u32, StoreError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query("SELECT version, archival_code FROM records WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::RecordNotFound(id))?;
    let current: i64 = row.try_get("version")?;
    let archival_code: Option<String> = row.try_get("archival_code")?;
    let next = current + 1;
    let json =
        serde_json::to_string(description).map_err(|e| StoreError::corrupt("description", e))?;
    let changed_at = codec::timestamp(at);
    sqlx::query(
        "INSERT INTO record_versions (record_id, version, description, reason, changed_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(next)
    .bind(json)
    .bind(reason)
    .bind(&changed_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE records SET version = $1, title = $2, record_date = $3, number = $4,
            amount_fen = $5, preparer = $6, reviewer = $7, attachment_count = $8, remarks = $9
         WHERE id = $10",
    )
    .bind(next)
    .bind(&description.title)
    .bind(description.date.map(codec::date))
    .bind(description.number.as_ref().map(|n| n.as_str().to_owned()))
    .bind(description.amount.map(Money::fen))
    .bind(&description.preparer)
    .bind(&description.reviewer)
    .bind(description.attachment_count.map(i64::from))
    .bind(&description.remarks)
    .bind(id.to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(
            "another 记账凭证 of the same period already has this number".to_owned(),
        ),
        other => other.into(),
    })?;
    let mut event = NewAuditEvent::success(
        by,
        actions::RECORD_CORRECTED,
        Some(("record", id.to_string())),
        serde_json::json!({ "version": next, "reason": reason }),
    )
    .at(at);
    event.archival_code = archival_code;
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    u32::try_from(next).map_err(|_| StoreError::corrupt("version", next))
}
