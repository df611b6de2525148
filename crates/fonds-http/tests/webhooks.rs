//! Outbound webhooks: events are delivered signed by the scheme clients use, failures are
//! retried, exhausted deliveries become dead letters, and a dead letter can be replayed.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::signing::{Client, Tweak, oa_client, submit_one};
use common::{TestApp, assert_accepted, spawn_app_with};
use fonds_core::Settings;
use fonds_core::clients::signing::{SignedParts, verify};
use serde_json::{Value, json};

/// A local endpoint that records what it receives and answers with the statuses it is given.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(self) -> String {
        let receiver = self.clone();
        let app = axum::Router::new().route(
            "/hooks/fonds",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let receiver = receiver.clone();
                async move {
                    receiver
                        .received
                        .lock()
                        .expect("lock")
                        .push((headers, body));
                    let status = receiver
                        .answers
                        .lock()
                        .expect("lock")
                        .pop_front()
                        .unwrap_or(200);
                    StatusCode::from_u16(status).expect("status")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/hooks/fonds?tenant=z001",
            listener.local_addr().expect("addr")
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    async fn wait_for(&self, count: usize) -> Vec<(HeaderMap, Bytes)> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let received = self.received.lock().expect("lock").clone();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {count} deliveries arrived",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn fast_retries() -> Settings {
    Settings {
        webhook_retry_base: Duration::from_millis(50),
        webhook_timeout: Duration::from_secs(2),
        ..Settings::default()
    }
}

async fn register(app: &TestApp, client: &Client, url: &str, events: &[&str]) {
    let body = json!({"url": url, "events": events, "client_id": client.id});
    let response = app.post_json("/api/v1/webhooks", &body).await;
    assert_eq!(
        response.status(),
        201,
        "{}",
        response.text().await.unwrap_or_default()
    );
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("missing {name}"))
}

/// Verifies a delivery exactly as docs/integration.md tells a receiver to.
fn assert_signed(client: &Client, headers: &HeaderMap, body: &[u8]) {
    use sha2::Digest as _;
    let content = hex::encode(sha2::Sha256::digest(body));
    assert_eq!(header(headers, "x-fonds-content-sha256"), content);
    assert_eq!(header(headers, "x-fonds-client"), client.id);
    let parts = SignedParts {
        algorithm: client.algorithm,
        client: &client.id,
        method: "POST",
        path: "/hooks/fonds",
        query: Some("tenant=z001"),
        timestamp: header(headers, "x-fonds-timestamp"),
        nonce: header(headers, "x-fonds-nonce"),
        content_sha256: &content,
    };
    assert!(
        verify(&parts, &client.secret, header(headers, "x-fonds-signature")),
        "the delivery's signature does not verify"
    );
}

