//! The OpenAPI document, generated from the handlers' annotations. A test keeps the committed
//! copy in `docs/openapi.json` in step with the code.

use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::dto;
use crate::problem;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fonds API",
        description = "会计档案电子化管理系统 — the API of Fonds, an electronic accounting archive. \
                       Errors are RFC 9457 problem details with a stable `code`.",
        license(name = "Apache-2.0")
    ),
    paths(
        routes::submissions::create,
        routes::submissions::show,
        routes::records::list,
        routes::records::show,
        routes::records::archive,
        routes::records::correct,
        routes::records::versions,
        routes::links::show,
        routes::files::download,
        routes::records::fonds,
        routes::deep_links::create,
        routes::deep_links::open,
        routes::clients::create,
        routes::clients::list,
        routes::clients::rotate,
        routes::clients::update,
        routes::webhooks::create,
        routes::webhooks::list,
        routes::webhooks::deliveries,
        routes::webhooks::replay,
        routes::checks::items,
        routes::checks::show,
        routes::checks::report_html,
        routes::checks::report_pdf,
        routes::checks::run,
        routes::checks::of_record,
        routes::checks::invoices,
        routes::checks::switch,
        routes::session::login,
        routes::session::show,
        routes::session::logout,
        routes::second_factor::pass,
        routes::second_factor::start_enrolment,
        routes::second_factor::confirm_enrolment,
        routes::sessions::list,
        routes::sessions::revoke,
        routes::users::create,
        routes::users::list,
        routes::departments::create,
        routes::departments::list,
        routes::grants::create,
        routes::grants::list,
        routes::grants::revoke,
        routes::reviews::show,
        routes::reviews::create,
        routes::audit::search,
        routes::audit::use_history,
        routes::audit::register_print,
    ),
    components(schemas(
        problem::Problem,
        problem::FieldProblem,
        dto::RecordSummary,
        dto::RecordPage,
        dto::RecordView,
        dto::FileInfo,
        dto::Entry,
        dto::Description,
        dto::Correction,
        dto::Corrected,
        dto::Version,
        dto::Archived,
        routes::links::Links,
        routes::links::Key,
        routes::links::Outgoing,
        routes::links::Incoming,
        routes::links::Completeness,
        dto::FondsInfo,
        dto::SubmissionReceipt,
        dto::ReceiptRecord,
        dto::ReceiptFile,
        dto::SubmissionForm,
        routes::deep_links::DeepLinkRequest,
        routes::deep_links::DeepLinkIssued,
        routes::deep_links::OpenedRecord,
        routes::clients::NewClientBody,
        routes::clients::ClientCredentials,
        routes::clients::ClientInfo,
        routes::clients::RotateBody,
        routes::clients::ClientPatch,
        routes::webhooks::NewWebhook,
        routes::webhooks::Webhook,
        routes::webhooks::Delivery,
        routes::checks::CatalogueItem,
        routes::checks::CheckRun,
        routes::checks::CheckResult,
        routes::checks::CheckRunDetail,
        routes::checks::BookedInvoice,
        routes::checks::RunRequest,
        routes::checks::ItemSwitch,
        routes::session::LoginBody,
        routes::session::UserInfo,
        routes::session::SessionInfo,
        routes::second_factor::CodeBody,
        routes::second_factor::TotpEnrolment,
        routes::second_factor::TotpConfirmed,
        routes::sessions::SessionSummary,
        routes::users::NewUser,
        routes::users::Account,
        routes::departments::NewDepartment,
        routes::departments::DepartmentInfo,
        routes::grants::ScopeBody,
        routes::grants::NewGrant,
        routes::grants::GrantInfo,
        routes::reviews::ReviewedPerson,
        routes::reviews::ReviewRecord,
        routes::reviews::PermissionReviewReport,
        routes::reviews::NewReview,
        dto::UseHistorySummary,
        routes::audit::AuditEvent,
        routes::audit::AuditEventPage,
        routes::audit::PrintRequest,
        routes::audit::PrintRecorded,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "submissions", description = "Receiving records from OA and ERP systems"),
        (name = "records", description = "The catalogue, files, archiving and corrections"),
        (name = "fonds", description = "The fonds (全宗) of the installation"),
        (name = "checks", description = "The four-properties check (四性检测): runs, reports, invoices booked"),
        (name = "deep-links", description = "Single-use links that open one record for one OA user"),
        (name = "clients", description = "Client systems (接入系统) that submit signed requests"),
        (name = "webhooks", description = "Signed event deliveries to client systems"),
        (name = "session", description = "A person's login session: log in, the second factor, who am I, their sessions, log out"),
        (name = "people", description = "Accounts, departments and grants of roles over data scopes (docs/people.md)"),
        (name = "audit", description = "The audit trail (审计日志): search, a record's use history, prints"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // A person's session: the secret in the cookie, and the CSRF token in a header with
        // every change (docs/people.md).
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "fonds_session",
                    "the session cookie set by POST /api/v1/session; changes also send \
                     X-CSRF-Token",
                ),
            )),
        );
        // The HMAC scheme of docs/integration.md: X-Fonds-Client, -Timestamp, -Nonce,
        // -Content-SHA256 and -Signature together.
        components.add_security_scheme(
            "signature",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "X-Fonds-Signature",
                    "HMAC-SHA256 or HMAC-SM3 request signature; see docs/integration.md",
                ),
            )),
        );
    }
}

/// The OpenAPI document as pretty JSON, with a trailing newline.
#[must_use]
pub fn openapi_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn serve() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
}
