//! The bearer-token extractor. A handler that takes [`Authenticated`] cannot run for an
//! unauthenticated caller; the permission model of the identity work will refine this type.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use fonds_core::{ErrorCode, Principal};

use crate::AppState;
use crate::problem::ApiError;

/// A caller that presented a valid API token.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "send `Authorization: Bearer <token>`; `fonds init` prints an admin token",
            )
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "the Authorization header must be `Bearer <token>`",
                )
            })?;
        Ok(Self(state.archive.authenticate(token.trim()).await?))
    }
}

/// Either an administrator's token or a verified client signature.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A bearer token.
    Token(Principal),
    /// A signed request from a client system.
    Client(crate::signature::SignedClient),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(client) = parts.extensions.get::<crate::signature::SignedClient>() {
            return Ok(Self::Client(client.clone()));
        }
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|Authenticated(p)| Self::Token(p))
    }
}
