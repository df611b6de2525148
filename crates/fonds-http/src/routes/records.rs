//! Records: list, show, archive, correct, versions; and the fonds list.

use axum::extract::{Path, Query, State};
use fonds_core::{Cursor, ErrorCode, RecordFilter};
use fonds_domain::{LifecycleState, Money, RecordDescription, RecordId, RecordKind};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;
use utoipa::IntoParams;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::dto::{
    Archived, Corrected, Correction, FondsInfo, RecordPage, RecordSummary, RecordView, Version,
};
use crate::problem::{ApiError, Problem};

/// Filters and paging for `GET /records`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Fonds code.
    fonds: Option<String>,
    /// Record kind, e.g. `accounting_voucher`.
    kind: Option<String>,
    /// Fiscal year.
    fiscal_year: Option<u16>,
    /// Month, 1 to 12.
    period: Option<u8>,
    /// Text contained in the title.
    q: Option<String>,
    /// Smallest amount, decimal.
    amount_min: Option<String>,
    /// Largest amount, decimal.
    amount_max: Option<String>,
    /// Earliest date, YYYY-MM-DD.
    date_from: Option<String>,
    /// Latest date, YYYY-MM-DD.
    date_to: Option<String>,
    /// Lifecycle state.
    state: Option<String>,
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

fn parse<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    value
        .map(|v| v.parse::<T>().map_err(|e| invalid(name, e)))
        .transpose()
}

fn parse_date(name: &str, value: Option<&str>) -> Result<Option<Date>, ApiError> {
    value
        .map(|v| {
            Date::parse(v, format_description!("[year]-[month]-[day]"))
                .map_err(|_| invalid(name, format!("`{v}` is not a date (YYYY-MM-DD)")))
        })
        .transpose()
}

impl ListQuery {
    fn filter(&self) -> Result<RecordFilter, ApiError> {
        Ok(RecordFilter {
            fonds: parse("fonds", self.fonds.as_deref())?,
            kind: parse::<RecordKind>("kind", self.kind.as_deref())?,
            fiscal_year: self.fiscal_year,
            period: self.period,
            title_contains: self.q.clone().filter(|q| !q.is_empty()),
            amount_min: parse::<Money>("amount_min", self.amount_min.as_deref())?,
            amount_max: parse::<Money>("amount_max", self.amount_max.as_deref())?,
            date_from: parse_date("date_from", self.date_from.as_deref())?,
            date_to: parse_date("date_to", self.date_to.as_deref())?,
            state: parse::<LifecycleState>("state", self.state.as_deref())?,
        })
    }
}

pub(crate) fn record_id(raw: &str) -> Result<RecordId, ApiError> {
    // A malformed id names no record: answer as for any record that does not exist.
    raw.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::RecordNotFound,
            format!("record {raw} does not exist"),
        )
    })
}

/// List records, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/records",
    operation_id = "list_records",
    tag = "records",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of records", body = RecordPage),
        (status = 422, description = "A query parameter is malformed", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<RecordPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let filter = query.filter()?;
    let cursor = parse::<RecordId>("cursor", query.cursor.as_deref())?.map(Cursor);
    let page = state
        .archive
        .records(&filter, &allowed.scope(), cursor, query.limit.unwrap_or(50))
        .await?;
    Ok(axum::Json(RecordPage {
        items: page.items.iter().map(RecordSummary::from).collect(),
        next_cursor: page.next.map(|Cursor(id)| id.to_string()),
    }))
}

/// One record with its files and entries.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}",
    operation_id = "get_record",
    tag = "records",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = RecordView),
        (status = 404, description = "No such record", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<RecordView>, ApiError> {
    let detail = state
        .archive
        .view_record(record_id(&id)?, &allowed.scope(), allowed.actor())
        .await?;
    Ok(axum::Json(RecordView::from(&detail)))
}

/// Archive (归档) a collected record: assign its archival code and freeze it.
#[utoipa::path(
    post,
    path = "/api/v1/records/{id}/archive",
    operation_id = "archive_record",
    tag = "records",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "Archived", body = Archived),
        (status = 404, description = "No such record", body = Problem),
        (status = 409, description = "Not in `collected`, or the code is taken", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn archive(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordArchive>,
    Path(id): Path<String>,
) -> Result<axum::Json<Archived>, ApiError> {
    let id = record_id(&id)?;
    let outcome = state
        .archive
        .archive(id, &allowed.scope(), allowed.actor())
        .await?;
    Ok(axum::Json(Archived {
        id: id.to_string(),
        archival_code: outcome.archival_code.to_string(),
        archived_at: outcome
            .archived_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    }))
}

/// Correct a record's description; the old version is kept.
#[utoipa::path(
    post,
    path = "/api/v1/records/{id}/corrections",
    operation_id = "correct_record",
    tag = "records",
    params(("id" = String, Path, description = "Record id")),
    request_body = Correction,
    responses(
        (status = 200, description = "The new version", body = Corrected),
        (status = 404, description = "No such record", body = Problem),
        (status = 422, description = "The description breaks a rule", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn correct(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordCorrect>,
    Path(id): Path<String>,
    body: Result<axum::Json<Correction>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<Corrected>, ApiError> {
    let id = record_id(&id)?;
    let axum::Json(correction) =
        body.map_err(|e| ApiError::new(ErrorCode::ManifestMalformed, e.body_text()))?;
    let d = correction.description;
    let field = |name: &str, e: &dyn std::fmt::Display| {
        ApiError::new(
            ErrorCode::ManifestInvalid,
            format!("/description/{name}: {e}"),
        )
    };
    let description = RecordDescription {
        title: d.title,
        date: d
            .date
            .as_deref()
            .map(|v| Date::parse(v, format_description!("[year]-[month]-[day]")))
            .transpose()
            .map_err(|e| field("date", &e))?,
        number: d
            .voucher_number
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| field("voucher_number", &e))?,
        amount: d
            .amount
            .as_deref()
            .map(str::parse::<Money>)
            .transpose()
            .map_err(|e| field("amount", &e))?,
        preparer: d.preparer,
        reviewer: d.reviewer,
        attachment_count: d.attachment_count,
        remarks: d.remarks,
    };
    let version = state
        .archive
        .correct(
            id,
            description,
            &correction.reason,
            &allowed.scope(),
            allowed.actor(),
        )
        .await?;
    Ok(axum::Json(Corrected { version }))
}

/// Every version of a record's description, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/versions",
    operation_id = "record_versions",
    tag = "records",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The versions", body = [Version]),
        (status = 404, description = "No such record", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn versions(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<Version>>, ApiError> {
    let versions = state
        .archive
        .record_versions(record_id(&id)?, &allowed.scope())
        .await?;
    Ok(axum::Json(versions.iter().map(Version::from).collect()))
}

/// The fonds of this installation.
#[utoipa::path(
    get,
    path = "/api/v1/fonds",
    operation_id = "list_fonds",
    tag = "fonds",
    responses((status = 200, description = "Every fonds the caller's scope reaches", body = [FondsInfo])),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn fonds(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
) -> Result<axum::Json<Vec<FondsInfo>>, ApiError> {
    let all = state.archive.all_fonds().await?;
    let scope = allowed.scope();
    Ok(axum::Json(
        all.into_iter()
            .filter(|f| scope.reaches_fonds(&f.code))
            .map(|f| FondsInfo {
                code: f.code.to_string(),
                name: f.name,
                retention_scheme: f.retention_scheme.as_str().to_owned(),
                code_pattern: f.code_pattern.to_string(),
            })
            .collect(),
    ))
}
