//! Signed submissions from client systems (docs/integration.md): every refusal has its own code
//! and changes nothing; idempotency keys return the first answer; a flood of bad signatures
//! brakes only the client that sends it.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::signing::{Client, Tweak, add_client, oa_client, patch_client, submit_one};
use common::{TestApp, assert_accepted, assert_problem, spawn_app};
use fonds_domain::SigningAlgorithm;
use serde_json::{Value, json};

async fn assert_refused(app: &TestApp, response: reqwest::Response, status: u16, code: &str) {
    assert_problem(response, status, code).await;
    assert!(
        app.all_records().await.is_empty(),
        "a refused request created records"
    );
}

#[tokio::test]
async fn a_submission_signed_with_hmac_sha256_or_hmac_sm3_is_accepted() {
    let app = spawn_app().await;
    let sha = oa_client(&app).await;
    let response = submit_one(&app, &sha, "记-0001", Tweak::default()).await;
    assert_accepted(response).await;
    let sm3 = add_client(
        &app,
        json!({"name": "erp", "fonds": ["Z001"], "algorithm": "hmac-sm3"}),
    )
    .await;
    let response = submit_one(&app, &sm3, "记-0002", Tweak::default()).await;
    assert_accepted(response).await;
    assert_eq!(app.all_records().await.len(), 2);
}

#[tokio::test]
async fn every_bad_signature_is_refused_with_its_own_code_and_changes_nothing() {
    let app = spawn_app().await;
    let client = oa_client(&app).await;
    let cases: Vec<(Tweak, u16, &str)> = vec![
        (
            Tweak {
                secret: Some("fcs_wrong".into()),
                ..Tweak::default()
            },
            401,
            "signature_invalid",
        ),
        (
            Tweak {
                timestamp_offset: -301,
                ..Tweak::default()
            },
            401,
            "timestamp_out_of_window",
        ),
        (
            Tweak {
                timestamp_offset: 400,
                ..Tweak::default()
            },
            401,
            "timestamp_out_of_window",
        ),
        (
            Tweak {
                drop_header: Some("x-fonds-nonce"),
                ..Tweak::default()
            },
            401,
            "signature_missing",
        ),
        (
            Tweak {
                nonce: Some("short".into()),
                ..Tweak::default()
            },
            401,
            "signature_missing",
        ),
        (
            Tweak {
                declared_body: Some(b"another body".to_vec()),
                ..Tweak::default()
            },
            400,
            "content_digest_mismatch",
        ),
    ];
    for (tweak, status, code) in cases {
        let response = submit_one(&app, &client, "记-0001", tweak).await;
        assert_refused(&app, response, status, code).await;
    }
    let stranger = Client {
        id: "fc_000000000000000000000000".into(),
        secret: "fcs_x".into(),
        algorithm: SigningAlgorithm::HmacSha256,
    };
    assert_refused(
        &app,
        submit_one(&app, &stranger, "记-0001", Tweak::default()).await,
        401,
        "client_unknown",
    )
    .await;
    assert_eq!(app.stored_files().1, 0, "no staging files are left behind");
}

#[tokio::test]
async fn a_replayed_nonce_is_refused() {
    let app = spawn_app().await;
    let client = oa_client(&app).await;
    let nonce = "replayed-nonce-0001".to_owned();
    let first = submit_one(
        &app,
        &client,
        "记-0001",
        Tweak {
            nonce: Some(nonce.clone()),
            ..Tweak::default()
        },
    )
    .await;
    assert_eq!(first.status(), 202);
    let again = submit_one(
        &app,
        &client,
        "记-0002",
        Tweak {
            nonce: Some(nonce),
            ..Tweak::default()
        },
    )
    .await;
    assert_problem(again, 401, "nonce_reused").await;
    assert_eq!(app.all_records().await.len(), 1);
}

