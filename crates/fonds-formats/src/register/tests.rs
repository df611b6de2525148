//! Behaviour of the register reader and writer, as a sender of a register sees it.

use fonds_domain::{RecordKind, RetentionPeriod};
use time::macros::date;

use super::*;

const HEADER: &str = "序号,档号,文件号,题名,形成日期,保管期限,电子文件名,数量,备注";

fn read(text: &str) -> Result<Vec<Result<RegisterRow, RowError>>, RegisterError> {
    read_register(text.as_bytes(), &RegisterLimits::default())
}

fn read_ok(text: &str) -> Vec<RegisterRow> {
    read(text)
        .expect("a readable register")
        .into_iter()
        .map(|row| row.expect("a valid row"))
        .collect()
}

/// The error of the only data row under the standard header.
fn row_error(row: &str) -> RowError {
    let rows = read(&format!("{HEADER}\n{row}\n")).expect("a readable register");
    assert_eq!(rows.len(), 1);
    rows.into_iter()
        .next()
        .expect("one row")
        .expect_err("the row is refused")
}

fn full_row(line: u64, seq: u32) -> RegisterRow {
    RegisterRow {
        line,
        seq,
        archival_code: Some("0001-KJ·2023-PZ-D30-0057".into()),
        number: "记-0057".parse().expect("number"),
        title: "报销差旅费, 张三 \"北京\"".into(),
        date: date!(2023 - 03 - 31),
        retention: Some(RetentionPeriod::Years(30)),
        file_names: vec!["记-0057.pdf".into(), "发票 1.xml".into()],
        file_count: 2,
        remarks: Some("第一行\n第二行".into()),
        kind: RecordKind::AccountingVoucher,
        amount: Some("1234.50".parse().expect("amount")),
        preparer: Some("李四".into()),
        reviewer: Some("王五".into()),
        attachment_count: Some(3),
    }
}

fn bare_row(line: u64, seq: u32) -> RegisterRow {
    RegisterRow {
        line,
        seq,
        archival_code: None,
        number: "2023-12".parse().expect("number"),
        title: "2023年12月 总账".into(),
        date: date!(2024 - 01 - 05),
        retention: None,
        file_names: vec!["总账.pdf".into()],
        file_count: 1,
        remarks: None,
        kind: RecordKind::GeneralLedger,
        amount: None,
        preparer: None,
        reviewer: None,
        attachment_count: None,
    }
}

#[test]
fn written_registers_read_back_equal() {
    let mut permanent = full_row(5, 3);
    permanent.retention = Some(RetentionPeriod::Permanent);
    permanent.kind = RecordKind::AnnualReport;
    permanent.remarks = None;
    // The first row's remarks span two lines, so the second row starts on line 4.
    let rows = vec![full_row(2, 1), bare_row(4, 2), permanent];
    let mut out = Vec::new();
    write_register(&mut out, &rows).expect("writes");

    let text = String::from_utf8(out).expect("UTF-8");
    assert!(
        text.starts_with('\u{feff}'),
        "Excel needs the byte-order mark"
    );
    assert!(
        text.contains(",永久,"),
        "printed registers use the Chinese label"
    );
    assert_eq!(read_ok(&text), rows);
}

#[test]
fn a_minimal_register_reads_with_defaults() {
    let rows = read_ok(&format!(
        "{HEADER}\n1,,记-0001,支付货款,2023-01-05,,记-0001.pdf,1,\n"
    ));
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.line, 2);
    assert_eq!(row.archival_code, None);
    assert_eq!(row.retention, None);
    assert_eq!(row.remarks, None);
    assert_eq!(row.kind, RecordKind::AccountingVoucher);
    assert_eq!(row.amount, None);
}

#[test]
fn a_byte_order_mark_and_padded_headers_in_any_order_are_accepted() {
    let text = "\u{feff} 备注 ,数量,电子文件名, 保管期限,形成日期,题名,文件号,档号,序号,自用列\n\
                ,2,a.pdf；b.ofd,永久,20230105,支付货款,记-0001,,1,ignored\n";
    let rows = read_ok(text);
    assert_eq!(rows[0].file_names, ["a.pdf", "b.ofd"]);
    assert_eq!(rows[0].retention, Some(RetentionPeriod::Permanent));
    assert_eq!(rows[0].date, date!(2023 - 01 - 05));
}

