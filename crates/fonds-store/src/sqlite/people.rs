//! People and sessions in SQLite. Every change that matters to security appends its audit event
//! in the same transaction: a user created, a password changed, a login that succeeded or
//! failed, a lockout, a logout or revocation.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqlitePool};
use time::OffsetDateTime;

use super::{append_audit, codec, parse_stored};
use crate::audit::{AuditActor, AuditOutcome, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::people::{
    FailedLogin, LockoutPolicy, LoginFailure, NewSession, NewUser, SessionEnd, SessionHolder,
    SessionRow, SessionStage, UserRow,
};

macro_rules! user_columns {
    () => {
        "id, login, display_name, password_hash, state, failed_logins, locked_until, \
         created_at, last_login_at"
    };
}

macro_rules! session_columns {
    () => {
        "id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, \
         client_address, user_agent, revoked_at, stage"
    };
}

fn optional_time(value: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    value.as_deref().map(codec::parse_timestamp).transpose()
}

fn user(row: &SqliteRow) -> Result<UserRow, StoreError> {
    let state: String = row.try_get("state")?;
    let failed: i64 = row.try_get("failed_logins")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(UserRow {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        state: parse_stored("user state", &state)?,
        failed_logins: u32::try_from(failed)
            .map_err(|_| StoreError::corrupt("failed logins", failed))?,
        locked_until: optional_time(row.try_get("locked_until")?)?,
        created_at: codec::parse_timestamp(&created_at)?,
        last_login_at: optional_time(row.try_get("last_login_at")?)?,
    })
}

fn session(row: &SqliteRow) -> Result<SessionRow, StoreError> {
    session_named(row, |column| column.to_owned())
}

/// A session from `row`, whose columns are named by `name` (prefixed in a join).
fn session_named(row: &SqliteRow, name: impl Fn(&str) -> String) -> Result<SessionRow, StoreError> {
    let time = |column: &str| -> Result<OffsetDateTime, StoreError> {
        let text: String = row.try_get(name(column).as_str())?;
        codec::parse_timestamp(&text)
    };
    let stage: String = row.try_get(name("stage").as_str())?;
    Ok(SessionRow {
        id: row.try_get(name("id").as_str())?,
        user_id: row.try_get(name("user_id").as_str())?,
        created_at: time("created_at")?,
        last_seen_at: time("last_seen_at")?,
        idle_expires_at: time("idle_expires_at")?,
        absolute_expires_at: time("absolute_expires_at")?,
        client_address: row.try_get(name("client_address").as_str())?,
        user_agent: row.try_get(name("user_agent").as_str())?,
        revoked_at: optional_time(row.try_get(name("revoked_at").as_str())?)?,
        stage: parse_stored("session stage", &stage)?,
    })
}

pub(super) async fn insert_user(
    pool: &SqlitePool,
    new: &NewUser,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, login, display_name, password_hash, state, created_at)
         VALUES ($1, $2, $3, $4, 'active', $5)",
    )
    .bind(&new.id)
    .bind(&new.login)
    .bind(&new.display_name)
    .bind(&new.password_hash)
    .bind(codec::timestamp(new.created_at))
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(StoreError::LoginTaken(new.login.clone()));
        }
        Err(e) => return Err(e.into()),
    }
    let event = NewAuditEvent::success(
        by,
        actions::USER_CREATED,
        Some(("user", new.id.clone())),
        serde_json::json!({ "login": new.login, "display_name": new.display_name }),
    )
    .at(new.created_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn user_by_login(
    pool: &SqlitePool,
    login: &str,
) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE login = $1"
    ))
    .bind(login)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(user).transpose()
}

pub(super) async fn user_by_id(pool: &SqlitePool, id: &str) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(user).transpose()
}

pub(super) async fn users(pool: &SqlitePool) -> Result<Vec<UserRow>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users ORDER BY login"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(user).collect()
}

