//! `/metrics` in the Prometheus text format. The recorder is installed once per process, the
//! first time a router is built; every counter in Fonds is named `fonds_…`.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use crate::AppState;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Request durations are histograms with these bounds, in seconds.
const DURATION_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use. `None` when another recorder was installed
/// first (an embedding program's); `/metrics` then says so instead of answering empty.
pub(crate) fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("fonds_http_request_duration_seconds".to_owned()),
                    &DURATION_BUCKETS,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed; /metrics will be unavailable");
                    None
                }
            }
        })
        .as_ref()
}

/// `GET /metrics`. The gauges that describe the present (queue depth and age, readiness) are
/// read at scrape time.
pub(crate) async fn serve(State(state): State<AppState>) -> impl IntoResponse {
    state.archive.readiness().await;
    match handle() {
        Some(handle) => (
            axum::http::StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            handle.render(),
        ),
        None => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "metrics are not available: another recorder was installed in this process\n"
                .to_owned(),
        ),
    }
}

/// `GET /readyz`: 200 when the database and the file store answer, 503 naming what does not.
/// Load balancers send traffic by it; `/healthz` only says the process is alive.
pub(crate) async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let readiness = state.archive.readiness().await;
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        tracing::warn!(database = ?readiness.database, blobs = ?readiness.blobs, "not ready");
        StatusCode::SERVICE_UNAVAILABLE
    };
    let describe = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.clone(),
    };
    (
        status,
        Json(json!({
            "ready": readiness.is_ready(),
            "database": describe(&readiness.database),
            "blobs": describe(&readiness.blobs),
            "job_queue_depth": readiness.queue.depth,
        })),
    )
}
