//! Crash safety: the server is killed with SIGKILL while clients stream submissions. After a
//! restart every submission that was answered 2xx is processed — also those whose pipeline job
//! the kill interrupted — its records are present and their files verify, and no row points at
//! a missing file (`fonds verify` passes over the whole store).

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fonds_domain::Money;
use fonds_formats::einvoice::{InvoiceData, InvoiceItem};
use fonds_formats::pdf::invoice::render_invoice_pdf;
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use serde_json::{Value, json};
use sha2::Digest as _;
use time::macros::datetime;

const FONDS: &str = env!("CARGO_BIN_EXE_fonds");

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn start_server(data: &Path, port: u16) -> Child {
    Command::new(FONDS)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fonds serve")
}

async fn wait_until_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready within 30 s");
}

fn init(data: &Path) -> String {
    let output = Command::new(FONDS)
        .arg("init")
        .arg("--data")
        .arg(data)
        .output()
        .expect("run fonds init");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .split_whitespace()
        .find(|word| word.starts_with("fonds_"))
        .expect("init prints a token")
        .to_owned()
}

/// One acknowledged submission: its id and the digests of the files the client sent.
struct Acked {
    submission: String,
    digests: Vec<String>,
}

/// The voucher's main file: a real PDF (the four-properties check opens every file) carrying
/// some 24 KiB of text, so each upload streams in many chunks, different for every voucher.
fn voucher_pdf(client: usize, n: usize) -> Vec<u8> {
    let line = format!("crash test client {client} voucher {n} ");
    render(&PdfDocument {
        title: format!("崩溃测试凭证 {client}-{n}"),
        subject: None,
        creation_date: datetime!(2023-03-10 10:00),
        lines: vec![PdfLine::Text(line.repeat(24 * 1024 / line.len()))],
    })
}

/// The voucher's invoice: a real 数电票 PDF whose number is the voucher's own, since the archive
/// refuses an invoice booked twice.
fn invoice_pdf(client: usize, n: usize) -> Vec<u8> {
    let money = |s: &str| s.parse::<Money>().expect("amount");
    render_invoice_pdf(&InvoiceData {
        number: format!("2431200000{client}{n:09}"),
        issued_at: datetime!(2023-03-09 15:00),
        seller_name: "北京某某科技有限公司".into(),
        seller_tax_id: "91110108MA01XXXX2B".into(),
        buyer_name: "测试公司".into(),
        buyer_tax_id: "91110000100000000X".into(),
        items: vec![InvoiceItem {
            name: "*办公用品*打印纸".into(),
            quantity: "1".into(),
            unit_price: money("100.00"),
            amount: money("100.00"),
            tax_rate: "6%".into(),
            tax: money("6.00"),
        }],
        total_amount: money("100.00"),
        total_tax: money("6.00"),
        total_with_tax: money("106.00"),
        red_letter: false,
        original_number: None,
        remarks: None,
    })
}

async fn submit(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    c: usize,
    n: usize,
) -> Option<Acked> {
    let main = voucher_pdf(c, n);
    let invoice = invoice_pdf(c, n);
    let (main_bytes, invoice_bytes) = (main.clone(), invoice.clone());
    let digest = |b: &[u8]| hex::encode(sha2::Sha256::digest(b));
    let number = format!("记-{c}{n:05}");
    let manifest = json!({"fonds": "Z001", "records": [{
        "kind": "accounting_voucher", "fiscal_year": 2023, "period": 3,
        "voucher_number": number, "date": "2023-03-10", "title": "崩溃测试凭证",
        "files": [
            {"part": "main", "role": "main", "file_name": "v.pdf", "sha256": digest(&main)},
            {"part": "inv", "role": "invoice", "file_name": "i.pdf", "sha256": digest(&invoice)}
        ]
    }]});
    let form = reqwest::multipart::Form::new()
        .text("manifest", manifest.to_string())
        .part("main", reqwest::multipart::Part::bytes(main))
        .part("inv", reqwest::multipart::Part::bytes(invoice));
    let response = client
        .post(format!("{base}/api/v1/submissions"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let receipt: Value = response.json().await.ok()?;
    Some(Acked {
        submission: receipt["submission_id"].as_str()?.to_owned(),
        digests: vec![digest(&main_bytes), digest(&invoice_bytes)],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_submission_survives_a_sigkill_and_every_row_has_its_file() {
    let data = tempfile::tempdir().expect("tempdir");
    let token = init(data.path());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    fonds_core::install_tls_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut server = start_server(data.path(), port);
    wait_until_ready(&client, &base).await;

    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..3)
        .map(|c| {
            let (client, base, token, acked) = (
                client.clone(),
                base.clone(),
                token.clone(),
                Arc::clone(&acked),
            );
            tokio::spawn(async move {
                for n in 0.. {
                    match submit(&client, &base, &token, c, n).await {
                        Some(receipt) => acked.lock().expect("lock").push(receipt),
                        None => return, // the server is gone
                    }
                }
            })
        })
        .collect();
    // Let submissions flow, then kill the server in the middle of them.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().expect("lock").len() < 40 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().expect("SIGKILL the server");
    server.wait().expect("reap");
    for writer in writers {
        let _ = writer.await;
    }
    let acked = std::mem::take(&mut *acked.lock().expect("lock"));
    assert!(
        acked.len() >= 40,
        "only {} submissions were acknowledged before the kill",
        acked.len()
    );

    let mut server = start_server(data.path(), port);
    wait_until_ready(&client, &base).await;
    for acked in &acked {
        let url = format!("{base}/api/v1/submissions/{}?wait=8", acked.submission);
        let receipt: Value = client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("json");
        assert_eq!(
            receipt["state"], "accepted",
            "acknowledged submission {} was not processed: {receipt}",
            acked.submission
        );
        let record = &receipt["records"][0];
        for (file, expected) in record["files"]
            .as_array()
            .expect("files")
            .iter()
            .zip(&acked.digests)
        {
            let url = format!(
                "{base}/api/v1/records/{}/files/{}",
                record["id"].as_str().expect("id"),
                file["id"].as_str().expect("file id")
            );
            let response = client
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("download");
            assert_eq!(
                response.status(),
                200,
                "acknowledged submission {} lost a file",
                acked.submission
            );
            let body = response.bytes().await.expect("body");
            assert_eq!(&hex::encode(sha2::Sha256::digest(&body)), expected);
        }
    }
    server.kill().expect("stop");
    server.wait().expect("reap");

    let verify = Command::new(FONDS)
        .arg("verify")
        .arg("--data")
        .arg(data.path())
        .output()
        .expect("run verify");
    assert!(
        verify.status.success(),
        "a row points at a missing or changed file after the crash:\n{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
