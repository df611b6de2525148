//! People's accounts over the API (docs/people.md): the system administrator (`system.users`)
//! creates and lists them. Granting roles is the security officer's, under `/grants`.

use axum::extract::State;
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::people::User;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::problem::{ApiError, Problem};

/// An account to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The login name: lower-case letters, digits, `.`, `_`, `-`.
    pub login: String,
    /// The name shown to people, e.g. 张三.
    pub display_name: String,
    /// The first password; it must meet the password policy.
    pub password: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// An account, never with its password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    /// Id.
    pub id: String,
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// `active`, `locked` or `disabled`.
    pub state: String,
    /// When it was created, RFC 3339.
    pub created_at: String,
    /// When its holder last logged in, RFC 3339.
    pub last_login_at: Option<String>,
}

fn account(user: &User) -> Account {
    Account {
        id: user.id.clone(),
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        state: user.state.to_string(),
        created_at: user.created_at.format(&Rfc3339).unwrap_or_default(),
        last_login_at: user
            .last_login_at
            .map(|at| at.format(&Rfc3339).unwrap_or_default()),
    }
}

/// Create a person's account (system administrator).
#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "create_user",
    tag = "people",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = Account),
        (status = 403, description = "The caller may not manage accounts", body = Problem),
        (status = 409, description = "The login name is taken", body = Problem),
        (status = 422, description = "A field breaks a rule (every problem is listed)", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::UsersManage>,
    body: Result<axum::Json<NewUser>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<Account>), ApiError> {
    let axum::Json(body) =
        body.map_err(|e| ApiError::new(ErrorCode::RequestInvalid, e.body_text()))?;
    let user = state
        .archive
        .create_user(
            &body.login,
            &body.display_name,
            &body.password,
            allowed.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(account(&user))))
}

/// Every account (system administrator).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "list_users",
    tag = "people",
    responses(
        (status = 200, description = "The accounts, by login name", body = [Account]),
        (status = 403, description = "The caller may not manage accounts", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    _: Allowed<perm::UsersManage>,
) -> Result<axum::Json<Vec<Account>>, ApiError> {
    let users = state.archive.users().await?;
    Ok(axum::Json(users.iter().map(account).collect()))
}
