//! Signed requests in tests: client systems registered through the API, multipart bodies built
//! by hand so that their exact bytes can be hashed and signed, and what a test may tamper with.

use fonds_core::clients::signing::{SignedParts, sign};
use fonds_domain::SigningAlgorithm;
use serde_json::{Value, json};
use sha2::Digest as _;

use super::{TestApp, invoice_xml, part_prefix, voucher, voucher_pdf};

pub struct Client {
    pub id: String,
    pub secret: String,
    pub algorithm: SigningAlgorithm,
}

pub async fn add_client(app: &TestApp, body: Value) -> Client {
    let response = app.post_json("/api/v1/clients", &body).await;
    assert_eq!(
        response.status(),
        201,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let created: Value = response.json().await.expect("json");
    let algorithm = match body["algorithm"].as_str() {
        Some("hmac-sm3") => SigningAlgorithm::HmacSm3,
        _ => SigningAlgorithm::HmacSha256,
    };
    Client {
        id: created["id"].as_str().expect("id").to_owned(),
        secret: created["secret"].as_str().expect("secret").to_owned(),
        algorithm,
    }
}

/// `PATCH /api/v1/clients/{id}` with an administrator's token.
pub async fn patch_client(app: &TestApp, id: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/clients/{id}")))
        .bearer_auth(&app.token)
        .json(body)
        .send()
        .await
        .expect("send")
}

pub async fn oa_client(app: &TestApp) -> Client {
    add_client(app, json!({"name": "oa", "fonds": ["Z001"]})).await
}

/// A multipart body built by hand, so that its exact bytes can be hashed and signed.
pub fn multipart(manifest: &Value, parts: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "fonds-test-boundary-7d1f";
    let mut body = Vec::new();
    let mut part = |name: &str, bytes: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    };
    part("manifest", manifest.to_string().as_bytes());
    for (name, bytes) in parts {
        part(name, bytes);
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What a test may change about a signed request.
#[derive(Default)]
pub struct Tweak {
    pub timestamp_offset: i64,
    pub nonce: Option<String>,
    pub declared_body: Option<Vec<u8>>,
    pub secret: Option<String>,
    pub idempotency_key: Option<String>,
    pub drop_header: Option<&'static str>,
}

pub async fn signed_submit(
    app: &TestApp,
    client: &Client,
    manifest: &Value,
    parts: &[(&str, &[u8])],
    tweak: Tweak,
) -> reqwest::Response {
    let (content_type, body) = multipart(manifest, parts);
    let declared = hex::encode(sha2::Sha256::digest(
        tweak.declared_body.as_deref().unwrap_or(&body),
    ));
    let timestamp =
        (time::OffsetDateTime::now_utc().unix_timestamp() + tweak.timestamp_offset).to_string();
    let nonce = tweak
        .nonce
        .unwrap_or_else(|| format!("nonce-{}", uuid::Uuid::now_v7().simple()));
    let signature = sign(
        &SignedParts {
            algorithm: client.algorithm,
            client: &client.id,
            method: "POST",
            path: "/api/v1/submissions",
            query: Some("wait=10"),
            timestamp: &timestamp,
            nonce: &nonce,
            content_sha256: &declared,
        },
        tweak.secret.as_deref().unwrap_or(&client.secret),
    );
    let mut headers = vec![
        ("x-fonds-client", client.id.clone()),
        ("x-fonds-timestamp", timestamp),
        ("x-fonds-nonce", nonce),
        ("x-fonds-content-sha256", declared),
        ("x-fonds-signature", signature),
        ("content-type", content_type),
    ];
    if let Some(key) = tweak.idempotency_key {
        headers.push(("idempotency-key", key));
    }
    let mut request = app
        .client
        .post(app.url("/api/v1/submissions?wait=10"))
        .body(body);
    for (name, value) in headers {
        if Some(name) != tweak.drop_header {
            request = request.header(name, value);
        }
    }
    request.send().await.expect("send")
}

/// Voucher `number` with its own main file and invoice, and the parts that carry them.
pub fn one_voucher(number: &str) -> (Value, Vec<(String, Vec<u8>)>) {
    let main = voucher_pdf(number);
    let invoice = invoice_xml(number);
    let manifest = json!({"fonds": "Z001", "records": [voucher(number, 4, &main, &invoice)]});
    let prefix = part_prefix(number);
    (
        manifest,
        vec![
            (format!("{prefix}-main"), main),
            (format!("{prefix}-inv"), invoice),
        ],
    )
}

pub async fn submit_one(
    app: &TestApp,
    client: &Client,
    number: &str,
    tweak: Tweak,
) -> reqwest::Response {
    let (manifest, parts) = one_voucher(number);
    let parts: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    signed_submit(app, client, &manifest, &parts, tweak).await
}
