//! Importing a DA/T 94 §16 folder: good rows become records, bad rows are reported with their
//! line and reason, and running the import again resumes without importing anything twice.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{archive_with_fonds, pdf};
use std::path::Path;

use fonds_core::RecordFilter;
use fonds_domain::RecordKind;
use fonds_formats::register::{RegisterRow, write_register};
use time::macros::date;

fn row(line: u64, seq: u32, number: &str, files: &[&str]) -> RegisterRow {
    RegisterRow {
        line,
        seq,
        archival_code: None,
        number: number.parse().expect("number"),
        title: format!("报销差旅费 {number}"),
        date: date!(2023 - 03 - 15),
        retention: None,
        file_names: files.iter().map(|f| (*f).to_owned()).collect(),
        file_count: u32::try_from(files.len()).expect("count"),
        remarks: None,
        kind: RecordKind::AccountingVoucher,
        amount: Some("88.00".parse().expect("amount")),
        preparer: Some("张三".into()),
        reviewer: None,
        attachment_count: Some(1),
    }
}

fn invoice_pdf(number: &str) -> Vec<u8> {
    let money = |s: &str| s.parse::<fonds_domain::Money>().expect("money");
    fonds_formats::pdf::invoice::render_invoice_pdf(&fonds_formats::einvoice::InvoiceData {
        number: number.to_owned(),
        issued_at: time::macros::datetime!(2023-05-02 10:00),
        seller_name: "上海某某餐饮有限公司".into(),
        seller_tax_id: "91310000MA1FL0000X".into(),
        buyer_name: "测试".into(),
        buyer_tax_id: "91110000100000000A".into(),
        items: vec![fonds_formats::einvoice::InvoiceItem {
            name: "*餐饮服务*餐费".into(),
            quantity: "1".into(),
            unit_price: money("83.02"),
            amount: money("83.02"),
            tax_rate: "6%".into(),
            tax: money("4.98"),
        }],
        total_amount: money("83.02"),
        total_tax: money("4.98"),
        total_with_tax: money("88.00"),
        red_letter: false,
        original_number: None,
        remarks: None,
    })
}

fn write_folder(dir: &Path, rows: &[RegisterRow]) {
    for r in rows {
        let folder = dir.join(r.number.as_str());
        std::fs::create_dir_all(&folder).expect("folder");
        for name in &r.file_names {
            // An invoice must read as one: the four-properties check opens it with the PDF
            // invoice reader.
            let content = if name.starts_with("发票") {
                invoice_pdf(&format!("2431200000{:0>10}", r.seq))
            } else {
                pdf(&format!("{} {name}", r.number))
            };
            std::fs::write(folder.join(name), content).expect("file");
        }
    }
    let file = std::fs::File::create(dir.join("register.csv")).expect("register");
    write_register(file, rows).expect("write register");
}

#[tokio::test]
async fn an_import_reports_bad_rows_and_a_second_run_resumes_without_duplicates() {
    let data = tempfile::tempdir().expect("data");
    let folder = tempfile::tempdir().expect("folder");
    let mut rows = vec![
        row(2, 1, "记-0001", &["记-0001.pdf", "发票-1.pdf"]),
        row(3, 2, "记-0002", &["记-0002.pdf"]),
        row(4, 3, "记-0003", &["记-0003.pdf", "回单.pdf"]),
    ];
    let mut late = row(5, 4, "记-0004", &["记-0004.pdf"]);
    late.retention = Some("D10".parse().expect("retention")); // shorter than the 30-year minimum
    rows.push(late);
    write_folder(folder.path(), &rows);
    // A file the register lists but the folder lacks.
    std::fs::remove_file(folder.path().join("记-0003").join("回单.pdf")).expect("remove");

    let archive = archive_with_fonds(data.path()).await;
    let fonds = "Z001".parse().expect("fonds");
    let first = archive
        .import_dir(folder.path(), &fonds, &mut ())
        .await
        .expect("import");
    assert_eq!((first.rows, first.imported, first.resumed), (4, 2, 0));
    let refused: Vec<u64> = first.refused.iter().map(|(line, _)| *line).collect();
    assert_eq!(refused, [4, 5]);
    assert!(
        first.refused[0].1.contains("回单.pdf"),
        "{}",
        first.refused[0].1
    );
    assert!(
        first.refused[1].1.contains("shorter"),
        "{}",
        first.refused[1].1
    );

    // The sender fixes the folder; the same command imports only what is missing.
    std::fs::write(
        folder.path().join("记-0003").join("回单.pdf"),
        pdf("记-0003 回单.pdf"),
    )
    .expect("restore");
    let second = archive
        .import_dir(folder.path(), &fonds, &mut ())
        .await
        .expect("import again");
    assert_eq!((second.imported, second.resumed), (1, 2));
    assert_eq!(second.refused.len(), 1);

    let records = archive
        .records(
            &RecordFilter::default(),
            &fonds_core::access::Scope::everything(),
            None,
            100,
        )
        .await
        .expect("list")
        .items;
    assert_eq!(records.len(), 3);
    let detail = archive
        .record(
            records
                .iter()
                .find(|r| {
                    r.description
                        .number
                        .as_ref()
                        .is_some_and(|n| n.as_str() == "记-0001")
                })
                .expect("记-0001")
                .id,
            &fonds_core::access::Scope::everything(),
        )
        .await
        .expect("detail");
    let roles: Vec<&str> = detail.files.iter().map(|f| f.role.as_str()).collect();
    assert_eq!(roles, ["main", "invoice"]);
}

#[tokio::test]
async fn a_folder_without_a_register_is_refused_with_the_names_looked_for() {
    let data = tempfile::tempdir().expect("data");
    let folder = tempfile::tempdir().expect("folder");
    let archive = archive_with_fonds(data.path()).await;
    let error = archive
        .import_dir(folder.path(), &"Z001".parse().expect("fonds"), &mut ())
        .await
        .expect_err("refused");
    assert!(error.detail.contains("register.csv"), "{}", error.detail);
}
