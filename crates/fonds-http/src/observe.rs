//! One log line per request, written at the edge inside a span that carries the request id, the
//! method and the route template (never the raw path, which may hold ids or names). Failed
//! requests carry their cause here, so errors are logged once and only here.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tracing::Instrument as _;

use crate::problem::ErrorForLog;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route template a request matched, handed from the router to the logger.
#[derive(Debug, Clone)]
pub(crate) struct RouteTemplate(pub(crate) String);

/// Gives every request an `x-request-id` (keeping one the client sent) and echoes it back.
pub(crate) fn request_id_layers() -> (SetRequestIdLayer<MakeRequestUuid>, PropagateRequestIdLayer) {
    (
        SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid),
        PropagateRequestIdLayer::new(REQUEST_ID),
    )
}

/// Inside the router: notes which route template matched.
pub(crate) async fn tag_route(request: Request, next: Next) -> Response {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(template) = template {
        response.extensions_mut().insert(RouteTemplate(template));
    }
    response
}

/// Around everything: the span and the one line per request.
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %request.method(),
        route = tracing::field::Empty,
    );
    async move {
        let response = next.run(request).await;
        let route = response
            .extensions()
            .get::<RouteTemplate>()
            .map_or("(unmatched)", |r| r.0.as_str())
            .to_owned();
        tracing::Span::current().record("route", route.as_str());
        let status = response.status();
        let seconds = started.elapsed().as_secs_f64();
        let millis = seconds * 1000.0;
        metrics::histogram!("fonds_http_request_duration_seconds", "route" => route.clone())
            .record(seconds);
        metrics::counter!(
            "fonds_http_requests_total",
            "route" => route.clone(),
            "status" => status.as_u16().to_string()
        )
        .increment(1);
        if let Some(error) = response.extensions().get::<ErrorForLog>() {
            metrics::counter!("fonds_http_problems_total", "code" => error.code).increment(1);
        }
        match response.extensions().get::<ErrorForLog>() {
            Some(error) if status.is_server_error() => {
                tracing::error!(status = status.as_u16(), millis, code = error.code, cause = %error.cause, "request failed");
            }
            Some(error) => {
                tracing::info!(status = status.as_u16(), millis, code = error.code, "request refused");
            }
            None if route == "/healthz" && status == StatusCode::OK => {
                tracing::debug!(status = status.as_u16(), millis, "request");
            }
            None => tracing::info!(status = status.as_u16(), millis, "request"),
        }
        response
    }
    .instrument(span)
    .await
}
