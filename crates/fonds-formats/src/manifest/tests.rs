//! Behaviour of the manifest reader, as a sender of a submission sees it.

use fonds_domain::{
    ArchivalCodePattern, ErrorCode, FieldError, FileRole, Fonds, RecordKind, RetentionScheme,
    RetentionTable,
};

use super::*;

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn voucher(part: &str) -> String {
    format!(
        r#"{{"kind":"accounting_voucher","fiscal_year":2023,"period":12,"voucher_number":"记-0057",
        "date":"2023-12-05","title":"报销差旅费","amount":"1234.50",
        "entries":[{{"summary":"报销差旅费","account_code":"6602.01","account_name":"管理费用-差旅费","debit":"1234.50"}},
                   {{"summary":"报销差旅费","account_code":"1002","account_name":"银行存款","credit":"1234.50"}}],
        "files":[{{"part":"{part}","role":"main","file_name":"记-0057.pdf","sha256":"{SHA}"}}]}}"#
    )
}

fn manifest(records: &[String]) -> String {
    format!(r#"{{"fonds":"Z001","records":[{}]}}"#, records.join(","))
}

fn fonds() -> Fonds {
    Fonds {
        code: "Z001".parse().expect("a fonds code"),
        name: "华东示范科技有限公司".into(),
        retention_scheme: RetentionScheme::Enterprise,
        code_pattern: ArchivalCodePattern::dat94(),
    }
}

fn validate(text: &str) -> Result<Vec<ValidRecord>, Vec<FieldError>> {
    let table = RetentionTable::statutory(RetentionScheme::Enterprise);
    Manifest::parse(text.as_bytes())
        .expect("a readable manifest")
        .validate(&fonds(), &table)
}

/// `depth` arrays, one inside the other.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn a_documented_voucher_is_valid() {
    let records = validate(&manifest(&[voucher("f1")])).expect("valid");
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].classification.kind,
        RecordKind::AccountingVoucher
    );
    assert_eq!(records[0].entries.len(), 2);
    assert_eq!(records[0].files[0].role, FileRole::Main);
}

#[test]
fn every_problem_is_reported_with_its_pointer_and_code() {
    let bad = voucher("f1")
        .replace("accounting_voucher", "voucher_of_sorts")
        .replace("2023-12-05", "5 Dec");
    let errors = validate(&manifest(&[bad, voucher("f1")])).expect_err("invalid");
    let found: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("/records/0/kind", "record_kind_unknown"),
            ("/records/0/date", "manifest_invalid"),
            ("/records/1/files/0/part", "manifest_invalid"),
        ]
    );
}

#[test]
fn a_manifest_without_records_is_invalid() {
    let errors = validate(r#"{"fonds":"Z001","records":[]}"#).expect_err("invalid");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/records");
    assert_eq!(errors[0].code, ErrorCode::ManifestInvalid.as_str());
}

#[test]
fn malformed_json_names_the_position_and_the_documentation() {
    let error = Manifest::parse(br#"{"fonds":"Z001","records":[}"#).expect_err("malformed");
    assert!(matches!(error, ManifestError::Json(_)));
    assert_eq!(error.code(), ErrorCode::ManifestMalformed);
    let text = error.to_string();
    assert!(text.starts_with("the manifest is not valid: "), "{text}");
    assert!(text.contains("line 1 column"), "{text}");
    assert!(text.ends_with("; see docs/api.md for its shape"), "{text}");
}

#[test]
fn an_unknown_field_is_malformed() {
    let error =
        Manifest::parse(br#"{"fonds":"Z001","records":[],"extra":1}"#).expect_err("unknown field");
    assert!(
        error.to_string().contains("unknown field `extra`"),
        "{error}"
    );
}

#[test]
fn a_manifest_over_the_size_limit_is_refused_before_it_is_read() {
    let mut big = manifest(&[voucher("f1")]).into_bytes();
    big.resize(MAX_MANIFEST_BYTES + 1, b' ');
    let error = Manifest::parse(&big).expect_err("too large");
    assert_eq!(
        error,
        ManifestError::TooLarge {
            size: MAX_MANIFEST_BYTES + 1
        }
    );
    assert!(error.to_string().contains("4194304"), "{error}");

    big.truncate(MAX_MANIFEST_BYTES);
    assert!(
        Manifest::parse(&big).is_ok(),
        "trailing whitespace up to the limit is fine"
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_before_it_is_parsed() {
    let deep = format!(r#"{{"fonds":{},"records":[]}}"#, nested(MAX_MANIFEST_DEPTH));
    assert_eq!(
        Manifest::parse(deep.as_bytes()).err(),
        Some(ManifestError::TooDeep)
    );
    // Far deeper than serde_json's own recursion limit of 128 and unterminated: still the scan
    // answers, without recursion.
    let abyss = "[".repeat(MAX_MANIFEST_BYTES);
    assert_eq!(
        Manifest::parse(abyss.as_bytes()).err(),
        Some(ManifestError::TooDeep)
    );
}

#[test]
fn nesting_up_to_the_limit_reaches_the_parser() {
    let at_limit = format!(
        r#"{{"fonds":{},"records":[]}}"#,
        nested(MAX_MANIFEST_DEPTH - 1)
    );
    let error = Manifest::parse(at_limit.as_bytes()).expect_err("not a string");
    assert!(matches!(error, ManifestError::Json(_)), "{error:?}");
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let title = format!(r#"[{{\"{}"#, "[{".repeat(MAX_MANIFEST_DEPTH));
    let text =
        manifest(&[voucher("f1").replace("报销差旅费\",\"amount", &format!("{title}\",\"amount"))]);
    assert!(text.contains(&"[{".repeat(MAX_MANIFEST_DEPTH)));
    let parsed = Manifest::parse(text.as_bytes()).expect("brackets in a string are text");
    assert!(parsed.records[0].title.ends_with("[{[{"));
}

#[test]
fn nesting_scan_follows_escapes() {
    // An escaped quote does not end the string; an escaped backslash before a quote does.
    assert!(!nesting_exceeds(br#""\"[[[" "#, 2));
    assert!(nesting_exceeds(br#""\\"[[["#, 2));
    assert!(!nesting_exceeds(b"[[]]]]][[", 2));
}
