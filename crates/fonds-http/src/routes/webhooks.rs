//! Webhook endpoints and deliveries. A client system registers its own endpoints with a signed
//! request; an administrator may register one for any client, list deliveries and replay dead
//! letters.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::{DeliveryRow, EndpointRow};
use fonds_domain::access::Permission;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::problem::{ApiError, Problem};

/// An endpoint to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where events are POSTed (http or https).
    pub url: String,
    /// The events it wants, e.g. `submission.accepted`.
    pub events: Vec<String>,
    /// The client it belongs to; administrators only (a client registers for itself).
    pub client_id: Option<String>,
}

/// A registered endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    /// Id.
    pub id: String,
    /// The client it belongs to; deliveries are signed with its secret.
    pub client_id: String,
    /// URL.
    pub url: String,
    /// Events.
    pub events: Vec<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
}

/// A delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// Id, sent as `X-Fonds-Delivery`.
    pub id: String,
    /// Endpoint.
    pub endpoint_id: String,
    /// Event.
    pub event: String,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When the event happened (RFC 3339).
    pub created_at: String,
    /// When it was delivered or given up.
    pub finished_at: Option<String>,
    /// The last attempt's HTTP status.
    pub last_status: Option<u16>,
    /// The last attempt's error.
    pub last_error: Option<String>,
}

/// Which deliveries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeliveryQuery {
    /// `pending`, `delivered` or `dead`.
    state: Option<String>,
    /// At most this many (default 100).
    limit: Option<u32>,
}

fn webhook(e: EndpointRow) -> Webhook {
    Webhook {
        id: e.id,
        client_id: e.client.to_string(),
        url: e.url,
        events: e.events,
        enabled: e.enabled,
    }
}

fn delivery(d: DeliveryRow) -> Delivery {
    Delivery {
        id: d.id,
        endpoint_id: d.endpoint_id,
        event: d.event,
        state: d.state,
        attempts: d.attempts,
        created_at: d.created_at.format(&Rfc3339).unwrap_or_default(),
        finished_at: d.finished_at.and_then(|t| t.format(&Rfc3339).ok()),
        last_status: d.last_status,
        last_error: d.last_error,
    }
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::RequestInvalid, detail)
}

/// Register a webhook endpoint.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    operation_id = "add_webhook",
    tag = "webhooks",
    request_body = NewWebhook,
    responses(
        (status = 201, description = "Registered", body = Webhook),
        (status = 422, description = "Not an http(s) URL, or an unknown event", body = Problem),
    ),
    security(("bearer" = []), ("session" = []), ("signature" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordSubmit>,
    body: Result<axum::Json<NewWebhook>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<Webhook>), ApiError> {
    let axum::Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let client = match allowed.client() {
        Some(client) => {
            client.verify_body()?;
            if body
                .client_id
                .as_deref()
                .is_some_and(|id| id != client.principal.id.as_str())
            {
                return Err(invalid(
                    "a client registers endpoints for itself only; leave client_id out",
                ));
            }
            client.principal.id.clone()
        }
        None => {
            // Registering an endpoint for a client system is managing that client.
            allowed
                .also(&state, Permission::ClientsManage, "POST /api/v1/webhooks")
                .await?;
            body.client_id
                .as_deref()
                .ok_or_else(|| invalid("name the client_id the endpoint belongs to"))?
                .parse()
                .map_err(|e: fonds_domain::ClientIdError| invalid(e.to_string()))?
        }
    };
    let endpoint = state
        .archive
        .add_webhook(&client, &body.url, &body.events, allowed.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(webhook(endpoint))))
}

/// The registered endpoints: a client sees its own, an administrator all.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    operation_id = "list_webhooks",
    tag = "webhooks",
    responses((status = 200, description = "Endpoints", body = [Webhook])),
    security(("bearer" = []), ("session" = []), ("signature" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordSubmit>,
) -> Result<axum::Json<Vec<Webhook>>, ApiError> {
    let client = match allowed.client() {
        Some(client) => Some(client.principal.id.clone()),
        None => {
            allowed
                .also(&state, Permission::ClientsManage, "GET /api/v1/webhooks")
                .await?;
            None
        }
    };
    let endpoints = state.archive.webhooks(client.as_ref()).await?;
    Ok(axum::Json(endpoints.into_iter().map(webhook).collect()))
}

/// Deliveries, newest first, with their last attempt.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/deliveries",
    operation_id = "list_webhook_deliveries",
    tag = "webhooks",
    params(DeliveryQuery),
    responses((status = 200, description = "Deliveries", body = [Delivery])),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    _: Allowed<perm::ClientsManage>,
    query: Result<Query<DeliveryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<Vec<Delivery>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let rows = state
        .archive
        .webhook_deliveries(query.state.as_deref(), query.limit.unwrap_or(100))
        .await?;
    Ok(axum::Json(rows.into_iter().map(delivery).collect()))
}

/// Deliver a dead letter again, with a fresh retry window.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/deliveries/{id}/replay",
    operation_id = "replay_webhook_delivery",
    tag = "webhooks",
    params(("id" = String, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "Queued for delivery"),
        (status = 422, description = "No dead letter with this id", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn replay(
    State(state): State<AppState>,
    allowed: Allowed<perm::ClientsManage>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.archive.replay_webhook(&id, allowed.actor()).await?;
    Ok(StatusCode::ACCEPTED)
}
