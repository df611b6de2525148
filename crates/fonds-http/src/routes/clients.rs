//! Client systems (接入系统): add, list, rotate the secret, enable or disable. Administrators only.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use fonds_core::ErrorCode;
use fonds_core::clients::ClientSpec;
use fonds_domain::ClientId;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Allowed, perm};
use crate::problem::{ApiError, Problem};

/// A client to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    /// A unique name, e.g. `oa-weaver`.
    pub name: String,
    /// The fonds it may submit to.
    pub fonds: Vec<String>,
    /// The record kinds it may submit; empty or absent means every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Addresses or CIDR blocks it may call from; empty or absent means any.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// `hmac-sha256` (default) or `hmac-sm3`.
    #[serde(default)]
    pub algorithm: Option<String>,
    /// The SHA-256 fingerprint of the certificate the client must also present over TLS (64
    /// hexadecimal digits, optionally colon-separated); absent means signing alone.
    #[serde(default)]
    pub certificate_sha256: Option<String>,
}

/// A client's credentials: the secret is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCredentials {
    /// The client id, sent as `X-Fonds-Client`.
    pub id: String,
    /// The signing secret. Store it in the client system's secret store.
    pub secret: String,
    /// The secret's version.
    pub version: u32,
    /// Until when the previous secrets keep working (after a rotation).
    pub previous_valid_until: Option<String>,
}

/// A client as listed (never with its secrets).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Signing algorithm.
    pub algorithm: String,
    /// Whether it may call.
    pub enabled: bool,
    /// Fonds it may submit to.
    pub fonds: Vec<String>,
    /// Kinds it may submit; empty means every kind.
    pub kinds: Vec<String>,
    /// Allowed addresses; empty means any.
    pub allowed_ips: Vec<String>,
    /// Secret versions still working.
    pub live_secret_versions: Vec<u32>,
    /// The SHA-256 fingerprint (lower-case hex) of the certificate it must present over TLS;
    /// null when it signs only.
    pub certificate_sha256: Option<String>,
}

/// A rotation request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    /// How long the previous secrets keep working, in hours (0 to 720, default 24).
    #[serde(default)]
    pub overlap_hours: Option<u32>,
}

/// A change of a client's state: the fields given change, the others stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    /// Enable or disable the client.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Pin the certificate the client must present over TLS (its SHA-256 fingerprint, 64
    /// hexadecimal digits, optionally colon-separated), or `null` to unpin it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub certificate_sha256: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

fn fingerprint(text: &str) -> Result<fonds_domain::Sha256Digest, ApiError> {
    fonds_core::clients::parse_certificate_sha256(text).map_err(ApiError::from)
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::RequestInvalid, detail)
}

fn client_id(raw: &str) -> Result<ClientId, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::ClientUnknown,
            format!("no client `{raw}` is registered"),
        )
    })
}

fn credentials(issued: fonds_core::clients::IssuedSecret) -> ClientCredentials {
    ClientCredentials {
        id: issued.id.to_string(),
        secret: issued.secret,
        version: issued.version,
        previous_valid_until: issued
            .previous_valid_until
            .and_then(|t| t.format(&Rfc3339).ok()),
    }
}

