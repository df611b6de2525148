//! The four-properties check at submission and on archived records: real files of every kind
//! Fonds reads, a real clamd, tampered OFD seals, duplicate invoices across fonds, and the
//! yearly preservation check finding a file changed on disk.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

#[path = "support/clamd.rs"]
mod clamd;

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use fonds_core::checks::CheckSettings;
use fonds_core::scan::{ClamdAddress, ClamdScanner};
use fonds_core::{Archive, Origin, Receipt, ReusePolicy, Settings, StagedPart, SubmissionState};
use fonds_domain::{ArchivalCodePattern, CheckItem, Fonds, Occasion, Outcome, RetentionScheme};
use fonds_formats::einvoice::{InvoiceData, InvoiceItem, render_xml};
use fonds_formats::ofd::{OfdInvoiceLine, OfdInvoiceSpec, Tamper, render_invoice};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use serde_json::{Value, json};
use sha2::Digest as _;
use time::macros::{date, datetime};

async fn archive(data: &Path, checks: CheckSettings) -> Archive {
    let archive = Archive::open_embedded(
        data,
        Settings {
            checks,
            ..Settings::default()
        },
    )
    .await
    .expect("open");
    for code in ["Z001", "Z002"] {
        archive
            .ensure_fonds(
                &Fonds {
                    code: code.parse().expect("fonds"),
                    name: format!("测试 {code}"),
                    retention_scheme: RetentionScheme::Enterprise,
                    code_pattern: ArchivalCodePattern::dat94(),
                },
                &fonds_core::Actor::cli(),
            )
            .await
            .expect("fonds");
    }
    archive
}

fn money(s: &str) -> fonds_domain::Money {
    s.parse().expect("money")
}

fn voucher_pdf(text: &str) -> Vec<u8> {
    render(&PdfDocument {
        title: "记账凭证".into(),
        subject: None,
        creation_date: datetime!(2023-12-05 10:00),
        lines: vec![
            PdfLine::Heading("记账凭证".into()),
            PdfLine::Text(text.into()),
        ],
    })
}

fn invoice_xml(number: &str) -> Vec<u8> {
    render_xml(&InvoiceData {
        number: number.into(),
        issued_at: datetime!(2023-12-01 09:30),
        seller_name: "上海某某科技有限公司".into(),
        seller_tax_id: "91310000MA1FL0000X".into(),
        buyer_name: "测试公司".into(),
        buyer_tax_id: "91110000100000000A".into(),
        items: vec![InvoiceItem {
            name: "*信息技术服务*软件维护".into(),
            quantity: "1".into(),
            unit_price: money("1000.00"),
            amount: money("1000.00"),
            tax_rate: "6%".into(),
            tax: money("60.00"),
        }],
        total_amount: money("1000.00"),
        total_tax: money("60.00"),
        total_with_tax: money("1060.00"),
        red_letter: false,
        original_number: None,
        remarks: None,
    })
    .into_bytes()
}

fn invoice_ofd(number: &str, tamper: Option<Tamper>) -> Vec<u8> {
    render_invoice(&OfdInvoiceSpec {
        code: Some("031001900111".into()),
        number: number.into(),
        issued_on: date!(2023 - 12 - 01),
        seller_name: "北京某某酒店有限公司".into(),
        seller_tax_id: "91110000MA00000001".into(),
        buyer_name: "测试公司".into(),
        buyer_tax_id: "91110000100000000A".into(),
        lines: vec![OfdInvoiceLine {
            item: "*住宿服务*住宿费".into(),
            specification: None,
            unit: Some("天".into()),
            quantity: "2".into(),
            unit_price: "250.00".into(),
            amount: money("500.00"),
            tax_rate: "6%".into(),
            tax: money("30.00"),
        }],
        total_amount: money("500.00"),
        total_tax: money("30.00"),
        total_with_tax: money("530.00"),
        note: None,
        doc_id: format!("doc-{number}"),
        signed_at: datetime!(2023-12-01 10:00),
        tamper,
    })
}

