//! `POST /api/v1/submissions`: a multipart body of one JSON manifest plus file parts.
//!
//! File parts are streamed straight into the staging area while hashed, within one byte budget
//! for the whole submission; nothing is kept unless the archive accepts the submission.

use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use fonds_core::{ClientOrigin, ErrorCode, Origin, StagedPart};
use futures_util::TryStreamExt as _;

use crate::AppState;
use crate::auth::Caller;
use crate::dto::{SubmissionForm, SubmissionReceipt};
use crate::problem::{ApiError, Problem};

/// The name of the manifest part.
const MANIFEST: &str = "manifest";

/// Submit records (归档信息包).
#[utoipa::path(
    post,
    path = "/api/v1/submissions",
    tag = "submissions",
    request_body(content = SubmissionForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Accepted; the receipt lists the records created", body = SubmissionReceipt),
        (status = 400, description = "The body does not match its signed SHA-256", body = Problem),
        (status = 401, description = "No valid token or signature", body = Problem),
        (status = 403, description = "Client disabled, address not allowed, or outside its scope", body = Problem),
        (status = 404, description = "The manifest names a fonds that does not exist", body = Problem),
        (status = 409, description = "A record already exists or an archival code is taken", body = Problem),
        (status = 413, description = "Over the upload limit", body = Problem),
        (status = 422, description = "The manifest or a file is invalid; `errors` lists every field at fault", body = Problem),
        (status = 429, description = "Too many bad signatures from this client; see Retry-After", body = Problem),
    ),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried signed submission return the first answer")),
    security(("bearer" = []), ("signature" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    mut multipart: Multipart,
) -> Result<impl IntoResponse, ApiError> {
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
    let origin = match &caller {
        Caller::Token(principal) => Origin::local(format!("api:{}", principal.label)),
        Caller::Client(client) => {
            // Nothing is kept unless the bytes read are the bytes the client signed.
            client.verify_body()?;
            Origin {
                source: format!("client:{}", client.principal.name),
                client: Some(ClientOrigin {
                    principal: client.principal.clone(),
                    idempotency_key: client.idempotency_key.clone(),
                    body_sha256: client.declared,
                }),
            }
        }
    };
    let receipt = state.archive.submit(&manifest, parts, &origin).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(SubmissionReceipt::from(receipt)),
    ))
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
