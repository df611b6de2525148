//! Attacks on the permission model, each a test: another scope's id on every id-bearing route
//! answers exactly as a missing id does; each officer trying the other officers' actions is
//! refused and the refusal audited; a grant and a token stop working when they expire; and
//! the three-officer separation holds over the API.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::collections::BTreeSet;

use common::roles::{
    Person, add_second_fonds, as_person, cast, cast_scope, person_with, submit_voucher_to,
};
use common::{assert_problem, spawn_app};
use fonds_domain::access::{BuiltinRole, DataScope, Permission, PermissionSet};
use reqwest::Method;
use serde_json::{Value, json};

fn find(people: &[Person], role: BuiltinRole) -> &Person {
    people.iter().find(|p| p.role == role).expect("person")
}

#[tokio::test]
async fn another_scopes_id_on_every_id_bearing_route_is_answered_as_a_missing_one() {
    let app = spawn_app().await;
    add_second_fonds(&app).await;
    let receipt = submit_voucher_to(&app, "Z002", "记-0009").await;
    let theirs = receipt["records"][0]["id"].as_str().expect("id").to_owned();
    let submission = receipt["submission_id"].as_str().expect("id").to_owned();
    let detail = app.get_json(&format!("/api/v1/records/{theirs}")).await;
    let file = detail["files"][0]["id"].as_str().expect("file").to_owned();
    let run = app
        .get_json(&format!("/api/v1/records/{theirs}/check-runs"))
        .await[0]["id"]
        .as_str()
        .expect("run")
        .to_owned();
    // An archivist of Z001 holds every record permission there.
    let archivist = person_with(
        &app,
        "archivist",
        BuiltinRole::Archivist,
        cast_scope(BuiltinRole::Archivist),
        None,
    )
    .await;
    let missing_record = "0190f5d2-0000-7000-8000-000000000000";
    let missing_run = "0190f5d2-0000-7000-8000-000000000001";
    let missing_submission = "0190f5d2-0000-7000-8000-000000000002";
    let correction = json!({
        "description": {"title": "改", "date": "2023-03-15", "voucher_number": "记-0009",
            "amount": "1280.00", "attachment_count": 1}, "reason": "试探"});
    let print = json!({"file_id": file, "copies": 1});
    // Every route of the table that names a record, a check run or a submission by id.
    let routes: Vec<(&str, &str, Option<Value>, &str, &str)> = vec![
        (
            "GET",
            "/api/v1/records/{id}",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "POST",
            "/api/v1/records/{id}/archive",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "POST",
            "/api/v1/records/{id}/corrections",
            Some(correction),
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/records/{id}/versions",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/records/{id}/links",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/records/{id}/check-runs",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/records/{id}/invoices",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/records/{id}/use-history",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "POST",
            "/api/v1/records/{id}/prints",
            Some(print),
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/records/{id}/files/{file_id}",
            None,
            &theirs,
            "record_not_found",
        ),
        (
            "GET",
            "/api/v1/check-runs/{id}",
            None,
            &run,
            "check_run_not_found",
        ),
        (
            "GET",
            "/api/v1/check-runs/{id}/report.html",
            None,
            &run,
            "check_run_not_found",
        ),
        (
            "GET",
            "/api/v1/check-runs/{id}/report.pdf",
            None,
            &run,
            "check_run_not_found",
        ),
        (
            "GET",
            "/api/v1/submissions/{id}",
            None,
            &submission,
            "submission_not_found",
        ),
    ];
    let listed: BTreeSet<(&str, &str)> = routes.iter().map(|r| (r.0, r.1)).collect();
    let id_bearing: BTreeSet<(&str, &str)> = fonds_http::ROUTES
        .iter()
        .filter(|r| {
            r.names_a_thing
                && [
                    "/api/v1/records/",
                    "/api/v1/check-runs/",
                    "/api/v1/submissions/",
                ]
                .iter()
                .any(|prefix| r.path.starts_with(prefix))
        })
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(listed, id_bearing, "every id-bearing route is tried");
    for (method, route, body, id, code) in routes {
        let missing = match code {
            "check_run_not_found" => missing_run,
            "submission_not_found" => missing_submission,
            _ => missing_record,
        };
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut answers = Vec::new();
        for target in [id, missing] {
            let path = route.replace("{id}", target).replace("{file_id}", &file);
            let mut request = as_person(&app, &archivist, method.clone(), &path);
            if let Some(body) = &body {
                request = request.json(body);
            }
            let problem = assert_problem(request.send().await.expect("send"), 404, code).await;
            // The same words, but for the id itself.
            let detail = problem["detail"]
                .as_str()
                .expect("detail")
                .replace(target, "<id>");
            answers.push((problem["title"].clone(), detail));
        }
        assert_eq!(answers[0], answers[1], "{method} {route}: existence leaks");
    }
    // And the record was not touched: still collected, one version.
    let record = app.get_json(&format!("/api/v1/records/{theirs}")).await;
    assert_eq!(record["state"], "collected");
    let versions = app
        .get_json(&format!("/api/v1/records/{theirs}/versions"))
        .await;
    assert_eq!(versions.as_array().expect("versions").len(), 1);
}

