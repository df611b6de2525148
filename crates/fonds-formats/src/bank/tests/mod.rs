//! Tests of the bank receipt and statement renderers, readers and checks.

mod receipt;
mod round_trip;
mod statement;

use fonds_domain::Money;
use time::macros::{date, time};

use super::*;

fn money(s: &str) -> Money {
    s.parse().expect("amount")
}

/// A consistent payment receipt.
fn receipt() -> BankReceipt {
    BankReceipt {
        receipt_number: "HD20240305000123".into(),
        serial: "XA2024030500001987".into(),
        transacted_at: TransactedAt {
            date: date!(2024 - 03 - 05),
            time: Some(time!(09:30:15)),
        },
        payer: BankParty {
            name: "示例集团有限公司".into(),
            account: "1100 0000 0000 1234".into(),
            bank: "中国工商银行北京分行营业部".into(),
        },
        payee: BankParty {
            name: "广州某某信息技术有限公司".into(),
            account: "4400 0000 0000 5678".into(),
            bank: "招商银行广州分行".into(),
        },
        amount: money("1166.00"),
        currency: Currency::CNY,
        purpose: "软件维护费".into(),
        summary: Some("付款回单".into()),
        remarks: None,
    }
}

/// A consistent statement for March 2024 with three lines.
fn statement() -> BankStatement {
    let line =
        |day, serial: &str, name: &str, debit, credit, balance, summary: &str| StatementLine {
            date: date!(2024 - 03 - 01).replace_day(day).expect("day"),
            serial: serial.into(),
            counterparty_name: name.into(),
            counterparty_account: Some("4400 0000 0000 5678".into()),
            debit: money(debit),
            credit: money(credit),
            balance: money(balance),
            summary: summary.into(),
        };
    let mut lines = vec![
        line(
            5,
            "XA1",
            "广州某某信息技术有限公司",
            "1166.00",
            "0",
            "8834.00",
            "软件维护费",
        ),
        line(
            12,
            "XA2",
            "示例客户有限公司",
            "0",
            "2000.50",
            "10834.50",
            "货款",
        ),
        line(31, "XA3", "中国工商银行", "0.50", "0", "10834.00", "手续费"),
    ];
    lines[2].counterparty_account = None;
    BankStatement {
        account: "1100 0000 0000 1234".into(),
        account_name: "示例集团有限公司".into(),
        bank: "中国工商银行北京分行营业部".into(),
        currency: Currency::CNY,
        period_start: date!(2024 - 03 - 01),
        period_end: date!(2024 - 03 - 31),
        opening_balance: money("10000.00"),
        closing_balance: money("10834.00"),
        lines,
    }
}

/// `xml` with one substring replaced, which must occur.
fn replaced(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "document lacks {from}");
    xml.replacen(from, to, 1)
}

fn field_error(result: Result<impl std::fmt::Debug, BankError>) -> FieldError {
    match result {
        Err(BankError::Field(error)) => error,
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn xml_error(result: Result<impl std::fmt::Debug, BankError>) -> XmlError {
    match result {
        Err(BankError::Xml(error)) => error,
        other => panic!("expected an XML error, got {other:?}"),
    }
}
