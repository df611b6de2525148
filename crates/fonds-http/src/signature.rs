//! Signed requests from client systems (docs/integration.md): the middleware checks the signing
//! headers before the handler runs, and wraps the body so that its SHA-256 is computed while the
//! handler streams it; the handler checks it against the signed digest before anything is kept.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fonds_core::clients::{ClientPrincipal, SignedRequest};
use fonds_core::{CoreError, ErrorCode};
use fonds_domain::Sha256Digest;
use futures_util::StreamExt as _;
use sha2::Digest as _;

use crate::AppState;
use crate::client_certificate::ClientCertificate;
use crate::problem::ApiError;

/// The SHA-256 of an empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request signed by a verified client.
#[derive(Debug, Clone)]
pub struct SignedClient {
    /// The client.
    pub principal: ClientPrincipal,
    /// The body digest the client signed.
    pub declared: Sha256Digest,
    /// The `Idempotency-Key`, if sent and well-formed.
    pub idempotency_key: Option<String>,
    /// The network address the request came from.
    pub address: IpAddr,
    computed: Arc<Mutex<Option<Sha256Digest>>>,
}

impl SignedClient {
    /// Checks, once the handler has read the whole body, that it is the body that was signed.
    ///
    /// # Errors
    /// `content_digest_mismatch` when the body differs or was not read to its end.
    pub fn verify_body(&self) -> Result<(), ApiError> {
        let result = self.compare_body();
        if let Err(error) = &result {
            refused(error.0.code);
        }
        result
    }

    fn compare_body(&self) -> Result<(), ApiError> {
        let computed = self.computed.lock().ok().and_then(|c| *c);
        match computed {
            Some(actual) if actual == self.declared => Ok(()),
            Some(actual) => Err(ApiError::new(
                ErrorCode::ContentDigestMismatch,
                format!(
                    "the body's SHA-256 is {actual} but X-Fonds-Content-SHA256 says {}",
                    self.declared
                ),
            )),
            None => Err(ApiError::new(
                ErrorCode::ContentDigestMismatch,
                "the body was not read to its end, so it could not be checked against X-Fonds-Content-SHA256",
            )),
        }
    }
}

/// Counts a refused signed request by its code (`fonds_signature_refusals_total`).
fn refused(code: ErrorCode) {
    metrics::counter!("fonds_signature_refusals_total", "code" => code.as_str()).increment(1);
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Verifies requests that carry `X-Fonds-Client`; passes every other request through.
pub(crate) async fn verify(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(client) = header(request.headers(), "x-fonds-client").map(str::to_owned) else {
        return next.run(request).await;
    };
    match check(&state, &client, request).await {
        Ok(request) => next.run(request).await,
        Err(error) => {
            refused(error.0.code);
            error.into_response()
        }
    }
}

async fn check(state: &AppState, client: &str, request: Request) -> Result<Request, ApiError> {
    let headers = request.headers();
    let missing = |name: &str| {
        ApiError::new(
            ErrorCode::SignatureMissing,
            format!("a signed request needs the {name} header; see docs/integration.md"),
        )
    };
    let timestamp =
        header(headers, "x-fonds-timestamp").ok_or_else(|| missing("X-Fonds-Timestamp"))?;
    let nonce = header(headers, "x-fonds-nonce").ok_or_else(|| missing("X-Fonds-Nonce"))?;
    let content = header(headers, "x-fonds-content-sha256")
        .ok_or_else(|| missing("X-Fonds-Content-SHA256"))?;
    let signature =
        header(headers, "x-fonds-signature").ok_or_else(|| missing("X-Fonds-Signature"))?;
    let idempotency_key = match header(headers, "idempotency-key") {
        None => None,
        Some(key)
            if (1..=128).contains(&key.len())
                && key.bytes().all(|b| (0x21..=0x7e).contains(&b)) =>
        {
            Some(key.to_owned())
        }
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::RequestInvalid,
                "Idempotency-Key must be 1 to 128 printable ASCII characters without spaces",
            ));
        }
    };
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    // Inside the nested API router the path has lost its `/api/v1` prefix; the client signed
    // the path it sent.
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |o| o.0.clone());
    let certificate = request
        .extensions()
        .get::<ClientCertificate>()
        .map(|c| Sha256Digest::from_bytes(c.sha256));
    let signed = SignedRequest {
        client,
        timestamp,
        nonce,
        content_sha256: content,
        signature,
        method: request.method().as_str(),
        path: uri.path(),
        query: uri.query(),
        remote,
        certificate,
    };
    let principal = state
        .archive
        .verify_signed_request(&signed)
        .await
        .map_err(ApiError::from)?;
    if let Some(limiter) = state.client_rate_limiter.as_deref()
        && let Err(wait) = limiter.take(&principal.id, std::time::Instant::now())
    {
        return Err(crate::rate_limit::refusal(
            "client",
            wait,
            &format!(
                "client system {} sent more requests than its limit allows; slow down and retry after the pause",
                principal.id
            ),
        ));
    }
    let declared: Sha256Digest = content.parse().map_err(|e: fonds_domain::DigestError| {
        ApiError(CoreError::new(ErrorCode::SignatureMissing, e.to_string()))
    })?;
    if matches!(*request.method(), Method::GET | Method::HEAD) && content != EMPTY_SHA256 {
        return Err(ApiError::new(
            ErrorCode::ContentDigestMismatch,
            format!(
                "a {} request has no body: X-Fonds-Content-SHA256 must be {EMPTY_SHA256}",
                request.method()
            ),
        ));
    }
    let computed = Arc::new(Mutex::new(None));
    let (mut parts, body) = request.into_parts();
    let body = hashing(body, Arc::clone(&computed));
    parts.extensions.insert(SignedClient {
        principal,
        declared,
        idempotency_key,
        address: remote,
        computed,
    });
    Ok(Request::from_parts(parts, body))
}

/// The same body, with its SHA-256 written to `slot` when it has been read to the end.
fn hashing(body: Body, slot: Arc<Mutex<Option<Sha256Digest>>>) -> Body {
    let state = (body.into_data_stream(), Some(sha2::Sha256::new()), slot);
    Body::from_stream(futures_util::stream::unfold(
        state,
        |(mut stream, mut hasher, slot)| async move {
            match stream.next().await {
                Some(Ok(chunk)) => {
                    if let Some(h) = hasher.as_mut() {
                        h.update(&chunk);
                    }
                    Some((Ok(chunk), (stream, hasher, slot)))
                }
                Some(Err(e)) => Some((Err(e), (stream, None, slot))),
                None => {
                    if let (Some(h), Ok(mut done)) = (hasher.take(), slot.lock()) {
                        *done = Some(Sha256Digest::from_bytes(h.finalize().into()));
                    }
                    None
                }
            }
        },
    ))
}
