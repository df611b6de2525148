//! The TOTP second factor over real HTTP against real SQLite (docs/people.md): enrolment with a
//! QR code and recovery codes, a login that waits for its code, codes accepted once, wrong codes
//! locking the account, the policy that makes everyone enrol, a person's own sessions listed
//! and revoked, and the administrator's reset. Codes are computed here from the secret the
//! enrolment shows, with the totp-rs crate directly, as an authenticator app would.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::sync::Arc;

use common::{TestApp, assert_problem, spawn_app, spawn_app_with};
use fonds_core::Settings;
use fonds_core::at_rest::{AtRest, KeyProvider, Keyring, MasterKey};
use fonds_core::people::{PeopleSettings, SecondFactorPolicy, SessionStage};
use serde_json::{Value, json};

const PASSWORD: &str = "Blue-Kettle-42-River";

/// A cookie and the CSRF token that goes with it.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
    stage: String,
}

impl Session {
    async fn from_response(response: reqwest::Response) -> Self {
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("set-cookie")
            .to_owned();
        let body: Value = response.json().await.expect("json");
        Self {
            cookie,
            csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
            stage: body["stage"].as_str().expect("stage").to_owned(),
        }
    }
}

async fn add_alice(app: &TestApp) {
    app.archive
        .create_user("alice", "Alice Wang", PASSWORD, &fonds_core::Actor::cli())
        .await
        .expect("create alice");
}

async fn log_in(app: &TestApp) -> Session {
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"login": "alice", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    Session::from_response(response).await
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    session: &Session,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("send")
}

async fn give_code(app: &TestApp, session: &Session, code: &str) -> reqwest::Response {
    call(
        app,
        reqwest::Method::POST,
        "/api/v1/session/second-factor",
        session,
        Some(json!({ "code": code })),
    )
    .await
}

fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("after 1970")
}

/// The code an authenticator app shows for `secret` (base 32) at `unix_seconds`.
fn app_code(secret: &str, unix_seconds: u64) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret)
        .expect("base 32")
        .as_bytes()
        .to_vec();
    totp_rs::Builder::new()
        .with_secret(bytes)
        .build()
        .expect("totp")
        .generate(unix_seconds)
        .to_string()
}

/// What an enrolment left the test: the secret and the recovery codes.
struct Enrolled {
    secret: String,
    recovery_codes: Vec<String>,
}

