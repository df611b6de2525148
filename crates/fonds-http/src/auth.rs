//! The extractors that say who calls: [`Authenticated`] for an API token and [`SignedIn`] for a
//! person's session cookie. Routes do not take them directly (except the session routes, which
//! serve the person's own session): they take `crate::access::Allowed`, which resolves any
//! caller with these and checks the permission the route needs.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use fonds_core::people::SessionUser;
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
                "log in with POST /api/v1/session, or send `Authorization: Bearer <token>` with a \
                 token from `fonds token`",
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

/// The name of the cookie that carries a person's session secret.
pub(crate) const SESSION_COOKIE: &str = "fonds_session";

/// The header a cookie-authenticated change must carry, with the session's CSRF token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The value of the session cookie, if the request carries one.
pub(crate) fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// A person with a live, full session, from the `fonds_session` cookie: the password and, where
/// one is enrolled or required, the second factor were given. For a request that changes state
/// (anything but GET, HEAD and OPTIONS) the `X-CSRF-Token` header must carry the session's CSRF
/// token, or the request is refused before its handler runs. A session still waiting for its
/// second factor or for a required enrolment is refused here; only the routes that take
/// [`SessionAtAnyStage`] open for it.
#[derive(Clone)]
pub struct SignedIn {
    /// The person and their session.
    pub session: SessionUser,
    /// The network address the request came from.
    pub address: Option<IpAddr>,
    /// The session secret, from the cookie; never logged.
    secret: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user", &self.session.user.login)
            .field("session", &self.session.session_id)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    /// The person as the audit trail names them.
    #[must_use]
    pub fn actor(&self) -> Actor {
        let actor = self.session.actor();
        match self.address {
            Some(address) => actor.from_address(address),
            None => actor,
        }
    }

    /// The session's CSRF token.
    #[must_use]
    pub fn csrf_token(&self) -> String {
        fonds_core::people::csrf_token(&self.secret)
    }

    /// The session secret, to end the session.
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SessionAtAnyStage(signed_in) =
            SessionAtAnyStage::from_request_parts(parts, state).await?;
        signed_in.session.require_full()?;
        Ok(signed_in)
    }
}

/// A person with a live session at any stage (see `fonds_core::people::SessionStage`), with the same cookie and
/// CSRF checks as [`SignedIn`]: for the session routes themselves (show, log out, give the
/// second factor, enrol), which a session waiting for its second factor or enrolment needs.
#[derive(Debug, Clone)]
pub struct SessionAtAnyStage(pub SignedIn);

impl FromRequestParts<AppState> for SessionAtAnyStage {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = session_cookie(parts).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "log in with POST /api/v1/session; the session travels in the `fonds_session` \
                 cookie",
            )
        })?;
        let session = state.archive.session(&secret).await?;
        if changes_state(&parts.method) {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::CsrfTokenMissing,
                        "a change made with a session cookie must send the session's CSRF \
                         token (from POST or GET /api/v1/session) in `X-CSRF-Token`",
                    )
                })?;
            if !fonds_core::people::csrf_matches(&secret, presented.trim()) {
                // LIMITATION: a refused CSRF attempt is logged as a refused request but not
                // appended to the audit trail: it is refused before its permission is known, and
                // a forged request must not grow the victim's trail at the attacker's will.
                return Err(ApiError::new(
                    ErrorCode::CsrfTokenInvalid,
                    "the `X-CSRF-Token` is not this session's; read it again from GET \
                     /api/v1/session",
                ));
            }
        }
        Ok(Self(SignedIn {
            session,
            address: remote_address(parts),
            secret,
        }))
    }
}

/// The address the request came from, if the listener recorded one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RemoteAddress(pub(crate) Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for RemoteAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(remote_address(parts)))
    }
}
