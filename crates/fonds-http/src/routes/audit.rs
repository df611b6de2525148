//! The audit trail over the API: the auditor's search (`GET /audit/events`), a record's use
//! history (`GET /records/{id}/use-history`) and registering a print (`POST
//! /records/{id}/prints`). Nothing here changes or removes an event: the trail has no such
//! route, and the database refuses it whoever asks.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::audit::{ActionFilter, AuditEventRow, AuditPage, AuditQuery, SearchOrder};
use fonds_domain::RecordId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use super::records::record_id;
use crate::AppState;
use crate::access::{Allowed, perm};
use crate::problem::{ApiError, Problem};

/// One audit event, every column as stored (docs/audit.md).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub sequence: i64,
    /// When, RFC 3339 in UTC.
    pub occurred_at: String,
    /// Who: `user <login>`, `admin token <label>`, `client <id>`, `cli` or `system`.
    pub actor: String,
    /// The network address of the request.
    pub client_address: Option<String>,
    /// What, e.g. `record.viewed`.
    pub action: String,
    /// The kind of thing acted on, e.g. `record`.
    pub target_kind: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The archival code of the record acted on.
    pub archival_code: Option<String>,
    /// `success`, `refused` or `failed`.
    pub outcome: String,
    /// The rest, as a JSON object.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The hash of the event before.
    pub prev_hash: Option<String>,
    /// This event's hash.
    pub hash: Option<String>,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(row: AuditEventRow) -> Self {
        // The stored detail is JSON by the table's CHECK; the exact stored text (what the hash
        // covers) is in `fonds audit export`.
        let detail = serde_json::from_str(&row.detail)
            .unwrap_or_else(|_| serde_json::Value::String(row.detail.clone()));
        Self {
            sequence: row.sequence,
            occurred_at: row.occurred_at,
            actor: row.actor,
            client_address: row.client_address,
            action: row.action,
            target_kind: row.target_kind,
            target_id: row.target_id,
            archival_code: row.archival_code,
            outcome: row.outcome,
            detail,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// A page of audit events.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    /// The events, in the order asked for.
    pub items: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<AuditPage> for AuditEventPage {
    fn from(page: AuditPage) -> Self {
        Self {
            items: page.events.into_iter().map(AuditEvent::from).collect(),
            next_cursor: page.next.map(|s| s.to_string()),
        }
    }
}

/// Filters and paging for `GET /audit/events`; every filter given must hold.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// Who acted, exactly as recorded, e.g. `user alice`.
    actor: Option<String>,
    /// An action, e.g. `record.viewed`, or a family, e.g. `record.*`.
    action: Option<String>,
    /// The id of the record acted on.
    record: Option<String>,
    /// The archival code recorded with the event.
    archival_code: Option<String>,
    /// Events at or after this time (RFC 3339), to the second.
    from: Option<String>,
    /// Events before this time (RFC 3339), to the second.
    until: Option<String>,
    /// `success`, `refused` or `failed`.
    outcome: Option<String>,
    /// `asc` (oldest first, the default) or `desc`.
    order: Option<String>,
    /// Page size, default 50.
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn invalid(name: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::QueryInvalid,
        format!("query parameter `{name}`: {detail}"),
    )
}

fn time_param(name: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    value
        .map(|v| {
            OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
                invalid(
                    name,
                    format!("`{v}` is not an RFC 3339 time, e.g. 2026-12-04T08:00:00Z"),
                )
            })
        })
        .transpose()
}

fn cursor_param(value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| invalid("cursor", "pass the `next_cursor` of the previous page"))
        })
        .transpose()
}

