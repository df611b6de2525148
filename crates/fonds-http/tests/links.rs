//! Linking (单证关联): related items name each other by business keys; a link waits for its
//! other side and resolves whichever arrives first; a 记账凭证 shows whether its declared
//! attachments are present.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

mod common;

use common::{
    TestApp, assert_accepted, assert_problem, pdf, spawn_app, standard_pdf, standard_xml, voucher,
};
use serde_json::{Value, json};

const INVOICE: &str = "24312000000012345678";

/// A 记账凭证 with one invoice file of its own, declaring two attachments and linking to the
/// approval form and an invoice kept as a separate record.
async fn submit_voucher(app: &TestApp) -> String {
    let mut record = voucher("记-0001", 3, standard_pdf(), standard_xml());
    record["attachment_count"] = json!(2);
    record["links"] = json!([
        {"type": "invoice", "key": INVOICE},
        {"type": "approval_form", "key": "OA-2023-0042"}
    ]);
    let response = app
        .submit(
            &json!({"fonds": "Z001", "records": [record]}),
            &[
                ("v0001-main", standard_pdf()),
                ("v0001-inv", standard_xml()),
            ],
        )
        .await;
    assert_accepted(response).await["records"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// The invoice, kept as its own 原始凭证 record, named by its number.
async fn submit_invoice(app: &TestApp, number: &str) -> reqwest::Response {
    let file = pdf(&format!("增值税电子普通发票 {number}"));
    let record = json!({
        "kind": "original_voucher", "fiscal_year": 2023, "period": 3, "date": "2023-03-14",
        "title": "增值税电子普通发票", "voucher_number": format!("发票-{number}"),
        "business_keys": [{"type": "invoice", "key": number}],
        "files": [{"part": "inv", "role": "main", "file_name": "invoice.pdf", "sha256": common::sha256(&file)}]
    });
    app.submit(
        &json!({"fonds": "Z001", "records": [record]}),
        &[("inv", &file)],
    )
    .await
}

async fn links(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/api/v1/records/{id}/links")).await
}

#[tokio::test]
async fn a_link_waits_for_the_invoice_and_resolves_when_it_arrives() {
    let app = spawn_app().await;
    let voucher = submit_voucher(&app).await;
    let before = links(&app, &voucher).await;
    assert!(
        before["outgoing"]
            .as_array()
            .expect("outgoing")
            .iter()
            .all(|l| l["state"] == "pending")
    );
    assert_eq!(
        before["completeness"],
        json!({"declared": 2, "original_files": 1, "linked_originals": 0, "met": false})
    );

    let invoice = assert_accepted(submit_invoice(&app, INVOICE).await).await["records"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let after = links(&app, &voucher).await;
    let linked = after["outgoing"]
        .as_array()
        .expect("outgoing")
        .iter()
        .find(|l| l["type"] == "invoice")
        .expect("invoice link")
        .clone();
    assert_eq!(linked["state"], "linked");
    assert_eq!(linked["record"]["id"], invoice.as_str());
    assert_eq!(after["completeness"]["met"], true);
    // The approval form has not arrived: that link keeps waiting.
    let approval = after["outgoing"]
        .as_array()
        .expect("outgoing")
        .iter()
        .find(|l| l["type"] == "approval_form")
        .expect("approval link")
        .clone();
    assert_eq!(approval["state"], "pending");

    let from_invoice = links(&app, &invoice).await;
    assert_eq!(
        from_invoice["keys"],
        json!([{"type": "invoice", "key": INVOICE}])
    );
    assert_eq!(
        from_invoice["incoming"][0]["record"]["id"],
        voucher.as_str()
    );
}

#[tokio::test]
async fn a_link_to_an_invoice_that_arrived_first_is_linked_at_once() {
    let app = spawn_app().await;
    assert_accepted(submit_invoice(&app, INVOICE).await).await;
    let voucher = submit_voucher(&app).await;
    let graph = links(&app, &voucher).await;
    let linked = graph["outgoing"]
        .as_array()
        .expect("outgoing")
        .iter()
        .filter(|l| l["state"] == "linked")
        .count();
    assert_eq!(linked, 1);
    assert_eq!(graph["completeness"]["linked_originals"], 1);
}

#[tokio::test]
async fn an_unknown_link_type_is_refused_and_a_taken_business_key_rejected() {
    let app = spawn_app().await;
    let mut record = voucher("记-0001", 3, standard_pdf(), standard_xml());
    record["links"] = json!([{"type": "purchase_order", "key": "PO-1"}]);
    let response = app
        .submit(
            &json!({"fonds": "Z001", "records": [record]}),
            &[
                ("v0001-main", standard_pdf()),
                ("v0001-inv", standard_xml()),
            ],
        )
        .await;
    let problem = assert_problem(response, 422, "link_type_unknown").await;
    assert_eq!(problem["errors"][0]["pointer"], "/records/0/links/0/type");

    assert_accepted(submit_invoice(&app, INVOICE).await).await;
    // A second record claiming the same invoice number is received, then rejected with a reason.
    let file = pdf("same invoice again");
    let again = json!({
        "kind": "original_voucher", "fiscal_year": 2023, "period": 3, "date": "2023-03-15",
        "title": "重复的发票", "business_keys": [{"type": "invoice", "key": INVOICE}],
        "files": [{"part": "inv", "role": "main", "file_name": "invoice.pdf", "sha256": common::sha256(&file)}]
    });
    let receipt: Value = app
        .submit(
            &json!({"fonds": "Z001", "records": [again]}),
            &[("inv", &file)],
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(receipt["state"], "rejected", "{receipt:#}");
    // The key is an invoice number, so duplicate-booking prevention answers first and names the
    // record the invoice was booked to.
    assert_eq!(receipt["reasons"][0]["code"], "invoice_already_booked");
    assert!(
        receipt["reasons"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains(INVOICE)
    );
}
