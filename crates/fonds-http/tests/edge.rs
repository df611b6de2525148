//! The edge: readiness, the queue gauges, and the security headers on every response.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{spawn_app, spawn_app_with};
use fonds_core::Settings;
use serde_json::Value;

#[tokio::test]
async fn readyz_answers_when_database_and_files_answer_and_503_when_the_store_is_gone() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["ready"], true);
    assert_eq!(body["database"], "ok");
    assert_eq!(body["blobs"], "ok");

    // The scrape reads the queue's gauges afresh.
    app.submit_voucher("记-0001", 3).await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("fonds_ready 1"), "{metrics}");
    assert!(metrics.contains("fonds_job_queue_depth"), "{metrics}");
    assert!(
        metrics.contains("fonds_job_queue_oldest_age_seconds"),
        "{metrics}"
    );

    // Take the file store away, as a lost mount would.
    let objects = app.data.path().join("blobs").join("objects");
    std::fs::rename(&objects, app.data.path().join("moved")).expect("move");
    std::fs::write(&objects, b"not a directory").expect("block");
    let response = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["ready"], false);
    assert_eq!(body["database"], "ok");
    assert_ne!(body["blobs"], "ok");
}

#[tokio::test]
async fn every_response_refuses_framing_and_sniffing_unless_oa_origins_are_configured() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/v1/records", "/nowhere"] {
        let response = app.client.get(app.url(path)).send().await.expect("send");
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        let csp = headers["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
    }

    let embedded = spawn_app_with(Settings {
        frame_ancestors: vec!["https://oa.example.com".into()],
        ..Settings::default()
    })
    .await;
    let response = embedded
        .client
        .get(embedded.url("/healthz"))
        .send()
        .await
        .expect("send");
    let headers = response.headers();
    assert!(headers.get("x-frame-options").is_none());
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .ends_with("frame-ancestors https://oa.example.com")
    );
}

#[tokio::test]
async fn a_caller_over_its_rate_is_refused_with_429_and_retry_after() {
    let app = spawn_app_with(Settings {
        rate_limit_per_minute: 60, // one a second, bursts of ten
        ..Settings::default()
    })
    .await;
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..15 {
        let response = app.get("/api/v1/records").await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            refused = Some(response);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    let refused = refused.expect("refused");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "rate_limited");
}

#[tokio::test]
async fn a_json_body_over_a_mebibyte_is_refused_with_413_before_it_is_read() {
    let app = spawn_app().await;
    let huge = format!(
        "{{\"record_ids\": [], \"padding\": \"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let response = app
        .client
        .post(app.url("/api/v1/check-runs"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 413);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "upload_too_large");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("limited to 1048576 bytes")
    );
}

#[tokio::test]
async fn readyz_fails_when_the_file_store_directory_is_gone() {
    let app = spawn_app().await;
    std::fs::remove_dir_all(app.data.path().join("blobs").join("objects")).expect("remove");
    let response = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["blobs"]
            .as_str()
            .expect("blobs")
            .contains("blob directory"),
        "{body}"
    );
}