#[tokio::test]
async fn accepted_submissions_and_archived_records_are_announced_signed() {
    let app = spawn_app_with(fast_retries()).await;
    let client = oa_client(&app).await;
    let receiver = Receiver::default();
    let url = receiver.clone().start().await;
    register(
        &app,
        &client,
        &url,
        &["submission.accepted", "record.archived"],
    )
    .await;

    let receipt =
        assert_accepted(submit_one(&app, &client, "记-0001", Tweak::default()).await).await;
    let record = receipt["records"][0]["id"].as_str().expect("id").to_owned();
    let deliveries = receiver.wait_for(1).await;
    let (headers, body) = &deliveries[0];
    assert_signed(&client, headers, body);
    assert_eq!(header(headers, "x-fonds-event"), "submission.accepted");
    let event: Value = serde_json::from_slice(body).expect("json");
    assert_eq!(event["event"], "submission.accepted");
    assert_eq!(event["id"], header(headers, "x-fonds-delivery"));
    assert_eq!(event["data"]["submission_id"], receipt["submission_id"]);
    assert_eq!(event["data"]["records"][0]["id"], record.as_str());

    assert_eq!(app.archive(&record).await.status(), 200);
    let deliveries = receiver.wait_for(2).await;
    let (headers, body) = &deliveries[1];
    assert_signed(&client, headers, body);
    let event: Value = serde_json::from_slice(body).expect("json");
    assert_eq!(event["event"], "record.archived");
    assert_eq!(event["data"]["archival_code"], "Z001-PZ·2023·D30-0004-0001");
    assert_eq!(event["data"]["key"], "记-0001");
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_until_it_takes_the_delivery() {
    let app = spawn_app_with(fast_retries()).await;
    let client = oa_client(&app).await;
    let receiver = Receiver::default();
    receiver.answers.lock().expect("lock").extend([500, 503]);
    let url = receiver.clone().start().await;
    register(&app, &client, &url, &["submission.accepted"]).await;
    assert_accepted(submit_one(&app, &client, "记-0001", Tweak::default()).await).await;
    let deliveries = receiver.wait_for(3).await;
    let ids: Vec<&str> = deliveries
        .iter()
        .map(|(h, _)| header(h, "x-fonds-delivery"))
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "a retry keeps its delivery id: {ids:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let listed = app.get_json("/api/v1/webhooks/deliveries").await;
    assert_eq!(listed[0]["state"], "delivered");
    assert_eq!(listed[0]["attempts"], 3);
    assert_eq!(listed[0]["last_status"], 200);
}

#[tokio::test]
async fn an_exhausted_delivery_becomes_a_dead_letter_that_can_be_replayed() {
    let settings = Settings {
        webhook_give_up_after: Duration::from_millis(600),
        ..fast_retries()
    };
    let app = spawn_app_with(settings).await;
    let client = oa_client(&app).await;
    let receiver = Receiver::default();
    receiver.answers.lock().expect("lock").extend([500; 64]);
    let url = receiver.clone().start().await;
    register(&app, &client, &url, &["submission.accepted"]).await;
    assert_accepted(submit_one(&app, &client, "记-0001", Tweak::default()).await).await;

    let deadline = Instant::now() + Duration::from_secs(15);
    let dead = loop {
        let dead = app.get_json("/api/v1/webhooks/deliveries?state=dead").await;
        if let Some(first) = dead.as_array().and_then(|d| d.first()) {
            break first.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the delivery never became a dead letter"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(dead["last_status"], 500);
    let attempts = receiver.received.lock().expect("lock").len();
    assert!(
        attempts >= 2,
        "it was retried before it was given up ({attempts} attempts)"
    );

    receiver.answers.lock().expect("lock").clear();
    let id = dead["id"].as_str().expect("id");
    let replayed = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/deliveries/{id}/replay")))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("send");
    assert_eq!(replayed.status(), 202);
    let events = app
        .archive
        .audit_events_after(0, 1000)
        .await
        .expect("events");
    let replay = events
        .iter()
        .find(|e| e.action == "webhook.replayed")
        .expect("the replay is audited");
    assert_eq!(replay.target_id.as_deref(), Some(id));
    receiver.wait_for(attempts + 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let delivered = app
        .get_json("/api/v1/webhooks/deliveries?state=delivered")
        .await;
    assert_eq!(delivered[0]["id"], id);

    let again = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/deliveries/{id}/replay")))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("send");
    common::assert_problem(again, 422, "request_invalid").await;
}

#[tokio::test]
async fn endpoints_must_be_http_urls_for_known_events() {
    let app = spawn_app_with(fast_retries()).await;
    let client = oa_client(&app).await;
    for body in [
        json!({"url": "ftp://example.invalid/x", "events": ["submission.accepted"], "client_id": client.id}),
        json!({"url": "http://127.0.0.1:9/x", "events": ["submission.exploded"], "client_id": client.id}),
        json!({"url": "http://127.0.0.1:9/x", "events": [], "client_id": client.id}),
        json!({"url": "http://127.0.0.1:9/x", "events": ["record.archived"]}),
    ] {
        let response = app.post_json("/api/v1/webhooks", &body).await;
        common::assert_problem(response, 422, "request_invalid").await;
    }
    // Reserved lifecycle events may be subscribed to already.
    register(
        &app,
        &client,
        "http://127.0.0.1:9/x",
        &["destruction.completed"],
    )
    .await;
}
