//! RFC 9457 problem details: every error the API answers, with the stable code of
//! [`fonds_core::ErrorCode`] and, for invalid input, every field at fault.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fonds_core::{CoreError, ErrorCode, ErrorKind, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `urn:fonds:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the type.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this case, and what to do.
    pub detail: String,
    /// The stable error code.
    pub code: &'static str,
    /// Every field at fault, located by JSON pointer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldProblem>)]
    pub errors: Vec<FieldError>,
}

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// JSON pointer into the request, e.g. `/records/0/entries`.
    pub pointer: String,
    /// The specific code.
    pub code: String,
    /// What is wrong and what is expected.
    pub detail: String,
}

/// The log line for a failed request, carried to the logging middleware in the response's
/// extensions so that the error is logged once, inside the request span.
#[derive(Debug, Clone)]
pub(crate) struct ErrorForLog {
    pub(crate) code: &'static str,
    pub(crate) cause: String,
}

/// The status of each kind of failure.
#[must_use]
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Gone => StatusCode::GONE,
        ErrorKind::Conflict | ErrorKind::NotAllowed => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An API error: a core error on its way to becoming a problem document.
#[derive(Debug)]
pub struct ApiError(pub CoreError);

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        Self(error)
    }
}

impl ApiError {
    /// A failure with a code and detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(CoreError::new(code, detail))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let retry_after = error.retry_after;
        let status = status_of(error.code.kind());
        let mut cause = error.detail.clone();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            // Wrapping errors often repeat their source's text; keep each piece once.
            let text = s.to_string();
            if !cause.contains(&text) {
                cause.push_str(": ");
                cause.push_str(&text);
            }
            source = s.source();
        }
        let problem = Problem {
            kind: format!("urn:fonds:problem:{}", error.code.as_str()),
            title: error.code.title(),
            status: status.as_u16(),
            detail: error.detail,
            code: error.code.as_str(),
            errors: error.errors,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"fonds\""),
            );
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorForLog {
            code: error.code.as_str(),
            cause,
        });
        response
    }
}
