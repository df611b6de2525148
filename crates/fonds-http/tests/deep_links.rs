//! Deep links (docs/integration.md §12): a client system asks for a link that opens one record
//! for one OA user; the link opens once, before it expires, and only records of the client's
//! fonds can be linked.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::time::Duration;

use common::{TestApp, assert_problem, spawn_app};
use fonds_core::clients::signing::{SignedParts, sign};
use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme, SigningAlgorithm};
use serde_json::{Value, json};
use sha2::Digest as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const PATH: &str = "/api/v1/deep-links";

struct Client {
    id: String,
    secret: String,
}

async fn add_client(app: &TestApp, name: &str, fonds: &[&str]) -> Client {
    let response = app
        .post_json("/api/v1/clients", &json!({"name": name, "fonds": fonds}))
        .await;
    assert_eq!(response.status(), 201, "adding client {name}");
    let created: Value = response.json().await.expect("json");
    Client {
        id: created["id"].as_str().expect("id").to_owned(),
        secret: created["secret"].as_str().expect("secret").to_owned(),
    }
}

/// `POST /api/v1/deep-links`, signed over `declared` (normally the very bytes of `body`).
async fn signed_post(
    app: &TestApp,
    client: &Client,
    body: Vec<u8>,
    declared: &[u8],
) -> reqwest::Response {
    let content_sha256 = hex::encode(sha2::Sha256::digest(declared));
    let timestamp = OffsetDateTime::now_utc().unix_timestamp().to_string();
    let nonce = format!("nonce-{}", uuid::Uuid::now_v7().simple());
    let signature = sign(
        &SignedParts {
            algorithm: SigningAlgorithm::HmacSha256,
            client: &client.id,
            method: "POST",
            path: PATH,
            query: None,
            timestamp: &timestamp,
            nonce: &nonce,
            content_sha256: &content_sha256,
        },
        &client.secret,
    );
    app.client
        .post(app.url(PATH))
        .header("x-fonds-client", &client.id)
        .header("x-fonds-timestamp", timestamp)
        .header("x-fonds-nonce", nonce)
        .header("x-fonds-content-sha256", content_sha256)
        .header("x-fonds-signature", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("send")
}

/// Asks for a deep link as `client`.
async fn ask_link(app: &TestApp, client: &Client, request: &Value) -> reqwest::Response {
    let body = request.to_string().into_bytes();
    let declared = body.clone();
    signed_post(app, client, body, &declared).await
}

/// Asks for a link that must be issued; returns the answer.
async fn issue_link(app: &TestApp, client: &Client, request: &Value) -> Value {
    let response = ask_link(app, client, request).await;
    assert_eq!(response.status(), 201);
    assert_eq!(no_store(&response), Some("no-store"));
    response.json().await.expect("json")
}

/// Opens a link as a browser would: no credentials.
async fn open(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(app.url(url)).send().await.expect("send")
}

fn no_store(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn a_link_opens_its_record_once_and_is_refused_the_second_time() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    let oa = add_client(&app, "oa", &["Z001"]).await;
    let asked_at = OffsetDateTime::now_utc();

    let link = issue_link(&app, &oa, &json!({"record_id": record, "user": "zhangsan"})).await;

    let token = link["token"].as_str().expect("token");
    assert!(token.starts_with("fdl_") && token.len() == 68, "{token}");
    let url = link["url"].as_str().expect("url");
    assert_eq!(url, format!("/open/{token}"));
    let expires_at = OffsetDateTime::parse(link["expires_at"].as_str().expect("expiry"), &Rfc3339)
        .expect("RFC 3339");
    let ttl = expires_at - asked_at;
    assert!(
        ttl > time::Duration::seconds(110) && ttl <= time::Duration::seconds(125),
        "the default lifetime is 120 s, got {ttl}"
    );

    let opened = open(&app, url).await;
    assert_eq!(opened.status(), 200);
    assert_eq!(no_store(&opened), Some("no-store"));
    let mut opened: Value = opened.json().await.expect("json");
    assert_eq!(opened["user"], "zhangsan");
    let mut shown = app.get_json(&format!("/api/v1/records/{record}")).await;
    // Both reads are recorded: the link's view is the first, GET the second.
    assert_eq!(opened["record"]["use_history"]["views"], 1);
    assert_eq!(shown["use_history"]["views"], 2);
    opened["record"]["use_history"].take();
    shown["use_history"].take();
    assert_eq!(
        opened["record"], shown,
        "the same view as GET /records/{{id}}"
    );
    let events = app
        .archive
        .audit_events_after(0, 1000)
        .await
        .expect("events");
    let by_link = events
        .iter()
        .find(|e| e.action == "record.viewed" && e.detail.contains("deep_link_for"))
        .expect("the link's view is recorded");
    assert!(by_link.actor.starts_with("client "), "{}", by_link.actor);
    assert_eq!(by_link.client_address.as_deref(), Some("127.0.0.1"));
    assert!(
        by_link.detail.contains("\"zhangsan\""),
        "{}",
        by_link.detail
    );
    let issued = events
        .iter()
        .find(|e| e.action == "deep_link.issued")
        .expect("the issue is recorded");
    assert_eq!(issued.target_id.as_deref(), Some(record.as_str()));
    assert!(issued.actor.starts_with("client "), "{}", issued.actor);
    assert!(
        !issued.detail.contains(&token[4..]),
        "the event never holds the link's token"
    );

    let again = open(&app, url).await;
    assert_eq!(no_store(&again), Some("no-store"));
    assert_problem(again, 410, "deep_link_used").await;
}

#[tokio::test]
async fn of_concurrent_openings_of_one_link_exactly_one_succeeds() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    let oa = add_client(&app, "oa", &["Z001"]).await;
    let link = issue_link(&app, &oa, &json!({"record_id": record, "user": "张三"})).await;
    let url = link["url"].as_str().expect("url");

    let openings = (0..8).map(|_| open(&app, url));
    let statuses: Vec<u16> = futures_util::future::join_all(openings)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 410),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    let oa = add_client(&app, "oa", &["Z001"]).await;
    let link = issue_link(
        &app,
        &oa,
        &json!({"record_id": record, "user": "zhangsan", "ttl_seconds": 1}),
    )
    .await;

    tokio::time::sleep(Duration::from_secs(2)).await;

    let response = open(&app, link["url"].as_str().expect("url")).await;
    assert_problem(response, 410, "deep_link_expired").await;
}

