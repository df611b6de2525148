//! The route table. Each route's handler lives in the module named after its resource; the
//! permission each route needs is stated twice on purpose — in its handler's signature, where it
//! is enforced, and in [`ROUTES`], which the tests compare with the OpenAPI document and drive
//! the permission matrix from.

pub(crate) mod audit;
pub(crate) mod checks;
pub(crate) mod clients;
pub(crate) mod deep_links;
pub(crate) mod departments;
pub(crate) mod files;
pub(crate) mod grants;
pub(crate) mod links;
pub(crate) mod records;
pub(crate) mod reviews;
pub(crate) mod second_factor;
pub(crate) mod session;
pub(crate) mod sessions;
pub(crate) mod submissions;
pub(crate) mod users;
pub(crate) mod webhooks;

use axum::Router;
use axum::routing::{delete, get, patch, post, put};
use fonds_core::ErrorCode;
use fonds_domain::access::Permission;

use crate::AppState;
use crate::observe::tag_route;
use crate::problem::ApiError;

/// The API under `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        // Uploads are limited by the archive's own byte budget while streaming, which answers
        // with a problem document instead of a bare 413.
        .route(
            "/submissions",
            post(submissions::create).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/submissions/{id}", get(submissions::show))
        .route("/records", get(records::list))
        .route("/records/{id}", get(records::show))
        .route("/records/{id}/archive", post(records::archive))
        .route("/records/{id}/corrections", post(records::correct))
        .route("/records/{id}/versions", get(records::versions))
        .route("/records/{id}/links", get(links::show))
        .route("/records/{id}/files/{file_id}", get(files::download))
        .route("/records/{id}/check-runs", get(checks::of_record))
        .route("/records/{id}/invoices", get(checks::invoices))
        .route("/records/{id}/use-history", get(audit::use_history))
        .route("/records/{id}/prints", post(audit::register_print))
        .route("/audit/events", get(audit::search))
        .route("/checks/items", get(checks::items))
        .route("/check-runs", post(checks::run))
        .route("/check-runs/{id}", get(checks::show))
        .route("/check-runs/{id}/report.html", get(checks::report_html))
        .route("/check-runs/{id}/report.pdf", get(checks::report_pdf))
        .route("/fonds/{code}/check-items/{item}", put(checks::switch))
        .route("/fonds", get(records::fonds))
        .route("/deep-links", post(deep_links::create))
        .route("/clients", post(clients::create).get(clients::list))
        .route("/clients/{id}", patch(clients::update))
        .route("/clients/{id}/rotate", post(clients::rotate))
        .route("/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/webhooks/deliveries", get(webhooks::deliveries))
        .route("/webhooks/deliveries/{id}/replay", post(webhooks::replay))
        .route("/users", post(users::create).get(users::list))
        .route(
            "/departments",
            post(departments::create).get(departments::list),
        )
        .route("/grants", post(grants::create).get(grants::list))
        .route("/grants/{id}", delete(grants::revoke))
        .route("/permission-review", get(reviews::show))
        .route("/permission-reviews", post(reviews::create))
        .route(
            "/session",
            post(session::login)
                .get(session::show)
                .delete(session::logout),
        )
        .route("/session/second-factor", post(second_factor::pass))
        .route("/session/totp", post(second_factor::start_enrolment))
        .route(
            "/session/totp/confirmation",
            post(second_factor::confirm_enrolment),
        )
        .route("/sessions", get(sessions::list))
        .route("/sessions/{id}", axum::routing::delete(sessions::revoke))
        .route("/openapi.json", get(crate::openapi::serve))
        .route_layer(axum::middleware::from_fn(tag_route))
}

/// What a route of the API needs from its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// This permission, within the caller's data scope for it.
    Permission(Permission),
    /// Nothing but the credential the route itself handles: logging in and out, the second
    /// factor and one's own sessions serve the person's own session, and a deep link is its own
    /// credential.
    OwnCredential,
}

/// One route of the API and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template as the OpenAPI document writes it.
    pub path: &'static str,
    /// What it needs.
    pub needs: Needs,
    /// Whether the path names a thing by id, so that a caller out of scope must get a 404.
    pub names_a_thing: bool,
}

const fn rule(method: &'static str, path: &'static str, permission: Permission) -> RouteRule {
    RouteRule {
        method,
        path,
        needs: Needs::Permission(permission),
        names_a_thing: has_id(path),
    }
}

const fn own(method: &'static str, path: &'static str) -> RouteRule {
    RouteRule {
        method,
        path,
        needs: Needs::OwnCredential,
        names_a_thing: has_id(path),
    }
}

const fn has_id(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            return true;
        }
        i += 1;
    }
    false
}

