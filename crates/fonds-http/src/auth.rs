//! The bearer-token extractor. A handler that takes [`Authenticated`] cannot run for an
//! unauthenticated caller; the permission model of the identity work will refine this type.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use fonds_core::{Actor, ErrorCode, Principal};

use crate::AppState;
use crate::problem::ApiError;

/// A caller that presented a valid API token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who holds the token.
    pub principal: Principal,
    /// The network address the request came from.
    pub address: Option<IpAddr>,
}

impl Authenticated {
    /// The caller as the audit trail names it.
    #[must_use]
    pub fn actor(&self) -> Actor {
        let actor = Actor::admin_token(&self.principal.label);
        match self.address {
            Some(address) => actor.from_address(address),
            None => actor,
        }
    }
}

/// The address a request came from, as the listener saw it.
pub(crate) fn remote_address(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

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
        Ok(Self {
            principal: state.archive.authenticate(token.trim()).await?,
            address: remote_address(parts),
        })
    }
}

/// Either an administrator's token or a verified client signature.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A bearer token.
    Token(Authenticated),
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
            .map(Self::Token)
    }
}

impl Caller {
    /// The caller as the audit trail names it.
    #[must_use]
    pub fn actor(&self) -> Actor {
        match self {
            Self::Token(token) => token.actor(),
            Self::Client(client) => {
                Actor::client(client.principal.id.as_str()).from_address(client.address)
            }
        }
    }
}
