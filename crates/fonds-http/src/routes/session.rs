//! A person's session (docs/people.md): log in, who am I, log out. The session secret travels
//! only in the `fonds_session` cookie (HttpOnly, SameSite=Strict, Secure unless served over
//! plain HTTP on loopback); the CSRF token in the body is what the page sends back in
//! `X-CSRF-Token` with every change. A login whose account has a second factor starts a session
//! at stage `second_factor`, completed in [`super::second_factor`].

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fonds_core::ErrorCode;
use fonds_core::people::{NewLogin, SessionStage, User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{RemoteAddress, SESSION_COOKIE, SessionAtAnyStage};
use crate::dto::rfc3339;
use crate::problem::{ApiError, Problem};

/// A login.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// The login name.
    pub login: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginBody")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A person, as their session shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserInfo {
    /// Id.
    pub id: String,
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// When they last logged in (this login included), RFC 3339.
    pub last_login_at: Option<String>,
}

/// The session: who is logged in, and the CSRF token to send with every change.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// The person.
    pub user: UserInfo,
    /// Send this in `X-CSRF-Token` with every POST, PUT, PATCH and DELETE made with the cookie.
    pub csrf_token: String,
    /// When the session ends at the latest, RFC 3339 (within five minutes at stage
    /// `second_factor`).
    pub expires_at: String,
    /// A session unused this many seconds ends.
    pub idle_timeout_seconds: u64,
    /// What the session opens: `full`; `second_factor` until a TOTP or recovery code is given
    /// with POST /api/v1/session/second-factor (for at most five minutes); `enrolment` until a
    /// required authenticator is enrolled with POST /api/v1/session/totp and confirmed.
    #[schema(example = "full")]
    pub stage: String,
}

fn user_info(user: &User) -> UserInfo {
    UserInfo {
        id: user.id.clone(),
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        last_login_at: user.last_login_at.map(rfc3339),
    }
}

fn session_info(
    state: &AppState,
    user: &User,
    csrf_token: String,
    expires_at: OffsetDateTime,
    stage: SessionStage,
) -> SessionInfo {
    SessionInfo {
        user: user_info(user),
        csrf_token,
        expires_at: rfc3339(expires_at),
        stage: stage.as_str().to_owned(),
        idle_timeout_seconds: state
            .archive
            .settings()
            .people
            .session_idle_timeout
            .as_secs(),
    }
}

/// The cookie's attributes. `Secure` unless the server speaks plain HTTP (no HSTS, see
/// `Settings::hsts`) to a caller on loopback, where a browser would not send a Secure cookie
/// back; anywhere else a session must never travel over plain HTTP.
fn cookie(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    value: &str,
    max_age: u64,
) -> String {
    let secure = state.archive.settings().hsts || !address.is_some_and(|a| a.is_loopback());
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub(crate) fn with_cookie(mut response: Response, cookie: &str) -> Result<Response, ApiError> {
    let value = HeaderValue::from_str(cookie).map_err(fonds_core::CoreError::internal)?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Log in.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    operation_id = "login",
    tag = "session",
    request_body = LoginBody,
    responses(
        (status = 201, description = "Logged in; the session secret is in the `fonds_session` cookie. With a second factor enrolled the session's `stage` is `second_factor` until a code is given", body = SessionInfo),
        (status = 401, description = "`login_failed`: the login name or the password is wrong", body = Problem),
        (status = 429, description = "`account_locked`: wait for Retry-After", body = Problem),
    ),
    security(())
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    RemoteAddress(address): RemoteAddress,
    headers: HeaderMap,
    body: Result<axum::Json<LoginBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let axum::Json(body) = body.map_err(|e| {
        ApiError::new(
            ErrorCode::RequestInvalid,
            format!("send {{\"login\": …, \"password\": …}}: {}", e.body_text()),
        )
    })?;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let address_text = address.map(|a| a.to_string());
    let login = state
        .archive
        .login(
            &body.login,
            &body.password,
            address_text.as_deref(),
            user_agent,
        )
        .await?;
    answer_new_session(&state, address, &login, StatusCode::CREATED)
}

/// The cookie that carries a new session's secret, living as long as the session at most (the
/// whole seconds left, rounded up).
pub(crate) fn cookie_of(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    login: &NewLogin,
) -> String {
    let left = login.expires_at - OffsetDateTime::now_utc();
    let max_age = (left.whole_seconds() + i64::from(left.subsec_nanoseconds() > 0))
        .max(0)
        .unsigned_abs();
    cookie(state, address, &login.secret, max_age)
}

/// The answer that hands a session's (new) secret to the browser: the cookie, and the session
/// with its CSRF token in the body.
pub(crate) fn answer_new_session(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    login: &NewLogin,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let cookie = cookie_of(state, address, login);
    let info = session_info(
        state,
        &login.user,
        login.csrf_token.clone(),
        login.expires_at,
        login.stage,
    );
    with_cookie((status, axum::Json(info)).into_response(), &cookie)
}

/// Who is logged in, with the session's CSRF token.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    operation_id = "current_session",
    tag = "session",
    responses(
        (status = 200, description = "The session", body = SessionInfo),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    SessionAtAnyStage(signed_in): SessionAtAnyStage,
) -> Result<Response, ApiError> {
    let info = session_info(
        &state,
        &signed_in.session.user,
        signed_in.csrf_token(),
        signed_in.session.expires_at(),
        signed_in.session.stage,
    );
    let mut response = axum::Json(info).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Log out: the session ends, and the cookie is cleared.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    operation_id = "logout",
    tag = "session",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = Problem),
        (status = 403, description = "`csrf_token_missing` or `csrf_token_invalid`", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    SessionAtAnyStage(signed_in): SessionAtAnyStage,
) -> Result<Response, ApiError> {
    state
        .archive
        .logout(signed_in.secret(), &signed_in.actor())
        .await?;
    let cookie = cookie(&state, signed_in.address, "", 0);
    with_cookie(StatusCode::NO_CONTENT.into_response(), &cookie)
}
