//! The permission model at the HTTP edge, derived from the route table: every route of the
//! OpenAPI document declares what it needs, and for every route × built-in role × a target
//! inside and outside the role's data scope the answer is exactly the one the table implies:
//! 403 without the permission, 404 for another scope's thing, the route's own answer otherwise.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use std::collections::BTreeSet;

use common::roles::{Person, add_second_fonds, as_person, cast, submit_voucher_to};
use common::{TestApp, spawn_app};
use fonds_domain::access::BuiltinRole;
use fonds_http::{Needs, ROUTES, RouteRule};
use reqwest::Method;
use serde_json::{Value, json};

#[test]
fn every_route_of_the_api_declares_what_it_needs_and_the_table_names_no_other() {
    let document: Value = serde_json::from_str(&fonds_http::openapi_json()).expect("openapi");
    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let declared: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let undeclared: Vec<_> = documented.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "routes without a declared permission: {undeclared:?}"
    );
    let unknown: Vec<_> = declared.difference(&documented).collect();
    assert!(
        unknown.is_empty(),
        "declared routes that do not exist: {unknown:?}"
    );
    assert_eq!(declared.len(), ROUTES.len(), "a route is declared twice");
    let open: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.needs == Needs::OwnCredential)
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        open,
        [
            ("GET", "/open/{token}"),
            ("POST", "/api/v1/session"),
            ("GET", "/api/v1/session"),
            ("DELETE", "/api/v1/session"),
            ("POST", "/api/v1/session/second-factor"),
            ("POST", "/api/v1/session/totp"),
            ("POST", "/api/v1/session/totp/confirmation"),
            ("GET", "/api/v1/sessions"),
            ("DELETE", "/api/v1/sessions/{id}"),
        ],
        "only the deep link and the session routes need no permission"
    );
}

/// Which side of a role's scope a request aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Inside,
    Outside,
}

/// What exists in one fonds for the requests to aim at.
struct Targets {
    fonds: &'static str,
    record: String,
    file: String,
    submission: String,
    check_run: String,
}

struct World {
    app: TestApp,
    inside: Targets,
    outside: Targets,
    client: String,
    serial: std::sync::atomic::AtomicU32,
}