#[tokio::test]
async fn each_officer_trying_another_officers_actions_is_refused_and_the_refusal_audited() {
    let app = spawn_app().await;
    let people = cast(&app).await;
    let admin = find(&people, BuiltinRole::SystemAdministrator);
    let security = find(&people, BuiltinRole::SecurityOfficer);
    let auditor = find(&people, BuiltinRole::SecurityAuditor);
    let create_user = json!({"login": "mallory", "display_name": "Mallory",
        "password": common::roles::PASSWORD});
    let grant_reader = json!({"login": "reader", "role": "archivist"});
    let attempts: Vec<(&Person, Method, &str, Option<Value>)> = vec![
        // The system administrator grants nothing and reads no contents.
        (
            admin,
            Method::POST,
            "/api/v1/grants",
            Some(grant_reader.clone()),
        ),
        (admin, Method::GET, "/api/v1/grants", None),
        (admin, Method::GET, "/api/v1/records", None),
        // The security officer creates no accounts, configures nothing, reads no contents.
        (
            security,
            Method::POST,
            "/api/v1/users",
            Some(create_user.clone()),
        ),
        (
            security,
            Method::POST,
            "/api/v1/clients",
            Some(json!({"name": "x", "fonds": ["Z001"]})),
        ),
        (
            security,
            Method::PUT,
            "/api/v1/fonds/Z001/check-items/voucher_continuity",
            Some(json!({"enabled": false})),
        ),
        (security, Method::GET, "/api/v1/records", None),
        // The auditor changes nothing.
        (
            auditor,
            Method::POST,
            "/api/v1/users",
            Some(create_user.clone()),
        ),
        (
            auditor,
            Method::POST,
            "/api/v1/grants",
            Some(grant_reader.clone()),
        ),
        (
            auditor,
            Method::POST,
            "/api/v1/departments",
            Some(json!({"fonds": "Z001", "code": "FIN", "name": "财务部"})),
        ),
        (auditor, Method::GET, "/api/v1/records", None),
    ];
    for (person, method, path, body) in &attempts {
        let mut request = as_person(&app, person, method.clone(), path);
        if let Some(body) = body {
            request = request.json(body);
        }
        assert_problem(
            request.send().await.expect("send"),
            403,
            "permission_denied",
        )
        .await;
    }
    // Nothing happened: no mallory, no new grant.
    assert!(
        app.archive
            .users()
            .await
            .expect("users")
            .iter()
            .all(|u| u.login != "mallory")
    );
    let grants = app.archive.grants(Some("reader")).await.expect("grants");
    assert_eq!(grants.len(), 1);
    // Every refusal is in the trail, naming who tried and what.
    let trail = app
        .archive
        .audit_events_after(0, 10_000)
        .await
        .expect("trail");
    let refused: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "access.refused" && e.outcome == "refused")
        .collect();
    assert_eq!(refused.len(), attempts.len());
    assert!(refused.iter().any(|e| e.actor == "user security-officer"
        && e.detail.contains("system.users")
        && e.detail.contains("POST /api/v1/users")));
    // The security officer cannot make officers over the API, nor unmake them.
    let appoint = as_person(&app, security, Method::POST, "/api/v1/grants")
        .json(&json!({"login": "reader", "role": "security_auditor"}))
        .send()
        .await
        .expect("send");
    assert_problem(appoint, 403, "permission_denied").await;
    let officer_grant = app
        .archive
        .grants(Some("security-auditor"))
        .await
        .expect("grants")[0]
        .grant
        .id
        .clone();
    let unmake = as_person(
        &app,
        security,
        Method::DELETE,
        &format!("/api/v1/grants/{officer_grant}"),
    )
    .send()
    .await
    .expect("send");
    assert_problem(unmake, 403, "permission_denied").await;
}

