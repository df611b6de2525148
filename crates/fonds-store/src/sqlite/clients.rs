//! Client systems and their secrets, and looking submissions up by idempotency key.

use fonds_domain::{ClientId, Sha256Digest, SubmissionId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqlitePool};
use time::OffsetDateTime;

use super::{codec, parse_stored};
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::metadata::{ClientRow, ClientSecret, NewClient, RecordRow, SubmissionRow};

fn json_list<T: ToString>(items: &[T]) -> String {
    serde_json::Value::Array(
        items
            .iter()
            .map(|i| serde_json::Value::String(i.to_string()))
            .collect(),
    )
    .to_string()
}

fn parse_list<T: std::str::FromStr>(what: &'static str, text: &str) -> Result<Vec<T>, StoreError> {
    let items: Vec<String> =
        serde_json::from_str(text).map_err(|_| StoreError::corrupt(what, text))?;
    items.iter().map(|i| parse_stored(what, i)).collect()
}

pub(super) async fn insert_client(
    pool: &SqlitePool,
    client: &NewClient,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let at = codec::timestamp(client.created_at);
    let inserted = sqlx::query(
        "INSERT INTO clients (id, name, algorithm, enabled, fonds_codes, record_kinds, allowed_ips,
            certificate_sha256, created_at) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8)",
    )
    .bind(client.id.as_str())
    .bind(&client.name)
    .bind(client.algorithm.as_str())
    .bind(json_list(&client.fonds))
    .bind(json_list(&client.kinds))
    .bind(json_list(&client.allowed_ips))
    .bind(client.certificate_sha256.map(|d| d.to_hex()))
    .bind(&at)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(StoreError::Duplicate(format!(
                "a client named `{}` exists already",
                client.name
            )));
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query(
        "INSERT INTO client_secrets (client_id, version, secret, created_at) VALUES ($1, 1, $2, $3)",
    )
    .bind(client.id.as_str())
    .bind(&client.secret)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    let event = NewAuditEvent::success(
        by,
        actions::CLIENT_CREATED,
        Some(("client", client.id.to_string())),
        serde_json::json!({
            "name": client.name,
            "algorithm": client.algorithm.as_str(),
            "fonds": client.fonds.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "kinds": client.kinds.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "allowed_ips": client.allowed_ips,
            "certificate_sha256": client.certificate_sha256.map(|d| d.to_hex()),
        }),
    )
    .at(client.created_at);
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

async fn secrets(pool: &SqlitePool, id: &str) -> Result<Vec<ClientSecret>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, secret, expires_at FROM client_secrets WHERE client_id = $1 ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let version: i64 = row.try_get("version")?;
            let expires: Option<String> = row.try_get("expires_at")?;
            Ok(ClientSecret {
                version: u32::try_from(version)
                    .map_err(|_| StoreError::corrupt("secret version", version))?,
                secret: row.try_get("secret")?,
                expires_at: expires.as_deref().map(codec::parse_timestamp).transpose()?,
            })
        })
        .collect()
}

async fn client_from_row(pool: &SqlitePool, row: &SqliteRow) -> Result<ClientRow, StoreError> {
    let id: String = row.try_get("id")?;
    let algorithm: String = row.try_get("algorithm")?;
    let created_at: String = row.try_get("created_at")?;
    let fonds: String = row.try_get("fonds_codes")?;
    let kinds: String = row.try_get("record_kinds")?;
    let ips: String = row.try_get("allowed_ips")?;
    let certificate: Option<String> = row.try_get("certificate_sha256")?;
    Ok(ClientRow {
        secrets: secrets(pool, &id).await?,
        id: parse_stored("client id", &id)?,
        name: row.try_get("name")?,
        algorithm: parse_stored("signing algorithm", &algorithm)?,
        enabled: row.try_get("enabled")?,
        fonds: parse_list("fonds code", &fonds)?,
        kinds: parse_list("record kind", &kinds)?,
        allowed_ips: serde_json::from_str(&ips)
            .map_err(|_| StoreError::corrupt("allowed ips", &ips))?,
        certificate_sha256: certificate
            .as_deref()
            .map(|c| parse_stored("client certificate sha256", c))
            .transpose()?,
        created_at: codec::parse_timestamp(&created_at)?,
    })
}

const CLIENT_COLUMNS: &str =
    "SELECT id, name, algorithm, enabled, fonds_codes, record_kinds, allowed_ips,
    certificate_sha256, created_at FROM clients";

