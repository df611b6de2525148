//! 银行电子对账单 in Fonds' XML shape (see the module documentation of [`crate::bank`]): render,
//! read and check.

use fonds_domain::Money;
use time::Date;

use super::currency::currency_of;
use super::{
    BANK_NAMESPACE, BankError, BankStatement, MAX_BANK_BYTES, MAX_BANK_DEPTH, MAX_STATEMENT_LINES,
    StatementLine,
};
use crate::xml_bounded::{FieldError, Limits, Node, XmlWriter, format_date, parse};

/// The root element of a statement.
const ROOT: &str = "BankStatement";
/// The element of one transaction.
const LINE: &str = "StatementLine";

const LIMITS: Limits = Limits {
    max_bytes: MAX_BANK_BYTES,
    max_depth: MAX_BANK_DEPTH,
    // A line has nine elements; this leaves room for what a converter adds.
    max_elements: 20 * MAX_STATEMENT_LINES,
};

/// One way a statement's figures or dates disagree with each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementInconsistency {
    /// The period ends before it starts.
    #[error("the statement period ends on {end}, before it starts on {start}")]
    PeriodReversed {
        /// The first day.
        start: Date,
        /// The last day.
        end: Date,
    },
    /// A transaction dated outside the statement's period.
    #[error("line {line} is dated {date}, outside the statement period")]
    LineOutsidePeriod {
        /// The line's 1-based position.
        line: usize,
        /// Its date.
        date: Date,
    },
    /// A transaction that both pays out and pays in.
    #[error("line {line} has both a debit of {debit} and a credit of {credit}")]
    DebitAndCredit {
        /// The line's 1-based position.
        line: usize,
        /// The debit.
        debit: Money,
        /// The credit.
        credit: Money,
    },
    /// The balance after a transaction is not the previous balance plus credit minus debit.
    #[error("line {line} states a balance of {stated}, but the running balance is {expected}")]
    BalanceBreak {
        /// The line's 1-based position.
        line: usize,
        /// The previous balance plus credit minus debit.
        expected: Money,
        /// The balance the line states.
        stated: Money,
    },
    /// The closing balance is not the last line's balance (or, without lines, the opening).
    #[error("the closing balance is {stated}, but the last balance is {expected}")]
    ClosingBalance {
        /// The last line's balance, or the opening balance.
        expected: Money,
        /// The stated closing balance.
        stated: Money,
    },
    /// A running balance too large to hold, so the line cannot be checked.
    #[error("the running balance at line {line} is larger than an amount can hold")]
    Overflow {
        /// The line's 1-based position.
        line: usize,
    },
}

/// Renders the statement as UTF-8 XML, indented two spaces per level, byte for byte the same for
/// the same statement.
#[must_use]
pub fn render_statement_xml(statement: &BankStatement) -> String {
    let mut xml = XmlWriter::new();
    xml.open_root(ROOT, BANK_NAMESPACE);
    xml.leaf("AcctNo", &statement.account);
    xml.leaf("AcctName", &statement.account_name);
    xml.leaf("AcctBankName", &statement.bank);
    xml.leaf("CurrencyCode", statement.currency.as_str());
    xml.leaf("PeriodStart", &format_date(statement.period_start));
    xml.leaf("PeriodEnd", &format_date(statement.period_end));
    xml.leaf("OpeningBalance", &statement.opening_balance.to_string());
    xml.leaf("ClosingBalance", &statement.closing_balance.to_string());
    for line in &statement.lines {
        xml.open(LINE);
        xml.leaf("TransDate", &format_date(line.date));
        xml.leaf("XAgentBusinessNo", &line.serial);
        xml.leaf("CounterpartyAcctName", &line.counterparty_name);
        xml.optional_leaf("CounterpartyAcctNo", line.counterparty_account.as_deref());
        xml.leaf("DebitAmt", &line.debit.to_string());
        xml.leaf("CreditAmt", &line.credit.to_string());
        xml.leaf("Balance", &line.balance.to_string());
        xml.leaf("Summary", &line.summary);
        xml.close(LINE);
    }
    xml.close(ROOT);
    xml.finish()
}