impl SearchParams {
    fn query(&self) -> Result<AuditQuery, ApiError> {
        let record = self
            .record
            .as_deref()
            .map(|r| {
                r.parse::<RecordId>()
                    .map_err(|_| invalid("record", "not a record id"))
            })
            .transpose()?;
        Ok(AuditQuery {
            actor: self.actor.clone().filter(|a| !a.is_empty()),
            action: self
                .action
                .as_deref()
                .map(|a| ActionFilter::parse(a).map_err(|e| invalid("action", e)))
                .transpose()?,
            record,
            archival_code: self.archival_code.clone().filter(|c| !c.is_empty()),
            from: time_param("from", self.from.as_deref())?,
            until: time_param("until", self.until.as_deref())?,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| o.parse().map_err(|e| invalid("outcome", e)))
                .transpose()?,
            order: match self.order.as_deref() {
                None | Some("asc") => SearchOrder::Ascending,
                Some("desc") => SearchOrder::Descending,
                Some(other) => return Err(invalid("order", format!("`{other}`: use asc or desc"))),
            },
            after: cursor_param(self.cursor.as_deref())?,
            limit: self.limit.unwrap_or(50),
        })
    }
}

/// Search the audit trail by person, action, record, time and outcome, in sequence order. The
/// search itself is recorded (`audit.searched`).
#[utoipa::path(
    get,
    path = "/api/v1/audit/events",
    operation_id = "search_audit_events",
    tag = "audit",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of events", body = AuditEventPage),
        (status = 422, description = "A query parameter is malformed", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    allowed: Allowed<perm::AuditRead>,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<AuditEventPage>, ApiError> {
    let Query(params) =
        params.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let page = state
        .archive
        .search_audit(&params.query()?, allowed.actor())
        .await?;
    Ok(axum::Json(AuditEventPage::from(page)))
}

/// Paging for `GET /records/{id}/use-history`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryParams {
    /// Page size, default 50.
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Who viewed, downloaded and printed a record, when and from where, newest first. Reading it
/// is recorded (`audit.searched` about the record).
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/use-history",
    operation_id = "record_use_history",
    tag = "audit",
    params(("id" = String, Path, description = "Record id"), HistoryParams),
    responses(
        (status = 200, description = "A page of the record's use, newest first", body = AuditEventPage),
        (status = 404, description = "No such record", body = Problem),
        (status = 422, description = "A query parameter is malformed", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn use_history(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<AuditEventPage>, ApiError> {
    let Query(params) =
        params.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let after = cursor_param(params.cursor.as_deref())?;
    let page = state
        .archive
        .use_history(
            record_id(&id)?,
            after,
            params.limit.unwrap_or(50),
            &allowed.scope(),
            allowed.actor(),
        )
        .await?;
    Ok(axum::Json(AuditEventPage::from(page)))
}

/// A print to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintRequest {
    /// The file printed.
    pub file_id: String,
    /// How many copies, 1 to 1000.
    pub copies: u32,
}

/// A registered print.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintRecorded {
    /// The record.
    pub record_id: String,
    /// The file printed.
    pub file_id: String,
    /// Copies.
    pub copies: u32,
    /// The record's archival code, if it has one.
    pub archival_code: Option<String>,
}

/// Register that a file of a record was printed (appends `record.printed` to the audit trail).
/// A client or the web UI calls this when it prints; the download before it is recorded on
/// its own.
#[utoipa::path(
    post,
    path = "/api/v1/records/{id}/prints",
    operation_id = "register_print",
    tag = "audit",
    params(("id" = String, Path, description = "Record id")),
    request_body = PrintRequest,
    responses(
        (status = 201, description = "Recorded", body = PrintRecorded),
        (status = 404, description = "No such record or file", body = Problem),
        (status = 422, description = "Copies out of range, or the body is malformed", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn register_print(
    State(state): State<AppState>,
    allowed: Allowed<perm::FilePrint>,
    Path(id): Path<String>,
    body: Result<axum::Json<PrintRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<PrintRecorded>), ApiError> {
    let record = record_id(&id)?;
    let axum::Json(print) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    let file = print.file_id.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::FileNotFound,
            format!("record {id} has no file {}", print.file_id),
        )
    })?;
    let done = state
        .archive
        .register_print(
            record,
            file,
            print.copies,
            &allowed.scope(),
            allowed.actor(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PrintRecorded {
            record_id: done.record.to_string(),
            file_id: done.file.to_string(),
            copies: done.copies,
            archival_code: done.archival_code,
        }),
    ))
}
