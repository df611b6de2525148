//! A person's own sessions (docs/people.md): list them (where and when each started, last used,
//! whether it is this one) and revoke any of them, say one left open on another computer.
//! Administrators list and revoke anyone's with `fonds user sessions` and `fonds user
//! revoke-session`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::dto::rfc3339;
use crate::problem::{ApiError, Problem};

/// One of the person's sessions. Its id is the SHA-256 of its secret: it names the session
/// without opening it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummary {
    /// The id, to revoke it.
    pub id: String,
    /// Whether it is the session making this request.
    pub current: bool,
    /// Whether it is still live (not ended, not timed out).
    pub live: bool,
    /// `full`, `second_factor` or `enrolment`.
    pub stage: String,
    /// When it started, RFC 3339.
    pub created_at: String,
    /// When it was last used, RFC 3339.
    pub last_seen_at: String,
    /// When it ends at the latest, RFC 3339.
    pub expires_at: String,
    /// When it was ended by logout or revocation, RFC 3339.
    pub ended_at: Option<String>,
    /// The address it started from.
    pub client_address: Option<String>,
    /// The browser that started it.
    pub user_agent: Option<String>,
}

/// The signed-in person's sessions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    operation_id = "list_own_sessions",
    tag = "session",
    responses(
        (status = 200, description = "The person's sessions, ended ones too, newest first", body = [SessionSummary]),
        (status = 401, description = "`unauthenticated`, `session_expired` or `second_factor_required`", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<axum::Json<Vec<SessionSummary>>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let sessions = state
        .archive
        .list_sessions(&signed_in.session.user.login)
        .await?;
    Ok(axum::Json(
        sessions
            .into_iter()
            .map(|s| SessionSummary {
                current: s.id == signed_in.session.session_id,
                live: s.revoked_at.is_none()
                    && now < s.idle_expires_at
                    && now < s.absolute_expires_at,
                stage: s.stage.as_str().to_owned(),
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                expires_at: rfc3339(s.absolute_expires_at),
                ended_at: s.revoked_at.map(rfc3339),
                client_address: s.client_address,
                user_agent: s.user_agent,
                id: s.id,
            })
            .collect(),
    ))
}

/// Revoke one of the signed-in person's sessions.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/{id}",
    operation_id = "revoke_own_session",
    tag = "session",
    params(
        ("id" = String, Path, description = "The session's id, from GET /api/v1/sessions"),
        ("X-CSRF-Token" = String, Header, description = "The session's CSRF token"),
    ),
    responses(
        (status = 204, description = "Revoked: its cookie opens nothing any more"),
        (status = 404, description = "`session_not_found`: not one of the person's live sessions", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state
        .archive
        .revoke_session(&signed_in.session.user.login, &id, &signed_in.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
