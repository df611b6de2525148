//! Listing, archiving and correcting records.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::collections::BTreeSet;

use common::{assert_problem, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn archiving_assigns_the_next_code_of_the_month_and_freezes_the_record() {
    let app = spawn_app().await;
    let first = app.submit_voucher("记-0001", 12).await;
    let second = app.submit_voucher("记-0002", 12).await;
    for (id, code) in [
        (&first, "Z001-PZ·2023·D30-0012-0001"),
        (&second, "Z001-PZ·2023·D30-0012-0002"),
    ] {
        let response = app.archive(id).await;
        assert_eq!(response.status(), 200);
        let archived: Value = response.json().await.expect("json");
        assert_eq!(archived["archival_code"], code);
        let shown = app.get_json(&format!("/api/v1/records/{id}")).await;
        assert_eq!(shown["state"], "archived");
        assert_eq!(shown["archival_code"], code);
    }
    let again = app.archive(&first).await;
    assert_problem(again, 409, "transition_not_allowed").await;
}

#[tokio::test]
async fn concurrent_archivings_over_http_never_collide_or_leave_gaps() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 1..=20 {
        ids.push(app.submit_voucher(&format!("记-{n:04}"), 6).await);
    }
    let archivings = ids.iter().map(|id| app.archive(id));
    let mut codes = BTreeSet::new();
    for response in futures_util::future::join_all(archivings).await {
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        codes.insert(body["archival_code"].as_str().expect("code").to_owned());
    }
    let expected: BTreeSet<String> = (1..=20)
        .map(|n| format!("Z001-PZ·2023·D30-0006-{n:04}"))
        .collect();
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn a_correction_of_an_archived_record_is_a_new_version_and_the_old_one_is_kept() {
    let app = spawn_app().await;
    let id = app.submit_voucher("记-0003", 5).await;
    assert_eq!(app.archive(&id).await.status(), 200);
    let correction = json!({
        "description": {
            "title": "报销差旅费（北京出差）",
            "date": "2023-05-15",
            "voucher_number": "记-0003",
            "amount": "1280.00",
            "preparer": "张三",
            "reviewer": "王五",
            "attachment_count": 1
        },
        "reason": "审核人录入错误"
    });
    let response = app
        .post_json(&format!("/api/v1/records/{id}/corrections"), &correction)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.expect("json")["version"], 2);
    let versions = app
        .get_json(&format!("/api/v1/records/{id}/versions"))
        .await;
    assert_eq!(versions[0]["description"]["reviewer"], "李四");
    assert_eq!(versions[1]["description"]["reviewer"], "王五");
    assert_eq!(versions[1]["reason"], "审核人录入错误");
    let shown = app.get_json(&format!("/api/v1/records/{id}")).await;
    assert_eq!(
        (shown["version"].clone(), shown["reviewer"].clone()),
        (json!(2), json!("王五"))
    );
    // The archival code did not move.
    assert_eq!(shown["archival_code"], "Z001-PZ·2023·D30-0005-0001");

    let no_reason = json!({"description": correction["description"], "reason": " "});
    let refused = app
        .post_json(&format!("/api/v1/records/{id}/corrections"), &no_reason)
        .await;
    assert_problem(refused, 422, "manifest_invalid").await;
    let outside = json!({"description": {"title": "x", "date": "2023-06-01", "voucher_number": "记-0003"}, "reason": "改日期"});
    let refused = app
        .post_json(&format!("/api/v1/records/{id}/corrections"), &outside)
        .await;
    assert_problem(refused, 422, "manifest_invalid").await;
    assert_eq!(
        app.get_json(&format!("/api/v1/records/{id}/versions"))
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn lists_filter_by_period_state_and_text_and_page_with_cursors() {
    let app = spawn_app().await;
    for n in 1..=7 {
        app.submit_voucher(&format!("记-{n:04}"), if n <= 4 { 1 } else { 2 })
            .await;
    }
    let all = app.all_records().await;
    assert_eq!(all.len(), 7);
    let january = app
        .get_json("/api/v1/records?period=1&fiscal_year=2023")
        .await;
    assert_eq!(january["items"].as_array().map(Vec::len), Some(4));
    let first_page = app.get_json("/api/v1/records?limit=3").await;
    assert_eq!(first_page["items"].as_array().map(Vec::len), Some(3));
    assert!(first_page["next_cursor"].is_string());
    let text = app.get_json("/api/v1/records?q=%E8%AE%B0-0007").await;
    assert_eq!(text["items"].as_array().map(Vec::len), Some(1));
    let id = all[0]["id"].as_str().expect("id");
    assert_eq!(app.archive(id).await.status(), 200);
    let archived = app.get_json("/api/v1/records?state=archived").await;
    assert_eq!(archived["items"].as_array().map(Vec::len), Some(1));
    let amount = app
        .get_json("/api/v1/records?amount_min=1000&amount_max=2000")
        .await;
    assert_eq!(amount["items"].as_array().map(Vec::len), Some(7));
    let none = app.get_json("/api/v1/records?amount_min=2000.01").await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));
    let dated = app
        .get_json("/api/v1/records?date_from=2023-02-01&date_to=2023-02-28")
        .await;
    assert_eq!(dated["items"].as_array().map(Vec::len), Some(3));

    for bad in [
        "state=lost",
        "kind=invoice",
        "date_from=2023-13-01",
        "amount_min=1e3",
        "limit=100000",
        "colour=red",
    ] {
        let response = app.get(&format!("/api/v1/records?{bad}")).await;
        assert_problem(response, 422, "query_invalid").await;
    }
}