/// One 记账凭证 item in `fonds`, with its files as (role, name, bytes).
async fn submit(
    archive: &Archive,
    fonds: &str,
    number: &str,
    amount: &str,
    files: Vec<(&str, &str, Vec<u8>)>,
) -> Receipt {
    let mut declared = Vec::new();
    let mut parts = Vec::new();
    for (i, (role, name, content)) in files.into_iter().enumerate() {
        let part = format!("f{i}");
        declared.push(json!({"part": part, "role": role, "file_name": name,
                             "sha256": hex::encode(sha2::Sha256::digest(&content))}));
        let blob = archive
            .stager()
            .stage_bytes(Bytes::from(content))
            .await
            .expect("stage");
        parts.push(StagedPart { name: part, blob });
    }
    let manifest = json!({"fonds": fonds, "records": [{
        "key": format!("voucher-{number}"),
        "kind": "accounting_voucher", "fiscal_year": 2023, "period": 12, "voucher_number": number,
        "date": "2023-12-05", "title": "报销差旅费", "amount": amount, "attachment_count": declared.len() - 1,
        "entries": [
            {"summary": "报销差旅费", "account_code": "6602", "account_name": "管理费用", "debit": amount, "credit": "0"},
            {"summary": "报销差旅费", "account_code": "1002", "account_name": "银行存款", "debit": "0", "credit": amount}
        ],
        "files": declared,
    }]});
    let receipt = archive
        .submit(
            manifest.to_string().as_bytes(),
            parts,
            &Origin::local("test"),
        )
        .await
        .expect("received");
    while archive.run_next_job().await.expect("job") {}
    archive
        .receipt(
            receipt.submission_id,
            None,
            &fonds_core::access::Scope::everything(),
            Duration::ZERO,
        )
        .await
        .expect("receipt")
}

fn reasons(receipt: &Receipt) -> Value {
    serde_json::to_value(&receipt.reasons).expect("json")
}

