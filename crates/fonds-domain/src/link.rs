//! Links between related items (单证关联): a 记账凭证 and its invoice, approval form, bank
//! receipt, contract or reimbursement form, named by the business keys the source systems use.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a business key identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    /// 发票号码 (the 20-digit 数电票 number, or 发票代码+发票号码).
    Invoice,
    /// 审批单号 from the OA.
    ApprovalForm,
    /// 银行回单流水号.
    BankReceipt,
    /// 合同编号.
    Contract,
    /// 报销单号.
    ReimbursementForm,
}

/// A string that names no link type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a link type: use invoice, approval_form, bank_receipt, contract or \
     reimbursement_form"
)]
pub struct UnknownLinkType(pub String);

impl LinkType {
    /// Every link type.
    pub const ALL: [Self; 5] = [
        Self::Invoice,
        Self::ApprovalForm,
        Self::BankReceipt,
        Self::Contract,
        Self::ReimbursementForm,
    ];

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::ApprovalForm => "approval_form",
            Self::BankReceipt => "bank_receipt",
            Self::Contract => "contract",
            Self::ReimbursementForm => "reimbursement_form",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Invoice => "发票",
            Self::ApprovalForm => "审批单",
            Self::BankReceipt => "银行回单",
            Self::Contract => "合同",
            Self::ReimbursementForm => "报销单",
        }
    }

    /// Whether the linked item is an original (原始凭证) that counts towards a 记账凭证's
    /// declared attachments. A contract supports a voucher but is not counted as an attachment.
    #[must_use]
    pub const fn is_original(self) -> bool {
        !matches!(self, Self::Contract)
    }
}

impl FromStr for LinkType {
    type Err = UnknownLinkType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownLinkType(s.chars().take(40).collect()))
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A business key: what a source system calls an item, e.g. (invoice, 24312000000012345678).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessKey {
    /// What it identifies.
    pub link_type: LinkType,
    value: String,
}

/// A key value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a business key is 1 to 128 characters without spaces at the ends or control characters")]
pub struct BusinessKeyError;

impl BusinessKey {
    /// Validates a key.
    ///
    /// # Errors
    /// When the value is empty, longer than 128 characters, padded or has control characters.
    pub fn new(link_type: LinkType, value: &str) -> Result<Self, BusinessKeyError> {
        let ok = (1..=128).contains(&value.chars().count())
            && value.trim() == value
            && !value.chars().any(char::is_control);
        if ok {
            Ok(Self {
                link_type,
                value: value.to_owned(),
            })
        } else {
            Err(BusinessKeyError)
        }
    }

    /// The key's value.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for BusinessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.link_type.name_zh(), self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_types_round_trip_and_contracts_are_not_attachments() {
        for t in LinkType::ALL {
            assert_eq!(t.as_str().parse::<LinkType>(), Ok(t));
        }
        assert!("receipt".parse::<LinkType>().is_err());
        assert!(LinkType::Invoice.is_original());
        assert!(!LinkType::Contract.is_original());
    }

    #[test]
    fn business_keys_are_trimmed_printable_text() {
        assert!(BusinessKey::new(LinkType::Invoice, "24312000000012345678").is_ok());
        for bad in ["", " 1", "a\nb", &"9".repeat(129)] {
            assert!(BusinessKey::new(LinkType::Invoice, bad).is_err(), "{bad:?}");
        }
    }
}
