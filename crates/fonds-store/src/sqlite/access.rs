//! Departments and grants in SQLite. Adding a department, granting and revoking each append
//! their audit event in the same transaction; a grant the three-officer trigger refuses is
//! reported as [`StoreError::OfficerSeparation`] and leaves a `refused` event instead.

use fonds_domain::FondsCode;
use fonds_domain::access::{DataScope, Grant};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqlitePool};
use time::OffsetDateTime;

use super::{append_audit, codec, parse_stored};
use crate::access::{DepartmentRow, NewDepartment};
use crate::audit::{AuditActor, AuditOutcome, NewAuditEvent, actions};
use crate::error::StoreError;

/// The marker the three-officer trigger's message starts with.
const SEPARATION: &str = "three-officer separation";

fn department(row: &SqliteRow) -> Result<DepartmentRow, StoreError> {
    let fonds: String = row.try_get("fonds_code")?;
    let code: String = row.try_get("code")?;
    let parent: Option<String> = row.try_get("parent_code")?;
    let path: String = row.try_get("path")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(DepartmentRow {
        fonds: parse_stored("fonds code", &fonds)?,
        code: parse_stored("department code", &code)?,
        name: row.try_get("name")?,
        parent: parent
            .as_deref()
            .map(|p| parse_stored("department code", p))
            .transpose()?,
        path: path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| parse_stored("department path", s))
            .collect::<Result<_, _>>()?,
        created_at: codec::parse_timestamp(&created_at)?,
    })
}

pub(super) async fn insert_department(
    pool: &SqlitePool,
    new: &NewDepartment,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let parent_path = match &new.parent {
        None => "/".to_owned(),
        Some(parent) => sqlx::query_scalar::<_, String>(
            "SELECT path FROM departments WHERE fonds_code = $1 AND code = $2",
        )
        .bind(new.fonds.as_str())
        .bind(parent.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::DepartmentNotFound(new.fonds.to_string(), parent.to_string()))?,
    };
    let path = format!("{parent_path}{}/", new.code);
    let inserted = sqlx::query(
        "INSERT INTO departments (fonds_code, code, name, parent_code, path, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.fonds.as_str())
    .bind(new.code.as_str())
    .bind(&new.name)
    .bind(new.parent.as_ref().map(|p| p.as_str().to_owned()))
    .bind(&path)
    .bind(codec::timestamp(new.created_at))
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(StoreError::DepartmentTaken(
                new.fonds.to_string(),
                new.code.to_string(),
            ));
        }
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
            return Err(StoreError::FondsNotFound(new.fonds.to_string()));
        }
        Err(e) => return Err(e.into()),
    }
    let event = NewAuditEvent::success(
        by,
        actions::DEPARTMENT_ADDED,
        Some(("department", format!("{}/{}", new.fonds, new.code))),
        serde_json::json!({
            "name": new.name,
            "parent": new.parent.as_ref().map(ToString::to_string),
        }),
    )
    .at(new.created_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn departments(
    pool: &SqlitePool,
    fonds: Option<&FondsCode>,
) -> Result<Vec<DepartmentRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT fonds_code, code, name, parent_code, path, created_at FROM departments
         WHERE $1 IS NULL OR fonds_code = $1 ORDER BY fonds_code, path",
    )
    .bind(fonds.map(|f| f.as_str().to_owned()))
    .fetch_all(pool)
    .await?;
    rows.iter().map(department).collect()
}

macro_rules! grant_columns {
    () => {
        "id, user_id, role, scope, expires_at, granted_by, granted_at, revoked_at"
    };
}

fn grant(row: &SqliteRow) -> Result<Grant, StoreError> {
    let role: String = row.try_get("role")?;
    let scope: String = row.try_get("scope")?;
    let granted_at: String = row.try_get("granted_at")?;
    let time = |column: &str| -> Result<Option<OffsetDateTime>, StoreError> {
        let text: Option<String> = row.try_get(column)?;
        text.as_deref().map(codec::parse_timestamp).transpose()
    };
    Ok(Grant {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        role: parse_stored("role", &role)?,
        scope: parse_scope(&scope)?,
        expires_at: time("expires_at")?,
        granted_by: row.try_get("granted_by")?,
        granted_at: codec::parse_timestamp(&granted_at)?,
        revoked_at: time("revoked_at")?,
    })
}

