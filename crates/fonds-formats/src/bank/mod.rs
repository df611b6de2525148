//! Bank electronic receipts (银行电子回单) and bank electronic statements (银行电子对账单):
//! deterministic rendering, bounded reading, and the consistency checks the check engine runs.
//!
//! Both are external e-vouchers that may be booked and archived without paper (财会〔2020〕6号,
//! DOMAIN.md §6.1). The national element lists for them (电子凭证会计数据标准, DOMAIN.md §6.2) are
//! not public, so **these XML shapes are Fonds' own**, documented here. Their element names are
//! modelled on DA/T 95 Annex B.1 (treasury payment receipt: payer and payee accounts, amount,
//! the bank transaction serial `XAgentBusinessNo`, the payment date); apart from
//! `XAgentBusinessNo`, which is B.1's name for the bank serial, the names are Fonds' choice in
//! the same style. A bank's own export has to be converted into them; when the official element
//! lists become available, readers for them belong beside these.
//!
//! Both documents are UTF-8, in the namespace [`BANK_NAMESPACE`] (`urn:fonds:bank:1`). Readers
//! match elements by local name, accept the root with that namespace, with a prefix or without
//! any namespace, and refuse a root in any other namespace.
//!
//! **Receipt**, root `BankElectronicReceipt`:
//!
//! | element | meaning | |
//! |---|---|---|
//! | `ReceiptNo` | 回单编号 | required |
//! | `XAgentBusinessNo` | 交易流水号 | required |
//! | `TransDate` / `TransTime` | 交易日期 `YYYY-MM-DD` / 时间 `HH:MM:SS` | date required, time optional |
//! | `PayAcctName`, `PayAcctNo`, `PayAcctBankName` | 付款人名称, 账号, 开户行 | required |
//! | `PayeeAcctName`, `PayeeAcctNo`, `PayeeAcctBankName` | 收款人名称, 账号, 开户行 | required |
//! | `PayAmt` | 金额, e.g. `1234.50` | required |
//! | `CurrencyCode` | ISO 4217 code | optional, `CNY` when absent |
//! | `Purpose` | 用途 | required |
//! | `Summary`, `Remark` | 摘要, 备注 | optional |
//!
//! **Statement**, root `BankStatement`: `AcctNo`, `AcctName`, `AcctBankName` (the account, its
//! holder, its bank), `CurrencyCode` (optional, `CNY` when absent), `PeriodStart`, `PeriodEnd`,
//! `OpeningBalance`, `ClosingBalance`, then one `StatementLine` per transaction holding
//! `TransDate`, `XAgentBusinessNo`, `CounterpartyAcctName`, `CounterpartyAcctNo` (optional),
//! `DebitAmt` (借方, paid out), `CreditAmt` (贷方, paid in), `Balance` and `Summary`.

mod currency;
mod receipt;
mod statement;
#[cfg(test)]
mod tests;

use fonds_domain::Money;
use time::{Date, Time};

pub use self::currency::{Currency, CurrencyError};
pub use self::receipt::{ReceiptInconsistency, read_receipt, render_receipt_xml};
pub use self::statement::{StatementInconsistency, read_statement, render_statement_xml};
pub use crate::xml_bounded::{FieldError, XmlError};

// LIMITATION: the national element lists for 银行电子回单 and 银行电子对账单 are not public
// (DOMAIN.md §6.2, open), so these shapes are Fonds' own and a bank's native export must be
// converted before it can be read.
/// The namespace of Fonds' bank documents.
pub const BANK_NAMESPACE: &str = "urn:fonds:bank:1";
/// The most bytes a bank-document reader accepts: 1 MiB.
pub const MAX_BANK_BYTES: usize = 1024 * 1024;
/// The deepest element nesting a bank-document reader accepts; the documented shapes nest three
/// levels.
pub const MAX_BANK_DEPTH: usize = 32;
/// The most lines [`read_statement`] accepts.
// LIMITATION: with the byte limit this caps one statement at a few thousand transactions; a
// busier account has to be sent as several statements for shorter periods.
pub const MAX_STATEMENT_LINES: usize = 5000;

/// 银行电子回单: the bank's record of one transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankReceipt {
    /// 回单编号.
    pub receipt_number: String,
    /// 交易流水号, the bank's serial of the transaction.
    pub serial: String,
    /// When the transfer was made.
    pub transacted_at: TransactedAt,
    /// 付款人.
    pub payer: BankParty,
    /// 收款人.
    pub payee: BankParty,
    /// 金额; positive for a receipt that is consistent.
    pub amount: Money,
    /// The currency of [`BankReceipt::amount`].
    pub currency: Currency,
    /// 用途.
    pub purpose: String,
    /// 摘要.
    pub summary: Option<String>,
    /// 备注.
    pub remarks: Option<String>,
}

/// One side of a transfer: the account holder, the account and the bank that keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BankParty {
    /// 户名.
    pub name: String,
    /// 账号.
    pub account: String,
    /// 开户行.
    pub bank: String,
}

/// The date of a transaction and, when the bank prints it, the time of day (whole seconds: a
/// fraction of a second is not written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactedAt {
    /// 交易日期.
    pub date: Date,
    /// 交易时间.
    pub time: Option<Time>,
}

/// 银行电子对账单: the movements of one account over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankStatement {
    /// 账号.
    pub account: String,
    /// 户名.
    pub account_name: String,
    /// 开户行.
    pub bank: String,
    /// The currency of every amount in the statement.
    pub currency: Currency,
    /// The first day the statement covers.
    pub period_start: Date,
    /// The last day the statement covers.
    pub period_end: Date,
    /// 期初余额.
    pub opening_balance: Money,
    /// 期末余额.
    pub closing_balance: Money,
    /// The transactions, in the bank's order.
    pub lines: Vec<StatementLine>,
}

/// One transaction on a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// 交易日期.
    pub date: Date,
    /// 交易流水号.
    pub serial: String,
    /// 对方户名.
    pub counterparty_name: String,
    /// 对方账号, when the bank prints it.
    pub counterparty_account: Option<String>,
    /// 借方发生额: paid out of the account.
    pub debit: Money,
    /// 贷方发生额: paid into the account.
    pub credit: Money,
    /// 余额 after the transaction.
    pub balance: Money,
    /// 摘要.
    pub summary: String,
}

/// A bank document a reader cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    /// The bytes are not an XML document of the expected root that Fonds accepts.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// A required element is missing or repeated, or holds a value of the wrong form.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// More statement lines than [`MAX_STATEMENT_LINES`].
    #[error(
        "the statement has {count} lines (StatementLine), more than the limit of {limit}; send \
         statements for shorter periods"
    )]
    TooManyLines {
        /// The lines found.
        count: usize,
        /// The limit.
        limit: usize,
    },
}