/// Add a client system and issue its first secret.
#[utoipa::path(
    post,
    path = "/api/v1/clients",
    operation_id = "add_client",
    tag = "clients",
    request_body = NewClientBody,
    responses(
        (status = 201, description = "Created; the secret is shown once", body = ClientCredentials),
        (status = 409, description = "The name is taken", body = Problem),
        (status = 422, description = "A field breaks a rule", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    allowed: Allowed<perm::ClientsManage>,
    body: Result<axum::Json<NewClientBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<ClientCredentials>), ApiError> {
    let axum::Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let spec = ClientSpec {
        name: body.name,
        fonds: body
            .fonds
            .iter()
            .map(|f| f.parse())
            .collect::<Result<_, _>>()
            .map_err(|e: fonds_domain::FondsCodeError| invalid(e.to_string()))?,
        kinds: body
            .kinds
            .iter()
            .map(|k| k.parse())
            .collect::<Result<_, _>>()
            .map_err(|e: fonds_domain::UnknownRecordKind| invalid(e.to_string()))?,
        allowed_ips: body.allowed_ips,
        algorithm: body
            .algorithm
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(invalid)?
            .unwrap_or_default(),
        certificate_sha256: body
            .certificate_sha256
            .as_deref()
            .map(fingerprint)
            .transpose()?,
    };
    let issued = state.archive.add_client(spec, allowed.actor()).await?;
    Ok((StatusCode::CREATED, axum::Json(credentials(issued))))
}

/// Every client system.
#[utoipa::path(
    get,
    path = "/api/v1/clients",
    operation_id = "list_clients",
    tag = "clients",
    responses((status = 200, description = "The clients, without secrets", body = [ClientInfo])),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    _: Allowed<perm::ClientsManage>,
) -> Result<axum::Json<Vec<ClientInfo>>, ApiError> {
    let now = time::OffsetDateTime::now_utc();
    let clients = state.archive.clients().await?;
    Ok(axum::Json(
        clients
            .into_iter()
            .map(|c| ClientInfo {
                id: c.id.to_string(),
                name: c.name,
                algorithm: c.algorithm.to_string(),
                enabled: c.enabled,
                fonds: c.fonds.iter().map(ToString::to_string).collect(),
                kinds: c.kinds.iter().map(ToString::to_string).collect(),
                allowed_ips: c.allowed_ips,
                live_secret_versions: c
                    .secrets
                    .iter()
                    .filter(|s| s.expires_at.is_none_or(|until| until > now))
                    .map(|s| s.version)
                    .collect(),
                certificate_sha256: c.certificate_sha256.map(|d| d.to_hex()),
            })
            .collect(),
    ))
}

/// Issue a new secret; the previous ones keep working for the overlap window.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/rotate",
    operation_id = "rotate_client_secret",
    tag = "clients",
    params(("id" = String, Path, description = "Client id")),
    request_body = RotateBody,
    responses(
        (status = 200, description = "The new secret, shown once", body = ClientCredentials),
        (status = 401, description = "No such client", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn rotate(
    State(state): State<AppState>,
    allowed: Allowed<perm::ClientsManage>,
    Path(id): Path<String>,
    body: Result<axum::Json<RotateBody>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<ClientCredentials>, ApiError> {
    let axum::Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let hours = body.overlap_hours.unwrap_or(24);
    if hours > 720 {
        return Err(invalid("overlap_hours must be 0 to 720"));
    }
    let overlap = Duration::from_secs(u64::from(hours) * 3600);
    let issued = state
        .archive
        .rotate_client_secret(&client_id(&id)?, overlap, allowed.actor())
        .await?;
    Ok(axum::Json(credentials(issued)))
}

/// Enable or disable a client system, or pin or unpin the certificate it must present.
#[utoipa::path(
    patch,
    path = "/api/v1/clients/{id}",
    operation_id = "update_client",
    tag = "clients",
    params(("id" = String, Path, description = "Client id")),
    request_body = ClientPatch,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "No such client", body = Problem),
        (status = 422, description = "No field to change, or a malformed fingerprint", body = Problem),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    allowed: Allowed<perm::ClientsManage>,
    Path(id): Path<String>,
    body: Result<axum::Json<ClientPatch>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let axum::Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    if body.enabled.is_none() && body.certificate_sha256.is_none() {
        return Err(invalid(
            "send `enabled`, `certificate_sha256`, or both; the body changes nothing",
        ));
    }
    let id = client_id(&id)?;
    // Both checked before either is changed, so a bad fingerprint leaves the client as it was.
    let certificate = body
        .certificate_sha256
        .map(|pin| pin.as_deref().map(fingerprint).transpose())
        .transpose()?;
    if let Some(enabled) = body.enabled {
        state
            .archive
            .set_client_enabled(&id, enabled, allowed.actor())
            .await?;
    }
    if let Some(certificate) = certificate {
        state
            .archive
            .set_client_certificate(&id, certificate, allowed.actor())
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
