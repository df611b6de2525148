//! The four-properties check (四性检测): the catalogue, runs with their results, the report as
//! HTML and PDF, a record's runs and invoices, running a check on demand, and switching items
//! per fonds.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use fonds_core::ErrorCode;
use fonds_core::audit::ReportFormat;
use fonds_core::checks::CheckRunView;
use fonds_core::{CheckResultRow, CheckRunRow, InvoiceBookingRow};
use fonds_domain::{CheckItem, CheckRunId, FondsCode, Occasion, RecordId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::dto::rfc3339;
use crate::problem::{ApiError, Problem};

/// One item of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CatalogueItem {
    /// Wire name, e.g. `virus_free`.
    item: String,
    /// Catalogue number, e.g. `4-01`; prefixed with the stage code in results (`GD-4-01`).
    number: String,
    /// Chinese name.
    name_zh: String,
    /// `authenticity`, `integrity`, `usability` or `security`.
    property: String,
    /// Stage codes it runs at: `GD`, `YJ`, `CQ`.
    stages: Vec<String>,
    /// `error` (a failure refuses) or `warning`.
    severity: String,
}

/// A run's summary.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckRun {
    id: String,
    /// `submission`, `archiving`, `transfer`, `scheduled` or `on_demand`.
    occasion: String,
    /// `GD`, `YJ` or `CQ`.
    stage: String,
    submission_id: Option<String>,
    started_at: String,
    finished_at: String,
    record_count: u64,
    /// No item of error severity failed.
    passed: bool,
    /// The report as HTML.
    report_html: String,
    /// The report as PDF.
    report_pdf: String,
}

/// One result.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckResult {
    /// The record, when it exists (records of a refused submission never do).
    record_id: Option<String>,
    /// The record's key in its manifest, or its archival code or id.
    record: String,
    file_id: Option<String>,
    file_name: Option<String>,
    item: String,
    /// Stage-prefixed code, e.g. `GD-4-01`.
    code: String,
    property: String,
    severity: String,
    /// `passed`, `failed`, `not_applicable` or `not_run`.
    outcome: String,
    /// Why it did not run or does not apply.
    reason: Option<String>,
    evidence: String,
    checked_at: String,
}

/// A run with its results.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckRunDetail {
    run: CheckRun,
    results: Vec<CheckResult>,
}

/// An invoice booked to a record.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BookedInvoice {
    /// Canonical key: `sdp:<20 digits>`, `vat:<code>:<number>` or `ticket:<carrier>:<number>`.
    key: String,
    /// The record it was first booked to.
    record_id: String,
    fonds: String,
    voucher_number: Option<String>,
    archival_code: Option<String>,
    red_letter: bool,
    /// The invoice a red-letter invoice reverses.
    reverses: Option<String>,
    /// The red-letter invoice that reverses this one.
    reversed_by: Option<String>,
    booked_at: String,
}

/// A check to run now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunRequest {
    /// The records to check (at most 1000).
    record_ids: Vec<String>,
    /// `on_demand` (long-term stage, the default), `transfer` or `archiving`.
    occasion: Option<String>,
}

/// Switching an item on or off for a fonds.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemSwitch {
    enabled: bool,
}

fn run_dto(run: &CheckRunRow) -> CheckRun {
    CheckRun {
        id: run.id.to_string(),
        occasion: run.occasion.as_str().to_owned(),
        stage: run.stage.code().to_owned(),
        submission_id: run.submission_id.map(|s| s.to_string()),
        started_at: rfc3339(run.started_at),
        finished_at: rfc3339(run.finished_at),
        record_count: run.record_count,
        passed: run.passed,
        report_html: format!("/api/v1/check-runs/{}/report.html", run.id),
        report_pdf: format!("/api/v1/check-runs/{}/report.pdf", run.id),
    }
}

fn result_dto(run: &CheckRunRow, r: &CheckResultRow) -> CheckResult {
    let spec = r.item.spec();
    CheckResult {
        record_id: r.record_id.map(|x| x.to_string()),
        record: r.record_key.clone(),
        file_id: r.file_id.map(|x| x.to_string()),
        file_name: r.file_name.clone(),
        item: r.item.as_str().to_owned(),
        code: r.item.code(run.stage),
        property: spec.property.as_str().to_owned(),
        severity: r.severity.as_str().to_owned(),
        outcome: r.outcome.as_str().to_owned(),
        reason: r.outcome.reason().map(str::to_owned),
        evidence: r.evidence.clone(),
        checked_at: rfc3339(r.checked_at),
    }
}

