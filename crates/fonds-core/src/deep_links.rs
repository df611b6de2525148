//! Deep links (深度链接): a client system (an OA) asks for a link that opens one record for one
//! of its users. The link is its own credential, so it is short-lived (at most five minutes) and
//! works once; only the SHA-256 of its token is stored.

use std::time::Duration;

use fonds_domain::access::RecordScope;
use fonds_domain::{ClientId, RecordId, Sha256Digest};
use fonds_store::{DeepLinkUse, NewDeepLink};
use sha2::Digest as _;
use time::OffsetDateTime;

use crate::clients::ClientPrincipal;
use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive, RecordDetail};

/// The longest a deep link may live.
pub const MAX_DEEP_LINK_TTL: Duration = Duration::from_secs(300);

/// The longest OA user name, in characters.
const MAX_OA_USER_CHARS: usize = 64;

/// What every token starts with, so that a leaked one is recognisable in a secret scanner.
const PREFIX: &str = "fdl_";

/// A deep link just issued. The token is shown to the client this once and never stored.
#[derive(Clone)]
pub struct IssuedDeepLink {
    /// The token: `fdl_` followed by 64 lower-case hex digits.
    pub token: String,
    /// When the link stops working.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for IssuedDeepLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedDeepLink")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What an opened deep link shows: the record, for the user it was issued to.
#[derive(Debug, Clone)]
pub struct OpenedDeepLink {
    /// The record with its files and entries.
    pub record: RecordDetail,
    /// The OA user the link was issued for.
    pub oa_user: String,
    /// The client system that asked for the link.
    pub client: ClientId,
}

fn hash(token: &str) -> Sha256Digest {
    Sha256Digest::from_bytes(sha2::Sha256::digest(token.as_bytes()).into())
}

fn invalid(detail: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::RequestInvalid, detail)
}

/// Whether `token` has the shape of a token this module issues.
fn well_formed(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn check_oa_user(oa_user: &str) -> Result<(), CoreError> {
    let chars = oa_user.chars().count();
    if chars == 0 || chars > MAX_OA_USER_CHARS || oa_user.trim().is_empty() {
        return Err(invalid(format!(
            "`user` must be the OA user's name or login, 1 to {MAX_OA_USER_CHARS} characters"
        )));
    }
    if oa_user.chars().any(char::is_control) {
        return Err(invalid("`user` must not contain control characters"));
    }
    Ok(())
}

impl Archive {
    /// Issues a single-use link that opens `record` for the OA user `oa_user` until `ttl` has
    /// passed.
    ///
    /// # Errors
    /// `request_invalid` for a `ttl` outside 1 to 300 seconds or a bad `oa_user`;
    /// `record_not_found` when the record does not exist or lies outside the client's fonds (the
    /// two are not told apart, so that a client cannot probe for records it may not see); a
    /// failure of the random source or the store. The issue is audited (`deep_link.issued`).
    pub async fn issue_deep_link(
        &self,
        client: &ClientPrincipal,
        record: RecordId,
        oa_user: &str,
        ttl: Duration,
    ) -> Result<IssuedDeepLink, CoreError> {
        if ttl < Duration::from_secs(1) || ttl > MAX_DEEP_LINK_TTL {
            return Err(invalid(format!(
                "`ttl_seconds` must be 1 to {}; ask for a new link when the user needs one",
                MAX_DEEP_LINK_TTL.as_secs()
            )));
        }
        check_oa_user(oa_user)?;
        // Only a record the client may read is linked to; any other is as absent as a missing
        // one.
        let by = Actor::client(client.id.as_str());
        let scope = crate::access::Access::client(client.clone(), by.clone())
            .scope_for(fonds_domain::access::Permission::RecordRead);
        self.visible_record(record, &scope).await?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| CoreError::internal(std::io::Error::other(e.to_string())))?;
        let token = format!("{PREFIX}{}", hex::encode(bytes));
        let now = OffsetDateTime::now_utc();
        let expires_at = now + ttl;
        self.metadata
            .insert_deep_link(
                &NewDeepLink {
                    token_sha256: hash(&token),
                    record_id: record,
                    client_id: client.id.clone(),
                    oa_user: oa_user.to_owned(),
                    created_at: now,
                    expires_at,
                },
                &by,
            )
            .await?;
        Ok(IssuedDeepLink { token, expires_at })
    }

    /// Opens a deep link from `address`: uses it up and answers the record it opens, recorded
    /// as `record.viewed` by the client that asked for the link, naming the OA user.
    ///
    /// # Errors
    /// `deep_link_unknown` for a token that was never issued (or is malformed);
    /// `deep_link_used` when the link was opened before; `deep_link_expired` when it expired
    /// unused; a store failure.
    // LIMITATION: a refused opening (unknown, used or expired link) is logged but not appended
    // to the audit trail; refusals of every kind join it with the permission model.
    pub async fn open_deep_link(
        &self,
        token: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<OpenedDeepLink, CoreError> {
        let outcome = if well_formed(token) {
            self.metadata
                .consume_deep_link(&hash(token), OffsetDateTime::now_utc())
                .await?
        } else {
            DeepLinkUse::Unknown
        };
        let (record_id, client, oa_user) = match outcome {
            DeepLinkUse::Opened {
                record_id,
                client_id,
                oa_user,
            } => (record_id, client_id, oa_user),
            DeepLinkUse::Unknown => {
                return Err(CoreError::new(
                    ErrorCode::DeepLinkUnknown,
                    "no such link; check that the whole link was copied, or ask the OA for a new one",
                ));
            }
            DeepLinkUse::AlreadyUsed => {
                return Err(CoreError::new(
                    ErrorCode::DeepLinkUsed,
                    "this link was already opened and works once only; ask the OA for a new one",
                ));
            }
            DeepLinkUse::Expired => {
                return Err(CoreError::new(
                    ErrorCode::DeepLinkExpired,
                    "this link has expired; ask the OA for a new one",
                ));
            }
        };
        let mut by = crate::Actor::client(client.as_str());
        if let Some(address) = address {
            by = by.from_address(address);
        }
        // The link is the credential: it was issued for this record within the client's scope.
        let record = self
            .view_record_for(record_id, &RecordScope::everything(), &by, Some(&oa_user))
            .await?;
        tracing::info!(record = %record_id, client = %client, oa_user = %oa_user, "deep link opened");
        Ok(OpenedDeepLink {
            record,
            oa_user,
            client,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_the_issued_shape_are_looked_up() {
        assert!(well_formed(&format!("fdl_{}", "0a".repeat(32))));
        assert!(!well_formed(&format!("fdl_{}", "0A".repeat(32))));
        assert!(!well_formed(&format!("fonds_{}", "0a".repeat(32))));
        assert!(!well_formed("fdl_"));
    }

    #[test]
    fn oa_users_are_names_without_control_characters() {
        assert!(check_oa_user("zhangsan").is_ok());
        assert!(check_oa_user("张三").is_ok());
        assert!(check_oa_user(&"张".repeat(64)).is_ok());
        for bad in ["", "   ", "zhang\nsan", "zhang\u{7f}"] {
            assert!(check_oa_user(bad).is_err(), "{bad:?}");
        }
        assert!(check_oa_user(&"a".repeat(65)).is_err());
    }

    #[test]
    fn the_issued_token_is_redacted_in_debug() {
        let issued = IssuedDeepLink {
            token: "fdl_secret".into(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert!(!format!("{issued:?}").contains("fdl_secret"));
    }
}
