//! `fonds serve --tls`: HTTPS with a generated certificate whose printed fingerprint is the
//! certificate's, HSTS on every answer, no plain HTTP on the port, and a new certificate taken
//! on SIGHUP while the server keeps running.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use sha2::Digest as _;

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");

struct Server {
    child: Child,
    base: String,
    fingerprint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `fonds serve --tls` on a free port and reads where it serves and the fingerprint it
/// printed.
fn start(data: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = Command::new(FONDS)
        .arg("--data")
        .arg(data)
        .args(["serve", "--tls", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("FONDS_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let (mut base, mut fingerprint) = (None, None);
    while base.is_none() || fingerprint.is_none() {
        let line = lines
            .next()
            .expect("the server printed its address")
            .expect("line");
        if let Some(rest) = line.strip_prefix("Fonds is serving at ") {
            base = Some(rest.trim().to_owned());
        }
        if let Some((_, print)) = line.split_once("SHA-256 fingerprint ") {
            fingerprint = Some(print.trim().to_owned());
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base: base.expect("base"),
        fingerprint: fingerprint.expect("fingerprint"),
    }
}

fn fingerprint_of(pem: &[u8]) -> String {
    let der = CertificateDer::from_pem_slice(pem).expect("certificate");
    sha2::Sha256::digest(der.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A client that trusts exactly `cert_pem`.
fn client_trusting(cert_pem: &[u8]) -> reqwest::Client {
    fonds_core::install_tls_provider();
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert_pem).expect("pem")])
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

#[tokio::test]
async fn https_with_a_generated_certificate_hsts_and_no_plain_http() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(data.path());
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let cert = std::fs::read(data.path().join("tls/cert.pem")).expect("cert");
    assert_eq!(server.fingerprint, fingerprint_of(&cert));
    use std::os::unix::fs::PermissionsExt as _;
    let key_mode = std::fs::metadata(data.path().join("tls/key.pem"))
        .expect("key")
        .permissions()
        .mode();
    assert_eq!(key_mode & 0o077, 0, "the key is its owner's only");

    let response = client_trusting(&cert)
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("https");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );

    let plain = reqwest::Client::new()
        .get(server.base.replace("https://", "http://") + "/healthz")
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(
        plain.is_err() || plain.is_ok_and(|r| r.status() != 200),
        "plain HTTP must not be served on the TLS port"
    );
}

#[tokio::test]
async fn sighup_loads_a_new_certificate_without_stopping() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(data.path());
    let old_cert = std::fs::read(data.path().join("tls/cert.pem")).expect("cert");
    client_trusting(&old_cert)
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("old certificate served");

    let fresh = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("cert");
    let new_cert = fresh.cert.pem();
    std::fs::write(
        data.path().join("tls/key.pem"),
        fresh.signing_key.serialize_pem(),
    )
    .expect("key");
    std::fs::write(data.path().join("tls/cert.pem"), &new_cert).expect("cert");
    let status = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .expect("kill -HUP");
    assert!(status.success());

    let client = client_trusting(new_cert.as_bytes());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.get(format!("{}/healthz", server.base)).send().await {
            Ok(response) => {
                assert_eq!(response.status(), 200);
                break;
            }
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "the new certificate was not served after SIGHUP: {e}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_ne!(
        fingerprint_of(&old_cert),
        fingerprint_of(new_cert.as_bytes())
    );
    assert!(
        client_trusting(&old_cert)
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_err(),
        "the old certificate is no longer served"
    );
}