impl World {
    fn next(&self) -> u32 {
        self.serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    fn targets(&self, side: Side) -> &Targets {
        match side {
            Side::Inside => &self.inside,
            Side::Outside => &self.outside,
        }
    }
}

async fn targets(app: &TestApp, fonds: &'static str, number: &str) -> Targets {
    let receipt = submit_voucher_to(app, fonds, number).await;
    let record = receipt["records"][0]["id"].as_str().expect("id").to_owned();
    let detail = app.get_json(&format!("/api/v1/records/{record}")).await;
    let runs = app
        .get_json(&format!("/api/v1/records/{record}/check-runs"))
        .await;
    Targets {
        fonds,
        file: detail["files"][0]["id"].as_str().expect("file").to_owned(),
        submission: receipt["submission_id"]
            .as_str()
            .expect("submission")
            .to_owned(),
        check_run: runs[0]["id"].as_str().expect("run").to_owned(),
        record,
    }
}

async fn world() -> (World, Vec<Person>) {
    let app = spawn_app().await;
    add_second_fonds(&app).await;
    let inside = targets(&app, "Z001", "记-0001").await;
    let outside = targets(&app, "Z002", "记-0002").await;
    let created = app
        .post_json(
            "/api/v1/clients",
            &json!({"name": "oa-matrix", "fonds": ["Z001"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let client: Value = created.json().await.expect("client");
    let people = cast(&app).await;
    let world = World {
        app,
        inside,
        outside,
        client: client["id"].as_str().expect("client id").to_owned(),
        serial: std::sync::atomic::AtomicU32::new(100),
    };
    (world, people)
}

/// A request for `route` aimed at `side`, and the answer it gets from a caller who holds the
/// route's permission: its status and, for a refusal, its code.
async fn request(
    world: &World,
    route: &RouteRule,
    person: &Person,
    side: Side,
) -> (reqwest::RequestBuilder, u16, Option<&'static str>) {
    let app = &world.app;
    let t = world.targets(side);
    let n = world.next();
    let record = &t.record;
    let method = Method::from_bytes(route.method.as_bytes()).expect("method");
    let call = |path: String| as_person(app, person, method.clone(), &path);
    // A business role's scope is Z001; the officers' scope is everything, so for them the other
    // fonds is inside too.
    let out = side == Side::Outside && person.role.officer().is_none();
    let missing = |code| if out { (404, Some(code)) } else { (0, None) };
    let (builder, (status, code)) = match (route.method, route.path) {
        ("POST", "/api/v1/submissions") => {
            let number = format!("记-{n:04}");
            let main = common::voucher_pdf(&number);
            let invoice = common::invoice_xml(&number);
            let manifest = json!({"fonds": t.fonds,
                "records": [common::voucher(&number, 3, &main, &invoice)]});
            let prefix = common::part_prefix(&number);
            let form = reqwest::multipart::Form::new()
                .text("manifest", manifest.to_string())
                .part(
                    format!("{prefix}-main"),
                    reqwest::multipart::Part::bytes(main),
                )
                .part(
                    format!("{prefix}-inv"),
                    reqwest::multipart::Part::bytes(invoice),
                );
            let refused = if out {
                (403, Some("scope_denied"))
            } else {
                (202, None)
            };
            (call("/api/v1/submissions".into()).multipart(form), refused)
        }
        ("GET", "/api/v1/submissions/{id}") => (
            call(format!("/api/v1/submissions/{}", t.submission)),
            or(missing("submission_not_found"), 200),
        ),
        ("GET", "/api/v1/records") => (
            call(format!("/api/v1/records?fonds={}", t.fonds)),
            (200, None),
        ),
        ("GET", "/api/v1/records/{id}") => (
            call(format!("/api/v1/records/{record}")),
            or(missing("record_not_found"), 200),
        ),
        ("POST", "/api/v1/records/{id}/archive") => {
            // Archiving changes the record for good: a fresh one each time it is expected to work.
            let fresh = if side == Side::Inside && person.role == BuiltinRole::Archivist {
                let receipt = submit_voucher_to(app, t.fonds, &format!("记-{n:04}")).await;
                receipt["records"][0]["id"].as_str().expect("id").to_owned()
            } else {
                record.clone()
            };
            (
                call(format!("/api/v1/records/{fresh}/archive")),
                or(missing("record_not_found"), 200),
            )
        }
        ("POST", "/api/v1/records/{id}/corrections") => (
            call(format!("/api/v1/records/{record}/corrections")).json(&json!({
                "description": {"title": "报销差旅费（更正）", "date": "2023-03-15",
                    "voucher_number": if side == Side::Inside { "记-0001" } else { "记-0002" },
                    "amount": "1280.00", "preparer": "张三", "reviewer": "李四",
                    "attachment_count": 1},
                "reason": "摘要有误"})),
            or(missing("record_not_found"), 200),
        ),
        ("GET", "/api/v1/records/{id}/versions")
        | ("GET", "/api/v1/records/{id}/links")
        | ("GET", "/api/v1/records/{id}/check-runs")
        | ("GET", "/api/v1/records/{id}/invoices") => (
            call(route.path.replace("{id}", record)),
            or(missing("record_not_found"), 200),
        ),
        ("GET", "/api/v1/records/{id}/use-history") => (
            call(route.path.replace("{id}", record)),
            or(missing("record_not_found"), 200),
        ),
        ("POST", "/api/v1/records/{id}/prints") => (
            call(route.path.replace("{id}", record)).json(&json!({"file_id": t.file, "copies": 1})),
            or(missing("record_not_found"), 201),
        ),
        ("GET", "/api/v1/audit/events") => (
            call(format!("/api/v1/audit/events?record={record}")),
            (200, None),
        ),
        ("GET", "/api/v1/permission-review") => (call(route.path.into()), (200, None)),
        ("POST", "/api/v1/permission-reviews") => (
            call(route.path.into()).json(&json!({"note": format!("审核 {n}：无变更")})),
            (201, None),
        ),
        ("GET", "/api/v1/records/{id}/files/{file_id}") => (
            call(format!("/api/v1/records/{record}/files/{}", t.file)),
            or(missing("record_not_found"), 200),
        ),
        ("GET", "/api/v1/checks/items") | ("GET", "/api/v1/fonds") => {
            (call(route.path.into()), (200, None))
        }
        ("POST", "/api/v1/check-runs") => (
            call("/api/v1/check-runs".into()).json(&json!({"record_ids": [record]})),
            or(missing("record_not_found"), 201),
        ),
        ("GET", "/api/v1/check-runs/{id}")
        | ("GET", "/api/v1/check-runs/{id}/report.html")
        | ("GET", "/api/v1/check-runs/{id}/report.pdf") => (
            call(route.path.replace("{id}", &t.check_run)),
            or(missing("check_run_not_found"), 200),
        ),
        ("PUT", "/api/v1/fonds/{code}/check-items/{item}") => (
            call(format!(
                "/api/v1/fonds/{}/check-items/voucher_continuity",
                t.fonds
            ))
            .json(&json!({"enabled": true})),
            or(missing("fonds_not_found"), 204),
        ),
        // Deep links are issued to client systems only; a person is told so.
        ("POST", "/api/v1/deep-links") => (
            call(route.path.into()).json(&json!({"record_id": record, "user": "zhangsan"})),
            (422, Some("request_invalid")),
        ),
        ("POST", "/api/v1/clients") => (
            call(route.path.into()).json(&json!({"name": format!("oa-{n}"), "fonds": ["Z001"]})),
            (201, None),
        ),
        ("GET", "/api/v1/clients")
        | ("GET", "/api/v1/webhooks/deliveries")
        | ("GET", "/api/v1/users")
        | ("GET", "/api/v1/departments")
        | ("GET", "/api/v1/grants") => (call(route.path.into()), (200, None)),
        ("PATCH", "/api/v1/clients/{id}") => (
            call(format!("/api/v1/clients/{}", world.client)).json(&json!({"enabled": true})),
            (204, None),
        ),
        ("POST", "/api/v1/clients/{id}/rotate") => (
            call(format!("/api/v1/clients/{}/rotate", world.client)).json(&json!({})),
            (200, None),
        ),
        // A person registers or lists webhooks only with system.clients besides record.submit,
        // which no built-in role combines.
        ("POST", "/api/v1/webhooks") => (
            call(route.path.into()).json(&json!({"client_id": world.client,
                "url": "https://oa.example/hook", "events": ["submission.accepted"]})),
            (403, Some("permission_denied")),
        ),
        ("GET", "/api/v1/webhooks") => (call(route.path.into()), (403, Some("permission_denied"))),
        ("POST", "/api/v1/webhooks/deliveries/{id}/replay") => (
            call("/api/v1/webhooks/deliveries/none/replay".into()),
            (422, Some("request_invalid")),
        ),
        ("POST", "/api/v1/users") => (
            call(route.path.into()).json(&json!({"login": format!("new-{n}"),
                "display_name": "新同事", "password": common::roles::PASSWORD})),
            (201, None),
        ),
        ("POST", "/api/v1/departments") => (
            call(route.path.into()).json(&json!({"fonds": "Z001", "code": format!("D{n}"),
                "name": "新部门"})),
            (201, None),
        ),
        ("POST", "/api/v1/grants") => (
            call(route.path.into()).json(&json!({"login": "reader", "role": "reader",
                "scope": {"fonds": ["Z001"]}})),
            (201, None),
        ),
        ("DELETE", "/api/v1/grants/{id}") => {
            let grant = app
                .archive
                .grant(
                    &fonds_core::access::GrantRequest {
                        login: "reader".into(),
                        role: BuiltinRole::Reader,
                        scope: common::roles::cast_scope(BuiltinRole::Reader),
                        expires_at: None,
                    },
                    fonds_core::access::Authority::Console,
                    &fonds_core::Actor::cli(),
                )
                .await
                .expect("grant to revoke");
            (call(format!("/api/v1/grants/{}", grant.id)), (204, None))
        }
        other => panic!("the matrix has no request for {other:?}: add one"),
    };
    (builder, status, code)
}

/// The out-of-scope answer if there is one, else `success`.
fn or(missing: (u16, Option<&'static str>), success: u16) -> (u16, Option<&'static str>) {
    if missing.0 == 0 {
        (success, None)
    } else {
        missing
    }
}

#[tokio::test]
async fn every_route_answers_every_role_inside_and_outside_its_scope_exactly() {
    let (world, people) = world().await;
    let mut checked = 0;
    for route in ROUTES {
        let Needs::Permission(permission) = route.needs else {
            continue;
        };
        for person in &people {
            for side in [Side::Inside, Side::Outside] {
                let (builder, status, code) = request(&world, route, person, side).await;
                let holds = person.role.permissions().contains(permission);
                let (status, code) = if holds {
                    (status, code)
                } else {
                    (403, Some("permission_denied"))
                };
                let response = builder.send().await.expect("send");
                let got = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                assert_eq!(
                    got, status,
                    "{} {} as {} ({side:?}): {body}",
                    route.method, route.path, person.role
                );
                if let Some(code) = code {
                    let problem: Value = serde_json::from_str(&body).expect("problem");
                    assert_eq!(problem["code"], code, "{} {}", route.method, route.path);
                }
                checked += 1;
            }
        }
    }
    let permission_routes = ROUTES
        .iter()
        .filter(|r| matches!(r.needs, Needs::Permission(_)))
        .count();
    assert_eq!(checked, permission_routes * BuiltinRole::ALL.len() * 2);
}

#[tokio::test]
async fn lists_show_nothing_of_another_scope() {
    let (world, people) = world().await;
    let reader = people
        .iter()
        .find(|p| p.role == BuiltinRole::Reader)
        .expect("reader");
    let page: Value = as_person(&world.app, reader, Method::GET, "/api/v1/records?limit=100")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [world.inside.record.as_str()]);
    let fonds: Value = as_person(&world.app, reader, Method::GET, "/api/v1/fonds")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let codes: Vec<&str> = fonds
        .as_array()
        .expect("fonds")
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["Z001"], "another scope's fonds is not listed");
    // The token of `fonds init` still sees everything.
    assert_eq!(world.app.all_records().await.len(), 2);
}

#[tokio::test]
async fn the_security_officer_reads_the_permission_review_and_records_it_as_done() {
    let app = spawn_app().await;
    let people = cast(&app).await;
    let officer = people
        .iter()
        .find(|p| p.role == BuiltinRole::SecurityOfficer)
        .expect("security officer");
    // A second auditor appointed at the console who has not logged in (nor enrolled) yet.
    common::roles::appoint(
        &app,
        "auditor-2",
        BuiltinRole::SecurityAuditor,
        common::roles::cast_scope(BuiltinRole::SecurityAuditor),
        None,
    )
    .await;

    let read = || async {
        let response = as_person(&app, officer, Method::GET, "/api/v1/permission-review")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.expect("json")
    };
    let report = read().await;
    let logins: BTreeSet<&str> = report["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| p["login"].as_str().expect("login"))
        .collect();
    assert!(logins.contains("auditor-2") && logins.contains("reader"));
    assert_eq!(
        report["officers_without_second_factor"],
        json!(["auditor-2"])
    );
    assert_eq!(
        report["dormant"],
        json!([]),
        "everyone is new or just logged in"
    );
    assert_eq!(
        report["review_due"], false,
        "the first review falls due an interval after the first grant"
    );
    assert!(report["last_review"].is_null());
    let reader = report["people"]
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["login"] == "reader")
        .expect("reader");
    assert_eq!(reader["grants"][0]["role"], "reader");
    assert!(reader["last_login_at"].is_string());

    let empty = as_person(&app, officer, Method::POST, "/api/v1/permission-reviews")
        .json(&json!({"note": "  "}))
        .send()
        .await
        .expect("send");
    common::assert_problem(empty, 422, "request_invalid").await;

    let done = as_person(&app, officer, Method::POST, "/api/v1/permission-reviews")
        .json(&json!({"note": "auditor-2 须在本周内绑定双因素；其余授权保留"}))
        .send()
        .await
        .expect("send");
    assert_eq!(done.status(), 201);
    let done: Value = done.json().await.expect("json");
    assert_eq!(done["reviewed_by"], format!("user {}", officer.login));
    assert_eq!(
        done["findings"]["officers_without_second_factor"],
        json!(["auditor-2"])
    );

    let after = read().await;
    assert_eq!(after["review_due"], false);
    assert_eq!(after["last_review"]["id"], done["id"]);
    assert!(
        after["next_review_due"].as_str() > report["next_review_due"].as_str(),
        "the next review is counted from this one"
    );
    let events = app
        .archive
        .audit_events_after(0, 10_000)
        .await
        .expect("events");
    let recorded = events
        .iter()
        .filter(|e| e.action == "permission_review.done")
        .count();
    assert_eq!(recorded, 1, "the empty note changed nothing");
}

#[tokio::test]
async fn an_officer_opens_no_route_before_enrolling_a_second_factor() {
    let app = spawn_app().await;
    let role = BuiltinRole::SystemAdministrator;
    common::roles::appoint(&app, "admin", role, common::roles::cast_scope(role), None).await;
    let login = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"login": "admin", "password": common::roles::PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), 201);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let body: Value = login.json().await.expect("json");
    assert_eq!(
        body["stage"], "enrolment",
        "the default policy asks officers"
    );
    let refused = app
        .client
        .get(app.url("/api/v1/users"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    common::assert_problem(refused, 403, "second_factor_enrolment_required").await;

    // Enrolled (the helper confirms a TOTP code), the same person opens their routes.
    let admin = common::roles::log_in(&app, "admin", role).await;
    let users = as_person(&app, &admin, Method::GET, "/api/v1/users")
        .send()
        .await
        .expect("send");
    assert_eq!(users.status(), 200);
}
