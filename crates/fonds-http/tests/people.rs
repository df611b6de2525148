//! People and login over real HTTP against real SQLite (docs/people.md): the session cookie and
//! its attributes, one answer for an unknown login and a wrong password, lockout with
//! Retry-After, logout that really ends the session, idle and absolute time-outs, CSRF on
//! cookie-authenticated changes, and the audit trail of it all.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::time::Duration;

use common::{TestApp, assert_problem, spawn_app, spawn_app_with};
use fonds_core::Settings;
use fonds_core::people::PeopleSettings;
use serde_json::{Value, json};

const PASSWORD: &str = "Blue-Kettle-42-River";

async fn add_alice(app: &TestApp) {
    app.archive
        .create_user("alice", "Alice Wang", PASSWORD, &fonds_core::Actor::cli())
        .await
        .expect("create alice");
}

async fn login(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/session"))
        .header("user-agent", "people-test")
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .expect("send")
}

/// A logged-in session: the cookie header value and the CSRF token.
struct Session {
    cookie: String,
    csrf: String,
    set_cookie: String,
}

async fn log_in(app: &TestApp) -> Session {
    let response = login(app, "alice", PASSWORD).await;
    assert_eq!(response.status(), 201);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("cookie pair")
        .to_owned();
    Session {
        cookie,
        csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
        set_cookie,
    }
}

async fn whoami(app: &TestApp, session: &Session) -> reqwest::Response {
    app.client
        .get(app.url("/api/v1/session"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("send")
}

fn timeouts(idle: Duration, absolute: Duration) -> Settings {
    Settings {
        people: PeopleSettings {
            session_idle_timeout: idle,
            session_absolute_timeout: absolute,
            ..PeopleSettings::default()
        },
        ..Settings::default()
    }
}

#[tokio::test]
async fn a_login_sets_a_strict_http_only_cookie_and_answers_who_am_i() {
    let app = spawn_app().await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    let attributes: Vec<&str> = session.set_cookie.split("; ").collect();
    assert!(session.cookie.starts_with("fonds_session="));
    assert_eq!(session.cookie.len(), "fonds_session=".len() + 64);
    for wanted in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(attributes.contains(&wanted), "{wanted} in {attributes:?}");
    }
    // Plain HTTP on loopback: a Secure cookie would never come back.
    assert!(!attributes.contains(&"Secure"), "{attributes:?}");

    let response = whoami(&app, &session).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["user"]["login"], "alice");
    assert_eq!(body["user"]["display_name"], "Alice Wang");
    assert_eq!(body["csrf_token"], session.csrf.as_str());
    assert_eq!(body["idle_timeout_seconds"], 1800);

    let listed = app.archive.list_sessions("alice").await.expect("sessions");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_agent.as_deref(), Some("people-test"));
    assert_eq!(listed[0].client_address.as_deref(), Some("127.0.0.1"));
    // Only the hash of the secret is stored.
    let secret = session.cookie.trim_start_matches("fonds_session=");
    assert_ne!(listed[0].id, secret);
}

#[tokio::test]
async fn over_tls_the_cookie_is_secure() {
    let app = spawn_app_with(Settings {
        hsts: true,
        ..Settings::default()
    })
    .await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    assert!(
        session.set_cookie.ends_with("; Secure"),
        "{}",
        session.set_cookie
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_get_the_same_answer() {
    let app = spawn_app().await;
    add_alice(&app).await;
    let wrong = assert_problem(
        login(&app, "alice", "Blue-Kettle-42-Rivet").await,
        401,
        "login_failed",
    )
    .await;
    let unknown = assert_problem(login(&app, "bob", PASSWORD).await, 401, "login_failed").await;
    let malformed = assert_problem(
        login(&app, "NOT A LOGIN", PASSWORD).await,
        401,
        "login_failed",
    )
    .await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
    let text = wrong.to_string();
    assert!(!text.contains("Rivet") && !text.contains(PASSWORD));
}

#[tokio::test]
async fn five_failures_lock_the_account_with_retry_after() {
    let app = spawn_app().await;
    add_alice(&app).await;
    for _ in 0..5 {
        assert_problem(
            login(&app, "alice", "Wrong-Kettle-42").await,
            401,
            "login_failed",
        )
        .await;
    }
    // Even the right password is refused while the account is locked.
    let response = login(&app, "alice", PASSWORD).await;
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=61).contains(&retry_after), "{retry_after}");
    assert_problem(response, 429, "account_locked").await;
    let alice = app.archive.users().await.expect("users").remove(0);
    assert_eq!(alice.failed_logins, 5);
    assert!(alice.locked_until.is_some());
}

#[tokio::test]
async fn a_cookie_replayed_after_logout_is_refused() {
    let app = spawn_app().await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    let out = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .send()
        .await
        .expect("send");
    assert_eq!(out.status(), 204);
    let cleared = out
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie");
    assert!(cleared.starts_with("fonds_session=;") && cleared.contains("Max-Age=0"));
    assert_problem(whoami(&app, &session).await, 401, "session_expired").await;
    // Nor can it change anything, even with its CSRF token.
    let replayed = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .send()
        .await
        .expect("send");
    assert_problem(replayed, 401, "session_expired").await;
}

