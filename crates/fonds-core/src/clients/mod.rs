//! Client systems (接入系统): creating them, rotating their secrets, and checking the signature
//! of every request they send (docs/integration.md).

mod allow_list;
mod guard;
pub mod signing;

use std::net::IpAddr;
use std::time::Duration;

use fonds_domain::{ClientId, FondsCode, RecordKind, Sha256Digest, SigningAlgorithm};
use fonds_store::{ClientRow, NewClient};
use time::OffsetDateTime;

pub use allow_list::IpBlock;
pub use guard::{Guard, WINDOW};
pub use signing::SignedParts;

use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive};

/// What an administrator asks for when adding a client.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    /// A unique name, e.g. `oa-weaver`: 1 to 64 letters, digits, `-` or `_`.
    pub name: String,
    /// The fonds it may submit to (at least one).
    pub fonds: Vec<FondsCode>,
    /// The kinds it may submit; empty means every kind.
    pub kinds: Vec<RecordKind>,
    /// Addresses or CIDR blocks it may call from; empty means any.
    pub allowed_ips: Vec<String>,
    /// How it signs.
    pub algorithm: SigningAlgorithm,
    /// The certificate it must present over TLS besides signing (the SHA-256 of the DER of its
    /// leaf certificate); `None` when it signs only.
    pub certificate_sha256: Option<Sha256Digest>,
}

/// A client's credentials, shown once.
#[derive(Clone)]
pub struct IssuedSecret {
    /// The client.
    pub id: ClientId,
    /// The secret.
    pub secret: String,
    /// Its version.
    pub version: u32,
    /// Until when the previous secrets keep working.
    pub previous_valid_until: Option<OffsetDateTime>,
}

impl std::fmt::Debug for IssuedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedSecret")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("version", &self.version)
            .finish()
    }
}

/// A verified client, as the services see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPrincipal {
    /// Its id.
    pub id: ClientId,
    /// Its name.
    pub name: String,
    /// The fonds it may submit to.
    pub fonds: Vec<FondsCode>,
    /// The kinds it may submit; empty means every kind.
    pub kinds: Vec<RecordKind>,
}

/// The signing headers of a request, as received, with where it came from.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `X-Fonds-Client`.
    pub client: &'a str,
    /// `X-Fonds-Timestamp`.
    pub timestamp: &'a str,
    /// `X-Fonds-Nonce`.
    pub nonce: &'a str,
    /// `X-Fonds-Content-SHA256`.
    pub content_sha256: &'a str,
    /// `X-Fonds-Signature`.
    pub signature: &'a str,
    /// The method.
    pub method: &'a str,
    /// The path without the query.
    pub path: &'a str,
    /// The raw query.
    pub query: Option<&'a str>,
    /// The peer address.
    pub remote: IpAddr,
    /// The SHA-256 of the DER of the client certificate the TLS connection presented, already
    /// verified against the configured client CA; `None` without one.
    pub certificate: Option<Sha256Digest>,
}

/// A certificate's SHA-256 fingerprint as administrators copy it: 64 hexadecimal digits in
/// either case, bare or in colon-separated pairs as `openssl x509 -fingerprint -sha256` and
/// browsers show it.
///
/// # Errors
/// `request_invalid`, saying what is expected.
pub fn parse_certificate_sha256(text: &str) -> Result<Sha256Digest, CoreError> {
    let bare: String = text.trim().chars().filter(|c| *c != ':').collect();
    bare.to_ascii_lowercase().parse().map_err(|_| {
        refuse(
            ErrorCode::RequestInvalid,
            "a certificate fingerprint is the SHA-256 of the certificate's DER: 64 hexadecimal digits, optionally in colon-separated pairs",
        )
    })
}

fn random_hex<const N: usize>() -> Result<String, CoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::internal(std::io::Error::other(e.to_string())))?;
    Ok(hex::encode(bytes))
}

