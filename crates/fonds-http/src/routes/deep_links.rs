//! Deep links (深度链接): `POST /api/v1/deep-links` issues a single-use, short-lived link to one
//! record for one OA user; `GET /open/{token}` opens it. The link is the credential, so the
//! opening route takes no authentication and nothing about it may be cached.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fonds_core::ErrorCode;
use fonds_domain::RecordId;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::auth::RemoteAddress;
use crate::dto::RecordView;
use crate::problem::{ApiError, Problem};

/// How long a link lives when the client does not say.
const DEFAULT_TTL_SECONDS: u64 = 120;

/// The largest request body: a deep-link request is a few short fields of JSON.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// A request for a deep link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeepLinkRequest {
    /// The record to open (a record id from a receipt or `GET /api/v1/records`).
    pub record_id: String,
    /// The OA user the link is for (name or login), 1 to 64 characters.
    #[schema(min_length = 1, max_length = 64)]
    pub user: String,
    /// Seconds the link lives: 1 to 300, default 120.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 300)]
    pub ttl_seconds: Option<u64>,
}

/// A deep link, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeepLinkIssued {
    /// Where the link opens, relative to the server: `/open/<token>`.
    pub url: String,
    /// The token: `fdl_` followed by 64 hex digits. It opens the record once.
    pub token: String,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
}

/// What an opened deep link shows (until the web page exists): the record, for its user.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedRecord {
    /// The OA user the link was issued for.
    pub user: String,
    /// The record, as `GET /api/v1/records/{id}` shows it.
    pub record: RecordView,
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::RequestInvalid, detail)
}

/// Responses that carry or reveal a link's credential must not be stored by any cache.
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Ask for a single-use link that opens one record for one OA user.
#[utoipa::path(
    post,
    path = "/api/v1/deep-links",
    operation_id = "create_deep_link",
    tag = "deep-links",
    request_body = DeepLinkRequest,
    responses(
        (status = 201, description = "The link, shown once", body = DeepLinkIssued),
        (status = 400, description = "The body does not match its signed SHA-256", body = Problem),
        (status = 401, description = "No valid signature", body = Problem),
        (status = 403, description = "Client disabled or address not allowed", body = Problem),
        (status = 404, description = "No such record in the client's fonds", body = Problem),
        (status = 413, description = "The body is over 16 KiB", body = Problem),
        (status = 422, description = "A field breaks a rule, or the caller is not a client system", body = Problem),
    ),
    security(("signature" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    body: Body,
) -> Result<Response, ApiError> {
    let Some(client) = allowed.client() else {
        return Err(invalid(
            "deep links are issued to client systems: sign the request with the client's secret \
             as docs/integration.md describes, instead of sending a bearer token",
        ));
    };
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::UploadTooLarge,
                format!("a deep-link request is at most {MAX_BODY_BYTES} bytes of JSON"),
            )
        })?;
    // Nothing is acted on unless the bytes read are the bytes the client signed.
    client.verify_body()?;
    let request: DeepLinkRequest = serde_json::from_slice(&bytes).map_err(|e| {
        invalid(format!(
            "the body must be JSON {{\"record_id\", \"user\", \"ttl_seconds\"}}: {e}"
        ))
    })?;
    // A malformed id names no record: answer as for any record the client cannot see.
    let record: RecordId = request.record_id.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::RecordNotFound,
            format!("record {} does not exist", request.record_id),
        )
    })?;
    let ttl = Duration::from_secs(request.ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS));
    let issued = state
        .archive
        .issue_deep_link(&client.principal, record, &request.user, ttl)
        .await?;
    let body = DeepLinkIssued {
        url: format!("/open/{}", issued.token),
        expires_at: issued.expires_at.format(&Rfc3339).unwrap_or_default(),
        token: issued.token,
    };
    Ok(no_store(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
    ))
}

/// Open a deep link: once, before it expires. No authentication: the link is the credential.
#[utoipa::path(
    get,
    path = "/open/{token}",
    operation_id = "open_deep_link",
    tag = "deep-links",
    params(("token" = String, Path, description = "The token of a deep link")),
    responses(
        (status = 200, description = "The record, for the user the link was issued to", body = OpenedRecord),
        (status = 404, description = "No such link (`deep_link_unknown`)", body = Problem),
        (status = 410, description = "The link was used (`deep_link_used`) or expired (`deep_link_expired`)", body = Problem),
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    RemoteAddress(address): RemoteAddress,
    Path(token): Path<String>,
) -> Response {
    let response = match state.archive.open_deep_link(&token, address).await {
        Ok(opened) => axum::Json(OpenedRecord {
            user: opened.oa_user,
            record: RecordView::from(&opened.record),
        })
        .into_response(),
        Err(error) => ApiError(error).into_response(),
    };
    // Refusals too: a cached answer must never stand in for asking Fonds about a link.
    no_store(response)
}