pub(super) async fn set_password(
    pool: &SqlitePool,
    user_id: &str,
    password_hash: &str,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let event = NewAuditEvent::success(
        by,
        actions::USER_PASSWORD_CHANGED,
        Some(("user", user_id.to_owned())),
        serde_json::json!({}),
    )
    .at(at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn record_failed_login(
    pool: &SqlitePool,
    user_id: &str,
    at: OffsetDateTime,
    policy: &LockoutPolicy,
    failure: LoginFailure,
    by: &AuditActor,
) -> Result<FailedLogin, StoreError> {
    let mut tx = pool.begin().await?;
    let failures: i64 = sqlx::query_scalar(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
    )
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    let failures = u32::try_from(failures).unwrap_or(u32::MAX);
    let locked_until = policy.delay(failures).map(|delay| at + delay);
    let (action, reason) = match failure {
        LoginFailure::WrongPassword => (actions::LOGIN_FAILED, "wrong_password"),
        LoginFailure::WrongSecondFactor => (actions::SECOND_FACTOR_FAILED, "wrong_code"),
    };
    let mut failed = NewAuditEvent::success(
        by,
        action,
        Some(("user", user_id.to_owned())),
        serde_json::json!({ "reason": reason, "failures": failures }),
    )
    .at(at);
    failed.outcome = AuditOutcome::Refused;
    append_audit(&mut tx, &failed).await?;
    if let Some(until) = locked_until {
        sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
            .bind(codec::timestamp(until))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let locked = NewAuditEvent::success(
            by,
            actions::USER_LOCKED_OUT,
            Some(("user", user_id.to_owned())),
            serde_json::json!({
                "failures": failures,
                "locked_until": codec::timestamp(until),
            }),
        )
        .at(at);
        append_audit(&mut tx, &locked).await?;
    }
    tx.commit().await?;
    Ok(FailedLogin {
        failures,
        locked_until,
    })
}

pub(super) async fn start_session(
    pool: &SqlitePool,
    new: &NewSession,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let at = codec::timestamp(new.created_at);
    // A password alone does not clear the failure count of an account that needs a second
    // factor: otherwise whoever knows the password could guess codes without ever being locked.
    if new.stage != SessionStage::SecondFactor {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1
             WHERE id = $2",
        )
        .bind(&at)
        .bind(&new.user_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, idle_expires_at,
            absolute_expires_at, client_address, user_agent, stage)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&new.id)
    .bind(&new.user_id)
    .bind(&at)
    .bind(codec::timestamp(new.idle_expires_at))
    .bind(codec::timestamp(new.absolute_expires_at))
    .bind(&new.client_address)
    .bind(&new.user_agent)
    .bind(new.stage.as_str())
    .execute(&mut *tx)
    .await?;
    let action = match new.stage {
        SessionStage::SecondFactor => actions::LOGIN_PASSWORD_VERIFIED,
        SessionStage::Full | SessionStage::Enrolment => actions::LOGIN_SUCCEEDED,
    };
    // The session id is the hash of its secret: naming it reveals nothing a thief could use.
    let event = NewAuditEvent::success(
        by,
        action,
        Some(("session", new.id.clone())),
        serde_json::json!({
            "user_id": new.user_id,
            "user_agent": new.user_agent,
            "stage": new.stage.as_str(),
        }),
    )
    .at(new.created_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn session_by_id(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<SessionRow>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(session).transpose()
}

/// A session with its person and their unrevoked grants, in one query: it runs on every
/// request a person makes.
pub(super) async fn session_holder(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<SessionHolder>, StoreError> {
    let row = sqlx::query(
        "SELECT s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at,
            s.last_seen_at AS s_last_seen_at, s.idle_expires_at AS s_idle_expires_at,
            s.absolute_expires_at AS s_absolute_expires_at, s.client_address AS s_client_address,
            s.user_agent AS s_user_agent, s.revoked_at AS s_revoked_at, s.stage AS s_stage,
            u.id, u.login, u.display_name, u.password_hash, u.state, u.failed_logins,
            u.locked_until, u.created_at, u.last_login_at,
            (SELECT json_group_array(json_object(
                'id', g.id, 'role', g.role, 'scope', json(g.scope), 'expires_at', g.expires_at,
                'granted_by', g.granted_by, 'granted_at', g.granted_at))
             FROM grants g WHERE g.user_id = u.id AND g.revoked_at IS NULL) AS grants
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let session = session_named(&row, |column| format!("s_{column}"))?;
    let user = user(&row)?;
    let grants: String = row.try_get("grants")?;
    let grants = super::access::grants_from_json(&user.id, &grants)?;
    Ok(Some(SessionHolder {
        session,
        user,
        grants,
    }))
}

pub(super) async fn sessions_of(
    pool: &SqlitePool,
    user_id: &str,
) -> Result<Vec<SessionRow>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE user_id = $1 ORDER BY created_at DESC"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(session).collect()
}

pub(super) async fn touch_session(
    pool: &SqlitePool,
    id: &str,
    at: OffsetDateTime,
    idle_expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2
         WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(codec::timestamp(at))
    .bind(codec::timestamp(idle_expires_at))
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn end_session(
    pool: &SqlitePool,
    id: &str,
    at: OffsetDateTime,
    how: SessionEnd,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done =
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(codec::timestamp(at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let action = match how {
        SessionEnd::Logout => actions::LOGGED_OUT,
        SessionEnd::Revoked => actions::SESSION_REVOKED,
    };
    let event = NewAuditEvent::success(
        by,
        action,
        Some(("session", id.to_owned())),
        serde_json::json!({}),
    )
    .at(at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}
