//! TLS for `fonds serve`: the operator's certificate and key (PEM), or a self-signed certificate
//! generated into the data directory for the configured host names; with `tls_client_ca`, client
//! certificates asked for (not required) and verified against those CAs. All reloaded from the
//! files on SIGHUP without dropping connections.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use axum_server::tls_rustls::RustlsConfig;
use rustls::RootCertStore;
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use sha2::Digest as _;

use crate::config::Config;

/// The files the server reads (and rereads on SIGHUP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, PEM, leaf first.
    pub cert: PathBuf,
    /// Private key, PEM.
    pub key: PathBuf,
    /// CA certificates (PEM bundle) that issue client certificates, when they are asked for.
    pub client_ca: Option<PathBuf>,
}

/// The files to serve with: the configured ones, or the self-signed pair in `<data>/tls/`,
/// generated when missing; and the client CA bundle, if configured.
///
/// # Errors
/// When the configured files are missing, or the self-signed pair cannot be written.
pub fn prepare(config: &Config, data: &Path) -> anyhow::Result<TlsFiles> {
    let client_ca = config.tls_client_ca.clone();
    if let Some(ca) = &client_ca {
        anyhow::ensure!(
            ca.is_file(),
            "the client CA bundle {} does not exist; correct tls_client_ca, or leave it out to ask for no client certificates",
            ca.display()
        );
    }
    let mut files = server_files(config, data)?;
    files.client_ca = client_ca;
    Ok(files)
}

/// The server's own certificate and key: configured, or self-signed.
fn server_files(config: &Config, data: &Path) -> anyhow::Result<TlsFiles> {
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        for file in [cert, key] {
            anyhow::ensure!(
                file.is_file(),
                "the TLS file {} does not exist; correct tls_cert/tls_key, or leave both out for a self-signed certificate",
                file.display()
            );
        }
        return Ok(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
            client_ca: None,
        });
    }
    let dir = data.join("tls");
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        client_ca: None,
    };
    if files.cert.is_file() && files.key.is_file() {
        return Ok(files);
    }
    let hosts = host_names(config);
    let generated = rcgen::generate_simple_self_signed(hosts.clone())
        .context("cannot generate a self-signed certificate")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_private(&files.key, generated.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(&files.cert, generated.cert.pem())
        .with_context(|| format!("cannot write {}", files.cert.display()))?;
    tracing::info!(cert = %files.cert.display(), hosts = ?hosts, "generated a self-signed certificate");
    Ok(files)
}

/// The names a self-signed certificate is made for: the configured ones, else `localhost`,
/// `127.0.0.1` and the listen address when it names one.
fn host_names(config: &Config) -> Vec<String> {
    if !config.tls_hosts.is_empty() {
        return config.tls_hosts.clone();
    }
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let ip = config.listen.ip();
    if !ip.is_unspecified() && !ip.is_loopback() {
        hosts.push(ip.to_string());
    }
    hosts
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict {} to its owner", path.display()))
}

/// The SHA-256 of the DER of the first (leaf) certificate in a PEM file.
///
/// # Errors
/// When the file holds no PEM certificate.
pub fn certificate_sha256(cert: &Path) -> anyhow::Result<[u8; 32]> {
    let der = CertificateDer::from_pem_file(cert)
        .with_context(|| format!("{} holds no PEM certificate", cert.display()))?;
    Ok(sha2::Sha256::digest(der.as_ref()).into())
}

/// The SHA-256 fingerprint of the leaf certificate, as browsers show it (`AB:CD:…`).
///
/// # Errors
/// When the file holds no PEM certificate.
pub fn fingerprint(cert: &Path) -> anyhow::Result<String> {
    Ok(certificate_sha256(cert)?
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// Loads the files into a server configuration.
///
/// # Errors
/// When they do not hold a certificate and its key, or the client CA bundle no CA certificate.
pub async fn load(files: &TlsFiles) -> anyhow::Result<RustlsConfig> {
    Ok(RustlsConfig::from_config(read(files).await?))
}

/// Reads the files off the async threads.
async fn read(files: &TlsFiles) -> anyhow::Result<Arc<ServerConfig>> {
    let files = files.clone();
    tokio::task::spawn_blocking(move || server_config(&files).map(Arc::new))
        .await
        .context("the task reading the TLS files failed")?
}

/// The rustls configuration: the certificate chain and key, and with a client CA a verifier that
/// asks each connection for a client certificate, verifies one that is presented, and lets a
/// connection without one through (browsers, clients that only sign); HTTP/2 and HTTP/1.1 offered
/// by ALPN.
fn server_config(files: &TlsFiles) -> anyhow::Result<ServerConfig> {
    let context = || {
        format!(
            "cannot load the certificate {} with the key {}",
            files.cert.display(),
            files.key.display()
        )
    };
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .with_context(context)?;
    anyhow::ensure!(!chain.is_empty(), "{}: no certificate in it", context());
    let key = PrivateKeyDer::from_pem_file(&files.key).with_context(context)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .context("the ring provider supports no TLS version")?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => builder.with_client_cert_verifier(client_verifier(ca, provider)?),
    };
    let mut config = builder.with_single_cert(chain, key).with_context(context)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Verifies client certificates against the CAs in `bundle`, without requiring one.
///
/// LIMITATION: no certificate revocation lists are read; a certificate is withdrawn by pinning
/// the client's new one (or unpinning it, or disabling the client), which the next request sees.
fn client_verifier(
    bundle: &Path,
    provider: Arc<CryptoProvider>,
) -> anyhow::Result<Arc<dyn rustls::server::danger::ClientCertVerifier>> {
    let context = || format!("cannot load the client CA bundle {}", bundle.display());
    let cas = CertificateDer::pem_file_iter(bundle)
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .with_context(context)?;
    anyhow::ensure!(
        !cas.is_empty(),
        "{}: it holds no PEM certificate; tls_client_ca names the CA certificates that issue client certificates",
        context()
    );
    let mut roots = RootCertStore::empty();
    for ca in cas {
        roots.add(ca).with_context(context)?;
    }
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .allow_unauthenticated()
        .build()
        .with_context(context)
}

/// Rereads the files on every SIGHUP; connections already open keep their session. Files that
/// do not load leave the configuration in use as it was.
pub fn reload_on_sighup(config: RustlsConfig, files: TlsFiles) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::warn!("cannot listen for SIGHUP; restart to load a new certificate");
            return;
        };
        while hangups.recv().await.is_some() {
            match read(&files).await {
                Ok(fresh) => {
                    config.reload_from_config(fresh);
                    let fingerprint = fingerprint(&files.cert).unwrap_or_default();
                    tracing::info!(
                        cert = %files.cert.display(),
                        %fingerprint,
                        client_ca = ?files.client_ca,
                        "certificate reloaded"
                    );
                    println!("Certificate reloaded; SHA-256 fingerprint {fingerprint}");
                }
                Err(e) => tracing::error!(
                    cert = %files.cert.display(),
                    key = %files.key.display(),
                    client_ca = ?files.client_ca,
                    error = format!("{e:#}"),
                    "the TLS files did not reload; the previous ones stay in use: correct the files and send SIGHUP again"
                ),
            }
        }
    })
}

/// Where a TLS listener is bound, for the start-up message.
#[must_use]
pub fn base_url(local: SocketAddr) -> String {
    format!("https://{local}")
}