/// Enrols alice's authenticator from `session`; checks the enrolment answer on the way.
async fn enrol(app: &TestApp, session: &Session) -> (Enrolled, Option<Session>) {
    let started = call(
        app,
        reqwest::Method::POST,
        "/api/v1/session/totp",
        session,
        None,
    )
    .await;
    assert_eq!(started.status(), 201);
    assert_eq!(
        started
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let started: Value = started.json().await.expect("json");
    let secret = started["secret"].as_str().expect("secret").to_owned();
    assert_eq!(secret.len(), 32, "160 bits in base 32");
    assert_eq!(
        started["otpauth_uri"],
        format!("otpauth://totp/Fonds:alice?secret={secret}&issuer=Fonds")
    );
    let svg = started["qr_svg"].as_str().expect("svg");
    assert!(svg.contains("<svg") && svg.ends_with("</svg>"));

    // A wrong code does not confirm it.
    let wrong = if app_code(&secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = call(
        app,
        reqwest::Method::POST,
        "/api/v1/session/totp/confirmation",
        session,
        Some(json!({ "code": wrong })),
    )
    .await;
    let problem = assert_problem(refused, 422, "request_invalid").await;
    assert_eq!(problem["errors"][0]["pointer"], "/code");

    let confirmed = call(
        app,
        reqwest::Method::POST,
        "/api/v1/session/totp/confirmation",
        session,
        Some(json!({ "code": app_code(&secret, now()) })),
    )
    .await;
    assert_eq!(confirmed.status(), 200);
    let cookie = confirmed
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = confirmed.json().await.expect("json");
    let recovery_codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(recovery_codes.len(), 10);
    // A session that waited for this enrolment opens fully under a new cookie.
    let promoted = cookie.map(|set_cookie| Session {
        cookie: set_cookie
            .split(';')
            .next()
            .expect("cookie pair")
            .to_owned(),
        csrf: body["csrf_token"].as_str().expect("new csrf").to_owned(),
        stage: "full".into(),
    });
    assert_eq!(promoted.is_some(), body["csrf_token"].is_string());
    (
        Enrolled {
            secret,
            recovery_codes,
        },
        promoted,
    )
}

async fn log_out(app: &TestApp, session: &Session) {
    let out = call(
        app,
        reqwest::Method::DELETE,
        "/api/v1/session",
        session,
        None,
    )
    .await;
    assert_eq!(out.status(), 204);
}

/// Alice, enrolled, logged out again.
async fn enrolled_alice(app: &TestApp) -> Enrolled {
    add_alice(app).await;
    let session = log_in(app).await;
    assert_eq!(
        session.stage, "full",
        "the default policy asks officers only"
    );
    let (enrolled, promoted) = enrol(app, &session).await;
    assert!(promoted.is_none(), "a full session stays as it is");
    log_out(app, &session).await;
    enrolled
}

async fn audit_actions(app: &TestApp) -> Vec<fonds_core::audit::AuditEventRow> {
    app.archive
        .audit_events_after(0, 1000)
        .await
        .expect("events")
}

#[tokio::test]
async fn after_enrolment_a_login_waits_for_a_code_and_then_opens_under_a_new_cookie() {
    let app = spawn_app().await;
    let enrolled = enrolled_alice(&app).await;

    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"login": "alice", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie")
        .to_owned();
    assert!(set_cookie.contains("Max-Age=300"), "{set_cookie}");
    let waiting = Session::from_response(response).await;
    assert_eq!(waiting.stage, "second_factor");
    // Waiting, the session lives five minutes at most …
    let pending = app
        .archive
        .list_sessions("alice")
        .await
        .expect("sessions")
        .into_iter()
        .find(|s| s.stage == SessionStage::SecondFactor)
        .expect("the waiting session");
    assert_eq!(
        pending.idle_expires_at - pending.created_at,
        time::Duration::minutes(5)
    );
    // … and shows itself and nothing else.
    let shown = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/session",
        &waiting,
        None,
    )
    .await;
    assert_eq!(
        shown.json::<Value>().await.expect("json")["stage"],
        "second_factor"
    );
    assert_problem(
        call(
            &app,
            reqwest::Method::GET,
            "/api/v1/sessions",
            &waiting,
            None,
        )
        .await,
        401,
        "second_factor_required",
    )
    .await;
    assert_problem(
        call(
            &app,
            reqwest::Method::POST,
            "/api/v1/session/totp",
            &waiting,
            None,
        )
        .await,
        401,
        "second_factor_required",
    )
    .await;
    // A forged request without the CSRF token changes nothing, not even the failure count.
    let forged = app
        .client
        .post(app.url("/api/v1/session/second-factor"))
        .header("cookie", &waiting.cookie)
        .json(&json!({ "code": "123456" }))
        .send()
        .await
        .expect("send");
    assert_problem(forged, 403, "csrf_token_missing").await;

    // The next step's code: the enrolment used this one, and one step of skew is allowed.
    let code = app_code(&enrolled.secret, now() + 30);
    let passed = give_code(&app, &waiting, &code).await;
    assert_eq!(passed.status(), 200);
    let full = Session::from_response(passed).await;
    assert_eq!(full.stage, "full");
    assert_ne!(
        full.cookie, waiting.cookie,
        "a new secret after the second factor"
    );
    assert_ne!(full.csrf, waiting.csrf);
    assert_problem(
        call(
            &app,
            reqwest::Method::GET,
            "/api/v1/session",
            &waiting,
            None,
        )
        .await,
        401,
        "unauthenticated",
    )
    .await;
    let listed = call(&app, reqwest::Method::GET, "/api/v1/sessions", &full, None).await;
    assert_eq!(listed.status(), 200);
    // Open, it gets the ordinary idle time-out again.
    let opened = app
        .archive
        .list_sessions("alice")
        .await
        .expect("sessions")
        .into_iter()
        .find(|s| s.revoked_at.is_none() && s.stage == SessionStage::Full)
        .expect("the open session");
    assert!(opened.idle_expires_at - opened.created_at > time::Duration::minutes(25));

    let events = audit_actions(&app).await;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for wanted in [
        "second_factor.enrolment_started",
        "second_factor.failed",
        "second_factor.confirmed",
        "login.password_verified",
        "second_factor.passed",
    ] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    for event in &events {
        let text = format!("{event:?}");
        assert!(!text.contains(&enrolled.secret) && !text.contains(&code));
        for recovery in &enrolled.recovery_codes {
            assert!(!text.contains(recovery.as_str()));
        }
    }
    assert!(
        app.archive
            .verify_audit_chain()
            .await
            .expect("verify")
            .is_ok()
    );
}

#[tokio::test]
async fn a_totp_code_is_accepted_once() {
    let app = spawn_app().await;
    let enrolled = enrolled_alice(&app).await;
    let code = app_code(&enrolled.secret, now() + 30);
    let first = log_in(&app).await;
    let passed = give_code(&app, &first, &code).await;
    assert_eq!(passed.status(), 200);
    let opened = Session::from_response(passed).await;
    log_out(&app, &opened).await;

    let second = log_in(&app).await;
    assert_problem(
        give_code(&app, &second, &code).await,
        401,
        "second_factor_failed",
    )
    .await;
    // The code of an earlier step, older than the last one used, is refused too.
    assert_problem(
        give_code(&app, &second, &app_code(&enrolled.secret, now())).await,
        401,
        "second_factor_failed",
    )
    .await;
    let alice = app.archive.users().await.expect("users").remove(0);
    assert_eq!(alice.failed_logins, 2);
}

#[tokio::test]
async fn a_recovery_code_opens_one_login_only() {
    let app = spawn_app().await;
    let enrolled = enrolled_alice(&app).await;
    let recovery = enrolled.recovery_codes[3].clone();

    let first = log_in(&app).await;
    // Typed in capitals without dashes, it is the same code.
    let typed = recovery.replace('-', "").to_uppercase();
    let passed = give_code(&app, &first, &typed).await;
    assert_eq!(passed.status(), 200);
    log_out(&app, &Session::from_response(passed).await).await;

    let second = log_in(&app).await;
    assert_problem(
        give_code(&app, &second, &recovery).await,
        401,
        "second_factor_failed",
    )
    .await;
    let other = give_code(&app, &second, &enrolled.recovery_codes[0]).await;
    assert_eq!(other.status(), 200);

    let events = audit_actions(&app).await;
    let used: Vec<_> = events
        .iter()
        .filter(|e| e.action == "second_factor.recovery_code_used")
        .collect();
    assert_eq!(used.len(), 2);
    assert!(
        used[1].detail.contains("\"recovery_codes_left\":8"),
        "{}",
        used[1].detail
    );
    let alice = app.archive.users().await.expect("users").remove(0);
    assert_eq!(
        app.archive
            .second_factor_status(&alice)
            .await
            .expect("status"),
        fonds_core::people::SecondFactorStatus::Active {
            recovery_codes_left: 8
        }
    );
}

#[tokio::test]
async fn wrong_codes_lock_the_account_and_a_right_password_does_not_reset_the_count() {
    let app = spawn_app().await;
    let enrolled = enrolled_alice(&app).await;
    let wrong = |session: Session| {
        let app = &app;
        let secret = enrolled.secret.clone();
        async move {
            let right_now = app_code(&secret, now());
            let right_next = app_code(&secret, now() + 30);
            let right_before = app_code(&secret, now().saturating_sub(30));
            let code = (0..1000)
                .map(|n| format!("{n:06}"))
                .find(|c| *c != right_now && *c != right_next && *c != right_before)
                .expect("a wrong code");
            give_code(app, &session, &code).await
        }
    };
    let first = log_in(&app).await;
    for _ in 0..3 {
        assert_problem(wrong(first.clone()).await, 401, "second_factor_failed").await;
    }
    // Knowing the password, an attacker logs in again: the count goes on.
    let second = log_in(&app).await;
    assert_eq!(second.stage, "second_factor");
    for _ in 0..2 {
        assert_problem(wrong(second.clone()).await, 401, "second_factor_failed").await;
    }
    let alice = app.archive.users().await.expect("users").remove(0);
    assert_eq!(alice.failed_logins, 5);
    assert!(alice.locked_until.is_some());
    // Locked: even the right code is refused, and so is the password.
    let locked = give_code(&app, &second, &app_code(&enrolled.secret, now() + 30)).await;
    assert!(locked.headers().contains_key("retry-after"));
    assert_problem(locked, 429, "account_locked").await;
    let again = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"login": "alice", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_problem(again, 429, "account_locked").await;

    let events = audit_actions(&app).await;
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.action == "second_factor.failed")
        .collect();
    // One wrong code at enrolment, five at login, one while locked.
    assert_eq!(failed.len(), 7, "{failed:#?}");
    assert!(failed.iter().all(|e| e.outcome == "refused"));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "user.locked_out")
            .count(),
        1
    );
}

