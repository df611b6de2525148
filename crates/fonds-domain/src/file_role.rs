//! What a stored file is within its record, which fixes its place in the item: DA/T 94 8.4.1 and
//! §16 order an item 记账凭证 → 原始凭证/报销单 → 发票 → other attachments.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The role of one file in a record, in the order the item is arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRole {
    /// The record's main document: the 记账凭证, the ledger, the report.
    Main,
    /// A reimbursement form (报销单) or other internal original.
    ReimbursementForm,
    /// An approval form (审批单) from the OA.
    ApprovalForm,
    /// An invoice (发票).
    Invoice,
    /// A bank receipt (银行回单).
    BankReceipt,
    /// A contract (合同).
    Contract,
    /// Any other attachment.
    Attachment,
    /// A structured description beside a layout file (e.g. the XML of an invoice).
    Description,
}

/// A string that names no file role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a file role: use main, reimbursement_form, approval_form, invoice, \
     bank_receipt, contract, attachment or description"
)]
pub struct UnknownFileRole(pub String);

impl FileRole {
    /// Every role, in item order.
    pub const ALL: [Self; 8] = [
        Self::Main,
        Self::ReimbursementForm,
        Self::ApprovalForm,
        Self::Invoice,
        Self::BankReceipt,
        Self::Contract,
        Self::Attachment,
        Self::Description,
    ];

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::ReimbursementForm => "reimbursement_form",
            Self::ApprovalForm => "approval_form",
            Self::Invoice => "invoice",
            Self::BankReceipt => "bank_receipt",
            Self::Contract => "contract",
            Self::Attachment => "attachment",
            Self::Description => "description",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Main => "主件",
            Self::ReimbursementForm => "报销单",
            Self::ApprovalForm => "审批单",
            Self::Invoice => "发票",
            Self::BankReceipt => "银行回单",
            Self::Contract => "合同",
            Self::Attachment => "附件",
            Self::Description => "说明文件",
        }
    }

    /// Whether the file is an original (原始凭证) supporting a 记账凭证, and so counts towards
    /// its declared attachment count.
    #[must_use]
    pub const fn is_original(self) -> bool {
        !matches!(self, Self::Main | Self::Description)
    }
}

impl FromStr for FileRole {
    type Err = UnknownFileRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownFileRole(s.chars().take(40).collect()))
    }
}

impl fmt::Display for FileRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_sort_in_item_order_and_round_trip() {
        let mut roles = vec![FileRole::Invoice, FileRole::Attachment, FileRole::Main];
        roles.sort();
        assert_eq!(
            roles,
            [FileRole::Main, FileRole::Invoice, FileRole::Attachment]
        );
        for role in FileRole::ALL {
            assert_eq!(role.as_str().parse::<FileRole>(), Ok(role));
        }
    }
}
