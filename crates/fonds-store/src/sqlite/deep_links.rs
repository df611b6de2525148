//! Deep links in SQLite: stored by the token's hash, and used up by one atomic `UPDATE`.

use fonds_domain::Sha256Digest;
use sqlx::{Row as _, SqlitePool};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::{append_audit, parse_stored};
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::deep_links::{DeepLinkUse, NewDeepLink};
use crate::error::StoreError;

/// UTC with exactly three fraction digits: RFC 3339 text of one width, so that `<` on the text
/// is `<` on the time. (The general RFC 3339 form drops trailing zeros of the fraction, and
/// `…:05Z` would sort after `…:05.5Z`.)
const FIXED: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

fn fixed(at: OffsetDateTime) -> Result<String, StoreError> {
    at.to_offset(time::UtcOffset::UTC)
        .format(FIXED)
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

pub(super) async fn insert(
    pool: &SqlitePool,
    link: &NewDeepLink,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO deep_links (token_sha256, record_id, client_id, oa_user, created_at,
            expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.token_sha256.to_hex())
    .bind(link.record_id.to_string())
    .bind(link.client_id.as_str())
    .bind(&link.oa_user)
    .bind(fixed(link.created_at)?)
    .bind(fixed(link.expires_at)?)
    .execute(&mut *tx)
    .await?;
    // The token is the credential: the event names the link by the first characters of its
    // hash only, enough to match it to its opening, useless to open it.
    let event = NewAuditEvent::success(
        by,
        actions::DEEP_LINK_ISSUED,
        Some(("record", link.record_id.to_string())),
        serde_json::json!({
            "deep_link_for": link.oa_user,
            "link": &link.token_sha256.to_hex()[..16],
            "expires_at": fixed(link.expires_at)?,
        }),
    )
    .at(link.created_at);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn consume(
    pool: &SqlitePool,
    token_sha256: &Sha256Digest,
    now: OffsetDateTime,
) -> Result<DeepLinkUse, StoreError> {
    let hash = token_sha256.to_hex();
    // One statement decides and marks: of two concurrent openings, exactly one gets the row.
    let opened = sqlx::query(
        "UPDATE deep_links SET used_at = $2
         WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING record_id, client_id, oa_user",
    )
    .bind(&hash)
    .bind(fixed(now)?)
    .fetch_optional(pool)
    .await?;
    if let Some(row) = opened {
        let record: String = row.try_get("record_id")?;
        let client: String = row.try_get("client_id")?;
        return Ok(DeepLinkUse::Opened {
            record_id: parse_stored("record id", &record)?,
            client_id: parse_stored("client id", &client)?,
            oa_user: row.try_get("oa_user")?,
        });
    }
    // The link was not opened; say why. A row that is still unused can only have failed the
    // expiry test, and `used_at` never goes back to NULL, so this read cannot contradict the
    // update above.
    let used_at: Option<Option<String>> =
        sqlx::query_scalar("SELECT used_at FROM deep_links WHERE token_sha256 = $1")
            .bind(&hash)
            .fetch_optional(pool)
            .await?;
    Ok(match used_at {
        None => DeepLinkUse::Unknown,
        Some(Some(_)) => DeepLinkUse::AlreadyUsed,
        Some(None) => DeepLinkUse::Expired,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::fixed;

    #[test]
    fn fixed_width_times_sort_as_text_in_time_order() {
        let times = [
            datetime!(2026-03-05 09:31:05 UTC),
            datetime!(2026-03-05 09:31:05.001 UTC),
            datetime!(2026-03-05 09:31:05.5 UTC),
            datetime!(2026-03-05 17:31:06 +8),
            datetime!(2026-03-05 09:31:06.25 UTC),
        ];
        let texts: Vec<String> = times.iter().map(|t| fixed(*t).expect("format")).collect();
        assert_eq!(texts[0], "2026-03-05T09:31:05.000Z");
        assert!(texts.windows(2).all(|w| w[0] < w[1]), "{texts:?}");
    }
}