/// Reads a statement in Fonds' XML shape.
///
/// # Errors
/// When the bytes are too large, too deep, not UTF-8, carry a DOCTYPE or are not well-formed;
/// when the root is not `BankStatement` (in [`BANK_NAMESPACE`] or none); when a required element
/// is missing, repeated or holds a value of the wrong form (the error names its path); and when
/// there are more than [`MAX_STATEMENT_LINES`] lines.
pub fn read_statement(xml: &[u8]) -> Result<BankStatement, BankError> {
    let root = parse(xml, LIMITS)?;
    root.expect_root_in(ROOT, BANK_NAMESPACE)?;
    let statement = Node::root(&root);
    let count = statement.count(LINE);
    if count > MAX_STATEMENT_LINES {
        return Err(BankError::TooManyLines {
            count,
            limit: MAX_STATEMENT_LINES,
        });
    }
    Ok(BankStatement {
        account: statement.text_of("AcctNo")?,
        account_name: statement.text_of("AcctName")?,
        bank: statement.text_of("AcctBankName")?,
        currency: currency_of(&statement)?,
        period_start: statement.date_of("PeriodStart")?,
        period_end: statement.date_of("PeriodEnd")?,
        opening_balance: statement.money_of("OpeningBalance")?,
        closing_balance: statement.money_of("ClosingBalance")?,
        lines: statement
            .children(LINE)
            .map(|line| read_line(&line))
            .collect::<Result<_, _>>()?,
    })
}

fn read_line(line: &Node<'_>) -> Result<StatementLine, FieldError> {
    Ok(StatementLine {
        date: line.date_of("TransDate")?,
        serial: line.text_of("XAgentBusinessNo")?,
        counterparty_name: line.text_of("CounterpartyAcctName")?,
        counterparty_account: line.optional_text_of("CounterpartyAcctNo")?,
        debit: line.money_of("DebitAmt")?,
        credit: line.money_of("CreditAmt")?,
        balance: line.money_of("Balance")?,
        summary: line.text_of("Summary")?,
    })
}

impl BankStatement {
    /// Every way the statement's figures and dates disagree with each other; empty when they
    /// agree. Each line's balance must be the previous balance (the opening balance for the
    /// first) plus its credit minus its debit, the closing balance the last line's balance, every
    /// line dated within the period, and no line both a debit and a credit. After a break the
    /// running balance continues from the balance the line states, so one wrong line is
    /// reported once rather than on every line after it.
    #[must_use]
    pub fn inconsistencies(&self) -> Vec<StatementInconsistency> {
        let mut found = Vec::new();
        if self.period_end < self.period_start {
            found.push(StatementInconsistency::PeriodReversed {
                start: self.period_start,
                end: self.period_end,
            });
        }
        let mut running = self.opening_balance;
        for (i, line) in self.lines.iter().enumerate() {
            let position = i + 1;
            if line.date < self.period_start || line.date > self.period_end {
                found.push(StatementInconsistency::LineOutsidePeriod {
                    line: position,
                    date: line.date,
                });
            }
            if line.debit != Money::ZERO && line.credit != Money::ZERO {
                found.push(StatementInconsistency::DebitAndCredit {
                    line: position,
                    debit: line.debit,
                    credit: line.credit,
                });
            }
            match after(running, line) {
                Some(expected) if expected != line.balance => {
                    found.push(StatementInconsistency::BalanceBreak {
                        line: position,
                        expected,
                        stated: line.balance,
                    });
                }
                Some(_) => {}
                None => found.push(StatementInconsistency::Overflow { line: position }),
            }
            running = line.balance;
        }
        if running != self.closing_balance {
            found.push(StatementInconsistency::ClosingBalance {
                expected: running,
                stated: self.closing_balance,
            });
        }
        found
    }
}

/// The balance after `line`: `before` plus credit minus debit, or `None` if it does not fit.
fn after(before: Money, line: &StatementLine) -> Option<Money> {
    let fen = before
        .fen()
        .checked_add(line.credit.fen())?
        .checked_sub(line.debit.fen())?;
    Some(Money::from_fen(fen))
}
