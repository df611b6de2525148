//! Generated invoices survive render → read unchanged, and mutated documents never panic.

use time::{Date, Month, PrimitiveDateTime, Time};

use super::*;
use crate::xml_bounded::testing::{AWKWARD_TEXTS, Rng, mutate};

/// A varied invoice: any number of lines, awkward texts, extreme and negative amounts, red or
/// blue. Figures need not agree: the reader reads what is written, the check judges it.
fn generated(rng: &mut Rng) -> InvoiceData {
    let red_letter = rng.below(3) == 0;
    let lines = rng.below(5);
    let items = (0..lines)
        .map(|_| InvoiceItem {
            name: rng.pick(AWKWARD_TEXTS).to_owned(),
            quantity: rng.pick(&["1", "0.5", "", "12.3456"]).to_owned(),
            unit_price: Money::from_fen(rng.fen(10_000_000)),
            amount: Money::from_fen(rng.fen(i64::MAX)),
            tax_rate: rng.pick(&["6%", "13%", "免税", "", "0%"]).to_owned(),
            tax: Money::from_fen(rng.fen(1_000_000)),
        })
        .collect();
    let date = Date::from_calendar_date(
        2000 + i32::try_from(rng.below(100)).expect("year"),
        Month::try_from(1 + u8::try_from(rng.below(12)).expect("month")).expect("month"),
        1 + u8::try_from(rng.below(28)).expect("day"),
    )
    .expect("date");
    let time = Time::from_hms(
        u8::try_from(rng.below(24)).expect("hour"),
        u8::try_from(rng.below(60)).expect("minute"),
        u8::try_from(rng.below(60)).expect("second"),
    )
    .expect("time");
    InvoiceData {
        number: rng.digits(20),
        issued_at: PrimitiveDateTime::new(date, time),
        seller_name: rng.pick(AWKWARD_TEXTS).to_owned(),
        seller_tax_id: rng
            .pick(&["91440101MA5XXXXX1K", "", "9111 0000"])
            .to_owned(),
        buyer_name: rng.pick(AWKWARD_TEXTS).to_owned(),
        buyer_tax_id: rng.pick(&["91110000100000000X", ""]).to_owned(),
        items,
        total_amount: Money::from_fen(rng.fen(i64::MAX)),
        total_tax: Money::from_fen(rng.fen(1_000_000_000)),
        total_with_tax: Money::from_fen(rng.fen(i64::MAX)),
        red_letter,
        original_number: (red_letter && rng.below(2) == 0).then(|| rng.digits(20)),
        remarks: (rng.below(2) == 0).then(|| rng.pick(AWKWARD_TEXTS).to_owned()),
    }
}

#[test]
fn generated_invoices_read_back_exactly_as_rendered() {
    let mut rng = Rng::new(20_240_305);
    for case in 0..500 {
        let invoice = generated(&mut rng);
        let xml = render_xml(&invoice);
        assert_eq!(read(xml.as_bytes()), Ok(invoice), "case {case}:\n{xml}");
    }
}

#[test]
fn truncated_or_corrupted_invoices_never_panic_and_truncations_are_refused() {
    for data in [invoice(), red_invoice()] {
        let xml = render_xml(&data);
        // Only the cut of the final line break leaves a complete document.
        assert_eq!(mutate(xml.as_bytes(), read), 1);
    }
}