#[tokio::test]
async fn a_voucher_with_real_invoices_is_accepted_and_every_item_is_recorded() {
    let data = tempfile::tempdir().expect("data");
    let archive = archive(data.path(), CheckSettings::default()).await;
    let receipt = submit(
        &archive,
        "Z001",
        "记-0001",
        "1590.00",
        vec![
            (
                "main",
                "voucher.pdf",
                voucher_pdf("记-0001 报销差旅费 1590.00"),
            ),
            (
                "invoice",
                "invoice.xml",
                invoice_xml("24312000000012345678"),
            ),
            ("invoice", "hotel.ofd", invoice_ofd("12345678", None)),
        ],
    )
    .await;
    assert_eq!(
        receipt.state,
        SubmissionState::Accepted,
        "{}",
        reasons(&receipt)
    );
    let record = receipt.records[0].id;
    let runs = archive
        .record_check_runs(record, &fonds_core::access::Scope::everything())
        .await
        .expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].occasion, Occasion::Submission);
    assert!(runs[0].passed);
    let view = archive.check_run(runs[0].id).await.expect("run");
    let outcome = |item: CheckItem| {
        view.results
            .iter()
            .filter(|r| r.item == item)
            .map(|r| r.outcome.clone())
            .collect::<Vec<_>>()
    };
    // Every file opened and matched its declared digest; the invoices add up to the voucher.
    assert_eq!(outcome(CheckItem::FileParses), vec![Outcome::Passed; 3]);
    assert_eq!(outcome(CheckItem::FixityDigest), vec![Outcome::Passed; 3]);
    assert_eq!(
        outcome(CheckItem::InvoiceAmountMatches),
        vec![Outcome::Passed]
    );
    assert_eq!(
        outcome(CheckItem::DebitsEqualCredits),
        vec![Outcome::Passed]
    );
    // With no scanner configured the virus item says so; it is never a pass.
    assert!(outcome(CheckItem::VirusFree).iter().all(|o| matches!(o,
        Outcome::NotRun(why) if why.contains("no scanner configured"))));
    // The OFD seal's check values were recomputed; its SM2 signature is honestly not verified.
    let seal = outcome(CheckItem::EmbeddedSignature);
    assert!(seal.contains(&Outcome::Passed), "{seal:?}");
    assert!(
        seal.iter().any(|o| matches!(o, Outcome::NotRun(_))),
        "{seal:?}"
    );
    // Both invoices are in the register under this record.
    let invoices = archive
        .record_invoices(record, &fonds_core::access::Scope::everything())
        .await
        .expect("invoices");
    let keys: Vec<String> = invoices.iter().map(|i| i.key.to_string()).collect();
    assert_eq!(
        keys,
        ["sdp:24312000000012345678", "vat:031001900111:12345678"]
    );
    // The report renders in Chinese with the item codes of the archiving stage.
    let html = fonds_core::checks::render_html(&view);
    assert!(html.contains("四性检测报告") && html.contains("GD-4-01"));
    assert!(fonds_core::checks::render_pdf(&view).starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_seal_whose_check_value_no_longer_matches_rejects_the_submission_and_the_run_is_kept() {
    let data = tempfile::tempdir().expect("data");
    let archive = archive(data.path(), CheckSettings::default()).await;
    let receipt = submit(
        &archive,
        "Z001",
        "记-0002",
        "530.00",
        vec![
            ("main", "voucher.pdf", voucher_pdf("记-0002")),
            (
                "invoice",
                "hotel.ofd",
                invoice_ofd("22345678", Some(Tamper::ContentChangedAfterSigning)),
            ),
        ],
    )
    .await;
    assert_eq!(receipt.state, SubmissionState::Rejected);
    let reasons = reasons(&receipt);
    assert_eq!(reasons[0]["code"], "check_failed", "{reasons}");
    assert_eq!(reasons[0]["pointer"], "/records/0/files/1", "{reasons}");
    assert!(
        reasons[0]["detail"]
            .as_str()
            .expect("detail")
            .starts_with("GD-1-02"),
        "{reasons}"
    );
    let runs = archive
        .submission_check_runs(receipt.submission_id)
        .await
        .expect("runs");
    assert_eq!(runs.len(), 1);
    assert!(!runs[0].passed);
}

#[tokio::test]
async fn an_invoice_booked_in_one_fonds_is_refused_in_another_and_the_answer_names_the_first_booking()
 {
    let data = tempfile::tempdir().expect("data");
    let archive = archive(data.path(), CheckSettings::default()).await;
    let first = submit(
        &archive,
        "Z001",
        "记-0003",
        "1060.00",
        vec![
            ("main", "voucher.pdf", voucher_pdf("记-0003")),
            (
                "invoice",
                "invoice.xml",
                invoice_xml("24312000000099990001"),
            ),
        ],
    )
    .await;
    assert_eq!(
        first.state,
        SubmissionState::Accepted,
        "{}",
        reasons(&first)
    );
    // The same invoice, as a PDF rendition this time, booked by a sister company.
    let second = submit(
        &archive,
        "Z002",
        "记-0001",
        "1060.00",
        vec![
            ("main", "voucher.pdf", voucher_pdf("Z002 记-0001")),
            ("invoice", "invoice-copy.xml", {
                let mut xml = invoice_xml("24312000000099990001");
                xml.extend_from_slice(b"\n");
                xml
            }),
        ],
    )
    .await;
    assert_eq!(second.state, SubmissionState::Rejected);
    let reasons = reasons(&second);
    assert_eq!(reasons[0]["code"], "invoice_already_booked", "{reasons}");
    let detail = reasons[0]["detail"].as_str().expect("detail");
    assert!(
        detail.contains(&first.records[0].id.to_string()),
        "{detail}"
    );
    assert!(
        detail.contains("Z001") && detail.contains("记-0003"),
        "{detail}"
    );
}

#[tokio::test]
async fn under_the_flag_policy_a_second_booking_is_accepted_with_a_warning() {
    let data = tempfile::tempdir().expect("data");
    let settings = CheckSettings {
        duplicate_invoices: ReusePolicy::Flag,
        ..CheckSettings::default()
    };
    let archive = archive(data.path(), settings).await;
    for (number, text) in [("记-0004", "first"), ("记-0005", "second")] {
        let receipt = submit(
            &archive,
            "Z001",
            number,
            "1060.00",
            vec![
                ("main", "voucher.pdf", voucher_pdf(text)),
                ("invoice", &format!("{text}.xml"), {
                    let mut xml = invoice_xml("24312000000099990002");
                    xml.extend(std::iter::repeat_n(b'\n', text.len()));
                    xml
                }),
            ],
        )
        .await;
        assert_eq!(
            receipt.state,
            SubmissionState::Accepted,
            "{}",
            reasons(&receipt)
        );
        if number == "记-0005" {
            let runs = archive
                .record_check_runs(
                    receipt.records[0].id,
                    &fonds_core::access::Scope::everything(),
                )
                .await
                .expect("runs");
            let view = archive.check_run(runs[0].id).await.expect("run");
            let booked = view
                .results
                .iter()
                .find(|r| r.item == CheckItem::InvoiceBookedOnce)
                .expect("item");
            assert_eq!(booked.outcome, Outcome::Failed);
            assert_eq!(booked.severity, fonds_domain::Severity::Warning);
            let listed = archive
                .record_invoices(
                    receipt.records[0].id,
                    &fonds_core::access::Scope::everything(),
                )
                .await
                .expect("invoices");
            assert_eq!(
                listed.len(),
                1,
                "the reuse is listed against the second record"
            );
        }
    }
}

#[tokio::test]
async fn an_eicar_attachment_is_caught_by_a_real_clamd_and_the_submission_rejected() {
    let clamd = clamd::LocalClamd::start();
    let data = tempfile::tempdir().expect("data");
    let address: ClamdAddress = clamd.address.parse().expect("address");
    let settings = CheckSettings {
        scanner: Some(ClamdScanner::new(address, Duration::from_secs(30))),
        ..CheckSettings::default()
    };
    let archive = archive(data.path(), settings).await;
    let clean = submit(
        &archive,
        "Z001",
        "记-0006",
        "1060.00",
        vec![("main", "voucher.pdf", voucher_pdf("clean"))],
    )
    .await;
    assert_eq!(
        clean.state,
        SubmissionState::Accepted,
        "{}",
        reasons(&clean)
    );
    let infected = submit(
        &archive,
        "Z001",
        "记-0007",
        "1060.00",
        vec![
            ("main", "voucher.pdf", voucher_pdf("infected")),
            ("attachment", "readme.txt", clamd::eicar()),
        ],
    )
    .await;
    assert_eq!(infected.state, SubmissionState::Rejected);
    let reasons = reasons(&infected);
    assert_eq!(reasons[0]["code"], "virus_found", "{reasons}");
    assert_eq!(reasons[0]["pointer"], "/records/0/files/1", "{reasons}");
}

#[tokio::test]
async fn with_the_scanner_unreachable_a_submission_waits_and_is_never_accepted_unscanned() {
    let data = tempfile::tempdir().expect("data");
    let nobody = data.path().join("nobody.sock");
    let address: ClamdAddress = format!("unix:{}", nobody.display())
        .parse()
        .expect("address");
    let settings = CheckSettings {
        scanner: Some(ClamdScanner::new(address, Duration::from_secs(5))),
        ..CheckSettings::default()
    };
    let archive = archive(data.path(), settings).await;
    let receipt = submit(
        &archive,
        "Z001",
        "记-0008",
        "1060.00",
        vec![("main", "voucher.pdf", voucher_pdf("waiting"))],
    )
    .await;
    assert!(
        matches!(
            receipt.state,
            SubmissionState::Received | SubmissionState::Processing
        ),
        "{:?}",
        receipt.state
    );
    assert!(receipt.records.is_empty());
    // The job went back to the queue for later instead of being decided.
    assert!(!archive.run_next_job().await.expect("job"));
}

#[tokio::test]
async fn the_preservation_check_finds_a_file_changed_on_disk() {
    let data = tempfile::tempdir().expect("data");
    let interval = Duration::from_secs(2);
    let settings = CheckSettings {
        preservation_interval: interval,
        ..CheckSettings::default()
    };
    let archive = archive(data.path(), settings).await;
    let content = voucher_pdf("记-0009 will rot");
    let receipt = submit(
        &archive,
        "Z001",
        "记-0009",
        "1060.00",
        vec![("main", "voucher.pdf", content.clone())],
    )
    .await;
    assert_eq!(
        receipt.state,
        SubmissionState::Accepted,
        "{}",
        reasons(&receipt)
    );
    let id = receipt.records[0].id;
    archive
        .archive(
            id,
            &fonds_core::access::Scope::everything(),
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("archived");
    // Just archived (and checked at archiving): its first preservation check is one interval away.
    assert!(
        archive
            .run_due_preservation_checks(100)
            .await
            .expect("run")
            .is_none()
    );
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    let first = archive
        .run_due_preservation_checks(100)
        .await
        .expect("run")
        .expect("due");
    assert!(first.run.passed);
    assert_eq!(first.run.stage, fonds_domain::Stage::Preservation);
    // Checked now: nothing is due until the interval has passed.
    assert!(
        archive
            .run_due_preservation_checks(100)
            .await
            .expect("run")
            .is_none()
    );

    // Flip a byte of the stored object, as a failing disk would.
    let sha = hex::encode(sha2::Sha256::digest(&content));
    let object = data
        .path()
        .join("blobs")
        .join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(&sha);
    let mut bytes = std::fs::read(&object).expect("object");
    bytes[20] ^= 0x01;
    let mut permissions = std::fs::metadata(&object).expect("meta").permissions();
    #[allow(
        clippy::permissions_set_readonly_false,
        reason = "the test plays a failing disk"
    )]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).expect("writable");
    std::fs::write(&object, bytes).expect("rot");

    let view = archive
        .check_records(
            &[id],
            Occasion::OnDemand,
            &fonds_core::access::Scope::everything(),
        )
        .await
        .expect("run");
    assert!(!view.run.passed);
    let fixity = view
        .results
        .iter()
        .find(|r| r.item == CheckItem::FixityDigest)
        .expect("fixity");
    assert_eq!(fixity.outcome, Outcome::Failed);
    assert!(fixity.evidence.contains("不一致"), "{}", fixity.evidence);
    // Every run stays: at submission, at archiving, the yearly pass and this failure.
    assert_eq!(
        archive
            .record_check_runs(id, &fonds_core::access::Scope::everything())
            .await
            .expect("runs")
            .len(),
        4
    );
}

