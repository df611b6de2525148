//! The committed OpenAPI document is the one the code generates.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

#[test]
fn the_committed_openapi_document_is_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let generated = fonds_http::openapi_json();
    if std::env::var_os("FONDS_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `FONDS_BLESS=1 cargo test -p fonds-http --test openapi` and commit it"
    );
}

#[tokio::test]
async fn the_server_serves_the_same_document() {
    let app = common::spawn_app().await;
    let served = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("send");
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.text().await.expect("text"),
        fonds_http::openapi_json()
    );
}
