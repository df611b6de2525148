//! Receiving submissions and reading back what they created.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{
    assert_accepted, assert_problem, sha256, spawn_app, standard_pdf, standard_xml, voucher,
    voucher_pdf,
};
use serde_json::json;

#[tokio::test]
async fn an_accepted_submission_answers_with_a_receipt_naming_every_record_and_file() {
    let app = spawn_app().await;
    let sent = voucher("记-0001", 3, standard_pdf(), standard_xml());
    let manifest = json!({"fonds": "Z001", "records": [sent]});
    let response = app
        .submit(
            &manifest,
            &[
                ("v0001-main", standard_pdf()),
                ("v0001-inv", standard_xml()),
            ],
        )
        .await;
    assert!(
        response.headers()["location"]
            .to_str()
            .expect("location")
            .starts_with("/api/v1/submissions/")
    );
    let receipt = assert_accepted(response).await;
    let status = app
        .get_json(receipt["status_url"].as_str().expect("status url"))
        .await;
    assert_eq!(status["state"], "accepted");
    assert_eq!(status["records"], receipt["records"]);
    let record = &receipt["records"][0];
    assert_eq!(record["key"], "记-0001");
    assert_eq!(record["state"], "collected");
    assert_eq!(record["files"][0]["sha256"], sha256(standard_pdf()));
    assert_eq!(record["files"][0]["media_type"], "application/pdf");
    assert_eq!(record["files"][1]["media_type"], "application/xml");
    assert_eq!(record["files"][0]["sm3"].as_str().map(str::len), Some(64));

    let id = record["id"].as_str().expect("id");
    let shown = app.get_json(&format!("/api/v1/records/{id}")).await;
    assert_eq!(shown["kind"], "accounting_voucher");
    assert_eq!(shown["kind_zh"], "记账凭证");
    assert_eq!(shown["retention"], "D30");
    assert_eq!(shown["retention_due"], "2054-01-01");
    assert_eq!(shown["amount"], "1280.00");
    assert_eq!(shown["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(shown["files"][0]["role"], "main");
    assert_eq!(shown["files"][1]["role"], "invoice");
}

#[tokio::test]
async fn files_stream_back_byte_for_byte_with_a_strong_etag_and_ranges() {
    let app = spawn_app().await;
    let id = app.submit_voucher("记-0002", 4).await;
    let shown = app.get_json(&format!("/api/v1/records/{id}")).await;
    let href = shown["files"][0]["href"].as_str().expect("href").to_owned();
    let expected = voucher_pdf("记-0002");

    let whole = app.get(&href).await;
    assert_eq!(whole.status(), 200);
    let etag = whole.headers()["etag"].to_str().expect("etag").to_owned();
    assert_eq!(etag, format!("\"{}\"", sha256(&expected)));
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert!(
        whole.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("UTF-8''")
    );
    assert_eq!(
        whole.bytes().await.expect("body").as_ref(),
        expected.as_slice()
    );

    let part = app
        .client
        .get(app.url(&href))
        .bearer_auth(&app.token)
        .header("range", "bytes=1-3")
        .send()
        .await
        .expect("send");
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 1-3/{}", expected.len())
    );
    assert_eq!(part.bytes().await.expect("body").as_ref(), b"PDF");

    let unchanged = app
        .client
        .get(app.url(&href))
        .bearer_auth(&app.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(unchanged.status(), 304);

    let beyond = app
        .client
        .get(app.url(&href))
        .bearer_auth(&app.token)
        .header("range", "bytes=9999-")
        .send()
        .await
        .expect("send");
    assert_eq!(
        beyond.headers()["content-range"],
        format!("bytes */{}", expected.len())
    );
    assert_problem(beyond, 416, "range_not_satisfiable").await;
}

#[tokio::test]
async fn the_api_refuses_callers_without_a_valid_token() {
    let app = spawn_app().await;
    let anonymous = app
        .client
        .get(app.url("/api/v1/records"))
        .send()
        .await
        .expect("send");
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Bearer realm=\"fonds\""
    );
    assert_problem(anonymous, 401, "unauthenticated").await;
    let forged = app
        .client
        .get(app.url("/api/v1/records"))
        .bearer_auth(format!("fonds_{}", "0".repeat(64)))
        .send()
        .await
        .expect("send");
    assert_problem(forged, 401, "unauthenticated").await;
}

#[tokio::test]
async fn records_that_do_not_exist_are_404_problems() {
    let app = spawn_app().await;
    let missing = app
        .get("/api/v1/records/0190f3c2-7c1e-7d51-8a3b-1c2d3e4f5a6b")
        .await;
    assert_problem(missing, 404, "record_not_found").await;
    let malformed = app.get("/api/v1/records/not-an-id").await;
    assert_problem(malformed, 404, "record_not_found").await;
    let nowhere = app.get("/api/v2/anything").await;
    assert_problem(nowhere, 404, "route_not_found").await;
}
