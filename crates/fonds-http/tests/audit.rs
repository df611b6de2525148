//! The audit trail over the API: content reads (view, download, print, check report) are
//! recorded with the reader, their address, the record and its archival code; the auditor
//! searches by person, action, record, time and outcome with keyset paging; a record's use
//! history; and no route can change or remove an event.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::collections::BTreeSet;

use common::{TestApp, assert_problem, spawn_app};
use serde_json::{Value, json};

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn search(app: &TestApp, params: &[(&str, &str)]) -> Value {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encoded(v)))
        .collect();
    let response = app
        .get_as_auditor(&format!("/api/v1/audit/events?{}", query.join("&")))
        .await;
    assert_eq!(response.status(), 200, "{params:?}");
    response.json().await.expect("json")
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}

fn actions(page: &Value) -> Vec<&str> {
    items(page)
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect()
}

/// A submitted and archived voucher: its id, archival code and main file id.
async fn archived_voucher(app: &TestApp, number: &str) -> (String, String, String) {
    let id = app.submit_voucher(number, 12).await;
    let archived: Value = app.archive(&id).await.json().await.expect("json");
    let code = archived["archival_code"].as_str().expect("code").to_owned();
    let detail = app
        .archive
        .record(
            id.parse().expect("id"),
            &fonds_domain::access::RecordScope::everything(),
        )
        .await
        .expect("record");
    let file = detail.files[0].id.to_string();
    (id, code, file)
}

#[tokio::test]
async fn viewing_downloading_printing_and_reading_a_report_are_each_recorded_before_served() {
    let app = spawn_app().await;
    let (id, code, file) = archived_voucher(&app, "记-0001").await;

    let viewed = app.get_json(&format!("/api/v1/records/{id}")).await;
    assert_eq!(
        viewed["use_history"],
        json!({"views": 1, "downloads": 0, "prints": 0,
               "last_use_sequence": viewed["use_history"]["last_use_sequence"]})
    );
    let download = app.get(&format!("/api/v1/records/{id}/files/{file}")).await;
    assert_eq!(download.status(), 200);
    let printed = app
        .post_json(
            &format!("/api/v1/records/{id}/prints"),
            &json!({"file_id": file, "copies": 2}),
        )
        .await;
    assert_eq!(printed.status(), 201);
    let printed: Value = printed.json().await.expect("json");
    assert_eq!(printed["archival_code"], code.as_str());
    let runs = app
        .get_json(&format!("/api/v1/records/{id}/check-runs"))
        .await;
    let run = runs[0]["id"].as_str().expect("run id");
    let report = app
        .get(&format!("/api/v1/check-runs/{run}/report.html"))
        .await;
    assert_eq!(report.status(), 200);

    let trail = search(&app, &[("record", &id)]).await;
    let reads: Vec<&Value> = items(&trail)
        .iter()
        .filter(|e| {
            matches!(
                e["action"].as_str(),
                Some("record.viewed" | "file.downloaded" | "record.printed")
            )
        })
        .collect();
    assert_eq!(reads.len(), 3, "{trail:#}");
    for event in &reads {
        assert_eq!(event["actor"], "admin token test");
        assert_eq!(event["client_address"], "127.0.0.1");
        assert_eq!(event["target_kind"], "record");
        assert_eq!(event["target_id"], id.as_str());
        assert_eq!(event["archival_code"], code.as_str());
        assert_eq!(event["outcome"], "success");
    }
    assert_eq!(reads[1]["detail"]["file_id"], file.as_str());
    assert_eq!(reads[1]["detail"]["range"], Value::Null);
    assert_eq!(reads[2]["detail"]["copies"], 2);

    let report_reads = search(&app, &[("action", "check_report.viewed")]).await;
    assert_eq!(items(&report_reads).len(), 1);
    assert_eq!(items(&report_reads)[0]["target_id"], run);
    assert_eq!(items(&report_reads)[0]["detail"]["format"], "html");
    assert_eq!(
        items(&report_reads)[0]["detail"]["records"],
        json!([id.as_str()])
    );

    let history = app
        .get_json(&format!("/api/v1/records/{id}/use-history"))
        .await;
    assert_eq!(
        actions(&history),
        ["record.printed", "file.downloaded", "record.viewed"],
        "newest first, uses only"
    );
    let again = app.get_json(&format!("/api/v1/records/{id}")).await;
    assert_eq!(again["use_history"]["views"], 2);
    assert_eq!(again["use_history"]["downloads"], 1);
    assert_eq!(again["use_history"]["prints"], 1);

    let report = app.archive.verify_audit_chain().await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.broken);
}

