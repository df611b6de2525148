//! `/metrics`: the counters an operator watches, in the Prometheus text format.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::signing::{Tweak, oa_client, submit_one};
use common::{assert_accepted, spawn_app};

#[tokio::test]
async fn refused_signatures_submissions_and_requests_are_counted() {
    let app = spawn_app().await;
    let client = oa_client(&app).await;
    assert_accepted(submit_one(&app, &client, "记-0001", Tweak::default()).await).await;
    let bad = Tweak {
        secret: Some("fcs_wrong".into()),
        ..Tweak::default()
    };
    assert_eq!(
        submit_one(&app, &client, "记-0002", bad).await.status(),
        401
    );

    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain")
    );
    let text = response.text().await.expect("text");
    for expected in [
        "fonds_signature_refusals_total{code=\"signature_invalid\"} 1",
        "fonds_submissions_total{outcome=\"received\"} 1",
        "fonds_submissions_total{outcome=\"accepted\"} 1",
        "fonds_http_problems_total{code=\"signature_invalid\"} 1",
        "fonds_http_requests_total{route=\"/api/v1/submissions\",status=\"202\"} 1",
        "fonds_http_request_duration_seconds_bucket{route=\"/api/v1/submissions\",le=\"10\"}",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}
