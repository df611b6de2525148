//! API tokens, for scripts: each carries its own permissions, data scope and optional expiry
//! (docs/people.md). A token is 32 random bytes shown once; only its SHA-256 is stored (a
//! high-entropy secret needs no slow hash).

use fonds_domain::Sha256Digest;
use fonds_domain::access::{Allowance, DataScope, PermissionSet, Rights};
use sha2::Digest as _;
use time::OffsetDateTime;

use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive};

/// A token just issued: the secret is shown once and never stored.
#[derive(Clone)]
pub struct IssuedToken {
    /// The secret, `fonds_` followed by 64 hex digits.
    pub secret: String,
    /// The token's label.
    pub label: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("label", &self.label)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// What a new token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Its permissions.
    pub permissions: PermissionSet,
    /// The records it reaches.
    pub scope: DataScope,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<OffsetDateTime>,
}

impl TokenGrant {
    /// The token `fonds init` prints: [`crate::access::OPERATIONAL_PERMISSIONS`] over every
    /// record, without expiry.
    #[must_use]
    pub fn operational() -> Self {
        Self {
            permissions: crate::access::OPERATIONAL_PERMISSIONS,
            scope: DataScope::everything(),
            expires_at: None,
        }
    }
}

/// Who is calling with a token, and what the token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's label, e.g. `admin`.
    pub label: String,
    /// What the token allows.
    pub rights: Rights,
}

const PREFIX: &str = "fonds_";

fn hash(secret: &str) -> Sha256Digest {
    Sha256Digest::from_bytes(sha2::Sha256::digest(secret.as_bytes()).into())
}

impl Archive {
    /// Issues a new token under `label` with `grant`'s permissions, scope and expiry.
    ///
    /// # Errors
    /// `request_invalid` for a token with no permission or an expiry in the past; when the
    /// system's random source or the store fails.
    pub async fn issue_token(
        &self,
        label: &str,
        grant: &TokenGrant,
        by: &Actor,
    ) -> Result<IssuedToken, CoreError> {
        let now = OffsetDateTime::now_utc();
        if grant.permissions.is_empty() {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "a token needs at least one permission; the catalogue is in docs/people.md",
            ));
        }
        if grant.expires_at.is_some_and(|at| at <= now) {
            return Err(CoreError::new(
                ErrorCode::RequestInvalid,
                "the token's expiry lies in the past; give a later date, or none",
            ));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| CoreError::internal(std::io::Error::other(e.to_string())))?;
        let secret = format!("{PREFIX}{}", hex::encode(bytes));
        self.metadata
            .insert_token(
                &fonds_store::NewToken {
                    label: label.to_owned(),
                    sha256: hash(&secret),
                    permissions: grant.permissions,
                    scope: grant.scope.clone(),
                    expires_at: grant.expires_at,
                    created_at: now,
                },
                by,
            )
            .await?;
        Ok(IssuedToken {
            secret,
            label: label.to_owned(),
        })
    }

    /// Revokes every token with `label`; returns how many.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn revoke_tokens(&self, label: &str, by: &Actor) -> Result<u64, CoreError> {
        Ok(self
            .metadata
            .revoke_tokens(label, OffsetDateTime::now_utc(), by)
            .await?)
    }

    /// Who holds `secret`.
    ///
    /// # Errors
    /// `unauthenticated` for an unknown, revoked, expired or malformed token.
    // LIMITATION: an unknown or expired token is not audited: it names no one, and auditing
    // every guess would let anyone grow the trail; refusals of known callers are audited.
    pub async fn authenticate(&self, secret: &str) -> Result<Principal, CoreError> {
        let refuse = || {
            CoreError::new(
                ErrorCode::Unauthenticated,
                "the token is unknown, revoked or expired; send `Authorization: Bearer <token>` \
                 with a token from `fonds token`",
            )
        };
        if !secret.starts_with(PREFIX) || secret.len() != PREFIX.len() + 64 {
            return Err(refuse());
        }
        // The lookup is by hash, so timing reveals nothing about the secret itself.
        let row = self
            .metadata
            .token(&hash(secret))
            .await?
            .ok_or_else(refuse)?;
        // Expiry is judged at the moment of use: nothing has to run for a token to stop.
        if row
            .expires_at
            .is_some_and(|at| OffsetDateTime::now_utc() >= at)
        {
            return Err(refuse());
        }
        Ok(Principal {
            label: row.label,
            rights: Rights::new(vec![Allowance {
                permissions: row.permissions,
                scope: row.scope,
            }]),
        })
    }
}