fn refuse(code: ErrorCode, detail: impl Into<String>) -> CoreError {
    CoreError::new(code, detail)
}

impl Archive {
    /// Adds a client system and issues its first secret.
    ///
    /// # Errors
    /// `request_invalid` for a bad name, no fonds or a bad address; `fonds_not_found`;
    /// `record_duplicate` when the name is taken.
    pub async fn add_client(
        &self,
        spec: ClientSpec,
        by: &Actor,
    ) -> Result<IssuedSecret, CoreError> {
        let name_ok = (1..=64).contains(&spec.name.len())
            && spec
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(refuse(
                ErrorCode::RequestInvalid,
                "a client name is 1 to 64 letters, digits, - or _",
            ));
        }
        if spec.fonds.is_empty() {
            return Err(refuse(
                ErrorCode::RequestInvalid,
                "name at least one fonds the client may submit to",
            ));
        }
        for fonds in &spec.fonds {
            self.fonds_or_404(fonds).await?;
        }
        for block in &spec.allowed_ips {
            IpBlock::parse(block).map_err(|e| refuse(ErrorCode::RequestInvalid, e))?;
        }
        let mut id_bytes = [0u8; 12];
        getrandom::fill(&mut id_bytes)
            .map_err(|e| CoreError::internal(std::io::Error::other(e.to_string())))?;
        let id = ClientId::from_random(id_bytes);
        let secret = format!("fcs_{}", random_hex::<32>()?);
        self.metadata
            .insert_client(
                &NewClient {
                    id: id.clone(),
                    name: spec.name.clone(),
                    algorithm: spec.algorithm,
                    fonds: spec.fonds,
                    kinds: spec.kinds,
                    allowed_ips: spec.allowed_ips,
                    certificate_sha256: spec.certificate_sha256,
                    secret: secret.clone(),
                    created_at: OffsetDateTime::now_utc(),
                },
                by,
            )
            .await?;
        tracing::info!(
            client = %id,
            name = %spec.name,
            certificate_pinned = spec.certificate_sha256.is_some(),
            "client added"
        );
        Ok(IssuedSecret {
            id,
            secret,
            version: 1,
            previous_valid_until: None,
        })
    }

    /// Every client, secrets left out of the answer's `secrets` by callers that display them.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn clients(&self) -> Result<Vec<ClientRow>, CoreError> {
        Ok(self.metadata.clients().await?)
    }

    /// Issues a new secret; the old ones keep working for `overlap`.
    ///
    /// # Errors
    /// `client_unknown`, or a store failure.
    pub async fn rotate_client_secret(
        &self,
        id: &ClientId,
        overlap: Duration,
        by: &Actor,
    ) -> Result<IssuedSecret, CoreError> {
        self.metadata
            .client(id)
            .await?
            .ok_or_else(|| unknown(id.as_str()))?;
        let secret = format!("fcs_{}", random_hex::<32>()?);
        let now = OffsetDateTime::now_utc();
        let until = now + overlap;
        let version = self
            .metadata
            .rotate_client_secret(id, &secret, now, until, by)
            .await?;
        tracing::info!(client = %id, version, "client secret rotated");
        Ok(IssuedSecret {
            id: id.clone(),
            secret,
            version,
            previous_valid_until: Some(until),
        })
    }

    /// Enables or disables a client.
    ///
    /// # Errors
    /// `client_unknown`, or a store failure.
    pub async fn set_client_enabled(
        &self,
        id: &ClientId,
        enabled: bool,
        by: &Actor,
    ) -> Result<(), CoreError> {
        if !self.metadata.set_client_enabled(id, enabled, by).await? {
            return Err(unknown(id.as_str()));
        }
        tracing::info!(client = %id, enabled, "client updated");
        Ok(())
    }

    /// Pins the certificate a client must present over TLS from now on, or with `None` lets it
    /// sign without one again.
    ///
    /// # Errors
    /// `client_unknown`, or a store failure.
    pub async fn set_client_certificate(
        &self,
        id: &ClientId,
        certificate_sha256: Option<Sha256Digest>,
        by: &Actor,
    ) -> Result<(), CoreError> {
        if !self
            .metadata
            .set_client_certificate(id, certificate_sha256.as_ref(), by)
            .await?
        {
            return Err(unknown(id.as_str()));
        }
        match certificate_sha256 {
            Some(sha256) => tracing::info!(client = %id, %sha256, "client certificate pinned"),
            None => tracing::info!(client = %id, "client certificate unpinned"),
        }
        Ok(())
    }

    /// Checks a signed request's headers and signature; the caller checks the body against
    /// `content_sha256` once it has read it.
    ///
    /// # Errors
    /// One specific code per reason: `signature_missing`, `client_unknown`, `rate_limited`,
    /// `client_disabled`, `address_not_allowed`, `timestamp_out_of_window`, `signature_invalid`,
    /// `client_certificate_required`, `client_certificate_mismatch`, `nonce_reused`.
    // LIMITATION: a refused signature is logged and counted in the metrics, not appended to the
    // audit trail: whoever sends it is not yet known to be the client it names, and a flood of
    // forged requests would otherwise grow the trail (failures are rate limited per client).
    pub async fn verify_signed_request(
        &self,
        request: &SignedRequest<'_>,
    ) -> Result<ClientPrincipal, CoreError> {
        self.check_signed_request(request).await
    }

    async fn check_signed_request(
        &self,
        request: &SignedRequest<'_>,
    ) -> Result<ClientPrincipal, CoreError> {
        let id: ClientId = request
            .client
            .parse()
            .map_err(|_| unknown(request.client))?;
        if let Some(wait) = self.guard.braked_for(id.as_str()) {
            let mut error = refuse(
                ErrorCode::RateLimited,
                "too many bad signatures from this client; fix its signing and retry after the pause",
            );
            error.retry_after = Some(wait.as_secs().max(1));
            return Err(error);
        }
        let client = self
            .metadata
            .client(&id)
            .await?
            .ok_or_else(|| unknown(request.client))?;
        if !client.enabled {
            return Err(refuse(
                ErrorCode::ClientDisabled,
                format!("client {id} is disabled; ask the administrator to enable it"),
            ));
        }
        if !allow_list::allowed(&client.allowed_ips, request.remote) {
            return Err(refuse(
                ErrorCode::AddressNotAllowed,
                format!(
                    "client {id} may not call from {}; add the address to its allow-list",
                    request.remote
                ),
            ));
        }
        let result = self.check_signature(&client, request);
        if result.is_err() {
            self.guard.failed(id.as_str());
        }
        result?;
        // The certificate is checked once the signature holds, so a caller without the secret
        // learns nothing about which clients are pinned; a refusal here leaves the nonce unused.
        check_certificate(&client, request.certificate)?;
        if !self.guard.first_use(id.as_str(), request.nonce) {
            return Err(refuse(
                ErrorCode::NonceReused,
                "this nonce was already used; send a new nonce with every request",
            ));
        }
        Ok(ClientPrincipal {
            id: client.id,
            name: client.name,
            fonds: client.fonds,
            kinds: client.kinds,
        })
    }

    fn check_signature(
        &self,
        client: &ClientRow,
        request: &SignedRequest<'_>,
    ) -> Result<(), CoreError> {
        let nonce_ok = (16..=64).contains(&request.nonce.len())
            && request
                .nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !nonce_ok {
            return Err(refuse(
                ErrorCode::SignatureMissing,
                "X-Fonds-Nonce must be 16 to 64 characters of A-Z a-z 0-9 - _",
            ));
        }
        let digest_ok = request.content_sha256.len() == 64
            && request
                .content_sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !digest_ok {
            return Err(refuse(
                ErrorCode::SignatureMissing,
                "X-Fonds-Content-SHA256 must be the body's SHA-256 in lower-case hex",
            ));
        }
        let timestamp: i64 = request.timestamp.parse().map_err(|_| {
            refuse(
                ErrorCode::SignatureMissing,
                "X-Fonds-Timestamp must be Unix time in seconds",
            )
        })?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let skew = timestamp.abs_diff(now);
        if skew > WINDOW.as_secs() {
            return Err(refuse(
                ErrorCode::TimestampOutOfWindow,
                format!(
                    "the timestamp is {skew} s from the server's clock; the limit is {} s — check the client's clock",
                    WINDOW.as_secs()
                ),
            ));
        }
        let parts = SignedParts {
            algorithm: client.algorithm,
            client: client.id.as_str(),
            method: request.method,
            path: request.path,
            query: request.query,
            timestamp: request.timestamp,
            nonce: request.nonce,
            content_sha256: request.content_sha256,
        };
        let now = OffsetDateTime::now_utc();
        let verified = client
            .secrets
            .iter()
            .filter(|s| s.expires_at.is_none_or(|until| until > now))
            .any(|s| signing::verify(&parts, &s.secret, request.signature));
        if verified {
            Ok(())
        } else {
            Err(refuse(
                ErrorCode::SignatureInvalid,
                format!(
                    "the signature does not verify with {}; see docs/integration.md for the string to sign",
                    client.algorithm
                ),
            ))
        }
    }
}