#[tokio::test]
async fn a_range_request_is_recorded_with_its_range_and_a_revalidation_reads_nothing() {
    let app = spawn_app().await;
    let (id, _, file) = archived_voucher(&app, "记-0002").await;
    let path = format!("/api/v1/records/{id}/files/{file}");
    let ranged = app
        .client
        .get(app.url(&path))
        .bearer_auth(&app.token)
        .header("Range", "bytes=0-9")
        .send()
        .await
        .expect("send");
    assert_eq!(ranged.status(), 206);
    let etag = ranged.headers()["etag"].to_str().expect("etag").to_owned();
    let unchanged = app
        .client
        .get(app.url(&path))
        .bearer_auth(&app.token)
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("send");
    assert_eq!(unchanged.status(), 304);
    let downloads = search(&app, &[("action", "file.downloaded")]).await;
    assert_eq!(items(&downloads).len(), 1);
    let range = items(&downloads)[0]["detail"]["range"]
        .as_str()
        .expect("range");
    assert!(range.starts_with("bytes 0-9/"), "{range}");
}

#[tokio::test]
async fn reads_of_missing_records_or_bad_prints_are_refused_and_leave_no_use() {
    let app = spawn_app().await;
    let (id, _, file) = archived_voucher(&app, "记-0003").await;
    let missing = "01900000-0000-7000-8000-000000000000";
    assert_problem(
        app.get(&format!("/api/v1/records/{missing}")).await,
        404,
        "record_not_found",
    )
    .await;
    for copies in [0, 1001] {
        let refused = app
            .post_json(
                &format!("/api/v1/records/{id}/prints"),
                &json!({"file_id": file, "copies": copies}),
            )
            .await;
        assert_problem(refused, 422, "query_invalid").await;
    }
    let wrong_file = app
        .post_json(
            &format!("/api/v1/records/{id}/prints"),
            &json!({"file_id": missing, "copies": 1}),
        )
        .await;
    assert_problem(wrong_file, 404, "file_not_found").await;
    let uses = search(&app, &[("action", "record.printed")]).await;
    assert!(items(&uses).is_empty());
}

#[tokio::test]
async fn concurrent_reads_share_commits_and_leave_one_whole_chain() {
    let app = spawn_app().await;
    let (id, _, _) = archived_voucher(&app, "记-0004").await;
    let path = format!("/api/v1/records/{id}");
    let reads = (0..40).map(|_| app.get(&path));
    for response in futures_util::future::join_all(reads).await {
        assert_eq!(response.status(), 200);
    }
    let views = search(
        &app,
        &[
            ("record", &id),
            ("action", "record.viewed"),
            ("limit", "100"),
        ],
    )
    .await;
    assert_eq!(items(&views).len(), 40);
    let report = app.archive.verify_audit_chain().await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.broken);
}

#[tokio::test]
async fn relaxed_read_commits_still_record_every_read_before_it_is_served() {
    let app = common::spawn_app_with(fonds_core::Settings {
        audit_read_commit: fonds_core::audit::ReadCommit::Relaxed,
        ..fonds_core::Settings::default()
    })
    .await;
    let (id, _, file) = archived_voucher(&app, "记-0009").await;
    let paths: Vec<String> = (0..20)
        .map(|n| {
            if n % 2 == 0 {
                format!("/api/v1/records/{id}")
            } else {
                format!("/api/v1/records/{id}/files/{file}")
            }
        })
        .collect();
    let reads = paths.iter().map(|path| app.get(path));
    for response in futures_util::future::join_all(reads).await {
        assert_eq!(response.status(), 200);
    }
    let history = app
        .get_json(&format!("/api/v1/records/{id}/use-history?limit=100"))
        .await;
    assert_eq!(items(&history).len(), 20);
    let report = app.archive.verify_audit_chain().await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.broken);
}

