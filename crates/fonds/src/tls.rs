//! TLS for `fonds serve`: the operator's certificate and key (PEM), or a self-signed certificate
//! generated into the data directory for the configured host names; reloaded from the files on
//! SIGHUP without dropping connections.
//!
//! LIMITATION: client certificates (mTLS) per OA client are not supported yet; request signing
//! is the client's only proof of identity.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use sha2::Digest as _;

use crate::config::Config;

/// The certificate chain and key files the server reads (and rereads on SIGHUP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, PEM, leaf first.
    pub cert: PathBuf,
    /// Private key, PEM.
    pub key: PathBuf,
}

/// The files to serve with: the configured ones, or the self-signed pair in `<data>/tls/`,
/// generated when missing.
///
/// # Errors
/// When the configured files are missing, or the self-signed pair cannot be written.
pub fn prepare(config: &Config, data: &Path) -> anyhow::Result<TlsFiles> {
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
        });
    }
    let dir = data.join("tls");
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
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

/// The SHA-256 fingerprint of the leaf certificate, as browsers show it (`AB:CD:…`).
///
/// # Errors
/// When the file holds no PEM certificate.
pub fn fingerprint(cert: &Path) -> anyhow::Result<String> {
    let der = CertificateDer::from_pem_file(cert)
        .with_context(|| format!("{} holds no PEM certificate", cert.display()))?;
    Ok(sha2::Sha256::digest(der.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// Loads the files into a server configuration.
///
/// # Errors
/// When they do not hold a certificate and its key.
pub async fn load(files: &TlsFiles) -> anyhow::Result<RustlsConfig> {
    RustlsConfig::from_pem_file(&files.cert, &files.key)
        .await
        .with_context(|| {
            format!(
                "cannot load the certificate {} with the key {}",
                files.cert.display(),
                files.key.display()
            )
        })
}

/// Rereads the files on every SIGHUP; connections already open keep their session. A file that
/// does not load leaves the certificate in use as it was.
pub fn reload_on_sighup(config: RustlsConfig, files: TlsFiles) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::warn!("cannot listen for SIGHUP; restart to load a new certificate");
            return;
        };
        while hangups.recv().await.is_some() {
            match config.reload_from_pem_file(&files.cert, &files.key).await {
                Ok(()) => {
                    let fingerprint = fingerprint(&files.cert).unwrap_or_default();
                    tracing::info!(cert = %files.cert.display(), %fingerprint, "certificate reloaded");
                    println!("Certificate reloaded; SHA-256 fingerprint {fingerprint}");
                }
                Err(e) => tracing::error!(
                    cert = %files.cert.display(),
                    key = %files.key.display(),
                    error = %e,
                    "the certificate did not reload; the previous one stays in use: correct the files and send SIGHUP again"
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
