//! The permission review (权限审核) over the API: the security officer (`system.roles`) reads the
//! report — every person's roles, scopes, last login and second factor, the grants about to
//! expire, dormant accounts, officers without a second factor, when the next review is due — and
//! records the review as done, with a note of what was decided.

use axum::extract::State;
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::access::{PermissionReport, PermissionReviewRow, PersonUnderReview};
use fonds_core::people::SecondFactorStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::grants::{GrantInfo, grant_info};
use crate::AppState;
use crate::access::{Allowed, perm};
use crate::dto::rfc3339;
use crate::problem::{ApiError, Problem};

/// One person in the review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedPerson {
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// `active`, `locked` or `disabled`.
    pub state: String,
    /// When they last logged in.
    pub last_login_at: Option<String>,
    /// Their grants that work now.
    pub grants: Vec<GrantInfo>,
    /// Their grants that expired and were never revoked (they no longer work).
    pub expired_grants: Vec<GrantInfo>,
    /// The officer they are: `system_administrator`, `security_officer`, `security_auditor`.
    pub officer: Option<String>,
    /// `active`, `pending` or `none`.
    pub second_factor: String,
    /// No login within `dormant_after_days`.
    pub dormant: bool,
    /// An officer without an active second factor.
    pub officer_without_second_factor: bool,
}

/// A review recorded as done.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRecord {
    /// Its number.
    pub id: i64,
    /// When.
    pub reviewed_at: String,
    /// Who, as the audit trail names them.
    pub reviewed_by: String,
    /// What was decided.
    pub note: String,
    /// What the report showed when it was recorded.
    #[schema(value_type = Object)]
    pub findings: serde_json::Value,
}

/// The permission review's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionReviewReport {
    /// When it was drawn up.
    pub generated_at: String,
    /// Every person.
    pub people: Vec<ReviewedPerson>,
    /// Live grants that stop working within `grant_expiry_notice_days`, soonest first.
    pub expiring_grants: Vec<GrantInfo>,
    /// Login names of the dormant accounts.
    pub dormant: Vec<String>,
    /// Login names of the officers without an active second factor.
    pub officers_without_second_factor: Vec<String>,
    /// Days without a login after which an account is dormant.
    pub dormant_after_days: u64,
    /// The latest review.
    pub last_review: Option<ReviewRecord>,
    /// When the next review is due.
    pub next_review_due: String,
    /// Whether it is due now.
    pub review_due: bool,
}

fn record(row: PermissionReviewRow) -> ReviewRecord {
    ReviewRecord {
        id: row.id,
        reviewed_at: rfc3339(row.reviewed_at),
        reviewed_by: row.reviewed_by,
        note: row.note,
        findings: row.findings,
    }
}

fn person(p: &PersonUnderReview) -> ReviewedPerson {
    let login = &p.user.login;
    ReviewedPerson {
        login: login.clone(),
        display_name: p.user.display_name.clone(),
        state: p.user.state.to_string(),
        last_login_at: p.user.last_login_at.map(rfc3339),
        grants: p.live_grants.iter().map(|g| grant_info(g, login)).collect(),
        expired_grants: p
            .expired_grants
            .iter()
            .map(|g| grant_info(g, login))
            .collect(),
        officer: p
            .live_grants
            .iter()
            .find(|g| g.role.officer().is_some())
            .map(|g| g.role.code().to_owned()),
        second_factor: match p.second_factor {
            SecondFactorStatus::Active { .. } => "active",
            SecondFactorStatus::Pending => "pending",
            SecondFactorStatus::None => "none",
        }
        .to_owned(),
        dormant: p.dormant,
        officer_without_second_factor: p.officer_without_second_factor(),
    }
}

fn report(r: PermissionReport) -> PermissionReviewReport {
    PermissionReviewReport {
        generated_at: rfc3339(r.generated_at),
        people: r.people.iter().map(person).collect(),
        expiring_grants: r
            .expiring
            .iter()
            .map(|(login, g)| grant_info(g, login))
            .collect(),
        dormant: r.dormant().map(str::to_owned).collect(),
        officers_without_second_factor: r
            .officers_without_second_factor()
            .map(str::to_owned)
            .collect(),
        dormant_after_days: r.settings.dormant_after.as_secs() / (24 * 3600),
        review_due: r.review_due(),
        next_review_due: rfc3339(r.next_review_due),
        last_review: r.last_review.map(record),
    }
}

/// The permission review's report (security officer).
#[utoipa::path(
    get,
    path = "/api/v1/permission-review",
    operation_id = "permission_review_report",
    tag = "people",
    responses(
        (status = 200, description = "The report", body = PermissionReviewReport),
        (status = 403, description = "The caller may not manage grants", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    _: Allowed<perm::RolesManage>,
) -> Result<axum::Json<PermissionReviewReport>, ApiError> {
    let r = state.archive.permission_report().await?;
    Ok(axum::Json(report(r)))
}

/// A review to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// What was decided: which grants were revoked, why the rest stay (1 to 2000 characters).
    pub note: String,
}

/// Record the permission review as done by the caller (security officer), on today's report;
/// the next one falls due `permission_review_days` later.
#[utoipa::path(
    post,
    path = "/api/v1/permission-reviews",
    operation_id = "record_permission_review",
    tag = "people",
    request_body = NewReview,
    responses(
        (status = 201, description = "Recorded", body = ReviewRecord),
        (status = 403, description = "The caller may not manage grants", body = Problem),
        (status = 422, description = "The note is empty or too long", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::RolesManage>,
    body: Result<axum::Json<NewReview>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<ReviewRecord>), ApiError> {
    let axum::Json(body) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    let row = state
        .archive
        .record_permission_review(&body.note, allowed.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(record(row))))
}