#[tokio::test]
async fn under_the_policy_everyone_a_person_without_a_second_factor_may_only_enrol() {
    let app = spawn_app_with(Settings {
        people: PeopleSettings {
            require_second_factor: SecondFactorPolicy::Everyone,
            ..PeopleSettings::default()
        },
        ..Settings::default()
    })
    .await;
    add_alice(&app).await;
    let alice = app.archive.users().await.expect("users").remove(0);
    assert!(
        app.archive
            .second_factor_required(&alice)
            .await
            .expect("policy")
    );

    let session = log_in(&app).await;
    assert_eq!(session.stage, "enrolment");
    assert_problem(
        call(
            &app,
            reqwest::Method::GET,
            "/api/v1/sessions",
            &session,
            None,
        )
        .await,
        403,
        "second_factor_enrolment_required",
    )
    .await;
    assert_problem(
        give_code(&app, &session, "123456").await,
        409,
        "second_factor_not_pending",
    )
    .await;
    let shown = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/session",
        &session,
        None,
    )
    .await;
    assert_eq!(shown.status(), 200);

    let (enrolled, promoted) = enrol(&app, &session).await;
    let promoted = promoted.expect("the waiting session is promoted");
    assert_ne!(promoted.cookie, session.cookie);
    assert_problem(
        call(
            &app,
            reqwest::Method::GET,
            "/api/v1/sessions",
            &session,
            None,
        )
        .await,
        401,
        "unauthenticated",
    )
    .await;
    let listed = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/sessions",
        &promoted,
        None,
    )
    .await;
    assert_eq!(listed.status(), 200);

    // From now on a login waits for a code, like anyone's with a second factor.
    log_out(&app, &promoted).await;
    let next = log_in(&app).await;
    assert_eq!(next.stage, "second_factor");
    let passed = give_code(&app, &next, &app_code(&enrolled.secret, now() + 30)).await;
    assert_eq!(passed.status(), 200);
}

