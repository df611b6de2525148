//! The four-properties check over the API: a record's check history, the report as HTML and
//! PDF, the catalogue, an on-demand run, switching an item off for a fonds, and the problems a
//! wrong id or item gets.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{assert_problem, spawn_app};
use serde_json::{Value, json};

async fn put_json(app: &common::TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(&app.token)
        .json(body)
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn a_records_submission_check_is_listed_and_its_report_served_as_html_and_pdf() {
    let app = spawn_app().await;
    let id = app.submit_voucher("记-0001", 12).await;

    let runs = app
        .get_json(&format!("/api/v1/records/{id}/check-runs"))
        .await;
    let run = &runs[0];
    assert_eq!(run["occasion"], "submission");
    assert_eq!(run["stage"], "GD");
    assert_eq!(run["passed"], true);

    let detail = app
        .get_json(&format!(
            "/api/v1/check-runs/{}",
            run["id"].as_str().expect("id")
        ))
        .await;
    let results = detail["results"].as_array().expect("results");
    let virus: Vec<&Value> = results
        .iter()
        .filter(|r| r["item"] == "virus_free")
        .collect();
    assert_eq!(virus.len(), 2, "one per file");
    for r in virus {
        assert_eq!(r["outcome"], "not_run");
        assert_eq!(r["code"], "GD-4-01");
        assert!(
            r["reason"]
                .as_str()
                .expect("reason")
                .contains("no scanner configured")
        );
    }

    let html = app.get(run["report_html"].as_str().expect("link")).await;
    assert_eq!(html.status(), 200);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let page = html.text().await.expect("text");
    assert!(page.contains("电子会计档案四性检测报告") && page.contains("按属性汇总"));
    assert!(page.contains("未检测"), "a not-run item is shown as such");

    let pdf = app.get(run["report_pdf"].as_str().expect("link")).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));

    let invoices = app
        .get_json(&format!("/api/v1/records/{id}/invoices"))
        .await;
    assert_eq!(invoices.as_array().expect("list").len(), 1);
    assert!(
        invoices[0]["key"]
            .as_str()
            .expect("key")
            .starts_with("sdp:")
    );
}

#[tokio::test]
async fn an_item_switched_off_for_a_fonds_is_recorded_as_not_run_with_the_reason() {
    let app = spawn_app().await;
    let id = app.submit_voucher("记-0002", 12).await;
    let switched = put_json(
        &app,
        "/api/v1/fonds/Z001/check-items/voucher_continuity",
        &json!({"enabled": false}),
    )
    .await;
    assert_eq!(switched.status(), 204);
    let events = app
        .archive
        .audit_events_after(0, 1000)
        .await
        .expect("events");
    let switch = events
        .iter()
        .find(|e| e.action == "check_item.switched")
        .expect("the switch is audited");
    assert_eq!(switch.target_id.as_deref(), Some("Z001"));
    assert!(
        switch.detail.contains("\"enabled\":false"),
        "{}",
        switch.detail
    );

    let response = app
        .post_json(
            "/api/v1/check-runs",
            &json!({"record_ids": [id], "occasion": "transfer"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let detail: Value = response.json().await.expect("json");
    assert_eq!(detail["run"]["stage"], "YJ");
    let continuity = detail["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["item"] == "voucher_continuity")
        .expect("item");
    assert_eq!(continuity["outcome"], "not_run");
    assert!(
        continuity["reason"]
            .as_str()
            .expect("reason")
            .contains("Z001")
    );

    let catalogue = app.get_json("/api/v1/checks/items").await;
    assert_eq!(catalogue.as_array().expect("items").len(), 23);
}

#[tokio::test]
async fn unknown_runs_items_and_occasions_get_problem_details() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/check-runs/01900000-0000-7000-8000-000000000000")
            .await,
        404,
        "check_run_not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/check-runs/not-an-id").await,
        404,
        "check_run_not_found",
    )
    .await;
    assert_problem(
        put_json(
            &app,
            "/api/v1/fonds/Z001/check-items/no_such_item",
            &json!({"enabled": false}),
        )
        .await,
        422,
        "check_item_unknown",
    )
    .await;
    let id = app.submit_voucher("记-0003", 12).await;
    assert_problem(
        app.post_json(
            "/api/v1/check-runs",
            &json!({"record_ids": [id], "occasion": "submission"}),
        )
        .await,
        422,
        "request_invalid",
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/check-runs", &json!({"record_ids": []}))
            .await,
        422,
        "request_invalid",
    )
    .await;
}
