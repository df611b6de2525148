//! API tokens (stored as hashes only) and the import log.

use fonds_domain::Sha256Digest;
use fonds_domain::access::{Permission, PermissionSet};
use sqlx::{Row as _, SqlitePool};
use time::OffsetDateTime;

use super::{codec, parse_stored};
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::metadata::{ImportRowStatus, NewToken, TokenRow};

fn permissions_json(permissions: PermissionSet) -> String {
    serde_json::Value::Array(
        permissions
            .iter()
            .map(|p| serde_json::Value::String(p.code().to_owned()))
            .collect(),
    )
    .to_string()
}

fn parse_permissions(text: &str) -> Result<PermissionSet, StoreError> {
    let codes: Vec<String> =
        serde_json::from_str(text).map_err(|_| StoreError::corrupt("permissions", text))?;
    codes
        .iter()
        .map(|code| parse_stored::<Permission>("permission", code))
        .collect()
}

pub(super) async fn insert_token(
    pool: &SqlitePool,
    token: &NewToken,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let permissions = permissions_json(token.permissions);
    sqlx::query(
        "INSERT INTO api_tokens (token_sha256, label, created_at, permissions, scope, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.sha256.to_hex())
    .bind(&token.label)
    .bind(codec::timestamp(token.created_at))
    .bind(&permissions)
    .bind(super::access::scope_json(&token.scope)?)
    .bind(token.expires_at.map(codec::timestamp))
    .execute(&mut *tx)
    .await?;
    // The token's hash identifies it without revealing it; the secret never reaches the trail.
    let event = NewAuditEvent::success(
        by,
        actions::TOKEN_ISSUED,
        Some(("token", token.sha256.to_hex())),
        serde_json::json!({
            "label": token.label,
            "permissions": token.permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
            "scope": token.scope,
            "expires_at": token.expires_at.map(codec::timestamp),
        }),
    )
    .at(token.created_at);
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn revoke_tokens(
    pool: &SqlitePool,
    label: &str,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE label = $2 AND revoked_at IS NULL",
    )
    .bind(codec::timestamp(at))
    .bind(label)
    .execute(&mut *tx)
    .await?;
    let revoked = done.rows_affected();
    if revoked > 0 {
        let event = NewAuditEvent::success(
            by,
            actions::TOKENS_REVOKED,
            None,
            serde_json::json!({ "label": label, "tokens": revoked }),
        )
        .at(at);
        super::append_audit(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok(revoked)
}

pub(super) async fn token(
    pool: &SqlitePool,
    token_sha256: &Sha256Digest,
) -> Result<Option<TokenRow>, StoreError> {
    let row = sqlx::query(
        "SELECT label, created_at, permissions, scope, expires_at FROM api_tokens
         WHERE token_sha256 = $1 AND revoked_at IS NULL",
    )
    .bind(token_sha256.to_hex())
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        let created_at: String = row.try_get("created_at")?;
        let permissions: String = row.try_get("permissions")?;
        let scope: String = row.try_get("scope")?;
        let expires_at: Option<String> = row.try_get("expires_at")?;
        Ok(TokenRow {
            label: row.try_get("label")?,
            created_at: codec::parse_timestamp(&created_at)?,
            permissions: parse_permissions(&permissions)?,
            scope: super::access::parse_scope(&scope)?,
            expires_at: expires_at
                .as_deref()
                .map(codec::parse_timestamp)
                .transpose()?,
        })
    })
    .transpose()
}

pub(super) async fn import_row(
    pool: &SqlitePool,
    import_key: &str,
    row_key: &str,
) -> Result<Option<ImportRowStatus>, StoreError> {
    let row = sqlx::query(
        "SELECT record_id, refusal FROM import_rows WHERE import_key = $1 AND row_key = $2",
    )
    .bind(import_key)
    .bind(row_key)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let record: Option<String> = row.try_get("record_id")?;
    let refusal: Option<String> = row.try_get("refusal")?;
    match (record, refusal) {
        (Some(id), _) => Ok(Some(ImportRowStatus::Imported(parse_stored(
            "record id",
            &id,
        )?))),
        (None, Some(reason)) => Ok(Some(ImportRowStatus::Refused(reason))),
        (None, None) => Err(StoreError::corrupt("import row", row_key)),
    }
}

pub(super) async fn record_import_row(
    pool: &SqlitePool,
    import_key: &str,
    row_key: &str,
    status: &ImportRowStatus,
) -> Result<(), StoreError> {
    let (record, refusal) = match status {
        ImportRowStatus::Imported(id) => (Some(id.to_string()), None),
        ImportRowStatus::Refused(reason) => (None, Some(reason.clone())),
    };
    sqlx::query(
        "INSERT INTO import_rows (import_key, row_key, record_id, refusal) VALUES ($1, $2, $3, $4)
         ON CONFLICT (import_key, row_key) DO UPDATE SET record_id = excluded.record_id,
            refusal = excluded.refusal",
    )
    .bind(import_key)
    .bind(row_key)
    .bind(record)
    .bind(refusal)
    .execute(pool)
    .await?;
    Ok(())
}
