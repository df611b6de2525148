//! `spawn_app`: a real server on port 0 over a fresh temporary data directory, one helper per
//! endpoint so that tests read as behaviour, and real files to submit: the four-properties check
//! opens every file it receives, so a fixture must be a PDF or a 数电票 a reader can open.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::path::PathBuf;
use std::sync::LazyLock;

pub mod roles;
pub mod signing;

use fonds_core::{Archive, Settings};
use fonds_domain::{ArchivalCodePattern, Fonds, Money, RetentionScheme};
use fonds_formats::einvoice::{InvoiceData, InvoiceItem, render_xml};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use serde_json::{Value, json};
use sha2::Digest as _;
use time::macros::datetime;

pub struct TestApp {
    pub base: String,
    pub token: String,
    pub client: reqwest::Client,
    pub data: tempfile::TempDir,
    /// The archive the server serves, for set-up a test cannot do over HTTP (creating people).
    pub archive: Archive,
    /// A token holding `audit.read` alone, issued at first use.
    auditor: tokio::sync::OnceCell<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::default()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn")
            .with_test_writer()
            .try_init();
    }
    fonds_core::install_tls_provider();
    let data = tempfile::tempdir().expect("tempdir");
    let archive = Archive::open_embedded(data.path(), settings)
        .await
        .expect("open archive");
    archive
        .ensure_fonds(
            &Fonds {
                code: "Z001".parse().expect("fonds"),
                name: "测试公司".into(),
                retention_scheme: RetentionScheme::Enterprise,
                code_pattern: ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("fonds");
    let token = archive
        .issue_token(
            "test",
            &fonds_core::TokenGrant::operational(),
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("token")
        .secret;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = archive.spawn_workers(2);
    let sender = archive.spawn_webhook_sender().expect("webhook sender");
    let served = archive.clone();
    tokio::spawn(fonds_http::serve(listener, served, async move {
        let _workers = (workers, sender);
        let _ = stopped.await;
    }));
    TestApp {
        base,
        token,
        client: reqwest::Client::new(),
        data,
        archive,
        auditor: tokio::sync::OnceCell::new(),
        stop: Some(stop),
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A balanced 记账凭证 with one main file and one invoice, as the manifest declares it.
pub fn voucher(number: &str, month: u32, main: &[u8], invoice: &[u8]) -> Value {
    let part = part_prefix(number);
    json!({
        "key": number,
        "kind": "accounting_voucher",
        "fiscal_year": 2023,
        "period": month,
        "voucher_number": number,
        "date": format!("2023-{month:02}-15"),
        "title": format!("报销差旅费 {number}"),
        "amount": "1280.00",
        "preparer": "张三",
        "reviewer": "李四",
        "attachment_count": 1,
        "entries": [
            {"summary": "报销差旅费", "account_code": "6602.01", "account_name": "管理费用-差旅费", "debit": "1280.00"},
            {"summary": "报销差旅费", "account_code": "1002", "account_name": "银行存款", "credit": "1280.00"}
        ],
        "files": [
            {"part": format!("{part}-main"), "role": "main", "file_name": format!("{number}.pdf"), "sha256": sha256(main)},
            {"part": format!("{part}-inv"), "role": "invoice", "file_name": "发票.xml", "sha256": sha256(invoice)}
        ]
    })
}

/// The ASCII prefix of a voucher's part names (multipart part names are kept ASCII, as HTML
/// forms and most HTTP clients send them).
pub fn part_prefix(number: &str) -> String {
    format!(
        "v{}",
        number
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    )
}

/// A valid one-page PDF showing `text`, rendered by Fonds' own writer. Different texts give
/// different bytes, so each file has its own address in the content-addressed store.
pub fn pdf(text: &str) -> Vec<u8> {
    render(&PdfDocument {
        title: "测试文件".into(),
        subject: None,
        creation_date: datetime!(2023-12-05 10:00),
        lines: vec![PdfLine::Text(text.to_owned())],
    })
}

/// A consistent 数电票 XML of 1280.00, the amount [`voucher`] books. Its 20-digit invoice number
/// is derived from `seed`: the archive refuses an invoice booked twice, so every voucher that is
/// meant to be accepted carries an invoice of its own.
pub fn invoice_xml(seed: &str) -> Vec<u8> {
    let digest = sha2::Sha256::digest(seed.as_bytes());
    let mut serial = [0u8; 8];
    serial.copy_from_slice(&digest[..8]);
    let serial = u64::from_be_bytes(serial) % 1_000_000_000_000;
    let money = |s: &str| s.parse::<Money>().expect("amount");
    render_xml(&InvoiceData {
        number: format!("24312000{serial:012}"),
        issued_at: datetime!(2023-03-14 09:30),
        seller_name: "北京某某科技有限公司".into(),
        seller_tax_id: "91110108MA01XXXX2B".into(),
        buyer_name: "测试公司".into(),
        buyer_tax_id: "91110000100000000X".into(),
        items: vec![InvoiceItem {
            name: "*运输服务*客运服务费".into(),
            quantity: "1".into(),
            unit_price: money("1207.55"),
            amount: money("1207.55"),
            tax_rate: "6%".into(),
            tax: money("72.45"),
        }],
        total_amount: money("1207.55"),
        total_tax: money("72.45"),
        total_with_tax: money("1280.00"),
        red_letter: false,
        original_number: None,
        remarks: None,
    })
    .into_bytes()
}

/// The main file of voucher `number` as [`TestApp::submit_voucher`] sends it.
pub fn voucher_pdf(number: &str) -> Vec<u8> {
    pdf(&format!("voucher {number}"))
}

/// The main file of the standard test voucher built with [`voucher`] and sent by hand.
pub fn standard_pdf() -> &'static [u8] {
    static PDF: LazyLock<Vec<u8>> = LazyLock::new(|| pdf("standard voucher"));
    &PDF
}

/// The invoice of the standard test voucher; its number is none that
/// [`TestApp::submit_voucher`] gives.
pub fn standard_xml() -> &'static [u8] {
    static XML: LazyLock<Vec<u8>> = LazyLock::new(|| invoice_xml("standard voucher"));
    &XML
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /api/v1/submissions` with a manifest and named parts.
    pub async fn submit(&self, manifest: &Value, parts: &[(&str, &[u8])]) -> reqwest::Response {
        self.submit_raw(manifest.to_string(), parts).await
    }

    pub async fn submit_raw(&self, manifest: String, parts: &[(&str, &[u8])]) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("manifest", manifest);
        for (name, bytes) in parts {
            form = form.part(
                (*name).to_owned(),
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("upload.bin"),
            );
        }
        self.client
            .post(self.url("/api/v1/submissions?wait=10"))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .expect("send")
    }

    /// Submits one voucher with the standard test files; returns its record id.
    pub async fn submit_voucher(&self, number: &str, month: u32) -> String {
        let main = voucher_pdf(number);
        let invoice = invoice_xml(number);
        let manifest =
            json!({"fonds": "Z001", "records": [voucher(number, month, &main, &invoice)]});
        let main_part = format!("{}-main", part_prefix(number));
        let inv_part = format!("{}-inv", part_prefix(number));
        let response = self
            .submit(&manifest, &[(&main_part, &main), (&inv_part, &invoice)])
            .await;
        assert_accepted(response).await["records"][0]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("send")
    }

    /// `GET path` with a token holding `audit.read` alone, as the security auditor's scripts
    /// have (the app's own token is operational: officers' permissions are kept apart).
    pub async fn get_as_auditor(&self, path: &str) -> reqwest::Response {
        let token = self
            .auditor
            .get_or_init(|| async {
                self.archive
                    .issue_token(
                        "auditor",
                        &fonds_core::TokenGrant {
                            permissions: fonds_domain::access::PermissionSet::of(&[
                                fonds_domain::access::Permission::AuditRead,
                            ]),
                            scope: fonds_domain::access::DataScope::everything(),
                            expires_at: None,
                        },
                        &fonds_core::Actor::cli(),
                    )
                    .await
                    .expect("auditor token")
                    .secret
            })
            .await;
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("send")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("send")
    }

    pub async fn archive(&self, id: &str) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/records/{id}/archive")))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("send")
    }

    /// Every record, following cursors.
    pub async fn all_records(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut path = "/api/v1/records?limit=100".to_owned();
        loop {
            let page = self.get_json(&path).await;
            out.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/records?limit=100&cursor={cursor}"),
                None => return out,
            }
        }
    }

    /// Stored blobs and leftover staging files: a refused submission must leave neither.
    pub fn stored_files(&self) -> (usize, usize) {
        fn count(dir: PathBuf) -> usize {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return 0;
            };
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(e.path())
                    } else {
                        1
                    }
                })
                .sum()
        }
        let blobs = self.data.path().join("blobs");
        (count(blobs.join("objects")), count(blobs.join("staging")))
    }
}

/// Asserts a problem document with `status` and `code`, and returns it.
pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let problem: Value = response.json().await.expect("problem json");
    assert_eq!(problem["code"], code, "{problem:#}");
    assert_eq!(problem["status"], status);
    assert_eq!(problem["type"], format!("urn:fonds:problem:{code}"));
    assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    problem
}

/// Asserts that a submission was received and, within its wait, accepted; returns the receipt.
pub async fn assert_accepted(response: reqwest::Response) -> Value {
    let status = response.status();
    let receipt: Value = response.json().await.expect("receipt");
    assert_eq!(status, 202, "{receipt:#}");
    assert_eq!(receipt["state"], "accepted", "{receipt:#}");
    receipt
}