#[tokio::test]
async fn an_idle_session_times_out() {
    let app = spawn_app_with(timeouts(Duration::from_secs(1), Duration::from_secs(60))).await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    assert_eq!(whoami(&app, &session).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_problem(whoami(&app, &session).await, 401, "session_expired").await;
}

#[tokio::test]
async fn a_used_session_ends_at_its_absolute_time_out() {
    let app = spawn_app_with(timeouts(Duration::from_secs(2), Duration::from_secs(3))).await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    // Used more often than the idle time-out, it lives on …
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(whoami(&app, &session).await.status(), 200);
    }
    // … but not past the absolute one.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_problem(whoami(&app, &session).await, 401, "session_expired").await;
}

#[tokio::test]
async fn a_cookie_change_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    let log_out = |csrf: Option<&str>| {
        let mut request = app
            .client
            .delete(app.url("/api/v1/session"))
            .header("cookie", &session.cookie);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    assert_problem(
        log_out(None).await.expect("send"),
        403,
        "csrf_token_missing",
    )
    .await;
    let other = "0".repeat(64);
    assert_problem(
        log_out(Some(&other)).await.expect("send"),
        403,
        "csrf_token_invalid",
    )
    .await;
    // Nothing changed: the session still works. Reading needs no token.
    assert_eq!(whoami(&app, &session).await.status(), 200);
    assert_eq!(
        log_out(Some(&session.csrf)).await.expect("send").status(),
        204
    );
    assert_problem(whoami(&app, &session).await, 401, "session_expired").await;
}

#[tokio::test]
async fn a_person_nobody_granted_anything_is_refused_everywhere_but_the_session_routes() {
    let app = spawn_app().await;
    add_alice(&app).await;
    let session = log_in(&app).await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/records"),
        (reqwest::Method::GET, "/api/v1/webhooks"),
        (reqwest::Method::POST, "/api/v1/webhooks"),
        (reqwest::Method::POST, "/api/v1/clients"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .json(&json!({}))
            .send()
            .await
            .expect("send");
        assert_problem(response, 403, "permission_denied").await;
    }
    assert_eq!(whoami(&app, &session).await.status(), 200);
    assert_eq!(app.get_json("/api/v1/webhooks").await, json!([]));
}

#[tokio::test]
async fn logins_lockouts_and_logouts_are_in_the_audit_trail_and_the_chain_verifies() {
    let app = spawn_app().await;
    add_alice(&app).await;
    assert_problem(login(&app, "nobody", PASSWORD).await, 401, "login_failed").await;
    for _ in 0..5 {
        assert_problem(
            login(&app, "alice", "Wrong-Kettle-42").await,
            401,
            "login_failed",
        )
        .await;
    }
    assert_problem(login(&app, "alice", PASSWORD).await, 429, "account_locked").await;
    // An administrator's reset is out of this slice: start a second account for the logout.
    app.archive
        .create_user("bob", "Bob Li", PASSWORD, &fonds_core::Actor::cli())
        .await
        .expect("bob");
    let response = login(&app, "bob", PASSWORD).await;
    assert_eq!(response.status(), 201);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let csrf = response.json::<Value>().await.expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let out = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("send");
    assert_eq!(out.status(), 204);

    let events = app
        .archive
        .audit_events_after(0, 1000)
        .await
        .expect("events");
    let of = |action: &str| -> Vec<&fonds_core::audit::AuditEventRow> {
        events.iter().filter(|e| e.action == action).collect()
    };
    assert_eq!(of("user.created").len(), 2);
    assert_eq!(of("user.created")[0].actor, "cli");
    let failed = of("login.failed");
    // One unknown login, five wrong passwords, one attempt while locked.
    assert_eq!(failed.len(), 7, "{failed:#?}");
    assert!(failed.iter().all(|e| e.outcome == "refused"));
    assert!(
        failed
            .iter()
            .all(|e| e.client_address.as_deref() == Some("127.0.0.1"))
    );
    assert!(failed[0].detail.contains("unknown_login") && failed[0].actor == "user nobody");
    assert!(failed[6].detail.contains("locked_out"));
    assert_eq!(of("user.locked_out").len(), 1);
    assert_eq!(of("login.succeeded").len(), 1);
    assert_eq!(of("login.succeeded")[0].actor, "user bob");
    assert_eq!(of("session.logged_out").len(), 1);
    assert_eq!(of("session.logged_out")[0].actor, "user bob");
    let secret = cookie.trim_start_matches("fonds_session=");
    for event in &events {
        let text = format!("{event:?}");
        assert!(
            !text.contains(PASSWORD) && !text.contains("Wrong-Kettle") && !text.contains(secret)
        );
    }
    let report = app.archive.verify_audit_chain().await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.broken);
}

#[tokio::test]
async fn a_weak_password_is_refused_with_one_error_per_rule() {
    let app = spawn_app().await;
    let error = app
        .archive
        .create_user("carol", "Carol", "carol123", &fonds_core::Actor::cli())
        .await
        .expect_err("weak");
    let codes: Vec<&str> = error.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "password_too_short",
            "password_too_simple",
            "password_contains_name"
        ]
    );
    assert_eq!(error.code.as_str(), "password_too_short");
    add_alice(&app).await;
    let taken = app
        .archive
        .create_user(
            "alice",
            "Another Alice",
            PASSWORD,
            &fonds_core::Actor::cli(),
        )
        .await
        .expect_err("taken");
    assert_eq!(taken.code.as_str(), "login_taken");
}
