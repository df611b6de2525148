//! `fonds bench checks`: the four-properties check end to end over a mixed corpus of stored
//! records (PDF vouchers with 数电票 XML, OFD invoices or bank receipts), beside SHA-256 over the
//! same bytes measured in the same run; then, when a clamd is given, the same with the virus
//! scan.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fonds_core::checks::CheckSettings;
use fonds_core::scan::{ClamdAddress, ClamdScanner};
use fonds_core::{Archive, Origin, Settings, StagedPart};
use fonds_domain::{Money, Occasion, RecordId};
use fonds_formats::bank::{BankParty, BankReceipt, Currency, TransactedAt, render_receipt_xml};
use fonds_formats::einvoice::{InvoiceData, InvoiceItem, render_xml};
use fonds_formats::ofd::{OfdInvoiceLine, OfdInvoiceSpec, render_invoice};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use sha2::Digest as _;
use time::macros::{date, datetime};

/// Records per submission and per check run.
const BATCH: usize = 250;

fn yuan(fen: i64) -> Money {
    Money::from_fen(fen)
}

/// The shape of the corpus.
#[derive(Debug, Clone, Copy)]
pub struct Corpus {
    /// How many records.
    pub records: usize,
    /// Every how many records one carries a scanned attachment (0: none).
    pub scan_every: usize,
    /// The size of a scanned attachment in bytes.
    pub scan_size: usize,
}

/// A synthetic scanned image: a JPEG/JFIF header, noise, and the end-of-image marker. Only its
/// head is identified and its bytes hashed and scanned; no JPEG decoder runs.
fn scan(i: usize, size: usize) -> Vec<u8> {
    let mut out = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x48, 0x00, 0x48, 0x00, 0x00,
    ];
    let mut state = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() + 8 < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// The files of record `i`: a PDF 记账凭证 and, in turn, a 数电票 XML, an OFD invoice or a bank
/// receipt; and, every `scan_every` records, a scanned attachment.
fn files(i: usize, corpus: Corpus) -> Vec<(&'static str, String, Vec<u8>)> {
    let amount = 10_000 + i64::try_from(i % 5000).unwrap_or(0) * 100;
    let voucher = render(&PdfDocument {
        title: format!("记账凭证 记-{i:05}"),
        subject: None,
        creation_date: datetime!(2023-12-05 10:00),
        lines: vec![
            PdfLine::Heading("记账凭证".into()),
            PdfLine::KeyValue("凭证号".into(), format!("记-{i:05}")),
            PdfLine::KeyValue("摘要".into(), "报销差旅费".into()),
            PdfLine::KeyValue("金额".into(), yuan(amount).to_string()),
        ],
    });
    let second = match i % 3 {
        0 => (
            "invoice",
            "invoice.xml".to_owned(),
            render_xml(&InvoiceData {
                number: format!("2431200000{i:010}"),
                issued_at: datetime!(2023-12-01 09:30),
                seller_name: "上海某某科技有限公司".into(),
                seller_tax_id: "91310000MA1FL0000X".into(),
                buyer_name: "基准测试公司".into(),
                buyer_tax_id: "91110000100000000A".into(),
                items: vec![InvoiceItem {
                    name: "*信息技术服务*软件维护".into(),
                    quantity: "1".into(),
                    unit_price: yuan(amount),
                    amount: yuan(amount),
                    tax_rate: "0%".into(),
                    tax: Money::ZERO,
                }],
                total_amount: yuan(amount),
                total_tax: Money::ZERO,
                total_with_tax: yuan(amount),
                red_letter: false,
                original_number: None,
                remarks: None,
            })
            .into_bytes(),
        ),
        1 => (
            "invoice",
            "invoice.ofd".to_owned(),
            render_invoice(&OfdInvoiceSpec {
                code: Some("031001900111".into()),
                number: format!("{:08}", i),
                issued_on: date!(2023 - 12 - 01),
                seller_name: "北京某某酒店有限公司".into(),
                seller_tax_id: "91110000MA00000001".into(),
                buyer_name: "基准测试公司".into(),
                buyer_tax_id: "91110000100000000A".into(),
                lines: vec![OfdInvoiceLine {
                    item: "*住宿服务*住宿费".into(),
                    specification: None,
                    unit: Some("天".into()),
                    quantity: "1".into(),
                    unit_price: yuan(amount).to_string(),
                    amount: yuan(amount),
                    tax_rate: "0%".into(),
                    tax: Money::ZERO,
                }],
                total_amount: yuan(amount),
                total_tax: Money::ZERO,
                total_with_tax: yuan(amount),
                note: None,
                doc_id: format!("bench-{i}"),
                signed_at: datetime!(2023-12-01 10:00),
                tamper: None,
            }),
        ),
        _ => (
            "bank_receipt",
            "receipt.xml".to_owned(),
            render_receipt_xml(&BankReceipt {
                receipt_number: format!("HD{i:010}"),
                serial: format!("LS{i:012}"),
                transacted_at: TransactedAt {
                    date: date!(2023 - 12 - 05),
                    time: None,
                },
                payer: BankParty {
                    name: "基准测试公司".into(),
                    account: "110000000000000001".into(),
                    bank: "中国工商银行北京分行".into(),
                },
                payee: BankParty {
                    name: "张三".into(),
                    account: "622200000000000002".into(),
                    bank: "中国建设银行北京分行".into(),
                },
                amount: yuan(amount),
                currency: Currency::CNY,
                purpose: "报销差旅费".into(),
                summary: None,
                remarks: None,
            })
            .into_bytes(),
        ),
    };
    let mut files = vec![("main", "voucher.pdf".to_owned(), voucher), second];
    if corpus.scan_every > 0 && i.is_multiple_of(corpus.scan_every) {
        files.push((
            "attachment",
            "scan.jpg".to_owned(),
            scan(i, corpus.scan_size),
        ));
    }
    files
}