/// The second factor: a client with a pinned certificate must have presented exactly that one.
fn check_certificate(client: &ClientRow, presented: Option<Sha256Digest>) -> Result<(), CoreError> {
    let Some(pinned) = client.certificate_sha256 else {
        return Ok(());
    };
    match presented {
        None => Err(refuse(
            ErrorCode::ClientCertificateRequired,
            format!(
                "client {} must present its client certificate (SHA-256 {pinned}) on a TLS connection to Fonds itself; configure the client system with its certificate and key",
                client.id
            ),
        )),
        Some(presented) if presented != pinned => Err(refuse(
            ErrorCode::ClientCertificateMismatch,
            format!(
                "the connection presented the client certificate {presented}, but client {} is pinned to {pinned}; present the pinned certificate, or ask the administrator to pin the new one",
                client.id
            ),
        )),
        Some(_) => Ok(()),
    }
}

fn unknown(id: &str) -> CoreError {
    refuse(
        ErrorCode::ClientUnknown,
        format!(
            "no client `{}` is registered",
            id.chars().take(40).collect::<String>()
        ),
    )
}

impl ClientPrincipal {
    /// Checks that the client may submit `kind` records to `fonds`.
    ///
    /// # Errors
    /// `client_scope_denied`, naming what is outside the scope.
    pub fn may_submit(&self, fonds: &FondsCode, kind: RecordKind) -> Result<(), CoreError> {
        if !self.fonds.contains(fonds) {
            return Err(refuse(
                ErrorCode::ClientScopeDenied,
                format!("client {} may not submit to fonds {fonds}", self.name),
            ));
        }
        if !self.kinds.is_empty() && !self.kinds.contains(&kind) {
            return Err(refuse(
                ErrorCode::ClientScopeDenied,
                format!(
                    "client {} may not submit {} records",
                    self.name,
                    kind.name_zh()
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_certificate_sha256;

    #[test]
    fn a_fingerprint_is_read_bare_or_in_colon_separated_pairs_in_either_case() {
        let bare = "3a".repeat(32);
        let paired = vec!["3A"; 32].join(":");
        assert_eq!(
            parse_certificate_sha256(&bare).expect("bare").to_hex(),
            bare
        );
        assert_eq!(
            parse_certificate_sha256(&paired).expect("paired").to_hex(),
            bare
        );
        for bad in ["", "3a3a", &"zz".repeat(32)] {
            let error = parse_certificate_sha256(bad).expect_err(bad);
            assert_eq!(error.code.as_str(), "request_invalid");
        }
    }
}
