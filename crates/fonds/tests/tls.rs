//! `fonds serve --tls`: HTTPS with a generated certificate whose printed fingerprint is the
//! certificate's, HSTS on every answer, no plain HTTP on the port, and a new certificate taken
//! on SIGHUP while the server keeps running; with `--tls-client-ca`, a client pinned to a
//! certificate must present it beside its signature, while everyone else connects as before.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fonds_core::clients::signing::{SignedParts, sign};
use fonds_domain::SigningAlgorithm;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
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
    start_with(data, &[])
}

/// [`start`] with more arguments to `serve`.
fn start_with(data: &Path, extra: &[&str]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = Command::new(FONDS)
        .arg("--data")
        .arg(data)
        .args(["serve", "--tls", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
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

/// A certificate authority that issues client certificates.
fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::new()).expect("params");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("key")).expect("CA")
}

/// A client certificate for `name` issued by `ca`: the certificate PEM, and the certificate and
/// key together as a client loads its identity.
fn client_certificate(ca: &CertifiedIssuer<'static, KeyPair>, name: &str) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::new()).expect("params");
    params.distinguished_name.push(DnType::CommonName, name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params
        .signed_by(&key, ca)
        .expect("client certificate")
        .pem();
    let identity = format!("{cert}{}", key.serialize_pem());
    (cert, identity)
}

/// A client system as `fonds client add` printed it.
struct Registered {
    id: String,
    secret: String,
}

/// Registers a client with the CLI, pinned to `certificate` when given.
fn add_client(data: &Path, name: &str, certificate: Option<&Path>) -> Registered {
    let mut command = Command::new(FONDS);
    command
        .arg("--data")
        .arg(data)
        .args(["client", "add", name, "--fonds", "Z001"]);
    if let Some(certificate) = certificate {
        command.arg("--certificate").arg(certificate);
    }
    let output = command.output().expect("fonds client add");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |label: &str| {
        stdout
            .lines()
            .find_map(|line| line.trim().strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .expect(label)
            .to_owned()
    };
    Registered {
        id: field("client id:"),
        secret: field("secret:"),
    }
}

/// A client that trusts exactly `server_pem` and presents `identity` (certificate and key, PEM)
/// when the server asks for one.
fn client_presenting(server_pem: &[u8], identity: Option<&str>) -> reqwest::Client {
    fonds_core::install_tls_provider();
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(server_pem).expect("pem")])
        .timeout(Duration::from_secs(5));
    if let Some(identity) = identity {
        builder =
            builder.identity(reqwest::Identity::from_pem(identity.as_bytes()).expect("identity"));
    }
    builder.build().expect("client")
}

/// A GET signed as docs/integration.md describes, with a fresh nonce each time.
async fn signed_get(
    http: &reqwest::Client,
    base: &str,
    client: &Registered,
    path: &str,
) -> reqwest::Result<reqwest::Response> {
    static SENT: AtomicU64 = AtomicU64::new(0);
    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    // Nonces must be at least 16 characters, whatever the process id.
    let nonce = format!(
        "tls-test-{:010}-{:06}",
        std::process::id(),
        SENT.fetch_add(1, Ordering::Relaxed)
    );
    let signature = sign(
        &SignedParts {
            algorithm: SigningAlgorithm::HmacSha256,
            client: &client.id,
            method: "GET",
            path,
            query: None,
            timestamp: &timestamp,
            nonce: &nonce,
            content_sha256: EMPTY_SHA256,
        },
        &client.secret,
    );
    http.get(format!("{base}{path}"))
        .header("x-fonds-client", &client.id)
        .header("x-fonds-timestamp", timestamp)
        .header("x-fonds-nonce", nonce)
        .header("x-fonds-content-sha256", EMPTY_SHA256)
        .header("x-fonds-signature", signature)
        .send()
        .await
}

async fn assert_problem(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let problem: serde_json::Value = response.json().await.expect("problem json");
    assert_eq!(problem["code"], code, "{problem:#}");
}

async fn assert_ok(response: reqwest::Result<reqwest::Response>, what: &str) {
    let response = response.expect(what);
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{what}: {body}");
}

/// Whether the server refused the client's certificate during the handshake.
fn refused_as_unknown_ca(result: &reqwest::Result<reqwest::Response>) -> bool {
    // rustls reports the server's alert deep in the chain of the client's error.
    matches!(result, Err(e) if format!("{e:?}").contains("UnknownCA"))
}