#[tokio::test]
async fn a_person_lists_and_revokes_their_own_sessions_and_the_revoked_cookie_opens_nothing() {
    let app = spawn_app().await;
    add_alice(&app).await;
    app.archive
        .create_user("bob", "Bob Li", PASSWORD, &fonds_core::Actor::cli())
        .await
        .expect("bob");
    let here = log_in(&app).await;
    let there = log_in(&app).await;
    let listed: Value = call(&app, reqwest::Method::GET, "/api/v1/sessions", &here, None)
        .await
        .json()
        .await
        .expect("json");
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(
        listed
            .iter()
            .all(|s| s["live"] == true && s["stage"] == "full")
    );
    let other_id = listed
        .iter()
        .find(|s| s["current"] == false)
        .and_then(|s| s["id"].as_str())
        .expect("the other session")
        .to_owned();

    // A forged revocation without the CSRF token changes nothing.
    let forged = app
        .client
        .delete(app.url(&format!("/api/v1/sessions/{other_id}")))
        .header("cookie", &here.cookie)
        .send()
        .await
        .expect("send");
    assert_problem(forged, 403, "csrf_token_missing").await;
    let path = format!("/api/v1/sessions/{other_id}");
    assert_eq!(
        call(&app, reqwest::Method::GET, "/api/v1/session", &there, None)
            .await
            .status(),
        200
    );
    let revoked = call(&app, reqwest::Method::DELETE, &path, &here, None).await;
    assert_eq!(revoked.status(), 204);
    assert_problem(
        call(&app, reqwest::Method::GET, "/api/v1/session", &there, None).await,
        401,
        "session_expired",
    )
    .await;
    assert_problem(
        call(&app, reqwest::Method::DELETE, &path, &here, None).await,
        404,
        "session_not_found",
    )
    .await;

    // Bob cannot revoke alice's session, nor see it.
    let bob = {
        let response = app
            .client
            .post(app.url("/api/v1/session"))
            .json(&json!({"login": "bob", "password": PASSWORD}))
            .send()
            .await
            .expect("send");
        Session::from_response(response).await
    };
    let alice_sessions = app.archive.list_sessions("alice").await.expect("sessions");
    let here_id = alice_sessions
        .iter()
        .find(|s| s.revoked_at.is_none())
        .expect("alice's live session")
        .id
        .clone();
    assert_problem(
        call(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/sessions/{here_id}"),
            &bob,
            None,
        )
        .await,
        404,
        "session_not_found",
    )
    .await;
    let bobs: Value = call(&app, reqwest::Method::GET, "/api/v1/sessions", &bob, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(bobs.as_array().expect("list").len(), 1);

    // An administrator revokes anyone's by id (`fonds user revoke-session`).
    app.archive
        .revoke_any_session(&here_id, &fonds_core::Actor::cli())
        .await
        .expect("revoke");
    assert_problem(
        call(&app, reqwest::Method::GET, "/api/v1/session", &here, None).await,
        401,
        "session_expired",
    )
    .await;
    let revocations: Vec<_> = audit_actions(&app)
        .await
        .into_iter()
        .filter(|e| e.action == "session.revoked")
        .collect();
    assert_eq!(revocations.len(), 2);
    assert_eq!(revocations[0].actor, "user alice");
    assert_eq!(revocations[1].actor, "cli");
}

#[tokio::test]
async fn an_administrator_resets_a_lost_second_factor() {
    let app = spawn_app().await;
    let _enrolled = enrolled_alice(&app).await;
    let waiting = log_in(&app).await;
    assert_eq!(waiting.stage, "second_factor");

    app.archive
        .reset_second_factor("alice", &fonds_core::Actor::cli())
        .await
        .expect("reset");
    // The session that waited for the lost device is over; a new login opens without it.
    assert_problem(
        call(
            &app,
            reqwest::Method::GET,
            "/api/v1/session",
            &waiting,
            None,
        )
        .await,
        401,
        "session_expired",
    )
    .await;
    let next = log_in(&app).await;
    assert_eq!(next.stage, "full");
    let again = app
        .archive
        .reset_second_factor("alice", &fonds_core::Actor::cli())
        .await
        .expect_err("nothing to reset");
    assert_eq!(again.code.as_str(), "second_factor_not_pending");
    let reset: Vec<_> = audit_actions(&app)
        .await
        .into_iter()
        .filter(|e| e.action == "second_factor.reset")
        .collect();
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0].actor, "cli");
    assert!(
        reset[0].detail.contains("\"waiting_sessions_ended\":1"),
        "{}",
        reset[0].detail
    );
}

