//! Bad input gets a specific problem and changes nothing: no record, no stored file, no staging
//! file left behind.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{
    TestApp, assert_accepted, assert_problem, invoice_xml, pdf, spawn_app, spawn_app_with,
    standard_pdf, standard_xml, voucher,
};
use fonds_core::Settings;
use serde_json::{Value, json};

/// Sends `manifest` with the standard parts of voucher 记-0001, asserts the problem, and asserts
/// that nothing was kept.
async fn refused(
    app: &TestApp,
    manifest: Value,
    parts: &[(&str, &[u8])],
    status: u16,
    code: &str,
) -> Value {
    let problem = assert_problem(app.submit(&manifest, parts).await, status, code).await;
    assert_nothing_kept(app).await;
    problem
}

async fn assert_nothing_kept(app: &TestApp) {
    assert!(
        app.all_records().await.is_empty(),
        "a refused submission created records"
    );
    assert_eq!(
        app.stored_files(),
        (0, 0),
        "a refused submission left files behind"
    );
}

fn standard_parts() -> [(&'static str, &'static [u8]); 2] {
    [
        ("v0001-main", standard_pdf()),
        ("v0001-inv", standard_xml()),
    ]
}

#[tokio::test]
async fn a_manifest_that_is_not_json_is_malformed() {
    let app = spawn_app().await;
    let response = app
        .submit_raw(
            "{\"fonds\": \"Z001\", \"records\": [".into(),
            &standard_parts(),
        )
        .await;
    assert_problem(response, 422, "manifest_malformed").await;
    assert_nothing_kept(&app).await;
}

#[tokio::test]
async fn an_incomplete_manifest_is_malformed_and_names_the_missing_field() {
    let app = spawn_app().await;
    let mut record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    record.as_object_mut().expect("object").remove("title");
    let problem = refused(
        &app,
        json!({"fonds": "Z001", "records": [record]}),
        &standard_parts(),
        422,
        "manifest_malformed",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("title")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_submission_without_a_manifest_part_is_refused() {
    let app = spawn_app().await;
    let form = reqwest::multipart::Form::new().part(
        "x",
        reqwest::multipart::Part::bytes(standard_pdf().to_vec()),
    );
    let response = app
        .client
        .post(app.url("/api/v1/submissions"))
        .bearer_auth(&app.token)
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_problem(response, 422, "multipart_malformed").await;
    assert_nothing_kept(&app).await;
}

#[tokio::test]
async fn a_file_part_the_manifest_does_not_name_is_refused() {
    let app = spawn_app().await;
    let record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    let manifest = json!({"fonds": "Z001", "records": [record]});
    let parts = [
        ("v0001-main", standard_pdf()),
        ("v0001-inv", standard_xml()),
        ("stray", standard_pdf()),
    ];
    let problem = refused(&app, manifest, &parts, 422, "file_part_unexpected").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("stray"))
    );
}

