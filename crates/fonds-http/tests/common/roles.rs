//! A cast of people, one per built-in role, each logged in: business roles reach fonds Z001
//! only (up to 内部), officers everything. And a second fonds, Z002, with records none of the
//! business roles may see.

use fonds_core::access::{Authority, GrantRequest, default_scope};
use fonds_domain::access::{BuiltinRole, DataScope, Selection};
use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme};
use serde_json::{Value, json};

use super::{TestApp, assert_accepted, invoice_xml, part_prefix, voucher, voucher_pdf};

/// A strong password every test person shares.
pub const PASSWORD: &str = "Blue-Kettle-42-River";

/// A logged-in person: the cookie pair and the CSRF token.
#[derive(Debug, Clone)]
pub struct Person {
    pub login: String,
    pub role: BuiltinRole,
    pub cookie: String,
    pub csrf: String,
}

/// Adds fonds Z002 beside the app's Z001.
pub async fn add_second_fonds(app: &TestApp) {
    app.archive
        .ensure_fonds(
            &Fonds {
                code: "Z002".parse().expect("fonds"),
                name: "另一家公司".into(),
                retention_scheme: RetentionScheme::Enterprise,
                code_pattern: ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("fonds Z002");
}

/// The scope each role of the cast holds: Z001 for business roles, everything for officers.
pub fn cast_scope(role: BuiltinRole) -> DataScope {
    if role.officer().is_some() {
        default_scope(role)
    } else {
        DataScope {
            fonds: Selection::only(["Z001".parse().expect("fonds")]),
            ..default_scope(role)
        }
    }
}

/// Creates `login` and grants `role` over `scope` at the console (until `expires_at`),
/// without logging them in.
pub async fn appoint(
    app: &TestApp,
    login: &str,
    role: BuiltinRole,
    scope: DataScope,
    expires_at: Option<time::OffsetDateTime>,
) {
    app.archive
        .create_user(login, login, PASSWORD, &fonds_core::Actor::cli())
        .await
        .expect("create user");
    app.archive
        .grant(
            &GrantRequest {
                login: login.to_owned(),
                role,
                scope,
                expires_at,
            },
            Authority::Console,
            &fonds_core::Actor::cli(),
        )
        .await
        .expect("grant");
}

/// [`appoint`], then logs them in.
pub async fn person_with(
    app: &TestApp,
    login: &str,
    role: BuiltinRole,
    scope: DataScope,
    expires_at: Option<time::OffsetDateTime>,
) -> Person {
    appoint(app, login, role, scope, expires_at).await;
    log_in(app, login, role).await
}

/// Logs `login` in. An officer (whom the default policy requires to have a second factor)
/// enrols a TOTP authenticator on the way, as a person would at their first login.
pub async fn log_in(app: &TestApp, login: &str, role: BuiltinRole) -> Person {
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201, "login {login}");
    let cookie = cookie_of(&response).expect("cookie");
    let body: Value = response.json().await.expect("json");
    let person = Person {
        login: login.to_owned(),
        role,
        cookie,
        csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
    };
    let stage = body["stage"].as_str().expect("stage");
    assert_eq!(
        stage == "enrolment",
        role.officer().is_some(),
        "officers, and only they, are asked to enrol a second factor ({login})"
    );
    if stage == "enrolment" {
        enrol(app, person).await
    } else {
        person
    }
}

/// The `name=value` pair of a response's session cookie.
fn cookie_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Enrols a TOTP authenticator from `person`'s waiting session; answers the full session.
async fn enrol(app: &TestApp, person: Person) -> Person {
    let started = as_person(app, &person, reqwest::Method::POST, "/api/v1/session/totp")
        .send()
        .await
        .expect("send");
    assert_eq!(started.status(), 201, "enrolment of {}", person.login);
    let started: Value = started.json().await.expect("json");
    let secret = totp_rs::Secret::try_from_base32(started["secret"].as_str().expect("secret"))
        .expect("base 32")
        .as_bytes()
        .to_vec();
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("after 1970");
    let code = totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("totp")
        .generate(now)
        .to_string();
    let confirmed = as_person(
        app,
        &person,
        reqwest::Method::POST,
        "/api/v1/session/totp/confirmation",
    )
    .json(&json!({ "code": code }))
    .send()
    .await
    .expect("send");
    assert_eq!(confirmed.status(), 200, "confirmation of {}", person.login);
    let cookie = cookie_of(&confirmed).expect("a promoted session's cookie");
    let body: Value = confirmed.json().await.expect("json");
    Person {
        cookie,
        csrf: body["csrf_token"].as_str().expect("new csrf").to_owned(),
        ..person
    }
}

/// One person per built-in role.
pub async fn cast(app: &TestApp) -> Vec<Person> {
    let mut people = Vec::new();
    for role in BuiltinRole::ALL {
        let login = role.code().replace('_', "-");
        people.push(person_with(app, &login, role, cast_scope(role), None).await);
    }
    people
}

/// A request as `person`, with the session cookie and CSRF token.
pub fn as_person(
    app: &TestApp,
    person: &Person,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    app.client
        .request(method, app.url(path))
        .header("cookie", &person.cookie)
        .header("x-csrf-token", &person.csrf)
}

/// Submits one voucher into `fonds` with the app's token; returns the receipt.
pub async fn submit_voucher_to(app: &TestApp, fonds: &str, number: &str) -> Value {
    let main = voucher_pdf(number);
    let invoice = invoice_xml(number);
    let manifest = json!({"fonds": fonds, "records": [voucher(number, 3, &main, &invoice)]});
    let prefix = part_prefix(number);
    let response = app
        .submit(
            &manifest,
            &[
                (&format!("{prefix}-main"), &main),
                (&format!("{prefix}-inv"), &invoice),
            ],
        )
        .await;
    assert_accepted(response).await
}