/// Whether the database files hold `needle` anywhere.
fn database_holds(app: &TestApp, needle: &[u8]) -> bool {
    ["fonds.sqlite", "fonds.sqlite-wal"].iter().any(|name| {
        std::fs::read(app.data.path().join(name))
            .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            .unwrap_or(false)
    })
}

fn secret_bytes(secret: &str) -> Vec<u8> {
    totp_rs::Secret::try_from_base32(secret)
        .expect("base 32")
        .as_bytes()
        .to_vec()
}

#[tokio::test]
async fn with_a_master_key_the_totp_secret_is_stored_sealed() {
    let keys: Arc<dyn KeyProvider> =
        Arc::new(Keyring::new(MasterKey::from_bytes([9; 32]), Vec::new()));
    let app = spawn_app_with(Settings {
        at_rest: AtRest {
            keys: Some(keys),
            seal_with: None,
        },
        ..Settings::default()
    })
    .await;
    let enrolled = enrolled_alice(&app).await;
    assert!(!database_holds(&app, &secret_bytes(&enrolled.secret)));
    let started = audit_actions(&app)
        .await
        .into_iter()
        .find(|e| e.action == "second_factor.enrolment_started")
        .expect("started");
    assert!(
        started.detail.contains("\"secret\":\"sealed\""),
        "{}",
        started.detail
    );
    // The sealed secret opens to check codes.
    let waiting = log_in(&app).await;
    let passed = give_code(&app, &waiting, &app_code(&enrolled.secret, now() + 30)).await;
    assert_eq!(passed.status(), 200);

    // Without a key the same search finds it: the check above can fail.
    let clear = spawn_app().await;
    let enrolled = enrolled_alice(&clear).await;
    assert!(database_holds(&clear, &secret_bytes(&enrolled.secret)));
}
