//! Grants over the API: the security officer (`system.roles`) gives business roles over data
//! scopes, lists and revokes them. Officers' roles are appointed and revoked only at the
//! server's console (`fonds grant`), so no officer can make or unmake another over the network.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::access::{Authority, GrantListing, GrantRequest, ScopeSpec, parse_expiry};
use fonds_domain::access::{BuiltinRole, DataScope, Grant, Selection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::dto::rfc3339;
use crate::problem::{ApiError, Problem};

/// A data scope as written: each list left empty means "all".
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeBody {
    /// Fonds codes.
    #[serde(default)]
    pub fonds: Vec<String>,
    /// Department subtrees as `FONDS/CODE`.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Record kinds.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Fiscal years as `FIRST-LAST` or one year; none for all.
    #[serde(default)]
    pub years: Option<String>,
    /// The most secret level reached: `public`, `internal` (the default), `confidential`,
    /// `secret`.
    #[serde(default)]
    pub secrecy: Option<String>,
}

/// A role to give.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// The person's login name.
    pub login: String,
    /// A business role: `archivist`, `accountant`, `finance_head`, `reader`,
    /// `internal_auditor` (or the Chinese names).
    pub role: String,
    /// The records it reaches.
    #[serde(default)]
    pub scope: ScopeBody,
    /// When it stops working: a date (00:00 UTC of that day) or an RFC 3339 time.
    pub expires_at: Option<String>,
}

/// A grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantInfo {
    /// Its id.
    pub id: String,
    /// The holder's login name.
    pub login: String,
    /// The role's code.
    pub role: String,
    /// The role's name.
    pub role_name: String,
    /// The records it reaches (years as `FIRST-LAST`).
    pub scope: ScopeBody,
    /// When it stops working by itself.
    pub expires_at: Option<String>,
    /// Who granted it.
    pub granted_by: String,
    /// When.
    pub granted_at: String,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// Whose grants to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct GrantQuery {
    /// Only this person's (login name).
    login: Option<String>,
}

fn listed<T: Ord + ToString>(selection: &Selection<T>) -> Vec<String> {
    selection
        .listed()
        .map(|items| items.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

fn scope_body(scope: &DataScope) -> ScopeBody {
    ScopeBody {
        fonds: listed(&scope.fonds),
        departments: listed(&scope.departments),
        kinds: listed(&scope.kinds),
        years: scope
            .fiscal_years
            .map(|y| format!("{}-{}", y.first().get(), y.last().get())),
        secrecy: Some(scope.highest_secrecy.code().to_owned()),
    }
}

pub(crate) fn grant_info(grant: &Grant, login: &str) -> GrantInfo {
    GrantInfo {
        id: grant.id.clone(),
        login: login.to_owned(),
        role: grant.role.code().to_owned(),
        role_name: grant.role.name_zh().to_owned(),
        scope: scope_body(&grant.scope),
        expires_at: grant.expires_at.map(rfc3339),
        granted_by: grant.granted_by.clone(),
        granted_at: rfc3339(grant.granted_at),
        revoked_at: grant.revoked_at.map(rfc3339),
    }
}

/// Give a person a business role over a data scope (security officer).
#[utoipa::path(
    post,
    path = "/api/v1/grants",
    operation_id = "create_grant",
    tag = "people",
    request_body = NewGrant,
    responses(
        (status = 201, description = "Granted", body = GrantInfo),
        (status = 403, description = "The caller may not grant, or the role is an officer's", body = Problem),
        (status = 404, description = "A fonds or department of the scope does not exist", body = Problem),
        (status = 409, description = "Three-officer separation: the person holds an officer's role", body = Problem),
        (status = 422, description = "A field breaks a rule", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::RolesManage>,
    body: Result<axum::Json<NewGrant>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<GrantInfo>), ApiError> {
    let axum::Json(body) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    let role: BuiltinRole = body
        .role
        .parse()
        .map_err(|e: fonds_domain::access::UnknownRole| {
            ApiError::new(ErrorCode::RequestInvalid, format!("/role: {e}"))
        })?;
    let spec = ScopeSpec {
        fonds: body.scope.fonds,
        departments: body.scope.departments,
        kinds: body.scope.kinds,
        years: body.scope.years,
        secrecy: body.scope.secrecy,
    };
    let scope = spec.parse(
        "/scope",
        fonds_core::access::default_scope(role).highest_secrecy,
    )?;
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|text| parse_expiry(text, "/expires_at"))
        .transpose()?;
    let request = GrantRequest {
        login: body.login.clone(),
        role,
        scope,
        expires_at,
    };
    let grant = state
        .archive
        .grant(&request, Authority::SecurityOfficer, allowed.actor())
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(grant_info(&grant, &body.login)),
    ))
}

/// Grants, newest first, revoked and expired ones too (security officer).
#[utoipa::path(
    get,
    path = "/api/v1/grants",
    operation_id = "list_grants",
    tag = "people",
    params(GrantQuery),
    responses(
        (status = 200, description = "The grants", body = [GrantInfo]),
        (status = 403, description = "The caller may not manage grants", body = Problem),
        (status = 422, description = "No such login", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    _: Allowed<perm::RolesManage>,
    query: Result<Query<GrantQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<Vec<GrantInfo>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let grants = state.archive.grants(query.login.as_deref()).await?;
    Ok(axum::Json(
        grants
            .iter()
            .map(|GrantListing { grant, login }| grant_info(grant, login))
            .collect(),
    ))
}

/// Revoke a business grant (security officer).
#[utoipa::path(
    delete,
    path = "/api/v1/grants/{id}",
    operation_id = "revoke_grant",
    tag = "people",
    params(("id" = String, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "The caller may not revoke, or the grant is an officer's", body = Problem),
        (status = 404, description = "No live grant with this id", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    allowed: Allowed<perm::RolesManage>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .archive
        .revoke_grant(&id, Authority::SecurityOfficer, allowed.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
