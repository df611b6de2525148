//! Business keys and the links between records, in SQLite.

use fonds_domain::{BusinessKey, FondsCode, LinkType, RecordId};
use sqlx::{Row as _, Sqlite, SqlitePool};

use super::parse_stored;
use crate::error::StoreError;
use crate::metadata::{NewRecord, RecordLinks};

/// Writes a new record's keys and links inside the caller's transaction: its links resolve to
/// records that hold the keys already, and links that were waiting for one of its keys resolve
/// to it.
pub(super) async fn insert(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    fonds: &FondsCode,
    record: &NewRecord,
    at: &str,
) -> Result<(), StoreError> {
    let id = record.id.to_string();
    for key in &record.business_keys {
        let holder = holder_of(tx, fonds, key).await?;
        if let Some(holder) = holder {
            return Err(StoreError::BusinessKeyTaken(format!(
                "{key} already names record {holder} in fonds {fonds}"
            )));
        }
        sqlx::query(
            "INSERT INTO business_keys (fonds_code, key_type, key_value, record_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(fonds.as_str())
        .bind(key.link_type.as_str())
        .bind(key.value())
        .bind(&id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE record_links SET to_record = $1, resolved_at = $2
             WHERE fonds_code = $3 AND key_type = $4 AND key_value = $5 AND to_record IS NULL",
        )
        .bind(&id)
        .bind(at)
        .bind(fonds.as_str())
        .bind(key.link_type.as_str())
        .bind(key.value())
        .execute(&mut **tx)
        .await?;
    }
    for link in &record.links {
        let holder = holder_of(tx, fonds, link).await?;
        sqlx::query(
            "INSERT INTO record_links (from_record, fonds_code, key_type, key_value, to_record,
                created_at, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(fonds.as_str())
        .bind(link.link_type.as_str())
        .bind(link.value())
        .bind(&holder)
        .bind(at)
        .bind(holder.as_ref().map(|_| at))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The record a business key names in a fonds, if any.
async fn holder_of(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    fonds: &FondsCode,
    key: &BusinessKey,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT record_id FROM business_keys WHERE fonds_code = $1 AND key_type = $2 AND key_value = $3",
    )
    .bind(fonds.as_str())
    .bind(key.link_type.as_str())
    .bind(key.value())
    .fetch_optional(&mut **tx)
    .await?)
}

pub(super) fn key(row: &sqlx::sqlite::SqliteRow) -> Result<BusinessKey, StoreError> {
    let link_type: String = row.try_get("key_type")?;
    let value: String = row.try_get("key_value")?;
    let link_type: LinkType = parse_stored("link type", &link_type)?;
    BusinessKey::new(link_type, &value).map_err(|_| StoreError::corrupt("business key", &value))
}

pub(super) async fn record_links(
    pool: &SqlitePool,
    id: RecordId,
) -> Result<RecordLinks, StoreError> {
    let id = id.to_string();
    let outgoing = sqlx::query(
        "SELECT key_type, key_value, to_record FROM record_links WHERE from_record = $1
         ORDER BY key_type, key_value",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let to: Option<String> = row.try_get("to_record")?;
        Ok((
            key(row)?,
            to.as_deref()
                .map(|t| parse_stored("record id", t))
                .transpose()?,
        ))
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let incoming = sqlx::query(
        "SELECT key_type, key_value, from_record FROM record_links WHERE to_record = $1
         ORDER BY key_type, key_value",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let from: String = row.try_get("from_record")?;
        Ok((key(row)?, parse_stored("record id", &from)?))
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let own_keys = sqlx::query(
        "SELECT key_type, key_value FROM business_keys WHERE record_id = $1 ORDER BY key_type, key_value",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(key)
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(RecordLinks {
        outgoing,
        incoming,
        own_keys,
    })
}