/// An archive served with `--tls-client-ca`: `oa-weaver` pinned to a certificate of that CA,
/// `erp` signing only, and the identities (certificate and key) of the pinned certificate, of
/// another certificate of the same CA, and of one from a stranger CA.
struct MutualTls {
    server: Server,
    server_pem: Vec<u8>,
    ca_file: PathBuf,
    stranger_ca_pem: String,
    pinned: Registered,
    signing_only: Registered,
    weaver: String,
    sibling: String,
    stranger: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl MutualTls {
    fn start() -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let files = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| -> PathBuf {
            let path = files.path().join(name);
            std::fs::write(&path, text).expect("write");
            path
        };
        let init = Command::new(FONDS)
            .arg("--data")
            .arg(data.path())
            .arg("init")
            .output()
            .expect("fonds init");
        assert!(init.status.success());

        let ca = authority("Fonds client CA");
        let stranger_ca = authority("Some other CA");
        let ca_file = write("clients-ca.pem", &ca.pem());
        let (weaver_cert, weaver) = client_certificate(&ca, "oa-weaver");
        let (_, sibling) = client_certificate(&ca, "oa-weaver, reissued");
        let (_, stranger) = client_certificate(&stranger_ca, "oa-weaver");
        let pinned = add_client(
            data.path(),
            "oa-weaver",
            Some(&write("oa-weaver.pem", &weaver_cert)),
        );
        let signing_only = add_client(data.path(), "erp", None);

        let server = start_with(
            data.path(),
            &["--tls-client-ca", ca_file.to_str().expect("path")],
        );
        let server_pem = std::fs::read(data.path().join("tls/cert.pem")).expect("cert");
        Self {
            server,
            server_pem,
            ca_file,
            stranger_ca_pem: stranger_ca.pem(),
            pinned,
            signing_only,
            weaver,
            sibling,
            stranger,
            _dirs: (data, files),
        }
    }

    /// A client of this server presenting `identity`, or no certificate.
    fn http(&self, identity: Option<&str>) -> reqwest::Client {
        client_presenting(&self.server_pem, identity)
    }

    /// `GET /api/v1/webhooks` (a route clients may call) signed by `client`.
    async fn signed(
        &self,
        http: &reqwest::Client,
        client: &Registered,
    ) -> reqwest::Result<reqwest::Response> {
        signed_get(http, &self.server.base, client, "/api/v1/webhooks").await
    }
}

#[tokio::test]
async fn a_pinned_client_must_present_its_certificate_beside_its_signature() {
    let mtls = MutualTls::start();
    let bare = mtls.http(None);

    let with_pinned = mtls.http(Some(&mtls.weaver));
    assert_ok(
        mtls.signed(&with_pinned, &mtls.pinned).await,
        "signed, over a connection presenting the pinned certificate",
    )
    .await;

    let response = mtls
        .signed(&bare, &mtls.pinned)
        .await
        .expect("no certificate");
    assert_problem(response, 401, "client_certificate_required").await;

    let response = mtls
        .signed(&mtls.http(Some(&mtls.sibling)), &mtls.pinned)
        .await
        .expect("another certificate of the same CA");
    assert_problem(response, 401, "client_certificate_mismatch").await;

    let stranger = mtls
        .signed(&mtls.http(Some(&mtls.stranger)), &mtls.pinned)
        .await;
    assert!(
        refused_as_unknown_ca(&stranger),
        "a certificate of another CA must fail the handshake: {stranger:?}"
    );

    assert_ok(
        mtls.signed(&bare, &mtls.signing_only).await,
        "a client that only signs, without a certificate",
    )
    .await;
    assert_ok(
        bare.get(format!("{}/healthz", mtls.server.base))
            .send()
            .await,
        "a browser-like connection without a certificate",
    )
    .await;

    let metrics = bare
        .get(format!("{}/metrics", mtls.server.base))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for expected in [
        "fonds_signature_refusals_total{code=\"client_certificate_required\"} 1",
        "fonds_signature_refusals_total{code=\"client_certificate_mismatch\"} 1",
    ] {
        assert!(
            metrics.contains(expected),
            "`{expected}` missing from:\n{metrics}"
        );
    }
}

#[tokio::test]
async fn sighup_loads_a_new_client_ca_without_stopping() {
    let mtls = MutualTls::start();
    let stranger = mtls.http(Some(&mtls.stranger));
    assert!(refused_as_unknown_ca(
        &mtls.signed(&stranger, &mtls.signing_only).await
    ));

    std::fs::write(&mtls.ca_file, &mtls.stranger_ca_pem).expect("new CA bundle");
    let status = Command::new("kill")
        .args(["-HUP", &mtls.server.child.id().to_string()])
        .status()
        .expect("kill -HUP");
    assert!(status.success());

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // A fresh client each time: a new connection, so a new handshake.
        let result = mtls
            .signed(&mtls.http(Some(&mtls.stranger)), &mtls.signing_only)
            .await;
        if !refused_as_unknown_ca(&result) {
            assert_ok(result, "the stranger CA's certificate after SIGHUP").await;
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new client CA was not used after SIGHUP"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let old = mtls
        .signed(&mtls.http(Some(&mtls.weaver)), &mtls.pinned)
        .await;
    assert!(
        refused_as_unknown_ca(&old),
        "a certificate of the CA no longer configured must fail the handshake: {old:?}"
    );
}

#[test]
fn a_client_ca_without_tls_is_refused_at_start_up() {
    let data = tempfile::tempdir().expect("tempdir");
    let output = Command::new(FONDS)
        .arg("--data")
        .arg(data.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-client-ca",
            "/etc/fonds/clients-ca.pem",
        ])
        .env_remove("FONDS_CONFIG")
        .output()
        .expect("serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("tls_client_ca") && stderr.contains("tls = true"),
        "{stderr}"
    );
}