pub(super) async fn client(
    pool: &SqlitePool,
    id: &ClientId,
) -> Result<Option<ClientRow>, StoreError> {
    let sql = format!("{CLIENT_COLUMNS} WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?;
    match row {
        Some(row) => Ok(Some(client_from_row(pool, &row).await?)),
        None => Ok(None),
    }
}

pub(super) async fn clients(pool: &SqlitePool) -> Result<Vec<ClientRow>, StoreError> {
    let sql = format!("{CLIENT_COLUMNS} ORDER BY name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(client_from_row(pool, row).await?);
    }
    Ok(out)
}

pub(super) async fn rotate_secret(
    pool: &SqlitePool,
    id: &ClientId,
    secret: &str,
    at: OffsetDateTime,
    old_until: OffsetDateTime,
    by: &AuditActor,
) -> Result<u32, StoreError> {
    let mut tx = pool.begin().await?;
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM client_secrets WHERE client_id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
    let Some(last) = last else {
        return Err(StoreError::Duplicate(format!("client {id} does not exist")));
    };
    let until = codec::timestamp(old_until);
    // Secrets that were still working stop at the end of the overlap window; ones that had
    // already been given an earlier end keep it.
    sqlx::query(
        "UPDATE client_secrets SET expires_at = $1
         WHERE client_id = $2 AND (expires_at IS NULL OR expires_at > $1)",
    )
    .bind(&until)
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO client_secrets (client_id, version, secret, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.as_str())
    .bind(last + 1)
    .bind(secret)
    .bind(codec::timestamp(at))
    .execute(&mut *tx)
    .await?;
    let event = NewAuditEvent::success(
        by,
        actions::CLIENT_SECRET_ROTATED,
        Some(("client", id.to_string())),
        serde_json::json!({ "version": last + 1, "previous_valid_until": until }),
    )
    .at(at);
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    u32::try_from(last + 1).map_err(|_| StoreError::corrupt("secret version", last + 1))
}

pub(super) async fn set_enabled(
    pool: &SqlitePool,
    id: &ClientId,
    enabled: bool,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("UPDATE clients SET enabled = $1 WHERE id = $2")
        .bind(enabled)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let action = if enabled {
        actions::CLIENT_ENABLED
    } else {
        actions::CLIENT_DISABLED
    };
    let event = NewAuditEvent::success(
        by,
        action,
        Some(("client", id.to_string())),
        serde_json::json!({}),
    );
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn set_certificate(
    pool: &SqlitePool,
    id: &ClientId,
    certificate_sha256: Option<&Sha256Digest>,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("UPDATE clients SET certificate_sha256 = $1 WHERE id = $2")
        .bind(certificate_sha256.map(Sha256Digest::to_hex))
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let action = if certificate_sha256.is_some() {
        actions::CLIENT_CERTIFICATE_PINNED
    } else {
        actions::CLIENT_CERTIFICATE_UNPINNED
    };
    let event = NewAuditEvent::success(
        by,
        action,
        Some(("client", id.to_string())),
        serde_json::json!({ "certificate_sha256": certificate_sha256.map(Sha256Digest::to_hex) }),
    );
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn submission_by_key(
    pool: &SqlitePool,
    client: &ClientId,
    key: &str,
) -> Result<Option<SubmissionRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id, fonds_code, received_at, body_sha256 FROM submissions
         WHERE client_id = $1 AND idempotency_key = $2",
    )
    .bind(client.as_str())
    .bind(key)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        let id: String = row.try_get("id")?;
        let fonds: String = row.try_get("fonds_code")?;
        let received: String = row.try_get("received_at")?;
        let body: Option<String> = row.try_get("body_sha256")?;
        Ok(SubmissionRow {
            id: parse_stored("submission id", &id)?,
            fonds: parse_stored("fonds code", &fonds)?,
            received_at: codec::parse_timestamp(&received)?,
            body_sha256: body
                .as_deref()
                .map(|b| parse_stored("body sha256", b))
                .transpose()?,
        })
    })
    .transpose()
}

pub(super) async fn submission_records(
    pool: &SqlitePool,
    id: SubmissionId,
) -> Result<Vec<RecordRow>, StoreError> {
    let sql = format!(
        "SELECT {} FROM records WHERE submission_id = $1 ORDER BY id",
        super::records::RECORD_COLUMNS
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_all(pool)
        .await?;
    rows.iter().map(codec::record).collect()
}
