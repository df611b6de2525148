//! Permission reviews in SQLite: each is stored with its `permission_review.done` audit event in
//! one transaction, and never changed afterwards (the table's triggers refuse it).

use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqlitePool};

use super::{append_audit, codec};
use crate::access::{NewPermissionReview, PermissionReviewRow};
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::error::StoreError;

fn review(row: &SqliteRow) -> Result<PermissionReviewRow, StoreError> {
    let reviewed_at: String = row.try_get("reviewed_at")?;
    let findings: String = row.try_get("findings")?;
    Ok(PermissionReviewRow {
        id: row.try_get("id")?,
        reviewed_at: codec::parse_timestamp(&reviewed_at)?,
        reviewed_by: row.try_get("reviewed_by")?,
        note: row.try_get("note")?,
        findings: serde_json::from_str(&findings)
            .map_err(|_| StoreError::corrupt("permission review findings", &findings))?,
    })
}

pub(super) async fn insert(
    pool: &SqlitePool,
    new: &NewPermissionReview,
    by: &AuditActor,
) -> Result<PermissionReviewRow, StoreError> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO permission_reviews (reviewed_at, reviewed_by, note, findings)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(codec::timestamp(new.reviewed_at))
    .bind(&by.name)
    .bind(&new.note)
    .bind(new.findings.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let event = NewAuditEvent::success(
        by,
        actions::PERMISSION_REVIEW_DONE,
        Some(("permission_review", id.to_string())),
        serde_json::json!({ "note": new.note, "findings": new.findings }),
    )
    .at(new.reviewed_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(PermissionReviewRow {
        id,
        reviewed_at: new.reviewed_at,
        reviewed_by: by.name.clone(),
        note: new.note.clone(),
        findings: new.findings.clone(),
    })
}

pub(super) async fn latest(pool: &SqlitePool) -> Result<Option<PermissionReviewRow>, StoreError> {
    sqlx::query(
        "SELECT id, reviewed_at, reviewed_by, note, findings FROM permission_reviews
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(review)
    .transpose()
}