/// Every route of the API (in the OpenAPI document) with what it needs.
pub const ROUTES: &[RouteRule] = &[
    rule("POST", "/api/v1/submissions", Permission::RecordSubmit),
    rule("GET", "/api/v1/submissions/{id}", Permission::RecordSubmit),
    rule("GET", "/api/v1/records", Permission::RecordRead),
    rule("GET", "/api/v1/records/{id}", Permission::RecordRead),
    rule(
        "POST",
        "/api/v1/records/{id}/archive",
        Permission::RecordArchive,
    ),
    rule(
        "POST",
        "/api/v1/records/{id}/corrections",
        Permission::RecordCorrect,
    ),
    rule(
        "GET",
        "/api/v1/records/{id}/versions",
        Permission::RecordRead,
    ),
    rule("GET", "/api/v1/records/{id}/links", Permission::RecordRead),
    rule(
        "GET",
        "/api/v1/records/{id}/files/{file_id}",
        Permission::FileDownload,
    ),
    rule(
        "GET",
        "/api/v1/records/{id}/check-runs",
        Permission::RecordRead,
    ),
    rule(
        "GET",
        "/api/v1/records/{id}/invoices",
        Permission::RecordRead,
    ),
    rule(
        "GET",
        "/api/v1/records/{id}/use-history",
        Permission::RecordRead,
    ),
    rule("POST", "/api/v1/records/{id}/prints", Permission::FilePrint),
    rule("GET", "/api/v1/audit/events", Permission::AuditRead),
    rule("GET", "/api/v1/checks/items", Permission::RecordRead),
    rule("POST", "/api/v1/check-runs", Permission::RecordArchive),
    rule("GET", "/api/v1/check-runs/{id}", Permission::RecordRead),
    rule(
        "GET",
        "/api/v1/check-runs/{id}/report.html",
        Permission::RecordRead,
    ),
    rule(
        "GET",
        "/api/v1/check-runs/{id}/report.pdf",
        Permission::RecordRead,
    ),
    rule(
        "PUT",
        "/api/v1/fonds/{code}/check-items/{item}",
        Permission::SystemConfigure,
    ),
    rule("GET", "/api/v1/fonds", Permission::RecordRead),
    rule("POST", "/api/v1/deep-links", Permission::RecordRead),
    own("GET", "/open/{token}"),
    rule("POST", "/api/v1/clients", Permission::ClientsManage),
    rule("GET", "/api/v1/clients", Permission::ClientsManage),
    rule("PATCH", "/api/v1/clients/{id}", Permission::ClientsManage),
    rule(
        "POST",
        "/api/v1/clients/{id}/rotate",
        Permission::ClientsManage,
    ),
    // A client system registers and lists its own endpoints; anyone else also needs
    // system.clients, checked in the handler.
    rule("POST", "/api/v1/webhooks", Permission::RecordSubmit),
    rule("GET", "/api/v1/webhooks", Permission::RecordSubmit),
    rule(
        "GET",
        "/api/v1/webhooks/deliveries",
        Permission::ClientsManage,
    ),
    rule(
        "POST",
        "/api/v1/webhooks/deliveries/{id}/replay",
        Permission::ClientsManage,
    ),
    rule("POST", "/api/v1/users", Permission::UsersManage),
    rule("GET", "/api/v1/users", Permission::UsersManage),
    rule("POST", "/api/v1/departments", Permission::UsersManage),
    rule("GET", "/api/v1/departments", Permission::UsersManage),
    rule("POST", "/api/v1/grants", Permission::RolesManage),
    rule("GET", "/api/v1/grants", Permission::RolesManage),
    rule("DELETE", "/api/v1/grants/{id}", Permission::RolesManage),
    rule("GET", "/api/v1/permission-review", Permission::RolesManage),
    rule(
        "POST",
        "/api/v1/permission-reviews",
        Permission::RolesManage,
    ),
    own("POST", "/api/v1/session"),
    own("GET", "/api/v1/session"),
    own("DELETE", "/api/v1/session"),
    own("POST", "/api/v1/session/second-factor"),
    own("POST", "/api/v1/session/totp"),
    own("POST", "/api/v1/session/totp/confirmation"),
    own("GET", "/api/v1/sessions"),
    own("DELETE", "/api/v1/sessions/{id}"),
];

/// Liveness, readiness and metrics.
pub(crate) fn health() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(crate::metrics::serve))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(crate::metrics::ready))
        .route_layer(axum::middleware::from_fn(tag_route))
}

/// Deep links, outside the API and its authentication: the link itself is the credential.
pub(crate) fn open_links() -> Router<AppState> {
    Router::new()
        .route("/open/{token}", get(deep_links::open))
        .route_layer(axum::middleware::from_fn(tag_route))
}

/// Anything else.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::RouteNotFound,
        "no such resource; the API lives under /api/v1 and is described at /api/v1/openapi.json",
    )
}