#[test]
fn retention_accepts_chinese_labels_and_codes() {
    let rows = read_ok(&format!(
        "{HEADER}\n\
         1,,1,t,2023-01-05,永久,a.pdf,1,\n\
         2,,2,t,2023-01-05,30年,a.pdf,1,\n\
         3,,3,t,2023-01-05,10年,a.pdf,1,\n\
         4,,4,t,2023-01-05,D30,a.pdf,1,\n\
         5,,5,t,2023-01-05,Y,a.pdf,1,\n"
    ));
    let periods: Vec<_> = rows.iter().map(|r| r.retention).collect();
    use RetentionPeriod::{Permanent, Years};
    assert_eq!(
        periods,
        [
            Some(Permanent),
            Some(Years(30)),
            Some(Years(10)),
            Some(Years(30)),
            Some(Permanent)
        ]
    );
}

#[test]
fn optional_columns_are_parsed_when_present() {
    let text = format!(
        "{HEADER},类型,金额,制单人,审核人,附件数\n\
         1,,1,t,2023-01-05,,a.pdf,1,,bank_statement,-12.3,李四,,4\n\
         2,,2,t,2023-01-05,,a.pdf,1,,银行对账单,,,王五,\n"
    );
    let rows = read_ok(&text);
    assert_eq!(rows[0].kind, RecordKind::BankStatement);
    assert_eq!(rows[0].amount.map(fonds_domain::Money::fen), Some(-1230));
    assert_eq!(rows[0].preparer.as_deref(), Some("李四"));
    assert_eq!(rows[0].attachment_count, Some(4));
    assert_eq!(rows[1].kind, RecordKind::BankStatement);
    assert_eq!(rows[1].reviewer.as_deref(), Some("王五"));
}

#[test]
fn row_errors_name_the_line_the_column_and_what_was_expected() {
    let text = format!(
        "{HEADER}\n\
         1,,1,t,2023-01-05,,a.pdf,1,\n\
         2,,2,t,2023-13-01,,a.pdf,1,\n\
         3,,3,t,2023-01-05,,a.pdf,1,\n"
    );
    let rows = read(&text).expect("readable");
    assert!(
        rows[0].is_ok() && rows[2].is_ok(),
        "a bad row stops no other"
    );
    let error = rows[1].clone().expect_err("bad date");
    assert_eq!(
        error.to_string(),
        "line 3, column 形成日期: `2023-13-01` is not a date (expected YYYY-MM-DD)"
    );
}

#[test]
fn each_kind_of_bad_field_is_refused() {
    let cases: [(&str, &str, &str); 16] = [
        ("x,,1,t,2023-01-05,,a.pdf,1,", "序号", "not a row number"),
        (",,1,t,2023-01-05,,a.pdf,1,", "序号", "is empty"),
        ("1,,,t,2023-01-05,,a.pdf,1,", "文件号", "is empty"),
        (
            "1,,a/b,t,2023-01-05,,a.pdf,1,",
            "文件号",
            "not a voucher number",
        ),
        ("1,,1,,2023-01-05,,a.pdf,1,", "题名", "is empty"),
        ("1,,1,t,2023/01/05,,a.pdf,1,", "形成日期", "not a date"),
        (
            "1,,1,t,2023-01-05,20年份,a.pdf,1,",
            "保管期限",
            "not a retention period",
        ),
        ("1,,1,t,2023-01-05,,,0,", "电子文件名", "is empty"),
        (
            "1,,1,t,2023-01-05,,../a.pdf,1,",
            "电子文件名",
            "not a bare file name",
        ),
        (
            "1,,1,t,2023-01-05,,dir/a.pdf,1,",
            "电子文件名",
            "not a bare file name",
        ),
        (
            "1,,1,t,2023-01-05,,dir\\a.pdf,1,",
            "电子文件名",
            "not a bare file name",
        ),
        (
            "1,,1,t,2023-01-05,,\"a\u{7}.pdf\",1,",
            "电子文件名",
            "not a bare file name",
        ),
        (
            "1,,1,t,2023-01-05,,a.pdf;;b.pdf,2,",
            "电子文件名",
            "empty file name",
        ),
        (
            "1,,1,t,2023-01-05,,a.pdf;b.pdf,1,",
            "数量",
            "lists 2 file(s)",
        ),
        ("1,,1,t,2023-01-05,,a.pdf,one,", "数量", "not a file count"),
        ("1,,1,t,2023-01-05,,a.pdf,,", "数量", "is empty"),
    ];
    for (row, column, fragment) in cases {
        let error = row_error(row);
        assert_eq!(error.column, Some(column), "{row}: {error}");
        assert!(error.message.contains(fragment), "{row}: {error}");
    }
}

