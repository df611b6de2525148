//! Tests of the generator as a whole: determinism, validity of every record, uniqueness of
//! invoice numbers, the shape of the demo, and books that agree with the vouchers.

use std::collections::BTreeSet;

use fonds_domain::{FileRole, RecordKind, RetentionScheme, RetentionTable, ensure_balanced};

use super::*;

fn spec(vouchers: u32) -> DemoSpec {
    DemoSpec {
        vouchers,
        ..DemoSpec::default()
    }
}

/// The default demo, generated once for the tests that read all of it.
fn default_demo() -> &'static [DemoRecord] {
    static DEMO: std::sync::OnceLock<Vec<DemoRecord>> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| generate(&DemoSpec::default()).collect())
}

#[test]
fn the_default_spec_is_fiscal_2023_with_a_thousand_vouchers() {
    let spec = DemoSpec::default();
    assert_eq!(
        (spec.seed, spec.fiscal_year.get(), spec.vouchers),
        (20_231_231, 2023, 1000)
    );
    let fonds = demo_fonds();
    assert_eq!(fonds.code.as_str(), "Z001");
    assert_eq!(fonds.name, "华东示范科技有限公司");
    assert_eq!(fonds.retention_scheme, RetentionScheme::Enterprise);
    assert_eq!(fonds.code_pattern, ArchivalCodePattern::dat94());
}

#[test]
fn the_generator_can_move_between_threads_and_outlive_its_spec() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let demo = {
        let spec = spec(3);
        generate(&spec)
    };
    assert_send(&demo);
}

#[test]
fn the_same_seed_gives_byte_identical_records() {
    let first: Vec<DemoRecord> = generate(&DemoSpec::default()).take(20).collect();
    let second: Vec<DemoRecord> = generate(&DemoSpec::default()).take(20).collect();
    assert_eq!(first.len(), 20);
    assert_eq!(first, second);
    assert_eq!(
        &default_demo()[..20],
        first.as_slice(),
        "taking a prefix changes nothing"
    );
    let other: Vec<DemoRecord> = generate(&DemoSpec {
        seed: 7,
        ..DemoSpec::default()
    })
    .take(20)
    .collect();
    assert_ne!(first, other, "another seed gives another demo");
}

#[test]
fn the_demo_has_its_vouchers_then_ledgers_then_reports() {
    let records = default_demo();
    assert_eq!(records.len(), 1000 + 4 + 12 + 1);
    let kinds: Vec<RecordKind> = records.iter().map(|r| r.classification.kind).collect();
    assert!(
        kinds[..1000]
            .iter()
            .all(|k| *k == RecordKind::AccountingVoucher)
    );
    assert_eq!(
        kinds[1000..1004],
        [
            RecordKind::GeneralLedger,
            RecordKind::SubsidiaryLedger,
            RecordKind::Journal,
            RecordKind::Journal
        ]
    );
    assert!(
        kinds[1004..1016]
            .iter()
            .all(|k| *k == RecordKind::MonthlyReport)
    );
    assert_eq!(kinds[1016], RecordKind::AnnualReport);
    let titles: Vec<&str> = records[1000..]
        .iter()
        .map(|r| r.description.title.as_str())
        .collect();
    assert_eq!(titles[0], "2023年度 总账");
    assert_eq!(titles[4], "2023年1月 财务报表");
    assert_eq!(titles[16], "2023年度 财务会计报告");
    for (small, expected) in [(0, 17), (5, 22), (13, 30)] {
        let demo = generate(&spec(small));
        assert_eq!(demo.size_hint(), (expected, Some(expected)));
        assert_eq!(demo.count(), expected);
    }
}

#[test]
fn every_record_validates_and_starts_with_its_one_main_file() {
    let table = RetentionTable::statutory(RetentionScheme::Enterprise);
    let small: Vec<DemoRecord> = generate(&spec(7)).collect();
    let leap_year = DemoSpec {
        seed: 1,
        fiscal_year: FiscalYear::new(2024).expect("year"),
        vouchers: 150,
    };
    let leap: Vec<DemoRecord> = generate(&leap_year).collect();
    assert_eq!(leap.len(), 150 + 17);
    for record in default_demo().iter().chain(&small).chain(&leap) {
        let class = &record.classification;
        let title = &record.description.title;
        assert_eq!(record.description.validate(class), Ok(()), "{title}");
        assert_eq!(
            Ok(class.retention),
            table.assign(class.kind, None),
            "{title}"
        );
        assert_eq!(
            record.files.first().map(|f| f.role),
            Some(FileRole::Main),
            "{title}"
        );
        let mains = record
            .files
            .iter()
            .filter(|f| f.role == FileRole::Main)
            .count();
        assert_eq!(mains, 1, "{title}");
        let roles: Vec<FileRole> = record.files.iter().map(|f| f.role).collect();
        assert!(roles.is_sorted(), "{title}: files in item order");
        for file in &record.files {
            let pdf = file.bytes.starts_with(b"%PDF-") && file.file_name.ends_with(".pdf");
            let xml = file.bytes.starts_with(b"<?xml") && file.file_name.ends_with(".xml");
            let ofd = file.bytes.starts_with(b"PK\x03\x04") && file.file_name.ends_with(".ofd");
            assert!(pdf || xml || ofd, "{}", file.file_name);
        }
        if class.kind != RecordKind::AccountingVoucher {
            assert!(record.entries.is_empty(), "{title}");
            assert_eq!(record.description.number, None, "{title}");
            assert_eq!(record.files.len(), 1, "{title}");
        }
    }
}