#[tokio::test]
async fn an_officer_is_given_no_other_role_over_the_api() {
    let app = spawn_app().await;
    let people = cast(&app).await;
    let security = find(&people, BuiltinRole::SecurityOfficer);
    for officer in [
        "system-administrator",
        "security-auditor",
        "security-officer",
    ] {
        let response = as_person(&app, security, Method::POST, "/api/v1/grants")
            .json(&json!({"login": officer, "role": "archivist"}))
            .send()
            .await
            .expect("send");
        assert_problem(response, 409, "officer_separation").await;
    }
    // A business role goes to a person who holds no officer's role.
    let response = as_person(&app, security, Method::POST, "/api/v1/grants")
        .json(
            &json!({"login": "reader", "role": "accountant", "scope": {"fonds": ["Z001"],
            "years": "2020-2023", "secrecy": "内部"}, "expires_at": "2999-01-01"}),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    let grant: Value = response.json().await.expect("grant");
    assert_eq!(grant["role"], "accountant");
    assert_eq!(grant["scope"]["years"], "2020-2023");
    assert_eq!(grant["expires_at"], "2999-01-01T00:00:00Z");
}

#[tokio::test]
async fn a_grant_used_after_it_expired_opens_nothing() {
    let app = spawn_app().await;
    submit_voucher_to(&app, "Z001", "记-0001").await;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let reader = person_with(
        &app,
        "temp-reader",
        BuiltinRole::Reader,
        cast_scope(BuiltinRole::Reader),
        Some(expires),
    )
    .await;
    let list = || as_person(&app, &reader, Method::GET, "/api/v1/records").send();
    assert_eq!(list().await.expect("send").status(), 200);
    let wait = expires - time::OffsetDateTime::now_utc() + time::Duration::milliseconds(200);
    tokio::time::sleep(wait.try_into().unwrap_or_default()).await;
    // The session lives on; the grant does not.
    assert_problem(list().await.expect("send"), 403, "permission_denied").await;
    assert_eq!(
        as_person(&app, &reader, Method::GET, "/api/v1/session")
            .send()
            .await
            .expect("send")
            .status(),
        200
    );
}

#[tokio::test]
async fn a_token_carries_only_its_permissions_and_scope_and_stops_at_its_expiry() {
    let app = spawn_app().await;
    add_second_fonds(&app).await;
    submit_voucher_to(&app, "Z001", "记-0001").await;
    let theirs = submit_voucher_to(&app, "Z002", "记-0002").await["records"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::seconds(3);
    let token = app
        .archive
        .issue_token(
            "report-script",
            &fonds_core::TokenGrant {
                permissions: PermissionSet::of(&[Permission::RecordRead]),
                scope: DataScope {
                    fonds: fonds_domain::access::Selection::only(["Z001".parse().expect("fonds")]),
                    ..DataScope::everything()
                },
                expires_at: Some(expires),
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("token")
        .secret;
    let get = |path: String| app.client.get(app.url(&path)).bearer_auth(&token).send();
    let page: Value = get("/api/v1/records".into())
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    assert_problem(
        get(format!("/api/v1/records/{theirs}"))
            .await
            .expect("send"),
        404,
        "record_not_found",
    )
    .await;
    let archive = app
        .client
        .post(app.url(&format!("/api/v1/records/{theirs}/archive")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_problem(archive, 403, "permission_denied").await;
    // A configuring token of Z001 finds no Z002 to configure, in the same words as no Z999.
    let configure = app
        .archive
        .issue_token(
            "z001-config",
            &fonds_core::TokenGrant {
                permissions: PermissionSet::of(&[Permission::SystemConfigure]),
                scope: DataScope {
                    fonds: fonds_domain::access::Selection::only(["Z001".parse().expect("fonds")]),
                    ..DataScope::everything()
                },
                expires_at: None,
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("token")
        .secret;
    let mut answers = Vec::new();
    for fonds in ["Z002", "Z999"] {
        let response = app
            .client
            .put(app.url(&format!(
                "/api/v1/fonds/{fonds}/check-items/voucher_continuity"
            )))
            .bearer_auth(&configure)
            .json(&json!({"enabled": false}))
            .send()
            .await
            .expect("send");
        let problem = assert_problem(response, 404, "fonds_not_found").await;
        answers.push(
            problem["detail"]
                .as_str()
                .expect("detail")
                .replace(fonds, "<code>"),
        );
    }
    assert_eq!(
        answers[0], answers[1],
        "another scope's fonds leaks its existence"
    );
    let wait = expires - time::OffsetDateTime::now_utc() + time::Duration::milliseconds(200);
    tokio::time::sleep(wait.try_into().unwrap_or_default()).await;
    assert_problem(
        get("/api/v1/records".into()).await.expect("send"),
        401,
        "unauthenticated",
    )
    .await;
}

/// A signed GET of `path` (no query) as the client `id` with `secret`.
async fn signed_get(
    app: &common::TestApp,
    id: &str,
    secret: &str,
    path: &str,
) -> reqwest::Response {
    use fonds_core::clients::signing::{SignedParts, sign};
    use sha2::Digest as _;
    let content_sha256 = hex::encode(sha2::Sha256::digest(b""));
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    let nonce = format!("nonce-{}", uuid::Uuid::now_v7().simple());
    let signature = sign(
        &SignedParts {
            algorithm: fonds_domain::SigningAlgorithm::HmacSha256,
            client: id,
            method: "GET",
            path,
            query: None,
            timestamp: &timestamp,
            nonce: &nonce,
            content_sha256: &content_sha256,
        },
        secret,
    );
    app.client
        .get(app.url(path))
        .header("x-fonds-client", id)
        .header("x-fonds-timestamp", timestamp)
        .header("x-fonds-nonce", nonce)
        .header("x-fonds-content-sha256", content_sha256)
        .header("x-fonds-signature", signature)
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn a_client_system_reads_its_own_fonds_only_and_manages_nothing() {
    let app = spawn_app().await;
    add_second_fonds(&app).await;
    let ours = submit_voucher_to(&app, "Z001", "记-0001").await["records"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let theirs = submit_voucher_to(&app, "Z002", "记-0002").await["records"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let created: Value = app
        .post_json(
            "/api/v1/clients",
            &json!({"name": "oa-z001", "fonds": ["Z001"]}),
        )
        .await
        .json()
        .await
        .expect("client");
    let (id, secret) = (
        created["id"].as_str().expect("id"),
        created["secret"].as_str().expect("secret"),
    );
    let page: Value = signed_get(&app, id, secret, "/api/v1/records")
        .await
        .json()
        .await
        .expect("page");
    let ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [ours.as_str()]);
    assert_problem(
        signed_get(&app, id, secret, &format!("/api/v1/records/{theirs}")).await,
        404,
        "record_not_found",
    )
    .await;
    for path in [
        "/api/v1/clients",
        "/api/v1/webhooks/deliveries",
        "/api/v1/users",
    ] {
        assert_problem(
            signed_get(&app, id, secret, path).await,
            403,
            "permission_denied",
        )
        .await;
    }
}
