//! The consistency check and the facts the invoice reports.

use time::macros::date;

use super::*;

#[test]
fn consistent_blue_and_red_invoices_have_no_inconsistencies() {
    assert_eq!(invoice().inconsistencies(), vec![]);
    assert_eq!(red_invoice().inconsistencies(), vec![]);
}

#[test]
fn lines_that_do_not_add_up_are_reported() {
    let mut data = invoice();
    data.items[1].amount = money("99.99");
    data.items[0].tax = money("60.01");
    assert_eq!(
        data.inconsistencies(),
        vec![
            InvoiceInconsistency::LineAmounts {
                lines: money("1099.99"),
                total: money("1100.00"),
            },
            InvoiceInconsistency::LineTaxes {
                lines: money("66.01"),
                total: money("66.00"),
            },
        ]
    );
}

#[test]
fn totals_that_do_not_add_up_are_reported() {
    let mut data = invoice();
    data.total_with_tax = money("1166.01");
    assert_eq!(
        data.inconsistencies(),
        vec![InvoiceInconsistency::TotalWithTax {
            amount: money("1100.00"),
            tax: money("66.00"),
            with_tax: money("1166.01"),
        }]
    );
}

#[test]
fn signs_that_disagree_with_the_red_letter_flag_are_reported() {
    let mut red = invoice();
    red.red_letter = true;
    assert_eq!(
        red.inconsistencies(),
        vec![InvoiceInconsistency::RedLetterNotNegative {
            with_tax: money("1166.00")
        }]
    );
    let mut blue = red_invoice();
    blue.red_letter = false;
    blue.original_number = None;
    assert_eq!(
        blue.inconsistencies(),
        vec![InvoiceInconsistency::BlueNegative {
            amount: money("-1100.00"),
            tax: money("-66.00"),
            with_tax: money("-1166.00"),
        }]
    );
}

#[test]
fn an_original_number_on_a_blue_invoice_is_reported() {
    let mut data = invoice();
    data.original_number = Some("24442000000000000001".into());
    assert_eq!(
        data.inconsistencies(),
        vec![InvoiceInconsistency::OriginalOnBlue {
            original: "24442000000000000001".into()
        }]
    );
}

#[test]
fn sums_too_large_to_hold_are_reported_not_wrapped() {
    let mut data = invoice();
    data.items[0].amount = Money::from_fen(i64::MAX);
    data.total_tax = Money::from_fen(i64::MAX);
    let found = data.inconsistencies();
    assert!(found.contains(&InvoiceInconsistency::Overflow {
        what: "line amounts"
    }));
    assert!(found.contains(&InvoiceInconsistency::Overflow {
        what: "total amount and total tax"
    }));
}

#[test]
fn facts_carry_the_number_without_a_code_and_the_reversed_invoice() {
    let facts = red_invoice().facts();
    assert_eq!(facts.code, None);
    assert_eq!(facts.number, "24442000000987654321");
    assert_eq!(facts.issued_on, Some(date!(2024 - 03 - 05)));
    assert_eq!(facts.total_with_tax, Some(money("-1166.00")));
    assert!(facts.red_letter);
    assert_eq!(
        facts.reversed_key(),
        Some(invoice().facts().key().expect("a 数电票 key"))
    );

    let mut individual = invoice();
    individual.buyer_tax_id = String::new();
    individual.original_number = Some("24442000000000000001".into());
    let facts = individual.facts();
    assert_eq!(facts.buyer_tax_id, None, "an empty tax ID is not a tax ID");
    assert_eq!(facts.reverses, None, "a blue invoice reverses nothing");
    assert_eq!(
        facts.key().map(|k| k.to_string()).ok().as_deref(),
        Some("sdp:24442000000123456789")
    );
}
