//! 银行电子回单 in Fonds' XML shape (see the module documentation of [`crate::bank`]): render,
//! read and check.

use fonds_domain::Money;

use super::currency::currency_of;
use super::{
    BANK_NAMESPACE, BankError, BankParty, BankReceipt, MAX_BANK_BYTES, MAX_BANK_DEPTH, TransactedAt,
};
use crate::xml_bounded::{FieldError, Limits, Node, XmlWriter, format_date, format_time, parse};

/// The root element of a receipt.
const ROOT: &str = "BankElectronicReceipt";

const LIMITS: Limits = Limits {
    max_bytes: MAX_BANK_BYTES,
    max_depth: MAX_BANK_DEPTH,
    // A receipt has fifteen elements; this leaves room for what a converter adds.
    max_elements: 1000,
};

/// One way a receipt's figures disagree with what a transfer is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptInconsistency {
    /// A transfer of nothing or of a negative amount.
    #[error("the receipt's amount is {amount}; a transfer moves a positive amount")]
    NonPositiveAmount {
        /// The stated amount.
        amount: Money,
    },
    /// Payer and payee are the same account.
    #[error("payer and payee are the same account {account}")]
    SameAccount {
        /// The account, as the payer's.
        account: String,
    },
}

/// Renders the receipt as UTF-8 XML, indented two spaces per level, byte for byte the same for
/// the same receipt.
#[must_use]
pub fn render_receipt_xml(receipt: &BankReceipt) -> String {
    let mut xml = XmlWriter::new();
    xml.open_root(ROOT, BANK_NAMESPACE);
    xml.leaf("ReceiptNo", &receipt.receipt_number);
    xml.leaf("XAgentBusinessNo", &receipt.serial);
    xml.leaf("TransDate", &format_date(receipt.transacted_at.date));
    xml.optional_leaf(
        "TransTime",
        receipt.transacted_at.time.map(format_time).as_deref(),
    );
    for (prefix, party) in [("Pay", &receipt.payer), ("Payee", &receipt.payee)] {
        xml.leaf(&format!("{prefix}AcctName"), &party.name);
        xml.leaf(&format!("{prefix}AcctNo"), &party.account);
        xml.leaf(&format!("{prefix}AcctBankName"), &party.bank);
    }
    xml.leaf("PayAmt", &receipt.amount.to_string());
    xml.leaf("CurrencyCode", receipt.currency.as_str());
    xml.leaf("Purpose", &receipt.purpose);
    xml.optional_leaf("Summary", receipt.summary.as_deref());
    xml.optional_leaf("Remark", receipt.remarks.as_deref());
    xml.close(ROOT);
    xml.finish()
}

/// Reads a receipt in Fonds' XML shape.
///
/// # Errors
/// When the bytes are too large, too deep, not UTF-8, carry a DOCTYPE or are not well-formed;
/// when the root is not `BankElectronicReceipt` (in [`BANK_NAMESPACE`] or none); and when a
/// required element is missing, repeated or holds a value of the wrong form (the error names its
/// path).
pub fn read_receipt(xml: &[u8]) -> Result<BankReceipt, BankError> {
    let root = parse(xml, LIMITS)?;
    root.expect_root_in(ROOT, BANK_NAMESPACE)?;
    let receipt = Node::root(&root);
    Ok(BankReceipt {
        receipt_number: receipt.text_of("ReceiptNo")?,
        serial: receipt.text_of("XAgentBusinessNo")?,
        transacted_at: TransactedAt {
            date: receipt.date_of("TransDate")?,
            time: receipt.optional_time_of("TransTime")?,
        },
        payer: party(&receipt, "Pay")?,
        payee: party(&receipt, "Payee")?,
        amount: receipt.money_of("PayAmt")?,
        currency: currency_of(&receipt)?,
        purpose: receipt.text_of("Purpose")?,
        summary: receipt.optional_text_of("Summary")?,
        remarks: receipt.optional_text_of("Remark")?,
    })
}

fn party(receipt: &Node<'_>, prefix: &str) -> Result<BankParty, FieldError> {
    Ok(BankParty {
        name: receipt.text_of(&format!("{prefix}AcctName"))?,
        account: receipt.text_of(&format!("{prefix}AcctNo"))?,
        bank: receipt.text_of(&format!("{prefix}AcctBankName"))?,
    })
}

impl BankReceipt {
    /// Every way the receipt disagrees with what a transfer is; empty when it does not. The
    /// amount must be positive, and payer and payee different accounts (compared without the
    /// spaces banks print in account numbers; an empty account is compared with nothing).
    #[must_use]
    pub fn inconsistencies(&self) -> Vec<ReceiptInconsistency> {
        let mut found = Vec::new();
        if self.amount.fen() <= 0 {
            found.push(ReceiptInconsistency::NonPositiveAmount {
                amount: self.amount,
            });
        }
        let payer = compact(&self.payer.account);
        if !payer.is_empty() && payer == compact(&self.payee.account) {
            found.push(ReceiptInconsistency::SameAccount {
                account: self.payer.account.clone(),
            });
        }
        found
    }
}

/// An account number without white space, e.g. `6222 0000 1234` → `622200001234`.
fn compact(account: &str) -> String {
    account.chars().filter(|c| !c.is_whitespace()).collect()
}
