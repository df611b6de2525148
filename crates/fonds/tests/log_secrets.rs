//! No secret, token or file content ever appears in a log line. The server runs at the most
//! verbose level, with JSON logs, through a scenario that hands it every kind of secret it sees —
//! the admin token, a wrong token, a client secret, a deep-link token, credentials in a query
//! string, a person's password (right and wrong), their session cookie and CSRF token — and
//! file contents with a marker; then every line it logged is searched for them.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use serde_json::json;
use sha2::Digest as _;
use time::macros::datetime;

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");
const CONTENT_MARKER: &str = "CONTENT-MARKER-7f3a9c";

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Runs a command of `fonds` and returns its standard output.
fn fonds(data: &Path, args: &[&str]) -> String {
    let output = Command::new(FONDS)
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run fonds");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn word_after<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no `{label}` in:\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_of_a_verbose_run_hold_no_secret_and_no_file_content() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("data");
    let init = fonds(&data, &["init"]);
    let token = init
        .split_whitespace()
        .find(|w| w.starts_with("fonds_"))
        .expect("token")
        .to_owned();
    let added = fonds(&data, &["client", "add", "oa-test", "--fonds", "Z001"]);
    let client_secret = word_after(&added, "secret:").to_owned();
    assert!(!client_secret.is_empty());
    // A person, the password piped in as `fonds user add` reads it.
    let password = "Sunny-Ledger-73-Pine";
    let mut add_user = Command::new(FONDS)
        .args(["user", "add", "alice", "--name", "Alice Wang", "--data"])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fonds user add");
    std::io::Write::write_all(
        &mut add_user.stdin.take().expect("stdin"),
        format!("{password}\n").as_bytes(),
    )
    .expect("write password");
    let added_user = add_user.wait_with_output().expect("user add");
    assert!(
        added_user.status.success(),
        "{}",
        String::from_utf8_lossy(&added_user.stderr)
    );
    assert!(fonds(&data, &["user", "list"]).contains("alice"));

    let port = free_port();
    let log_path = root.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut server = Command::new(FONDS)
        .args(["-vv", "--log-format", "json", "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(&data)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    fonds_core::install_tls_provider();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A real submission whose file carries the marker.
    let pdf = render(&PdfDocument {
        title: "记账凭证".into(),
        subject: None,
        creation_date: datetime!(2023-03-10 10:00),
        lines: vec![PdfLine::Text(format!("记-0001 {CONTENT_MARKER}"))],
    });
    let manifest = json!({"fonds": "Z001", "records": [{
        "kind": "accounting_voucher", "fiscal_year": 2023, "period": 3,
        "voucher_number": "记-0001", "date": "2023-03-10", "title": "差旅费报销",
        "files": [{"part": "main", "role": "main", "file_name": "v.pdf",
                   "sha256": hex::encode(sha2::Sha256::digest(&pdf))}]
    }]});
    let form = reqwest::multipart::Form::new()
        .text("manifest", manifest.to_string())
        .part("main", reqwest::multipart::Part::bytes(pdf));
    let accepted = http
        .post(format!("{base}/api/v1/submissions"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("submit");
    assert_eq!(
        accepted.status(),
        202,
        "{}",
        accepted.text().await.unwrap_or_default()
    );

    // Refused credentials of every shape.
    let wrong_token = "fonds_wrongtoken_5d1e0c7b2a";
    let query_secret = "querysecret_93b1d7";
    let deep_link_token = "dl_guessed_token_4c8e21";
    for request in [
        http.get(format!("{base}/api/v1/records"))
            .bearer_auth(wrong_token),
        http.get(format!("{base}/api/v1/records"))
            .bearer_auth(&client_secret),
        http.get(format!("{base}/api/v1/records?access_token={query_secret}")),
        http.get(format!("{base}/open/{deep_link_token}")),
        http.get(format!("{base}/api/v1/records"))
            .header("X-Fonds-Client", "oa-test")
            .header("X-Fonds-Signature", &client_secret),
    ] {
        let status = request.send().await.expect("send").status();
        assert!(status.is_client_error(), "{status}");
    }
    // A person logs in after a wrong password, looks at their session and logs out.
    let wrong_password = "Wrong-Ledger-73-Pine";
    let refused = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"login": "alice", "password": wrong_password}))
        .send()
        .await
        .expect("login");
    assert_eq!(refused.status(), 401);
    let logged_in = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"login": "alice", "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(logged_in.status(), 201);
    let cookie = logged_in
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let session_secret = cookie.trim_start_matches("fonds_session=").to_owned();
    let csrf: serde_json::Value = logged_in.json().await.expect("json");
    let csrf = csrf["csrf_token"].as_str().expect("csrf").to_owned();
    for request in [
        http.get(format!("{base}/api/v1/session")),
        http.delete(format!("{base}/api/v1/session"))
            .header("x-csrf-token", &csrf),
    ] {
        let status = request
            .header("cookie", &cookie)
            .send()
            .await
            .expect("send")
            .status();
        assert!(status.is_success(), "{status}");
    }
    // Wait until the submission has been checked and accepted, so its processing is logged too.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let records: serde_json::Value = http
            .get(format!("{base}/api/v1/records"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("records")
            .json()
            .await
            .expect("json");
        if records["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            break;
        }
        assert!(Instant::now() < deadline, "the submission was not accepted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();

    let logs = std::fs::read_to_string(&log_path).expect("logs");
    let lines = logs.lines().count();
    assert!(
        lines > 10,
        "a verbose run logs every request; got {lines} lines:\n{logs}"
    );
    assert!(
        logs.contains("/api/v1/submissions"),
        "requests are logged:\n{logs}"
    );
    for (what, secret) in [
        ("the admin token", token.as_str()),
        (
            "the admin token's secret part",
            token.rsplit('_').next().expect("part"),
        ),
        ("a wrong token", wrong_token),
        ("a client secret", client_secret.as_str()),
        ("a secret in a query string", query_secret),
        ("a deep-link token", deep_link_token),
        ("file content", CONTENT_MARKER),
        ("a password", password),
        ("a wrong password", wrong_password),
        ("a session secret", session_secret.as_str()),
        ("a CSRF token", csrf.as_str()),
    ] {
        let leaks: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "{what} appears in the logs:\n{}",
            leaks.join("\n")
        );
    }
}
