//! Generated receipts and statements survive render → read unchanged, and mutated documents
//! never panic either reader.

use time::{Date, Time};

use super::*;
use crate::xml_bounded::testing::{AWKWARD_TEXTS, Rng, mutate};

fn date(rng: &mut Rng) -> Date {
    let day = i32::try_from(rng.below(36_500)).expect("day");
    date!(2000 - 01 - 01)
        .checked_add(time::Duration::days(i64::from(day)))
        .expect("date")
}

fn party(rng: &mut Rng) -> BankParty {
    let length = usize::try_from(rng.below(20)).expect("length");
    BankParty {
        name: rng.pick(AWKWARD_TEXTS).to_owned(),
        account: rng.digits(length),
        bank: rng.pick(AWKWARD_TEXTS).to_owned(),
    }
}

fn optional_text(rng: &mut Rng) -> Option<String> {
    (rng.below(2) == 0).then(|| rng.pick(AWKWARD_TEXTS).to_owned())
}

fn generated_receipt(rng: &mut Rng) -> BankReceipt {
    let seconds = u32::try_from(rng.below(86_400)).expect("seconds");
    let time = Time::from_hms(
        u8::try_from(seconds / 3600).expect("hour"),
        u8::try_from(seconds / 60 % 60).expect("minute"),
        u8::try_from(seconds % 60).expect("second"),
    )
    .expect("time");
    BankReceipt {
        receipt_number: rng.pick(AWKWARD_TEXTS).to_owned(),
        serial: rng.digits(18),
        transacted_at: TransactedAt {
            date: date(rng),
            time: (rng.below(2) == 0).then_some(time),
        },
        payer: party(rng),
        payee: party(rng),
        amount: Money::from_fen(rng.fen(i64::MAX)),
        currency: rng.pick(&["CNY", "USD", "HKD"]).parse().expect("currency"),
        purpose: rng.pick(AWKWARD_TEXTS).to_owned(),
        summary: optional_text(rng),
        remarks: optional_text(rng),
    }
}

fn generated_statement(rng: &mut Rng) -> BankStatement {
    let lines = (0..rng.below(6))
        .map(|_| StatementLine {
            date: date(rng),
            serial: rng.digits(12),
            counterparty_name: rng.pick(AWKWARD_TEXTS).to_owned(),
            counterparty_account: (rng.below(2) == 0).then(|| rng.digits(16)),
            debit: Money::from_fen(rng.fen(1_000_000_000)),
            credit: Money::from_fen(rng.fen(1_000_000_000)),
            balance: Money::from_fen(rng.fen(i64::MAX)),
            summary: rng.pick(AWKWARD_TEXTS).to_owned(),
        })
        .collect();
    BankStatement {
        account: rng.digits(19),
        account_name: rng.pick(AWKWARD_TEXTS).to_owned(),
        bank: rng.pick(AWKWARD_TEXTS).to_owned(),
        currency: rng.pick(&["CNY", "EUR"]).parse().expect("currency"),
        period_start: date(rng),
        period_end: date(rng),
        opening_balance: Money::from_fen(rng.fen(i64::MAX)),
        closing_balance: Money::from_fen(rng.fen(i64::MAX)),
        lines,
    }
}

#[test]
fn generated_receipts_and_statements_read_back_exactly_as_rendered() {
    let mut rng = Rng::new(2024_0331);
    for case in 0..300 {
        let receipt = generated_receipt(&mut rng);
        let xml = render_receipt_xml(&receipt);
        assert_eq!(
            read_receipt(xml.as_bytes()),
            Ok(receipt),
            "receipt {case}:\n{xml}"
        );
        let statement = generated_statement(&mut rng);
        let xml = render_statement_xml(&statement);
        assert_eq!(
            read_statement(xml.as_bytes()),
            Ok(statement),
            "statement {case}:\n{xml}"
        );
    }
}

#[test]
fn truncated_or_corrupted_bank_documents_never_panic_and_truncations_are_refused() {
    let receipt = render_receipt_xml(&receipt());
    let statement = render_statement_xml(&statement());
    for xml in [&receipt, &statement] {
        // Only the cut of the final line break leaves a complete document.
        assert_eq!(
            mutate(xml.as_bytes(), read_receipt),
            usize::from(xml == &receipt)
        );
        assert_eq!(
            mutate(xml.as_bytes(), read_statement),
            usize::from(xml == &statement)
        );
    }
}