#[tokio::test]
async fn an_unknown_or_malformed_token_is_not_found() {
    let app = spawn_app().await;
    let never_issued = format!("/open/fdl_{}", "0".repeat(64));
    assert_problem(open(&app, &never_issued).await, 404, "deep_link_unknown").await;
    assert_problem(
        open(&app, "/open/not-a-token").await,
        404,
        "deep_link_unknown",
    )
    .await;
}

#[tokio::test]
async fn a_lifetime_outside_one_to_three_hundred_seconds_or_a_bad_user_is_refused() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    let oa = add_client(&app, "oa", &["Z001"]).await;
    let refused = [
        json!({"record_id": record, "user": "zhangsan", "ttl_seconds": 301}),
        json!({"record_id": record, "user": "zhangsan", "ttl_seconds": 0}),
        json!({"record_id": record, "user": ""}),
        json!({"record_id": record, "user": "zhang\nsan"}),
        json!({"record_id": record, "user": "a".repeat(65)}),
        json!({"record_id": record, "user": "zhangsan", "role": "admin"}),
    ];
    for request in &refused {
        let response = ask_link(&app, &oa, request).await;
        assert_problem(response, 422, "request_invalid").await;
    }
    issue_link(
        &app,
        &oa,
        &json!({"record_id": record, "user": "zhangsan", "ttl_seconds": 300}),
    )
    .await;
}

#[tokio::test]
async fn a_record_outside_the_clients_fonds_is_not_found_like_one_that_does_not_exist() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    // The API has no way to create a fonds; a second handle on the same database does.
    let second =
        fonds_core::Archive::open_embedded(app.data.path(), fonds_core::Settings::default())
            .await
            .expect("second handle");
    second
        .ensure_fonds(
            &Fonds {
                code: "Z002".parse().expect("fonds"),
                name: "子公司".into(),
                retention_scheme: RetentionScheme::Enterprise,
                code_pattern: ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("fonds Z002");
    let other = add_client(&app, "oa-z002", &["Z002"]).await;

    let outside = ask_link(&app, &other, &json!({"record_id": record, "user": "lisi"})).await;
    let outside = assert_problem(outside, 404, "record_not_found").await;
    let missing = uuid::Uuid::now_v7().to_string();
    let absent = ask_link(&app, &other, &json!({"record_id": missing, "user": "lisi"})).await;
    let absent = assert_problem(absent, 404, "record_not_found").await;
    assert_eq!(
        outside["detail"].as_str().map(|d| d.replace(&record, "ID")),
        absent["detail"].as_str().map(|d| d.replace(&missing, "ID")),
        "the answers must not tell an invisible record from a missing one"
    );
}

#[tokio::test]
async fn a_bearer_token_caller_cannot_issue_links() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    let response = app
        .post_json(PATH, &json!({"record_id": record, "user": "zhangsan"}))
        .await;
    let problem = assert_problem(response, 422, "request_invalid").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("client systems")),
        "{problem:#}"
    );
}

#[tokio::test]
async fn a_body_other_than_the_signed_one_is_refused() {
    let app = spawn_app().await;
    let record = app.submit_voucher("记-0001", 3).await;
    let oa = add_client(&app, "oa", &["Z001"]).await;
    let signed = json!({"record_id": record, "user": "zhangsan"}).to_string();
    let sent = json!({"record_id": record, "user": "mallory"}).to_string();
    let response = signed_post(&app, &oa, sent.into_bytes(), signed.as_bytes()).await;
    assert_problem(response, 400, "content_digest_mismatch").await;
}
