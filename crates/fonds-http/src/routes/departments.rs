//! The department tree of each fonds over the API: the system administrator (`system.users`,
//! accounts and organisation) adds and lists departments.

use axum::extract::State;
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::access::Department;
use fonds_domain::FondsCode;
use fonds_domain::access::DepartmentCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::problem::{ApiError, Problem};

/// A department to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// The fonds whose tree it joins.
    pub fonds: String,
    /// Its code there: letters, digits, `-`, `_`, e.g. `FIN`.
    pub code: String,
    /// Its name, e.g. 财务部.
    pub name: String,
    /// The code of the department it sits under; none for a root.
    pub parent: Option<String>,
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentInfo {
    /// Its fonds.
    pub fonds: String,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The code of the department it sits under.
    pub parent: Option<String>,
    /// The codes from the root down to it, itself included.
    pub path: Vec<String>,
}

fn info(d: &Department) -> DepartmentInfo {
    DepartmentInfo {
        fonds: d.fonds.to_string(),
        code: d.code.to_string(),
        name: d.name.clone(),
        parent: d.parent.as_ref().map(ToString::to_string),
        path: d.path.iter().map(ToString::to_string).collect(),
    }
}

fn invalid(pointer: &str, detail: String) -> ApiError {
    ApiError::new(ErrorCode::RequestInvalid, format!("{pointer}: {detail}"))
}

/// Add a department (system administrator).
#[utoipa::path(
    post,
    path = "/api/v1/departments",
    operation_id = "add_department",
    tag = "people",
    request_body = NewDepartment,
    responses(
        (status = 201, description = "Added", body = DepartmentInfo),
        (status = 403, description = "The caller may not manage the organisation", body = Problem),
        (status = 404, description = "No such fonds or parent", body = Problem),
        (status = 409, description = "The code is taken in the fonds", body = Problem),
        (status = 422, description = "A field breaks a rule", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::UsersManage>,
    body: Result<axum::Json<NewDepartment>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<DepartmentInfo>), ApiError> {
    let axum::Json(body) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    let fonds: FondsCode = body
        .fonds
        .parse()
        .map_err(|e: fonds_domain::FondsCodeError| invalid("/fonds", e.to_string()))?;
    let code: DepartmentCode = body
        .code
        .parse()
        .map_err(|e: fonds_domain::access::DepartmentCodeError| invalid("/code", e.to_string()))?;
    let parent = body
        .parent
        .as_deref()
        .map(str::parse::<DepartmentCode>)
        .transpose()
        .map_err(|e| invalid("/parent", e.to_string()))?;
    let added = state
        .archive
        .add_department(&fonds, code, &body.name, parent, allowed.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(info(&added))))
}

/// Every department, each fonds' tree in path order (system administrator).
#[utoipa::path(
    get,
    path = "/api/v1/departments",
    operation_id = "list_departments",
    tag = "people",
    responses(
        (status = 200, description = "The departments", body = [DepartmentInfo]),
        (status = 403, description = "The caller may not manage the organisation", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    _: Allowed<perm::UsersManage>,
) -> Result<axum::Json<Vec<DepartmentInfo>>, ApiError> {
    let all = state.archive.departments(None).await?;
    Ok(axum::Json(all.iter().map(info).collect()))
}