pub(super) async fn ingest(
    archive: &Archive,
    corpus: Corpus,
) -> anyhow::Result<(Vec<RecordId>, Vec<Vec<u8>>)> {
    let records = corpus.records;
    let mut ids = Vec::with_capacity(records);
    let mut contents = Vec::with_capacity(records * 2);
    for start in (0..records).step_by(BATCH) {
        let mut manifest_records = Vec::new();
        let mut parts = Vec::new();
        for i in start..(start + BATCH).min(records) {
            let amount = yuan(10_000 + i64::try_from(i % 5000).unwrap_or(0) * 100);
            let mut declared = Vec::new();
            for (j, (role, name, bytes)) in files(i, corpus).into_iter().enumerate() {
                let part = format!("r{i}f{j}");
                declared.push(
                    serde_json::json!({"part": part, "role": role, "file_name": name,
                    "sha256": hex::encode(sha2::Sha256::digest(&bytes))}),
                );
                let blob = archive
                    .stager()
                    .stage_bytes(Bytes::from(bytes.clone()))
                    .await?;
                parts.push(StagedPart { name: part, blob });
                contents.push(bytes);
            }
            manifest_records.push(serde_json::json!({
                "key": format!("r{i}"), "kind": "accounting_voucher", "fiscal_year": 2023,
                "period": 12, "voucher_number": format!("记-{i:05}"), "date": "2023-12-05",
                "title": "报销差旅费", "amount": amount.to_string(), "files": declared,
            }));
        }
        let manifest = serde_json::json!({"fonds": "Z001", "records": manifest_records});
        let receipt = archive
            .submit(
                manifest.to_string().as_bytes(),
                parts,
                &Origin::local("bench"),
            )
            .await?;
        while archive.run_next_job().await? {}
        let receipt = archive
            .receipt(
                receipt.submission_id,
                None,
                &fonds_core::access::Scope::everything(),
                Duration::ZERO,
            )
            .await?;
        if receipt.records.is_empty() {
            anyhow::bail!(
                "the benchmark corpus was refused: {}",
                serde_json::to_string(&receipt.reasons)?
            );
        }
        ids.extend(receipt.records.iter().map(|r| r.id));
    }
    Ok((ids, contents))
}

async fn timed_checks(archive: &Archive, ids: &[RecordId]) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let mut failed = 0;
    for chunk in ids.chunks(BATCH) {
        let view = archive
            .check_records(
                chunk,
                Occasion::OnDemand,
                &fonds_core::access::Scope::everything(),
            )
            .await?;
        failed += view.results.iter().filter(|r| r.blocks()).count();
    }
    Ok((started.elapsed(), failed))
}

/// `fonds bench checks`.
pub async fn run(corpus: Corpus, clamd: Option<String>) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    println!(
        "fonds bench checks: {} records × (PDF voucher + 数电票 XML / OFD invoice / bank receipt){}, data in {}",
        corpus.records,
        if corpus.scan_every > 0 {
            format!(
                ", every {}th with a {} KiB scanned attachment",
                corpus.scan_every,
                corpus.scan_size / 1024
            )
        } else {
            String::new()
        },
        dir.path().display()
    );
    let archive = super::bench_archive(dir.path(), Settings::default()).await?;
    let started = Instant::now();
    let (ids, corpus) = ingest(&archive, corpus).await?;
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    println!(
        "corpus      {} records, {} files, {:.1} MB, ingested (with the submission check) in {:.1} s",
        ids.len(),
        corpus.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let hash_started = Instant::now();
    for file in &corpus {
        std::hint::black_box(sha2::Sha256::digest(file));
    }
    let hash = hash_started.elapsed();
    let sha_mbps = bytes as f64 / hash.as_secs_f64() / 1e6;
    println!("machine     SHA-256 over the same files: {sha_mbps:.0} MB/s (one core, in memory)");

    let (took, failed) = timed_checks(&archive, &ids).await?;
    let mbps = bytes as f64 / took.as_secs_f64() / 1e6;
    println!(
        "checks      {:.0} records/s, {mbps:.1} MB/s ({} failures of error severity)",
        ids.len() as f64 / took.as_secs_f64(),
        failed
    );
    println!(
        "ratio: {:.3}   (checks MB/s ÷ SHA-256 MB/s; target ≥ 0.5)",
        mbps / sha_mbps
    );

    if let Some(address) = clamd {
        let address: ClamdAddress = address.parse()?;
        drop(archive);
        let scanning = Archive::open_embedded(
            dir.path(),
            Settings {
                checks: CheckSettings {
                    scanner: Some(ClamdScanner::new(address, Duration::from_secs(60))),
                    ..CheckSettings::default()
                },
                ..Settings::default()
            },
        )
        .await?;
        let (took, failed) = timed_checks(&scanning, &ids).await?;
        let mbps = bytes as f64 / took.as_secs_f64() / 1e6;
        println!(
            "with clamd  {:.0} records/s, {mbps:.1} MB/s ({} failures of error severity)",
            ids.len() as f64 / took.as_secs_f64(),
            failed
        );
        println!("ratio (with virus scan): {:.3}", mbps / sha_mbps);
    }
    Ok(ExitCode::SUCCESS)
}
