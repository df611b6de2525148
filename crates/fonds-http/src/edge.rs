//! Security headers on every response. Fonds' pages (deep links, check reports) may be framed
//! only by the OA origins the operator configured, so that OA embedding works and clickjacking
//! from anywhere else does not; nothing Fonds serves needs scripts.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::problem::ApiError;

/// The largest request body other than a submission's upload: JSON documents are small.
pub(crate) const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Refuses a declared body over [`JSON_BODY_LIMIT`] before reading it, with a problem document
/// (a body without a declared length is cut off at the limit by the extractor instead).
/// Submissions stream through the archive's own upload budget.
pub(crate) async fn refuse_large_json(request: Request, next: Next) -> Response {
    let is_upload = request.method() == axum::http::Method::POST
        && request.uri().path() == "/api/v1/submissions";
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if !is_upload && length > JSON_BODY_LIMIT as u64 => {
            axum::response::IntoResponse::into_response(ApiError::new(
                fonds_core::ErrorCode::UploadTooLarge,
                format!(
                    "the request body has {length} bytes; request bodies other than submissions are limited to {JSON_BODY_LIMIT} bytes"
                ),
            ))
        }
        _ => next.run(request).await,
    }
}

/// The Content-Security-Policy for the configured frame ancestors: no scripts, no plug-ins, no
/// loads from elsewhere; inline styles and data: images for the self-contained report pages.
#[must_use]
pub(crate) fn content_security_policy(frame_ancestors: &[String]) -> String {
    let ancestors = if frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        frame_ancestors.join(" ")
    };
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
         form-action 'self'; frame-ancestors {ancestors}"
    )
}

/// Adds the headers to every response.
pub(crate) async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let settings = state.archive.settings();
    let ancestors = &settings.frame_ancestors;
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(ancestors)) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Older browsers know only X-Frame-Options, which cannot name several origins: deny there
    // unless embedding is configured, when CSP frame-ancestors (which takes precedence) decides.
    if ancestors.is_empty() {
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if settings.hsts {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn frames_are_refused_unless_oa_origins_are_configured() {
        assert!(content_security_policy(&[]).ends_with("frame-ancestors 'none'"));
        let csp = content_security_policy(&[
            "https://oa.example.com".to_owned(),
            "https://oa2.example.com".to_owned(),
        ]);
        assert!(
            csp.ends_with("frame-ancestors https://oa.example.com https://oa2.example.com"),
            "{csp}"
        );
        assert!(csp.starts_with("default-src 'none'"));
    }
}
