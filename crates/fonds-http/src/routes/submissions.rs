//! `POST /api/v1/submissions`: a multipart body of one JSON manifest plus file parts.
//!
//! File parts are streamed straight into the staging area while hashed, within one byte budget
//! for the whole submission; nothing is kept unless the archive accepts the submission.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use fonds_core::{ClientOrigin, ErrorCode, Origin, StagedPart};
use futures_util::TryStreamExt as _;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::dto::{SubmissionForm, SubmissionReceipt};
use crate::problem::{ApiError, Problem};

/// The name of the manifest part.
const MANIFEST: &str = "manifest";

/// Submit records (归档信息包).
#[utoipa::path(
    post,
    path = "/api/v1/submissions",
    operation_id = "submit",
    tag = "submissions",
    request_body(content = SubmissionForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "Received durably; the receipt says where it stands (with `?wait`, possibly its outcome)", body = SubmissionReceipt),
        (status = 400, description = "The body does not match its signed SHA-256", body = Problem),
        (status = 401, description = "No valid token or signature", body = Problem),
        (status = 403, description = "Client disabled, address not allowed, or outside its scope", body = Problem),
        (status = 404, description = "The manifest names a fonds that does not exist", body = Problem),
        (status = 409, description = "A record already exists or an archival code is taken", body = Problem),
        (status = 413, description = "Over the upload limit", body = Problem),
        (status = 422, description = "The manifest or a file is invalid; `errors` lists every field at fault", body = Problem),
        (status = 429, description = "Too many bad signatures from this client; see Retry-After", body = Problem),
    ),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried signed submission return the first answer"),
        Wait,
    ),
    security(("bearer" = []), ("session" = []), ("signature" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordSubmit>,
    wait: Result<Query<Wait>, axum::extract::rejection::QueryRejection>,
    headers: axum::http::HeaderMap,
    mut multipart: Multipart,
) -> Result<impl IntoResponse, ApiError> {
    let Query(wait) = wait.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let settings = state.archive.settings().clone();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let envelope = settings.max_upload_bytes + settings.max_manifest_bytes as u64 + 1024 * 1024;
    if declared.is_some_and(|n| n > envelope) {
        return Err(too_large(settings.max_upload_bytes));
    }
    let mut manifest: Option<Vec<u8>> = None;
    let mut parts = Vec::new();
    let mut budget = settings.max_upload_bytes;
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == MANIFEST {
            if manifest.is_some() {
                return Err(ApiError::new(
                    ErrorCode::MultipartMalformed,
                    "send exactly one `manifest` part",
                ));
            }
            let bytes = read_limited(field, settings.max_manifest_bytes).await?;
            manifest = Some(bytes);
            continue;
        }
        if name.is_empty() {
            return Err(ApiError::new(
                ErrorCode::MultipartMalformed,
                "every part needs a name",
            ));
        }
        let stream = field.map_err(std::io::Error::other);
        let blob = state
            .archive
            .stager()
            .stage(Box::pin(stream), budget)
            .await
            .map_err(fonds_core::CoreError::from)?;
        budget = budget.saturating_sub(blob.digests().size);
        parts.push(StagedPart { name, blob });
    }
    let manifest = manifest.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MultipartMalformed,
            "the `manifest` part is missing; see docs/api.md",
        )
    })?;
    let origin = match allowed.client() {
        Some(client) => {
            // Nothing is kept unless the bytes read are the bytes the client signed.
            client.verify_body()?;
            // A client's fonds and kinds are checked by its own rules (`client_scope_denied`),
            // as before roles existed; it may submit records of any secrecy level.
            Origin {
                source: format!("client:{}", client.principal.name),
                client: Some(ClientOrigin {
                    principal: client.principal.clone(),
                    idempotency_key: client.idempotency_key.clone(),
                    body_sha256: client.declared,
                }),
                scope: fonds_domain::access::RecordScope::everything(),
            }
        }
        None => Origin::local(source_of(allowed.access())).within(allowed.scope()),
    };
    let receipt = state.archive.submit(&manifest, parts, &origin).await?;
    let receipt = match wait.seconds() {
        0 => receipt,
        _ => {
            state
                .archive
                .receipt(
                    receipt.submission_id,
                    client_of(&allowed),
                    &allowed.scope(),
                    wait.duration(),
                )
                .await?
        }
    };
    let location = format!("/api/v1/submissions/{}", receipt.submission_id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        axum::Json(SubmissionReceipt::from(receipt)),
    ))
}

/// How long to wait for a submission's outcome.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct Wait {
    /// Seconds to wait for the outcome (0 to 60, default 0).
    wait: Option<u64>,
}

impl Wait {
    fn seconds(&self) -> u64 {
        self.wait.unwrap_or(0).min(fonds_core::MAX_WAIT.as_secs())
    }

    fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.seconds())
    }
}

fn client_of(
    allowed: &Allowed<perm::RecordSubmit>,
) -> Option<&fonds_core::clients::ClientPrincipal> {
    allowed.client().map(|client| &client.principal)
}

/// Who submitted, for the record of provenance: `api:<token label>` or `user:<login>`.
fn source_of(access: &fonds_core::access::Access) -> String {
    match &access.caller {
        fonds_core::access::Caller::Token(label) => format!("api:{label}"),
        fonds_core::access::Caller::Person(session) => format!("user:{}", session.user.login),
        fonds_core::access::Caller::Client(client) => format!("client:{}", client.name),
    }
}

/// A submission's receipt: its state and, once decided, its records or every reason it was
/// rejected. Clients see only their own submissions.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}",
    operation_id = "submission_receipt",
    tag = "submissions",
    params(("id" = String, Path, description = "Submission id"), Wait),
    responses(
        (status = 200, description = "The receipt", body = SubmissionReceipt),
        (status = 404, description = "No such submission, or not this client's", body = Problem),
    ),
    security(("bearer" = []), ("session" = []), ("signature" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    allowed: Allowed<perm::RecordSubmit>,
    Path(id): Path<String>,
    wait: Result<Query<Wait>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<SubmissionReceipt>, ApiError> {
    let Query(wait) = wait.map_err(|e| ApiError::new(ErrorCode::QueryInvalid, e.body_text()))?;
    let id = id.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::SubmissionNotFound,
            format!("submission {id} does not exist"),
        )
    })?;
    let receipt = state
        .archive
        .receipt(id, client_of(&allowed), &allowed.scope(), wait.duration())
        .await?;
    Ok(axum::Json(SubmissionReceipt::from(receipt)))
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        ErrorCode::UploadTooLarge,
        format!(
            "the upload exceeds the limit of {limit} bytes; send fewer or smaller files per submission"
        ),
    )
}

fn malformed(error: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::new(
        ErrorCode::MultipartMalformed,
        format!("the multipart body could not be read: {error}"),
    )
}

async fn read_limited(
    mut field: axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::new(
                ErrorCode::UploadTooLarge,
                format!("the manifest exceeds {limit} bytes; split the submission"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
