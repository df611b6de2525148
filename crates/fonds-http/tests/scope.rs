//! Department and secrecy, end to end: records arrive with a department of the fonds' tree and a
//! 密级 from the manifest; a grant over a department subtree and up to a level reaches exactly
//! those records; a submission outside the submitter's scope, or naming no such department, is
//! refused whole.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::roles::{as_person, person_with};
use common::{
    TestApp, assert_accepted, assert_problem, invoice_xml, part_prefix, spawn_app, voucher,
    voucher_pdf,
};
use fonds_core::Actor;
use fonds_domain::access::{BuiltinRole, DataScope, SecrecyLevel, Selection};
use reqwest::Method;
use serde_json::{Value, json};

/// A record's manifest entry and the parts its files arrive in.
type Placed = (Value, Vec<(String, Vec<u8>)>);

/// A voucher's manifest entry placed in `department` at `secrecy`, with its parts.
fn placed(number: &str, department: Option<&str>, secrecy: Option<&str>) -> Placed {
    let main = voucher_pdf(number);
    let invoice = invoice_xml(number);
    let mut record = voucher(number, 4, &main, &invoice);
    if let Some(department) = department {
        record["department"] = json!(department);
    }
    if let Some(secrecy) = secrecy {
        record["secrecy"] = json!(secrecy);
    }
    let prefix = part_prefix(number);
    (
        record,
        vec![
            (format!("{prefix}-main"), main),
            (format!("{prefix}-inv"), invoice),
        ],
    )
}

fn form(records: &[Placed]) -> reqwest::multipart::Form {
    let manifest = json!({"fonds": "Z001",
        "records": records.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>()});
    let mut form = reqwest::multipart::Form::new().text("manifest", manifest.to_string());
    for (_, parts) in records {
        for (name, bytes) in parts {
            form = form.part(name.clone(), reqwest::multipart::Part::bytes(bytes.clone()));
        }
    }
    form
}

async fn tree(app: &TestApp) {
    let fonds = "Z001".parse().expect("fonds");
    for (code, parent) in [("FIN", None), ("FIN-AP", Some("FIN")), ("HR", None)] {
        app.archive
            .add_department(
                &fonds,
                code.parse().expect("code"),
                code,
                parent.map(|p| p.parse().expect("parent")),
                &Actor::cli(),
            )
            .await
            .expect("department");
    }
}

fn fin_scope(highest: SecrecyLevel) -> DataScope {
    DataScope {
        departments: Selection::only(["Z001/FIN".parse().expect("dept")]),
        highest_secrecy: highest,
        ..DataScope::everything()
    }
}

#[tokio::test]
async fn a_department_subtree_and_a_secrecy_level_reach_exactly_their_records() {
    let app = spawn_app().await;
    tree(&app).await;
    let records = [
        placed("记-0001", Some("FIN"), None),
        placed("记-0002", Some("FIN-AP"), Some("秘密")),
        placed("记-0003", Some("FIN-AP"), Some("secret")),
        placed("记-0004", Some("HR"), Some("public")),
        placed("记-0005", None, None),
    ];
    let response = app
        .client
        .post(app.url("/api/v1/submissions?wait=10"))
        .bearer_auth(&app.token)
        .multipart(form(&records))
        .send()
        .await
        .expect("send");
    let receipt = assert_accepted(response).await;
    let id = |i: usize| receipt["records"][i]["id"].as_str().expect("id").to_owned();
    let reader = person_with(
        &app,
        "fin-reader",
        BuiltinRole::Reader,
        fin_scope(SecrecyLevel::Confidential),
        None,
    )
    .await;
    let page: Value = as_person(&app, &reader, Method::GET, "/api/v1/records")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("page");
    let mut seen: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    seen.sort();
    let mut expected = vec![id(0), id(1)];
    expected.sort();
    assert_eq!(
        seen, expected,
        "FIN and its FIN-AP, up to 秘密; not 机密, HR or no department"
    );
    for hidden in [id(2), id(3), id(4)] {
        let response = as_person(
            &app,
            &reader,
            Method::GET,
            &format!("/api/v1/records/{hidden}"),
        )
        .send()
        .await
        .expect("send");
        assert_problem(response, 404, "record_not_found").await;
    }
}

#[tokio::test]
async fn a_submission_outside_the_submitters_scope_or_naming_no_such_department_is_refused() {
    let app = spawn_app().await;
    tree(&app).await;
    let accountant = person_with(
        &app,
        "fin-accountant",
        BuiltinRole::Accountant,
        fin_scope(SecrecyLevel::Internal),
        None,
    )
    .await;
    let submit = |records: Vec<Placed>| {
        as_person(
            &app,
            &accountant,
            Method::POST,
            "/api/v1/submissions?wait=10",
        )
        .multipart(form(&records))
        .send()
    };
    let elsewhere = submit(vec![placed("记-0011", Some("HR"), None)])
        .await
        .expect("send");
    assert_problem(elsewhere, 403, "scope_denied").await;
    let too_secret = submit(vec![placed("记-0012", Some("FIN"), Some("confidential"))])
        .await
        .expect("send");
    assert_problem(too_secret, 403, "scope_denied").await;
    let no_department = submit(vec![placed("记-0013", None, None)])
        .await
        .expect("send");
    assert_problem(no_department, 403, "scope_denied").await;
    let unknown = submit(vec![placed("记-0014", Some("R-AND-D"), None)])
        .await
        .expect("send");
    let problem = assert_problem(unknown, 422, "manifest_invalid").await;
    assert_eq!(problem["errors"][0]["pointer"], "/records/0/department");
    assert!(
        app.all_records().await.is_empty(),
        "nothing of a refused submission is kept"
    );
    let fine = submit(vec![placed("记-0015", Some("FIN-AP"), None)])
        .await
        .expect("send");
    let receipt = assert_accepted(fine).await;
    let id = receipt["records"][0]["id"].as_str().expect("id");
    let record = app.get_json(&format!("/api/v1/records/{id}")).await;
    assert_eq!(record["state"], "collected");
    assert_eq!(record["department"], "FIN-AP");
    assert_eq!(
        record["secrecy"], "internal",
        "a record without a level is 内部"
    );
}