fn detail(view: &CheckRunView) -> CheckRunDetail {
    CheckRunDetail {
        run: run_dto(&view.run),
        results: view
            .results
            .iter()
            .map(|r| result_dto(&view.run, r))
            .collect(),
    }
}

fn run_id(id: &str) -> Result<CheckRunId, ApiError> {
    id.parse().map_err(|e: fonds_domain::IdError| {
        ApiError::new(ErrorCode::CheckRunNotFound, e.to_string())
    })
}

fn record_id(id: &str) -> Result<RecordId, ApiError> {
    id.parse()
        .map_err(|e: fonds_domain::IdError| ApiError::new(ErrorCode::RecordNotFound, e.to_string()))
}

/// The catalogue of check items.
#[utoipa::path(
    get,
    path = "/api/v1/checks/items",
    operation_id = "list_check_items",
    tag = "checks",
    responses((status = 200, description = "Every item", body = [CatalogueItem])),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn items(_: Allowed<perm::RecordRead>) -> axum::Json<Vec<CatalogueItem>> {
    axum::Json(
        CheckItem::ALL
            .into_iter()
            .map(|item| {
                let spec = item.spec();
                CatalogueItem {
                    item: item.as_str().to_owned(),
                    number: spec.number.to_owned(),
                    name_zh: spec.name_zh.to_owned(),
                    property: spec.property.as_str().to_owned(),
                    stages: spec.stages.iter().map(|s| s.code().to_owned()).collect(),
                    severity: spec.severity.as_str().to_owned(),
                }
            })
            .collect(),
    )
}

