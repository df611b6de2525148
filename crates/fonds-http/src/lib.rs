//! The HTTP face of Fonds: the JSON API under `/api/v1`, its OpenAPI description, and health.
//!
//! Handlers are thin: they authenticate, turn HTTP into calls on [`fonds_core::Archive`], and
//! turn the answers back into JSON or RFC 9457 problem details. Every request is logged once, at
//! the edge, inside a span that carries its id and route template.

mod access;
mod auth;
mod client_certificate;
mod dto;
mod edge;
mod metrics;
mod observe;
mod openapi;
mod problem;
mod range;
mod rate_limit;
mod routes;
mod signature;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use fonds_core::Archive;
use tokio::net::TcpListener;

pub use client_certificate::ClientCertificate;
pub use openapi::openapi_json;
pub use problem::Problem;
pub use routes::{Needs, ROUTES, RouteRule};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The archive.
    pub archive: Archive,
    /// The per-caller request limit, unless turned off.
    rate_limiter: Option<std::sync::Arc<rate_limit::RateLimiter>>,
    /// The per-client-system request limit, unless turned off.
    client_rate_limiter: Option<std::sync::Arc<rate_limit::RateLimiter<fonds_domain::ClientId>>>,
}

/// The whole application: API, OpenAPI document and health.
pub fn router(archive: Archive) -> Router {
    metrics::handle();
    let rate_limiter = rate_limit::RateLimiter::new(archive.settings().rate_limit_per_minute)
        .map(std::sync::Arc::new);
    let client_rate_limiter =
        rate_limit::RateLimiter::new(archive.settings().client_rate_limit_per_minute)
            .map(std::sync::Arc::new);
    let state = AppState {
        archive,
        rate_limiter,
        client_rate_limiter,
    };
    let signed = axum::middleware::from_fn_with_state(state.clone(), signature::verify);
    Router::new()
        .nest("/api/v1", routes::api().layer(signed))
        .merge(routes::health())
        .merge(routes::open_links())
        .fallback(routes::not_found)
        // Every body but a submission's is a small JSON document.
        .layer(DefaultBodyLimit::max(edge::JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn(edge::refuse_large_json))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::security_headers,
        ))
        .layer(axum::middleware::from_fn(observe::log_request))
        .layer(observe::request_id_layers())
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    archive: Archive,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(archive).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