#[test]
fn bad_optional_fields_are_refused() {
    let header = format!("{HEADER},类型,金额,附件数");
    let rows = read(&format!(
        "{header}\n\
         1,,1,t,2023-01-05,,a.pdf,1,,invoice,,\n\
         2,,2,t,2023-01-05,,a.pdf,1,,,12.345,\n\
         3,,3,t,2023-01-05,,a.pdf,1,,,,-1\n"
    ))
    .expect("readable");
    let columns: Vec<_> = rows
        .iter()
        .map(|r| r.as_ref().expect_err("refused").column)
        .collect();
    assert_eq!(columns, [Some("类型"), Some("金额"), Some("附件数")]);
}

#[test]
fn rows_with_the_wrong_number_of_fields_are_refused() {
    let error = row_error("1,,1,报销, 含逗号,2023-01-05,,a.pdf,1,");
    assert_eq!(error.column, None);
    assert!(error.message.contains("has 10 fields but the header has 9"));
}

#[test]
fn overlong_fields_are_refused() {
    let limits = RegisterLimits {
        max_field_chars: 10,
        ..RegisterLimits::default()
    };
    let text = format!("{HEADER}\n1,,1,一二三四五六七八九十十一,2023-01-05,,a.pdf,1,\n");
    let rows = read_register(text.as_bytes(), &limits).expect("readable");
    let error = rows[0].clone().expect_err("too long");
    assert_eq!(error.column, Some("题名"));
    assert!(error.message.contains("has 12 characters; at most 10"));
}

#[test]
fn blank_rows_are_skipped_and_do_not_count() {
    let text = format!("{HEADER}\n\n1,,1,t,2023-01-05,,a.pdf,1,\n,,,,,,,,\n  , ,,,,,,,\n");
    let limits = RegisterLimits {
        max_rows: 1,
        ..RegisterLimits::default()
    };
    let rows = read_register(text.as_bytes(), &limits).expect("readable");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].as_ref().map(|r| r.line).ok(), Some(3));
}

#[test]
fn too_many_rows_refuse_the_whole_file() {
    let text = format!("{HEADER}\n1,,1,t,2023-01-05,,a.pdf,1,\n2,,2,t,2023-01-05,,a.pdf,1,\n");
    let limits = RegisterLimits {
        max_rows: 1,
        ..RegisterLimits::default()
    };
    let error = read_register(text.as_bytes(), &limits).expect_err("too many");
    assert_eq!(error, RegisterError::TooManyRows(1));
    assert!(error.to_string().contains("split it"));
}

#[test]
fn missing_columns_are_listed() {
    let error = read("序号,文件号,题名,形成日期,电子文件名,数量\n").expect_err("missing");
    assert_eq!(
        error,
        RegisterError::MissingColumns(vec!["档号", "保管期限", "备注"])
    );
    assert!(
        error
            .to_string()
            .starts_with("the header row lacks the column(s) 档号, 保管期限, 备注")
    );
    assert!(matches!(read(""), Err(RegisterError::MissingColumns(m)) if m.len() == 9));
}

#[test]
fn unusable_headers_refuse_the_whole_file() {
    let twice = read(&format!("{HEADER},题名\n")).expect_err("duplicate");
    assert!(twice.to_string().contains("题名 twice"), "{twice}");
    // 序号 in GBK, as Excel's plain "CSV" saves it on a Chinese system.
    let gbk = read_register(&b"\xD0\xF2\xBA\xC5,x\n"[..], &RegisterLimits::default());
    assert!(matches!(gbk, Err(RegisterError::Csv(m)) if m.contains("CSV UTF-8")));
}

#[test]
fn non_utf8_fields_are_row_errors() {
    let mut bytes = format!("{HEADER}\n1,,1,").into_bytes();
    bytes.extend_from_slice(b"\xB1\xA8\xCF\xFA,2023-01-05,,a.pdf,1,\n");
    let rows = read_register(&bytes[..], &RegisterLimits::default()).expect("readable");
    let error = rows[0].clone().expect_err("not UTF-8");
    assert_eq!(error.column, Some("题名"));
}

#[test]
fn lines_count_from_the_file_whatever_the_line_endings() {
    let lf =
        format!("{HEADER}\n\n1,,1,t,2023-01-05,,a.pdf,1,\"a\nb\"\n\n\n2,,2,t,2023-01-05,,a.pdf,1,");
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf, crlf] {
        let lines: Vec<_> = read_ok(&text).iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 7], "{text:?}");
    }
}