/// A data scope from its stored JSON.
pub(super) fn parse_scope(text: &str) -> Result<DataScope, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::corrupt("data scope", text))
}

/// Grants of `user_id` from the JSON array `session_holder` reads them as (the grant columns
/// as an object each, the scope embedded as JSON).
pub(super) fn grants_from_json(user_id: &str, text: &str) -> Result<Vec<Grant>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Stored {
        id: String,
        role: String,
        scope: DataScope,
        expires_at: Option<String>,
        granted_by: String,
        granted_at: String,
    }
    let stored: Vec<Stored> =
        serde_json::from_str(text).map_err(|_| StoreError::corrupt("grants", text))?;
    stored
        .into_iter()
        .map(|g| {
            Ok(Grant {
                id: g.id,
                user_id: user_id.to_owned(),
                role: parse_stored("role", &g.role)?,
                scope: g.scope,
                expires_at: g
                    .expires_at
                    .as_deref()
                    .map(codec::parse_timestamp)
                    .transpose()?,
                granted_by: g.granted_by,
                granted_at: codec::parse_timestamp(&g.granted_at)?,
                revoked_at: None,
            })
        })
        .collect()
}

/// A data scope as stored.
pub(super) fn scope_json(scope: &DataScope) -> Result<String, StoreError> {
    serde_json::to_string(scope).map_err(|e| StoreError::corrupt("data scope", e))
}

fn grant_detail(grant: &Grant) -> serde_json::Value {
    serde_json::json!({
        "user": grant.user_id,
        "role": grant.role.code(),
        "scope": grant.scope,
        "expires_at": grant.expires_at.map(codec::timestamp),
    })
}

pub(super) async fn insert_grant(
    pool: &SqlitePool,
    grant: &Grant,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO grants (id, user_id, role, scope, expires_at, granted_by, granted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&grant.id)
    .bind(&grant.user_id)
    .bind(grant.role.code())
    .bind(scope_json(&grant.scope)?)
    .bind(grant.expires_at.map(codec::timestamp))
    .bind(&grant.granted_by)
    .bind(codec::timestamp(grant.granted_at))
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(db)) if db.message().contains(SEPARATION) => {
            drop(tx);
            let mut event = NewAuditEvent::success(
                by,
                actions::GRANT_REFUSED,
                Some(("user", grant.user_id.clone())),
                grant_detail(grant),
            )
            .at(grant.granted_at);
            event.outcome = AuditOutcome::Refused;
            let mut tx = pool.begin().await?;
            append_audit(&mut tx, &event).await?;
            tx.commit().await?;
            return Err(StoreError::OfficerSeparation(
                "三员分立: an officer's role (系统管理员, 系统安全保密员, 系统安全审计员) is held \
                 alone; revoke the person's other grants first, or choose another person"
                    .to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let event = NewAuditEvent::success(
        by,
        actions::GRANT_ADDED,
        Some(("grant", grant.id.clone())),
        grant_detail(grant),
    )
    .at(grant.granted_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn revoke_grant(
    pool: &SqlitePool,
    id: &str,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(codec::timestamp(at))
    .bind(&by.name)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let event = NewAuditEvent::success(
        by,
        actions::GRANT_REVOKED,
        Some(("grant", id.to_owned())),
        serde_json::json!({}),
    )
    .at(at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn grant_by_id(pool: &SqlitePool, id: &str) -> Result<Option<Grant>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        grant_columns!(),
        " FROM grants WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(grant).transpose()
}

pub(super) async fn unrevoked_grants(
    pool: &SqlitePool,
    user_id: &str,
) -> Result<Vec<Grant>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        grant_columns!(),
        " FROM grants WHERE user_id = $1 AND revoked_at IS NULL"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(grant).collect()
}

pub(super) async fn grants(
    pool: &SqlitePool,
    user_id: Option<&str>,
) -> Result<Vec<Grant>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        grant_columns!(),
        " FROM grants WHERE $1 IS NULL OR user_id = $1 ORDER BY granted_at DESC, id"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(grant).collect()
}