#[test]
fn every_voucher_balances_and_declares_its_originals() {
    let mut per_month = [0u32; 12];
    for record in default_demo().iter().filter(|r| !r.entries.is_empty()) {
        let d = &record.description;
        let amount = ensure_balanced(&record.entries).expect("balanced");
        assert_eq!(d.amount, Some(amount), "{}", d.title);
        assert!((2..=5).contains(&record.entries.len()), "{}", d.title);
        assert!(record.entries.iter().all(|e| e.summary == d.title));
        let originals = record.files.iter().filter(|f| f.role.is_original()).count();
        assert_eq!(
            d.attachment_count,
            Some(u32::try_from(originals).expect("count"))
        );

        // Numbered 记-0001, 记-0002 … within each month, in date order.
        let month = record.classification.period.expect("period").month();
        let slot = &mut per_month[usize::from(month - 1)];
        *slot += 1;
        let number = d.number.as_ref().expect("number");
        assert_eq!(number.as_str(), format!("记-{:04}", *slot));
        assert_eq!(record.files[0].file_name, format!("{number}.pdf"));
        let size: usize = record.files.iter().map(|f| f.bytes.len()).sum();
        assert!(
            (3_000..=40_000).contains(&size),
            "{}: {size} bytes",
            d.title
        );
    }
    assert_eq!(per_month.iter().sum::<u32>(), 1000);
}

#[test]
fn invoice_numbers_are_twenty_digits_and_unique_across_the_demo() {
    let mut numbers = BTreeSet::new();
    let mut renditions = 0;
    for file in default_demo().iter().flat_map(|r| &r.files) {
        let Some(number) = file.file_name.strip_prefix("发票-") else {
            continue;
        };
        assert_eq!(file.role, FileRole::Invoice);
        if let Some(number) = number.strip_suffix(".xml") {
            assert_eq!(number.len(), 20, "{number}");
            assert!(number.bytes().all(|b| b.is_ascii_digit()), "{number}");
            let xml = std::str::from_utf8(&file.bytes).expect("utf-8");
            assert!(xml.contains(&format!("<EIid>{number}</EIid>")));
            assert!(numbers.insert(number.to_owned()), "{number} repeats");
        } else {
            renditions += 1;
        }
    }
    assert!(numbers.len() > 500, "{} invoices", numbers.len());
    assert_eq!(
        renditions,
        numbers.len(),
        "every invoice has its PDF rendition"
    );
}

#[test]
fn the_business_is_varied_and_payroll_has_no_originals() {
    let titles: Vec<&str> = default_demo()
        .iter()
        .filter(|r| !r.entries.is_empty())
        .map(|r| r.description.title.as_str())
        .collect();
    for business in [
        "差旅费",
        "报销业务招待费",
        "支付办公用品采购款",
        "收到客户货款",
        "支付供应商货款",
        "计提",
        "发放",
        "增值税及附加税费",
        "房租",
        "银行手续费",
        "销售收入确认",
        "社会保险费",
    ] {
        assert!(titles.iter().any(|t| t.contains(business)), "no {business}");
    }
    for record in default_demo()
        .iter()
        .filter(|r| r.description.title.starts_with("计提"))
    {
        assert_eq!(record.files.len(), 1, "{}", record.description.title);
        assert_eq!(record.description.attachment_count, Some(0));
    }
}

#[test]
fn the_books_balance_every_month_and_agree_with_the_vouchers() {
    let mut generator = Generator::new(DemoSpec::default());
    let vouchers: Vec<DemoRecord> = generator.by_ref().take(1000).collect();
    let books = &generator.books;
    for month in 0..=12 {
        let sheet = reports::balance_sheet(books, month);
        let total = |label: &str| sheet.iter().find(|r| r.0 == label).map(|r| r.1);
        assert_eq!(
            total("资产总计"),
            total("负债和所有者权益总计"),
            "month {month}"
        );
    }
    let posted: i64 = vouchers
        .iter()
        .filter_map(|r| r.description.amount)
        .map(Money::fen)
        .sum();
    let debits: i64 = books
        .details()
        .flat_map(|(_, _, t)| t.months)
        .map(|[d, _]| d)
        .sum();
    assert_eq!(posted, debits);
    let year = reports::income_statement(books, 12);
    let profit = year
        .iter()
        .find(|r| r.0 == "四、净利润")
        .map(|r| r.2)
        .expect("profit");
    assert!(profit > 0, "a demo company that makes a profit: {profit}");
    assert!(
        books.balance("1002", 12) > 0,
        "the bank account stays in credit"
    );
    assert!(
        books.balance("1001", 12) >= 0,
        "the cash box is never overdrawn"
    );
}