#[tokio::test]
async fn disabled_clients_addresses_off_the_list_and_kinds_out_of_scope_are_forbidden() {
    let app = spawn_app().await;
    let client = oa_client(&app).await;
    let disabled = patch_client(&app, &client.id, &json!({"enabled": false})).await;
    assert_eq!(disabled.status(), 204);
    assert_refused(
        &app,
        submit_one(&app, &client, "记-0001", Tweak::default()).await,
        403,
        "client_disabled",
    )
    .await;

    let far = add_client(
        &app,
        json!({"name": "branch", "fonds": ["Z001"], "allowed_ips": ["10.0.0.0/8"]}),
    )
    .await;
    assert_refused(
        &app,
        submit_one(&app, &far, "记-0001", Tweak::default()).await,
        403,
        "address_not_allowed",
    )
    .await;

    let bank = add_client(
        &app,
        json!({"name": "bank-link", "fonds": ["Z001"], "kinds": ["bank_statement"]}),
    )
    .await;
    assert_refused(
        &app,
        submit_one(&app, &bank, "记-0001", Tweak::default()).await,
        403,
        "client_scope_denied",
    )
    .await;
}

#[tokio::test]
async fn a_client_pinned_to_a_certificate_is_refused_without_one_until_it_is_unpinned() {
    let app = spawn_app().await;
    // Pinned as `openssl x509 -fingerprint -sha256` prints it; listed as lower-case hex.
    let client = add_client(
        &app,
        json!({"name": "oa-weaver", "fonds": ["Z001"], "certificate_sha256": vec!["AB"; 32].join(":")}),
    )
    .await;
    let listed = app.get_json("/api/v1/clients").await;
    assert_eq!(listed[0]["certificate_sha256"], "ab".repeat(32));
    // This server has no TLS listener, so no request can carry a client certificate.
    assert_refused(
        &app,
        submit_one(&app, &client, "记-0001", Tweak::default()).await,
        401,
        "client_certificate_required",
    )
    .await;

    for body in [json!({"certificate_sha256": "ab:cd"}), json!({})] {
        assert_problem(
            patch_client(&app, &client.id, &body).await,
            422,
            "request_invalid",
        )
        .await;
    }
    let unpinned = patch_client(&app, &client.id, &json!({"certificate_sha256": null})).await;
    assert_eq!(unpinned.status(), 204);
    let listed = app.get_json("/api/v1/clients").await;
    assert_eq!(listed[0]["certificate_sha256"], Value::Null);
    assert_eq!(
        listed[0]["enabled"], true,
        "unpinning leaves the rest as it was"
    );
    assert_accepted(submit_one(&app, &client, "记-0001", Tweak::default()).await).await;
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_answer() {
    let app = spawn_app().await;
    let client = oa_client(&app).await;
    let key = || Tweak {
        idempotency_key: Some("OA-2023-000123".into()),
        ..Tweak::default()
    };
    let first: Value = submit_one(&app, &client, "记-0001", key())
        .await
        .json()
        .await
        .expect("json");
    let retry = submit_one(&app, &client, "记-0001", key()).await;
    assert_eq!(retry.status(), 202);
    let retry: Value = retry.json().await.expect("json");
    assert_eq!(retry["submission_id"], first["submission_id"]);
    assert_eq!(retry["records"][0]["id"], first["records"][0]["id"]);
    assert_eq!(
        retry["records"][0]["files"][0]["part"],
        first["records"][0]["files"][0]["part"]
    );
    assert_eq!(app.all_records().await.len(), 1);

    let other = submit_one(&app, &client, "记-0002", key()).await;
    assert_problem(other, 409, "idempotency_key_reused").await;
    assert_eq!(app.all_records().await.len(), 1);
}

#[tokio::test]
async fn a_flood_of_bad_signatures_brakes_that_client_only() {
    let app = spawn_app().await;
    let noisy = oa_client(&app).await;
    let quiet = add_client(&app, json!({"name": "erp", "fonds": ["Z001"]})).await;
    let mut limited = None;
    for _ in 0..40 {
        let response = submit_one(
            &app,
            &noisy,
            "记-0001",
            Tweak {
                secret: Some("fcs_wrong".into()),
                ..Tweak::default()
            },
        )
        .await;
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_problem(response, 401, "signature_invalid").await;
    }
    let limited = limited.expect("the noisy client was braked");
    assert!(limited.headers().get("retry-after").is_some());
    assert_problem(limited, 429, "rate_limited").await;
    // Even a correct request from the braked client waits; the other client is not slowed.
    assert_problem(
        submit_one(&app, &noisy, "记-0001", Tweak::default()).await,
        429,
        "rate_limited",
    )
    .await;
    assert_accepted(submit_one(&app, &quiet, "记-0001", Tweak::default()).await).await;
}

#[tokio::test]
async fn after_a_rotation_old_and_new_secrets_both_work_during_the_overlap() {
    let app = spawn_app().await;
    let client = oa_client(&app).await;
    let path = format!("/api/v1/clients/{}/rotate", client.id);
    let rotated: Value = app
        .post_json(&path, &json!({"overlap_hours": 24}))
        .await
        .json()
        .await
        .expect("json");
    let new_secret = rotated["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new_secret, client.secret);
    assert_accepted(submit_one(&app, &client, "记-0001", Tweak::default()).await).await;
    let with_new = Tweak {
        secret: Some(new_secret.clone()),
        ..Tweak::default()
    };
    assert_accepted(submit_one(&app, &client, "记-0002", with_new).await).await;

    // A rotation without overlap retires every earlier secret at once.
    let rotated: Value = app
        .post_json(&path, &json!({"overlap_hours": 0}))
        .await
        .json()
        .await
        .expect("json");
    let newest = rotated["secret"].as_str().expect("secret").to_owned();
    let old = Tweak {
        secret: Some(new_secret),
        ..Tweak::default()
    };
    assert_problem(
        submit_one(&app, &client, "记-0003", old).await,
        401,
        "signature_invalid",
    )
    .await;
    let current = Tweak {
        secret: Some(newest),
        ..Tweak::default()
    };
    assert_accepted(submit_one(&app, &client, "记-0003", current).await).await;
    let listed = app.get_json("/api/v1/clients").await;
    assert_eq!(listed[0]["live_secret_versions"], json!([3]));
    assert!(listed[0].get("secret").is_none());
}

#[tokio::test]
async fn an_oversized_signed_body_is_refused_while_streaming_and_nothing_is_kept() {
    let app = common::spawn_app_with(fonds_core::Settings {
        max_upload_bytes: 64 * 1024,
        ..fonds_core::Settings::default()
    })
    .await;
    let client = oa_client(&app).await;
    let big = vec![7u8; 100 * 1024];
    let record = common::voucher("记-0001", 4, &big, common::standard_xml());
    let manifest = json!({"fonds": "Z001", "records": [record]});
    let parts: [(&str, &[u8]); 2] = [("v0001-main", &big), ("v0001-inv", common::standard_xml())];
    let response =
        common::signing::signed_submit(&app, &client, &manifest, &parts, Tweak::default()).await;
    assert_refused(&app, response, 413, "upload_too_large").await;
    assert_eq!(app.stored_files(), (0, 0));
}

#[tokio::test]
async fn a_client_system_over_its_own_limit_is_refused_and_other_clients_are_not() {
    let app = common::spawn_app_with(fonds_core::Settings {
        client_rate_limit_per_minute: 60, // one a second, bursts of ten
        ..fonds_core::Settings::default()
    })
    .await;
    let busy = oa_client(&app).await;
    let mut statuses = Vec::new();
    let mut refused = None;
    for n in 0..12 {
        let response = submit_one(&app, &busy, &format!("记-{n:04}"), Tweak::default()).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            refused = Some(response);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "ten in a burst, then refused: {statuses:?}"
    );
    let refused = refused.expect("refused");
    assert!(refused.headers().contains_key("retry-after"));
    let problem = assert_problem(refused, 429, "rate_limited").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains(busy.id.as_str())),
        "{problem}"
    );

    let other = add_client(&app, json!({"name": "erp", "fonds": ["Z001"]})).await;
    let response = submit_one(&app, &other, "记-0100", Tweak::default()).await;
    assert_accepted(response).await;
}