/// A check run with every result.
#[utoipa::path(
    get,
    path = "/api/v1/check-runs/{id}",
    operation_id = "show_check_run",
    tag = "checks",
    params(("id" = String, Path, description = "Check run id")),
    responses(
        (status = 200, description = "The run and its results", body = CheckRunDetail),
        (status = 404, description = "No such run", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<CheckRunDetail>, ApiError> {
    let view = state
        .archive
        .read_check_report(
            run_id(&id)?,
            ReportFormat::Json,
            &allowed.scope(),
            allowed.actor(),
        )
        .await?;
    Ok(axum::Json(detail(&view)))
}

/// The check report (检测报告) as an HTML page.
#[utoipa::path(
    get,
    path = "/api/v1/check-runs/{id}/report.html",
    operation_id = "check_report_html",
    tag = "checks",
    params(("id" = String, Path, description = "Check run id")),
    responses(
        (status = 200, description = "The report", content_type = "text/html"),
        (status = 404, description = "No such run", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn report_html(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .archive
        .read_check_report(
            run_id(&id)?,
            ReportFormat::Html,
            &allowed.scope(),
            allowed.actor(),
        )
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        fonds_core::checks::render_html(&view),
    )
        .into_response())
}

/// The check report (检测报告) as a PDF.
#[utoipa::path(
    get,
    path = "/api/v1/check-runs/{id}/report.pdf",
    operation_id = "check_report_pdf",
    tag = "checks",
    params(("id" = String, Path, description = "Check run id")),
    responses(
        (status = 200, description = "The report", content_type = "application/pdf"),
        (status = 404, description = "No such run", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn report_pdf(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .archive
        .read_check_report(
            run_id(&id)?,
            ReportFormat::Pdf,
            &allowed.scope(),
            allowed.actor(),
        )
        .await?;
    let disposition = format!("inline; filename=\"check-report-{}.pdf\"", view.run.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        fonds_core::checks::render_pdf(&view),
    )
        .into_response())
}

/// Runs the check over records now and answers with the stored run.
#[utoipa::path(
    post,
    path = "/api/v1/check-runs",
    operation_id = "run_check",
    tag = "checks",
    request_body = RunRequest,
    responses(
        (status = 201, description = "The run", body = CheckRunDetail),
        (status = 404, description = "A record does not exist", body = Problem),
        (status = 422, description = "The request breaks a rule", body = Problem),
        (status = 503, description = "The virus scanner cannot be reached", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn run(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordArchive>,
    body: Result<axum::Json<RunRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(axum::http::StatusCode, axum::Json<CheckRunDetail>), ApiError> {
    let axum::Json(request) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    if request.record_ids.is_empty() || request.record_ids.len() > 1000 {
        return Err(ApiError::new(
            ErrorCode::RequestInvalid,
            "record_ids: give 1 to 1000 record ids",
        ));
    }
    let occasion = match request.occasion.as_deref() {
        None => Occasion::OnDemand,
        Some(o) => match o.parse::<Occasion>() {
            Ok(o @ (Occasion::OnDemand | Occasion::Transfer | Occasion::Archiving)) => o,
            Ok(_) | Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::RequestInvalid,
                    format!(
                        "occasion: `{o}` cannot be asked for; use on_demand, transfer or archiving"
                    ),
                ));
            }
        },
    };
    let ids = request
        .record_ids
        .iter()
        .map(|id| record_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let view = state
        .archive
        .check_records(&ids, occasion, &allowed.scope())
        .await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(detail(&view))))
}

/// The check runs that covered a record, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/check-runs",
    operation_id = "record_check_runs",
    tag = "checks",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The runs", body = [CheckRun]),
        (status = 404, description = "No such record", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn of_record(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<CheckRun>>, ApiError> {
    let runs = state
        .archive
        .record_check_runs(record_id(&id)?, &allowed.scope())
        .await?;
    Ok(axum::Json(runs.iter().map(run_dto).collect()))
}

/// The invoices a record books, each with where it was first booked (duplicate-booking
/// prevention) and its red-letter reversal.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/invoices",
    operation_id = "record_invoices",
    tag = "checks",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The invoices", body = [BookedInvoice]),
        (status = 404, description = "No such record", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn invoices(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordRead>,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<BookedInvoice>>, ApiError> {
    let rows = state
        .archive
        .record_invoices(record_id(&id)?, &allowed.scope())
        .await?;
    Ok(axum::Json(rows.iter().map(booked).collect()))
}

fn booked(row: &InvoiceBookingRow) -> BookedInvoice {
    BookedInvoice {
        key: row.key.to_string(),
        record_id: row.record_id.to_string(),
        fonds: row.fonds.to_string(),
        voucher_number: row.voucher_number.clone(),
        archival_code: row.archival_code.clone(),
        red_letter: row.red_letter,
        reverses: row.reverses.as_ref().map(ToString::to_string),
        reversed_by: row.reversed_by.as_ref().map(ToString::to_string),
        booked_at: rfc3339(row.booked_at),
    }
}

/// Switches a check item on or off for a fonds; a switched-off item is recorded as not run.
#[utoipa::path(
    put,
    path = "/api/v1/fonds/{code}/check-items/{item}",
    operation_id = "switch_check_item",
    tag = "checks",
    params(
        ("code" = String, Path, description = "Fonds code"),
        ("item" = String, Path, description = "Check item, e.g. `voucher_continuity`"),
    ),
    request_body = ItemSwitch,
    responses(
        (status = 204, description = "Switched"),
        (status = 404, description = "No such fonds", body = Problem),
        (status = 422, description = "No such item", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn switch(
    State(state): State<AppState>,
    allowed: Allowed<perm::SystemConfigure>,
    Path((code, item)): Path<(String, String)>,
    body: Result<axum::Json<ItemSwitch>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::http::StatusCode, ApiError> {
    let axum::Json(switch) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    let fonds: FondsCode = code.parse().map_err(|e: fonds_domain::FondsCodeError| {
        ApiError::new(ErrorCode::FondsNotFound, e.to_string())
    })?;
    // A fonds outside the caller's scope is answered as a missing one.
    if !allowed.scope().reaches_fonds(&fonds) {
        return Err(ApiError::new(
            ErrorCode::FondsNotFound,
            format!("fonds {fonds} does not exist; create it with `fonds init --fonds {fonds}`"),
        ));
    }
    let item: CheckItem = item.parse().map_err(|e: fonds_domain::UnknownCheckValue| {
        ApiError::new(ErrorCode::CheckItemUnknown, e.to_string())
    })?;
    state
        .archive
        .set_check_item(&fonds, item, switch.enabled, allowed.actor())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