#[tokio::test]
async fn the_fixity_audit_covers_the_archive_in_slices_and_alerts_on_a_mismatch() {
    let data = tempfile::tempdir().expect("data");
    let settings = CheckSettings {
        fixity_cycle_days: 2,
        ..CheckSettings::default()
    };
    let archive = archive(data.path(), settings).await;
    assert!(
        archive
            .run_fixity_slice()
            .await
            .expect("empty")
            .run
            .is_none(),
        "nothing archived, nothing to audit"
    );
    let mut ids = Vec::new();
    let mut contents = Vec::new();
    for n in 1..=3 {
        let number = format!("记-002{n}");
        let content = voucher_pdf(&format!("{number} fixity"));
        let receipt = submit(
            &archive,
            "Z001",
            &number,
            "1060.00",
            vec![("main", "voucher.pdf", content.clone())],
        )
        .await;
        assert_eq!(
            receipt.state,
            SubmissionState::Accepted,
            "{}",
            reasons(&receipt)
        );
        archive
            .archive(
                receipt.records[0].id,
                &fonds_core::access::Scope::everything(),
                &fonds_core::Actor::cli(),
            )
            .await
            .expect("archived");
        ids.push(receipt.records[0].id);
        contents.push(content);
    }
    let client = archive
        .add_client(
            fonds_core::clients::ClientSpec {
                name: "ops-monitor".into(),
                fonds: vec!["Z001".parse().expect("fonds")],
                kinds: Vec::new(),
                allowed_ips: Vec::new(),
                algorithm: fonds_domain::SigningAlgorithm::default(),
                certificate_sha256: None,
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("client");
    archive
        .add_webhook(
            &client.id,
            "http://127.0.0.1:9/alerts",
            &["fixity.mismatch".to_owned()],
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("endpoint");

    // Three archived records over a two-day cycle: two a day, longest unchecked first, so two
    // slices cover all three.
    let first = archive.run_fixity_slice().await.expect("slice");
    let second = archive.run_fixity_slice().await.expect("slice");
    let covered: std::collections::BTreeSet<_> = [&first, &second]
        .iter()
        .flat_map(|s| s.run.as_ref().expect("run").results.iter())
        .filter_map(|r| r.record_id)
        .collect();
    assert_eq!(covered.len(), 3, "two slices cover every archived record");
    for slice in [&first, &second] {
        let run = &slice.run.as_ref().expect("run").run;
        assert_eq!(run.record_count, 2);
        assert_eq!(run.stage, fonds_domain::Stage::Preservation);
        assert!(run.passed);
        assert!(slice.mismatches.is_empty());
    }
    assert!(
        archive
            .webhook_deliveries(None, 10)
            .await
            .expect("deliveries")
            .is_empty()
    );

    // Rot every record's file: the next slice finds the two it checks and raises an alert each.
    for content in &contents {
        let sha = hex::encode(sha2::Sha256::digest(content));
        let object = data
            .path()
            .join("blobs/objects")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(&sha);
        let mut permissions = std::fs::metadata(&object).expect("meta").permissions();
        #[allow(
            clippy::permissions_set_readonly_false,
            reason = "the test plays a failing disk"
        )]
        permissions.set_readonly(false);
        std::fs::set_permissions(&object, permissions).expect("writable");
        let mut bytes = std::fs::read(&object).expect("object");
        bytes[30] ^= 0x01;
        std::fs::write(&object, bytes).expect("rot");
    }
    let third = archive.run_fixity_slice().await.expect("slice");
    assert!(!third.run.as_ref().expect("run").run.passed);
    assert_eq!(third.mismatches.len(), 2, "{:?}", third.mismatches);
    for mismatch in &third.mismatches {
        assert!(ids.contains(&mismatch.record_id.expect("record")));
        assert_eq!(mismatch.file_name.as_deref(), Some("voucher.pdf"));
    }
    let alerts = archive
        .webhook_deliveries(Some("pending"), 10)
        .await
        .expect("deliveries");
    assert_eq!(alerts.len(), 2);
    assert!(alerts.iter().all(|d| d.event == "fixity.mismatch"));
}
