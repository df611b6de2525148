//! The second login factor in SQLite: a person's TOTP secret (sealed by the caller), their
//! one-time recovery codes (hashes only), and the promotion of a session once the factor is
//! given. Every step appends its audit event in the same transaction; no event carries a
//! secret or a code.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;

use super::{append_audit, codec, parse_stored};
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::people::{NewSecondFactor, SecondFactorProof, SecondFactorRow, SessionPromotion};

fn second_factor(row: &SqliteRow) -> Result<SecondFactorRow, StoreError> {
    let format: String = row.try_get("secret_format")?;
    let created_at: String = row.try_get("created_at")?;
    let confirmed_at: Option<String> = row.try_get("confirmed_at")?;
    let step: Option<i64> = row.try_get("last_used_step")?;
    Ok(SecondFactorRow {
        user_id: row.try_get("user_id")?,
        secret: row.try_get("secret")?,
        format: parse_stored("secret format", &format)?,
        confirmed_at: confirmed_at
            .as_deref()
            .map(codec::parse_timestamp)
            .transpose()?,
        last_used_step: step
            .map(|s| u64::try_from(s).map_err(|_| StoreError::corrupt("last used step", s)))
            .transpose()?,
        created_at: codec::parse_timestamp(&created_at)?,
    })
}

fn step_value(step: u64) -> Result<i64, StoreError> {
    i64::try_from(step).map_err(|_| StoreError::corrupt("time step", step))
}

pub(super) async fn second_factor_of(
    pool: &SqlitePool,
    user_id: &str,
) -> Result<Option<SecondFactorRow>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id, secret, secret_format, last_used_step, created_at, confirmed_at
         FROM second_factors WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(second_factor).transpose()
}

pub(super) async fn start_enrolment(
    pool: &SqlitePool,
    new: &NewSecondFactor,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    // A pending enrolment is replaced (the person scans a new code); an active one stays.
    let done = sqlx::query(
        "INSERT INTO second_factors (user_id, secret, secret_format, state, created_at)
         VALUES ($1, $2, $3, 'pending', $4)
         ON CONFLICT (user_id) DO UPDATE
            SET secret = excluded.secret, secret_format = excluded.secret_format,
                created_at = excluded.created_at, last_used_step = NULL
            WHERE second_factors.state = 'pending'",
    )
    .bind(&new.user_id)
    .bind(&new.secret)
    .bind(new.format.as_str())
    .bind(codec::timestamp(new.created_at))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let event = NewAuditEvent::success(
        by,
        actions::SECOND_FACTOR_ENROLMENT_STARTED,
        Some(("user", new.user_id.clone())),
        serde_json::json!({ "method": "totp", "secret": new.format.as_str() }),
    )
    .at(new.created_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

/// Promotes a session to full under a new id; `false` when it is not live in the stage named.
async fn promote(
    tx: &mut Transaction<'_, Sqlite>,
    promotion: &SessionPromotion,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sessions SET id = $1, stage = 'full', last_seen_at = $2, idle_expires_at = $3
         WHERE id = $4 AND stage = $5 AND revoked_at IS NULL",
    )
    .bind(&promotion.to_id)
    .bind(codec::timestamp(promotion.at))
    .bind(codec::timestamp(promotion.idle_expires_at))
    .bind(&promotion.from_id)
    .bind(promotion.from_stage.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn confirm(
    pool: &SqlitePool,
    user_id: &str,
    step: u64,
    recovery_code_hashes: &[String],
    promotion: Option<&SessionPromotion>,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let stamp = codec::timestamp(at);
    let done = sqlx::query(
        "UPDATE second_factors SET state = 'active', confirmed_at = $1, last_used_step = $2
         WHERE user_id = $3 AND state = 'pending'",
    )
    .bind(&stamp)
    .bind(step_value(step)?)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for hash in recovery_code_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(promotion) = promotion {
        if !promote(&mut tx, promotion).await? {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1
             WHERE id = $2",
        )
        .bind(&stamp)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    let event = NewAuditEvent::success(
        by,
        actions::SECOND_FACTOR_CONFIRMED,
        Some(("user", user_id.to_owned())),
        serde_json::json!({
            "method": "totp",
            "recovery_codes": recovery_code_hashes.len(),
            "session": promotion.map(|p| p.to_id.clone()),
        }),
    )
    .at(at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn pass(
    pool: &SqlitePool,
    user_id: &str,
    proof: &SecondFactorProof,
    promotion: &SessionPromotion,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let at = codec::timestamp(promotion.at);
    // Each proof is used up here, so a code replayed (even by a racing request) opens nothing.
    let (used, method) = match proof {
        SecondFactorProof::Totp { step } => {
            let step = step_value(*step)?;
            let done = sqlx::query(
                "UPDATE second_factors SET last_used_step = $1
                 WHERE user_id = $2 AND state = 'active'
                   AND (last_used_step IS NULL OR last_used_step < $1)",
            )
            .bind(step)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            (done.rows_affected() == 1, "totp")
        }
        SecondFactorProof::RecoveryCode { code_hash } => {
            let done = sqlx::query(
                "UPDATE recovery_codes SET used_at = $1
                 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(&at)
            .bind(user_id)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
            (done.rows_affected() == 1, "recovery_code")
        }
    };
    if !used || !promote(&mut tx, promotion).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
    )
    .bind(&at)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if matches!(proof, SecondFactorProof::RecoveryCode { .. }) {
        let left: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        let event = NewAuditEvent::success(
            by,
            actions::RECOVERY_CODE_USED,
            Some(("user", user_id.to_owned())),
            serde_json::json!({ "recovery_codes_left": left }),
        )
        .at(promotion.at);
        append_audit(&mut tx, &event).await?;
    }
    let event = NewAuditEvent::success(
        by,
        actions::SECOND_FACTOR_PASSED,
        Some(("session", promotion.to_id.clone())),
        serde_json::json!({ "user_id": user_id, "method": method }),
    )
    .at(promotion.at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn recovery_codes_left(
    pool: &SqlitePool,
    user_id: &str,
) -> Result<u32, StoreError> {
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    u32::try_from(left).map_err(|_| StoreError::corrupt("recovery code count", left))
}

pub(super) async fn reset(
    pool: &SqlitePool,
    user_id: &str,
    at: OffsetDateTime,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let removed = sqlx::query("DELETE FROM second_factors WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let codes = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Ok(false);
    }
    // Sessions still waiting for the removed factor can never complete: end them.
    let waiting = sqlx::query(
        "UPDATE sessions SET revoked_at = $1
         WHERE user_id = $2 AND stage = 'second_factor' AND revoked_at IS NULL",
    )
    .bind(codec::timestamp(at))
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let event = NewAuditEvent::success(
        by,
        actions::SECOND_FACTOR_RESET,
        Some(("user", user_id.to_owned())),
        serde_json::json!({
            "recovery_codes_removed": codes.rows_affected(),
            "waiting_sessions_ended": waiting.rows_affected(),
        }),
    )
    .at(at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}
