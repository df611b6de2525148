//! `GET /api/v1/records/{id}/files/{file_id}`: the bytes of one file, streamed, with a strong
//! ETag (its SHA-256: the content can never change), conditional requests and single ranges.
//! Every download that serves bytes is in the audit trail (`file.downloaded`) before they flow.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fonds_core::ErrorCode;
use tokio_util::io::ReaderStream;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::problem::{ApiError, Problem};

/// Download a file of a record.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}/files/{file_id}",
    operation_id = "download_file",
    tag = "records",
    params(
        ("id" = String, Path, description = "Record id"),
        ("file_id" = String, Path, description = "File id"),
        ("Range" = Option<String>, Header, description = "A single byte range, e.g. bytes=0-1023"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag you hold"),
    ),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream"),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream"),
        (status = 304, description = "Unchanged since the ETag you hold"),
        (status = 404, description = "No such record or file", body = Problem),
        (status = 416, description = "The range selects no bytes", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
// LIMITATION: this route serves a file as a download (`Content-Disposition: attachment`), so it
// needs `file.download`. Viewing in the browser (`file.read`) has no route of its own yet (a print
// is registered with `file.print`); until the viewer arrives a 查阅人 reads the catalogue but no
// file bytes.
pub(crate) async fn download(
    State(state): State<AppState>,
    allowed: Allowed<perm::FileDownload>,
    Path((id, file_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let not_found = || {
        ApiError::new(
            ErrorCode::FileNotFound,
            format!("record {id} has no file {file_id}"),
        )
    };
    let record = id.parse().map_err(|_| not_found())?;
    let file = file_id.parse().map_err(|_| not_found())?;
    // The catalogue row first: its digest is the ETag the conditional headers are judged by.
    let row = state.archive.file(record, file, &allowed.scope()).await?;
    let etag = format!("\"{}\"", row.sha256.to_hex());
    if header_matches(&headers, header::IF_NONE_MATCH, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        insert(&mut response, header::ETAG, &etag);
        return Ok(response);
    }
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v.trim() == etag));
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::range::parse)
        .filter(|_| if_range_ok);
    let size = row.size;
    let content = match state
        .archive
        .download_file(row, range, allowed.actor())
        .await
    {
        Err(e) if e.code == ErrorCode::RangeNotSatisfiable => {
            let mut response = ApiError(e).into_response();
            insert(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{size}"),
            );
            return Ok(response);
        }
        other => other?,
    };
    let total = content.reader.total_size;
    let (status, length) = match content.range {
        Some(r) => (StatusCode::PARTIAL_CONTENT, r.end - r.start),
        None => (StatusCode::OK, total),
    };
    let mut response = Response::new(Body::from_stream(ReaderStream::new(content.reader.body)));
    *response.status_mut() = status;
    insert(
        &mut response,
        header::CONTENT_TYPE,
        &content.file.media_type,
    );
    insert(&mut response, header::CONTENT_LENGTH, &length.to_string());
    insert(&mut response, header::ETAG, &etag);
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    insert(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=0, must-revalidate",
    );
    insert(
        &mut response,
        header::CONTENT_DISPOSITION,
        &disposition(&content.file.file_name),
    );
    if let Some(r) = content.range {
        insert(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {}-{}/{total}", r.start, r.end - 1),
        );
    }
    Ok(response)
}

fn header_matches(headers: &HeaderMap, name: header::HeaderName, etag: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag))
        })
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// `attachment` with the UTF-8 file name (RFC 6266 / RFC 8187), so Chinese names survive.
fn disposition(file_name: &str) -> String {
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename*=UTF-8''{encoded}")
}
