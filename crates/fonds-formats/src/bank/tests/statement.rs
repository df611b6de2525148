//! Statements: rendering, reading, refusals and the consistency check.

use super::*;

#[test]
fn a_statement_renders_in_the_documented_shape_and_reads_back() {
    let xml = render_statement_xml(&statement());
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <BankStatement xmlns=\"urn:fonds:bank:1\">\n  <AcctNo>1100 0000 0000 1234</AcctNo>\n"
    ));
    for expected in [
        "<PeriodStart>2024-03-01</PeriodStart>",
        "<OpeningBalance>10000.00</OpeningBalance>",
        "<ClosingBalance>10834.00</ClosingBalance>",
        "<StatementLine>\n    <TransDate>2024-03-05</TransDate>",
        "<CreditAmt>2000.50</CreditAmt>",
        "<DebitAmt>0.50</DebitAmt>",
    ] {
        assert!(xml.contains(expected), "{expected} missing from\n{xml}");
    }
    assert_eq!(xml.matches("<CounterpartyAcctNo>").count(), 2);
    assert_eq!(xml, render_statement_xml(&statement()), "deterministic");
    assert_eq!(read_statement(xml.as_bytes()), Ok(statement()));
}

#[test]
fn a_statement_without_lines_reads_back() {
    let mut empty = statement();
    empty.lines.clear();
    empty.closing_balance = empty.opening_balance;
    let xml = render_statement_xml(&empty);
    assert_eq!(read_statement(xml.as_bytes()), Ok(empty.clone()));
    assert_eq!(empty.inconsistencies(), vec![]);
}

#[test]
fn statement_refusals_name_the_element_at_fault() {
    let xml = render_statement_xml(&statement());
    let missing = replaced(&xml, "<Balance>10834.50</Balance>", "");
    assert_eq!(
        field_error(read_statement(missing.as_bytes())),
        FieldError::Missing {
            path: "BankStatement/StatementLine[2]/Balance".into()
        }
    );
    let amount = replaced(&xml, "<DebitAmt>0.50</", "<DebitAmt>0.505</");
    assert_eq!(
        field_error(read_statement(amount.as_bytes())).path(),
        "BankStatement/StatementLine[3]/DebitAmt"
    );
    let period = replaced(&xml, "<PeriodEnd>2024-03-31</", "<PeriodEnd>2024-03-32</");
    assert_eq!(
        field_error(read_statement(period.as_bytes())).path(),
        "BankStatement/PeriodEnd"
    );
    let no_opening = replaced(&xml, "<OpeningBalance>10000.00</OpeningBalance>", "");
    assert_eq!(
        field_error(read_statement(no_opening.as_bytes())).path(),
        "BankStatement/OpeningBalance"
    );
}

#[test]
fn statements_with_too_many_lines_are_refused() {
    let xml = render_statement_xml(&statement());
    let line = "<StatementLine/>";
    let many = replaced(
        &xml,
        "<StatementLine>",
        &format!("{}<StatementLine>", line.repeat(MAX_STATEMENT_LINES)),
    );
    assert_eq!(
        read_statement(many.as_bytes()),
        Err(BankError::TooManyLines {
            count: MAX_STATEMENT_LINES + 3,
            limit: MAX_STATEMENT_LINES
        })
    );
    assert!(matches!(
        xml_error(read_statement(
            b"<BankStatement><!DOCTYPE x></BankStatement>"
        )),
        XmlError::Doctype | XmlError::Malformed { .. }
    ));
}

#[test]
fn a_consistent_statement_has_no_inconsistencies() {
    assert_eq!(statement().inconsistencies(), vec![]);
}

#[test]
fn a_balance_break_is_reported_once_and_the_closing_balance_checked() {
    let mut broken = statement();
    broken.lines[1].balance = money("10834.40");
    broken.lines[2].balance = money("10833.90");
    assert_eq!(
        broken.inconsistencies(),
        vec![
            StatementInconsistency::BalanceBreak {
                line: 2,
                expected: money("10834.50"),
                stated: money("10834.40"),
            },
            StatementInconsistency::ClosingBalance {
                expected: money("10833.90"),
                stated: money("10834.00"),
            },
        ]
    );
}

#[test]
fn lines_outside_the_period_and_lines_both_debit_and_credit_are_reported() {
    let mut odd = statement();
    odd.lines[0].date = date!(2024 - 02 - 29);
    odd.lines[2].date = date!(2024 - 04 - 01);
    odd.lines[1].debit = money("100.00");
    odd.lines[1].credit = money("2100.50");
    assert_eq!(
        odd.inconsistencies(),
        vec![
            StatementInconsistency::LineOutsidePeriod {
                line: 1,
                date: date!(2024 - 02 - 29),
            },
            StatementInconsistency::DebitAndCredit {
                line: 2,
                debit: money("100.00"),
                credit: money("2100.50"),
            },
            StatementInconsistency::LineOutsidePeriod {
                line: 3,
                date: date!(2024 - 04 - 01),
            },
        ]
    );
}

#[test]
fn a_reversed_period_and_an_overflowing_balance_are_reported() {
    let mut odd = statement();
    odd.period_start = date!(2024 - 04 - 01);
    odd.period_end = date!(2024 - 03 - 01);
    odd.lines.clear();
    odd.opening_balance = Money::from_fen(i64::MAX);
    odd.closing_balance = Money::from_fen(i64::MAX);
    odd.lines.push(StatementLine {
        date: date!(2024 - 03 - 01),
        serial: "XA9".into(),
        counterparty_name: "某某".into(),
        counterparty_account: None,
        debit: Money::ZERO,
        credit: money("1.00"),
        balance: Money::from_fen(i64::MAX),
        summary: String::new(),
    });
    let found = odd.inconsistencies();
    assert_eq!(
        found.first(),
        Some(&StatementInconsistency::PeriodReversed {
            start: date!(2024 - 04 - 01),
            end: date!(2024 - 03 - 01),
        })
    );
    assert!(found.contains(&StatementInconsistency::Overflow { line: 1 }));
}
