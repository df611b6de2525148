//! The second login factor over the API (docs/people.md): giving a TOTP or recovery code to
//! complete a login, and enrolling an authenticator app (start: secret, otpauth URI and QR
//! code; confirm with a first code: ten recovery codes, shown once). A session that is promoted
//! (its login completed, or its required enrolment done) gets a new secret in a new cookie, so
//! the cookie from before the second factor opens nothing afterwards.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fonds_core::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SessionAtAnyStage;
use crate::problem::{ApiError, Problem};
use crate::routes::session::{answer_new_session, cookie_of, with_cookie};

/// A code from the authenticator app, or a recovery code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// Six digits from the app, or a recovery code such as `7k2m-q9xd-4hwz-0c3e`.
    pub code: String,
}

impl std::fmt::Debug for CodeBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeBody(<redacted>)")
    }
}

/// A TOTP enrolment just started. Shown once; it counts only when confirmed with a code.
#[derive(Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The secret in base 32, for typing into an app that cannot scan.
    pub secret: String,
    /// The `otpauth://totp/…` URI (SHA-1, 6 digits, 30 s), what the QR code holds.
    pub otpauth_uri: String,
    /// The URI as a QR code: an SVG document (show it as `data:image/svg+xml;base64,…` in an
    /// `<img>`, or inline).
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(<redacted>)")
    }
}

/// A confirmed TOTP enrolment.
#[derive(Serialize, ToSchema)]
pub struct TotpConfirmed {
    /// Ten one-time recovery codes, shown only now: each opens one login without the app.
    pub recovery_codes: Vec<String>,
    /// The session's new CSRF token when the session was waiting for this enrolment and has
    /// opened fully under a new cookie; absent otherwise.
    pub csrf_token: Option<String>,
}

impl std::fmt::Debug for TotpConfirmed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpConfirmed")
            .field("recovery_codes", &self.recovery_codes.len())
            .finish_non_exhaustive()
    }
}

fn code_of(
    body: Result<axum::Json<CodeBody>, axum::extract::rejection::JsonRejection>,
) -> Result<String, ApiError> {
    body.map(|axum::Json(body)| body.code).map_err(|e| {
        ApiError::new(
            ErrorCode::RequestInvalid,
            format!("send {{\"code\": \"123456\"}}: {}", e.body_text()),
        )
    })
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Complete a login with the second factor.
#[utoipa::path(
    post,
    path = "/api/v1/session/second-factor",
    operation_id = "pass_second_factor",
    tag = "session",
    request_body = CodeBody,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, description = "The session is open; its new secret is in a new `fonds_session` cookie and its new CSRF token in the body", body = crate::routes::session::SessionInfo),
        (status = 401, description = "`second_factor_failed`: the code is wrong or used before; `session_expired` after five minutes", body = Problem),
        (status = 409, description = "`second_factor_not_pending`: the session is not waiting for a second factor", body = Problem),
        (status = 429, description = "`account_locked`: wait for Retry-After", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn pass(
    State(state): State<AppState>,
    SessionAtAnyStage(signed_in): SessionAtAnyStage,
    body: Result<axum::Json<CodeBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let code = code_of(body)?;
    let login = state
        .archive
        .pass_second_factor(&signed_in.session, &code, &signed_in.actor())
        .await?;
    answer_new_session(&state, signed_in.address, &login, StatusCode::OK)
}

/// Start enrolling an authenticator app.
#[utoipa::path(
    post,
    path = "/api/v1/session/totp",
    operation_id = "start_totp_enrolment",
    tag = "session",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, description = "The secret, its otpauth URI and QR code; scan it, then confirm with a code", body = TotpEnrolment),
        (status = 401, description = "`second_factor_required`: the session waits for its code", body = Problem),
        (status = 409, description = "`second_factor_already_enrolled`", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn start_enrolment(
    State(state): State<AppState>,
    SessionAtAnyStage(signed_in): SessionAtAnyStage,
) -> Result<Response, ApiError> {
    let enrolment = state
        .archive
        .start_second_factor_enrolment(&signed_in.session, &signed_in.actor())
        .await?;
    let body = TotpEnrolment {
        secret: enrolment.secret_base32.clone(),
        otpauth_uri: enrolment.otpauth_uri.clone(),
        qr_svg: enrolment.qr_svg.clone(),
    };
    Ok(no_store(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
    ))
}

/// Confirm the enrolment with a first code from the app.
#[utoipa::path(
    post,
    path = "/api/v1/session/totp/confirmation",
    operation_id = "confirm_totp_enrolment",
    tag = "session",
    request_body = CodeBody,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, description = "Active; the recovery codes are shown only now. A session that waited for this enrolment gets a new cookie", body = TotpConfirmed),
        (status = 409, description = "`second_factor_not_pending` or `second_factor_already_enrolled`", body = Problem),
        (status = 422, description = "`request_invalid` at `/code`: the code does not match", body = Problem),
    ),
    security(("session" = []))
)]
pub(crate) async fn confirm_enrolment(
    State(state): State<AppState>,
    SessionAtAnyStage(signed_in): SessionAtAnyStage,
    body: Result<axum::Json<CodeBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let code = code_of(body)?;
    let confirmation = state
        .archive
        .confirm_second_factor(&signed_in.session, &code, &signed_in.actor())
        .await?;
    let body = TotpConfirmed {
        recovery_codes: confirmation.recovery_codes.clone(),
        csrf_token: confirmation
            .promoted
            .as_ref()
            .map(|login| login.csrf_token.clone()),
    };
    let response = no_store(axum::Json(body).into_response());
    match &confirmation.promoted {
        Some(login) => with_cookie(response, &cookie_of(&state, signed_in.address, login)),
        None => Ok(response),
    }
}
