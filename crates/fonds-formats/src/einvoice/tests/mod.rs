//! Tests of the 数电票 renderer, reader and consistency check, around one realistic invoice.

mod check;
mod read;
mod render;
mod round_trip;

use fonds_domain::Money;
use time::macros::datetime;

use super::*;

fn money(s: &str) -> Money {
    s.parse().expect("amount")
}

/// A consistent blue invoice with two lines; the PDF tests use it too.
pub(crate) fn invoice() -> InvoiceData {
    InvoiceData {
        number: "24442000000123456789".into(),
        issued_at: datetime!(2024-03-05 09:30:00),
        seller_name: "广州某某信息技术有限公司".into(),
        seller_tax_id: "91440101MA5XXXXX1K".into(),
        buyer_name: "示例集团有限公司".into(),
        buyer_tax_id: "91110000100000000X".into(),
        items: vec![
            InvoiceItem {
                name: "*信息技术服务*软件维护".into(),
                quantity: "1".into(),
                unit_price: money("1000.00"),
                amount: money("1000.00"),
                tax_rate: "6%".into(),
                tax: money("60.00"),
            },
            InvoiceItem {
                name: "*现代服务*咨询费".into(),
                quantity: "2".into(),
                unit_price: money("50.00"),
                amount: money("100.00"),
                tax_rate: "6%".into(),
                tax: money("6.00"),
            },
        ],
        total_amount: money("1100.00"),
        total_tax: money("66.00"),
        total_with_tax: money("1166.00"),
        red_letter: false,
        original_number: None,
        remarks: None,
    }
}

/// The red-letter invoice that reverses [`invoice`] in full.
fn red_invoice() -> InvoiceData {
    let mut red = invoice();
    red.number = "24442000000987654321".into();
    red.red_letter = true;
    red.original_number = Some(invoice().number);
    for item in &mut red.items {
        item.amount = Money::from_fen(-item.amount.fen());
        item.tax = Money::from_fen(-item.tax.fen());
    }
    red.total_amount = money("-1100.00");
    red.total_tax = money("-66.00");
    red.total_with_tax = money("-1166.00");
    red
}

/// The rendered fixture with one substring replaced, which must occur.
fn rendered_with(from: &str, to: &str) -> String {
    let xml = render_xml(&invoice());
    assert!(xml.contains(from), "fixture lacks {from}");
    xml.replacen(from, to, 1)
}