#[tokio::test]
async fn the_auditor_searches_by_person_action_record_time_and_outcome_page_by_page() {
    let app = spawn_app().await;
    let (first, code, _) = archived_voucher(&app, "记-0005").await;
    let (second, _, _) = archived_voucher(&app, "记-0006").await;
    for id in [&first, &second, &first] {
        app.get_json(&format!("/api/v1/records/{id}")).await;
    }

    let by_code = search(&app, &[("archival_code", &code)]).await;
    assert_eq!(
        actions(&by_code),
        ["record.archived", "record.viewed", "record.viewed"]
    );
    let family = search(&app, &[("action", "record.*"), ("record", &second)]).await;
    assert_eq!(actions(&family), ["record.archived", "record.viewed"]);
    let by_actor = search(
        &app,
        &[("actor", "admin token test"), ("action", "record.viewed")],
    )
    .await;
    assert_eq!(items(&by_actor).len(), 3);
    let nobody = search(&app, &[("actor", "user nobody")]).await;
    assert!(items(&nobody).is_empty());
    let refused = search(&app, &[("outcome", "refused")]).await;
    assert!(items(&refused).is_empty());
    let future = search(&app, &[("from", "2999-01-01T00:00:00Z")]).await;
    assert!(items(&future).is_empty());
    let past = search(&app, &[("until", "2000-01-01T00:00:00Z")]).await;
    assert!(items(&past).is_empty());
    let today = search(
        &app,
        &[
            ("from", "2000-01-01T00:00:00+08:00"),
            ("action", "record.viewed"),
        ],
    )
    .await;
    assert_eq!(items(&today).len(), 3);

    // Keyset paging: every event once, in sequence order, both ways.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![("limit", "2".to_owned())];
        if let Some(c) = &cursor {
            params.push(("cursor", c.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = search(&app, &params).await;
        assert!(items(&page).len() <= 2);
        seen.extend(
            items(&page)
                .iter()
                .map(|e| e["sequence"].as_i64().expect("seq")),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1), "{seen:?}");
    assert_eq!(seen.first(), Some(&1));
    let newest = search(&app, &[("order", "desc"), ("limit", "1")]).await;
    let head = items(&newest)[0]["sequence"].as_i64().expect("seq");
    assert!(
        head > *seen.last().expect("last"),
        "the searches themselves are recorded"
    );
    assert_eq!(items(&newest)[0]["action"], "audit.searched");
}

#[tokio::test]
async fn malformed_search_parameters_are_refused_with_what_to_send() {
    let app = spawn_app().await;
    for query in [
        "action=Record.Viewed",
        "action=record.%25",
        "order=sideways",
        "from=yesterday",
        "outcome=maybe",
        "record=not-an-id",
        "cursor=abc",
        "limit=0",
        "limit=100000",
        "colour=blue",
    ] {
        let response = app
            .get_as_auditor(&format!("/api/v1/audit/events?{query}"))
            .await;
        assert_problem(response, 422, "query_invalid").await;
    }
}

#[tokio::test]
async fn no_route_changes_or_removes_an_audit_event_and_the_database_refuses_it_too() {
    let app = spawn_app().await;
    let (id, _, _) = archived_voucher(&app, "记-0007").await;
    let before = app
        .archive
        .audit_events_after(0, 1000)
        .await
        .expect("events");
    let first = before[0].sequence;
    let body = json!({"actor": "nobody", "detail": {}});
    let attempts = [
        (reqwest::Method::DELETE, "/api/v1/audit/events".to_owned()),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/audit/events/{first}"),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/audit/events/{first}"),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/audit/events/{first}"),
        ),
        (reqwest::Method::POST, "/api/v1/audit/events".to_owned()),
        (reqwest::Method::PUT, "/api/v1/audit/events".to_owned()),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/records/{id}/use-history"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/records/{id}/use-history"),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/records/{id}/prints"),
        ),
        (reqwest::Method::DELETE, format!("/api/v1/records/{id}")),
    ];
    for (method, path) in &attempts {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&app.token)
            .json(&body)
            .send()
            .await
            .expect("send");
        assert!(
            matches!(response.status().as_u16(), 404 | 405),
            "{method} {path}: {}",
            response.status()
        );
    }
    let after = app
        .archive
        .audit_events_after(0, 1000)
        .await
        .expect("events");
    assert_eq!(after, before, "no event changed, removed or added");

    // Straight at the database, past Fonds: the triggers refuse.
    let url = format!(
        "sqlite://{}",
        app.data.path().join("fonds.sqlite").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    let edit = sqlx::query("UPDATE audit_events SET actor = 'nobody' WHERE sequence = 1")
        .execute(&pool)
        .await;
    assert!(edit.is_err_and(|e| e.to_string().contains("audit events cannot be changed")));
    let delete = sqlx::query("DELETE FROM audit_events WHERE sequence = $1")
        .bind(after.last().expect("last").sequence)
        .execute(&pool)
        .await;
    assert!(delete.is_err_and(|e| e.to_string().contains("audit events cannot be deleted")));
    pool.close().await;
    let report = app.archive.verify_audit_chain().await.expect("verify");
    assert!(report.is_ok());
    assert_eq!(report.events, after.len() as u64);
}

#[tokio::test]
async fn use_history_pages_newest_first_and_names_a_missing_record() {
    let app = spawn_app().await;
    let (id, _, _) = archived_voucher(&app, "记-0008").await;
    for _ in 0..3 {
        app.get_json(&format!("/api/v1/records/{id}")).await;
    }
    let first = app
        .get_json(&format!("/api/v1/records/{id}/use-history?limit=2"))
        .await;
    assert_eq!(items(&first).len(), 2);
    let cursor = first["next_cursor"].as_str().expect("more");
    let rest = app
        .get_json(&format!(
            "/api/v1/records/{id}/use-history?limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(items(&rest).len(), 1);
    assert!(rest["next_cursor"].is_null());
    let sequences: BTreeSet<i64> = items(&first)
        .iter()
        .chain(items(&rest))
        .map(|e| e["sequence"].as_i64().expect("seq"))
        .collect();
    assert_eq!(sequences.len(), 3);
    assert_problem(
        app.get("/api/v1/records/01900000-0000-7000-8000-000000000000/use-history")
            .await,
        404,
        "record_not_found",
    )
    .await;
}