#[tokio::test]
async fn a_named_part_that_is_missing_is_refused() {
    let app = spawn_app().await;
    let record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    let manifest = json!({"fonds": "Z001", "records": [record]});
    let problem = refused(
        &app,
        manifest,
        &[("v0001-main", standard_pdf())],
        422,
        "file_part_missing",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/records/0/files/1");
}

#[tokio::test]
async fn a_file_that_does_not_match_its_declared_digest_is_refused() {
    let app = spawn_app().await;
    let record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    let manifest = json!({"fonds": "Z001", "records": [record]});
    let tampered = pdf("something else");
    let problem = refused(
        &app,
        manifest,
        &[("v0001-main", &tampered), ("v0001-inv", standard_xml())],
        422,
        "digest_mismatch",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/records/0/files/0/sha256");
}

#[tokio::test]
async fn an_unknown_record_kind_is_refused_with_the_known_ones_listed() {
    let app = spawn_app().await;
    let mut record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    record["kind"] = json!("receipt_of_sorts");
    let problem = refused(
        &app,
        json!({"fonds": "Z001", "records": [record]}),
        &standard_parts(),
        422,
        "record_kind_unknown",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("accounting_voucher"))
    );
    assert_eq!(problem["errors"][0]["pointer"], "/records/0/kind");
}

#[tokio::test]
async fn a_voucher_whose_entries_do_not_balance_is_refused() {
    let app = spawn_app().await;
    let mut record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    record["entries"][1]["credit"] = json!("1279.99");
    let problem = refused(
        &app,
        json!({"fonds": "Z001", "records": [record]}),
        &standard_parts(),
        422,
        "voucher_unbalanced",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1280.00") && d.contains("1279.99"))
    );
}

#[tokio::test]
async fn a_retention_shorter_than_the_statutory_minimum_is_refused() {
    let app = spawn_app().await;
    let mut record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    record["retention"] = json!("D10");
    refused(
        &app,
        json!({"fonds": "Z001", "records": [record]}),
        &standard_parts(),
        422,
        "retention_below_minimum",
    )
    .await;
}

#[tokio::test]
async fn every_problem_of_a_manifest_is_reported_at_once() {
    let app = spawn_app().await;
    let mut record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    record["period"] = json!(13);
    record["amount"] = json!("12.345");
    record["files"][0]["sha256"] = json!("abc");
    let problem = refused(
        &app,
        json!({"fonds": "Z001", "records": [record]}),
        &standard_parts(),
        422,
        "manifest_invalid",
    )
    .await;
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    for expected in [
        "/records/0/period",
        "/records/0/amount",
        "/records/0/files/0/sha256",
    ] {
        assert!(
            pointers.contains(&expected),
            "{expected} missing from {pointers:?}"
        );
    }
}

#[tokio::test]
async fn an_archival_code_already_taken_is_a_conflict_and_nothing_of_the_submission_is_kept() {
    let app = spawn_app().await;
    let mut first = voucher("记-0001", 1, standard_pdf(), standard_xml());
    first["archival_code"] = json!("Z001-PZ·2023·D30-0001-0007");
    let response = app
        .submit(
            &json!({"fonds": "Z001", "records": [first]}),
            &standard_parts(),
        )
        .await;
    let receipt = assert_accepted(response).await;
    assert_eq!(receipt["records"][0]["state"], "archived");
    let (blobs_before, _) = app.stored_files();

    let other_main = pdf("another voucher");
    let other_invoice = invoice_xml("记-0002");
    let mut second = voucher("记-0002", 1, &other_main, &other_invoice);
    second["archival_code"] = json!("Z001-PZ·2023·D30-0001-0007");
    let response = app
        .submit(
            &json!({"fonds": "Z001", "records": [second]}),
            &[("v0002-main", &other_main), ("v0002-inv", &other_invoice)],
        )
        .await;
    assert_problem(response, 409, "archival_code_taken").await;
    assert_eq!(app.all_records().await.len(), 1);
    // The refused voucher's new file was made durable before the refusal was known; it is
    // unreferenced (no row points at it) and collected later, never served.
    let (blobs_after, staging) = app.stored_files();
    assert!(blobs_after <= blobs_before + 1);
    assert_eq!(staging, 0);
    // The sequence continues after the preset item: the next code of January is 0008.
    let next = app.submit_voucher("记-0003", 1).await;
    let archived: Value = app.archive(&next).await.json().await.expect("json");
    assert_eq!(archived["archival_code"], "Z001-PZ·2023·D30-0001-0008");
}

#[tokio::test]
async fn the_same_voucher_number_twice_in_a_period_is_a_conflict() {
    let app = spawn_app().await;
    app.submit_voucher("记-0001", 1).await;
    let record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    let manifest = json!({"fonds": "Z001", "records": [record]});
    let response = app.submit(&manifest, &standard_parts()).await;
    assert_problem(response, 409, "record_duplicate").await;
    assert_eq!(app.all_records().await.len(), 1);
}

#[tokio::test]
async fn an_unknown_fonds_is_refused() {
    let app = spawn_app().await;
    let record = voucher("记-0001", 1, standard_pdf(), standard_xml());
    let manifest = json!({"fonds": "Z999", "records": [record]});
    refused(&app, manifest, &standard_parts(), 404, "fonds_not_found").await;
}

#[tokio::test]
async fn an_upload_over_the_configured_limit_is_refused_while_streaming() {
    let app = spawn_app_with(Settings {
        max_upload_bytes: 64 * 1024,
        ..Settings::default()
    })
    .await;
    let big = vec![7u8; 100 * 1024];
    let manifest =
        json!({"fonds": "Z001", "records": [voucher("记-0001", 1, &big, standard_xml())]});
    refused(
        &app,
        manifest,
        &[("v0001-main", &big), ("v0001-inv", standard_xml())],
        413,
        "upload_too_large",
    )
    .await;
}

#[tokio::test]
async fn two_records_of_one_submission_with_the_same_voucher_number_are_refused_at_once() {
    let app = spawn_app().await;
    let first = voucher("记-0001", 1, standard_pdf(), standard_xml());
    let mut second = voucher("记-0001", 1, standard_pdf(), standard_xml());
    second["files"][0]["part"] = json!("other-main");
    second["files"][1]["part"] = json!("other-inv");
    let manifest = json!({"fonds": "Z001", "records": [first, second]});
    let parts = [
        ("v0001-main", standard_pdf()),
        ("v0001-inv", standard_xml()),
        ("other-main", standard_pdf()),
        ("other-inv", standard_xml()),
    ];
    let problem = refused(&app, manifest, &parts, 409, "record_duplicate").await;
    assert_eq!(problem["errors"][0]["pointer"], "/records/1/voucher_number");
}
