//! The route table. Each route's handler lives in the module named after its resource.

pub(crate) mod checks;
pub(crate) mod clients;
pub(crate) mod deep_links;
pub(crate) mod files;
pub(crate) mod links;
pub(crate) mod records;
pub(crate) mod second_factor;
pub(crate) mod session;
pub(crate) mod sessions;
pub(crate) mod submissions;
pub(crate) mod webhooks;

use axum::Router;
use axum::routing::{get, patch, post, put};
use fonds_core::ErrorCode;

use crate::AppState;
use crate::observe::tag_route;
use crate::problem::ApiError;

/// The API under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        // Uploads are limited by the archive's own byte budget while streaming, which answers
        // with a problem document instead of a bare 413.
        .route(
            "/submissions",
            post(submissions::create).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/submissions/{id}", get(submissions::show))
        .route("/records", get(records::list))
        .route("/records/{id}", get(records::show))
        .route("/records/{id}/archive", post(records::archive))
        .route("/records/{id}/corrections", post(records::correct))
        .route("/records/{id}/versions", get(records::versions))
        .route("/records/{id}/links", get(links::show))
        .route("/records/{id}/files/{file_id}", get(files::download))
        .route("/records/{id}/check-runs", get(checks::of_record))
        .route("/records/{id}/invoices", get(checks::invoices))
        .route("/checks/items", get(checks::items))
        .route("/check-runs", post(checks::run))
        .route("/check-runs/{id}", get(checks::show))
        .route("/check-runs/{id}/report.html", get(checks::report_html))
        .route("/check-runs/{id}/report.pdf", get(checks::report_pdf))
        .route("/fonds/{code}/check-items/{item}", put(checks::switch))
        .route("/fonds", get(records::fonds))
        .route("/deep-links", post(deep_links::create))
        .route("/clients", post(clients::create).get(clients::list))
        .route("/clients/{id}", patch(clients::update))
        .route("/clients/{id}/rotate", post(clients::rotate))
        .route("/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/webhooks/deliveries", get(webhooks::deliveries))
        .route("/webhooks/deliveries/{id}/replay", post(webhooks::replay))
        .route(
            "/session",
            post(session::login)
                .get(session::show)
                .delete(session::logout),
        )
        .route("/session/second-factor", post(second_factor::pass))
        .route("/session/totp", post(second_factor::start_enrolment))
        .route(
            "/session/totp/confirmation",
            post(second_factor::confirm_enrolment),
        )
        .route("/sessions", get(sessions::list))
        .route("/sessions/{id}", axum::routing::delete(sessions::revoke))
        .route("/openapi.json", get(crate::openapi::serve))
        .route_layer(axum::middleware::from_fn(tag_route))
}

/// Liveness, readiness and metrics.
pub(crate) fn health() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(crate::metrics::serve))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(crate::metrics::ready))
        .route_layer(axum::middleware::from_fn(tag_route))
}

/// Deep links, outside the API and its authentication: the link itself is the credential.
pub(crate) fn open_links() -> Router<AppState> {
    Router::new()
        .route("/open/{token}", get(deep_links::open))
        .route_layer(axum::middleware::from_fn(tag_route))
}

/// Anything else.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::RouteNotFound,
        "no such resource; the API lives under /api/v1 and is described at /api/v1/openapi.json",
    )
}
