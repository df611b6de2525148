//! Record kinds (Order 79 Art. 6 and its two appended tables) and the four categories they fall in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four categories of accounting archives (Order 79 Art. 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 会计凭证.
    Voucher,
    /// 会计账簿.
    Ledger,
    /// 财务会计报告.
    Report,
    /// 其他会计资料.
    Other,
}

impl Category {
    /// Every category, in the order of Art. 6.
    pub const ALL: [Self; 4] = [Self::Voucher, Self::Ledger, Self::Report, Self::Other];

    /// The default class code of the category (DOMAIN.md §4.3, practice, configurable later).
    #[must_use]
    pub const fn default_class_code(self) -> &'static str {
        match self {
            Self::Voucher => "PZ",
            Self::Ledger => "ZB",
            Self::Report => "BG",
            Self::Other => "QT",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Voucher => "会计凭证",
            Self::Ledger => "会计账簿",
            Self::Report => "财务会计报告",
            Self::Other => "其他会计资料",
        }
    }
}

/// A kind of accounting record: every row of Order 79 附表1 and 附表2, plus "other".
///
/// The wire name is the snake_case English name (`accounting_voucher`); [`RecordKind::name_zh`]
/// gives the name archivists use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 原始凭证.
    OriginalVoucher,
    /// 记账凭证.
    AccountingVoucher,
    /// 国家金库编送的各种报表及缴库退库凭证 (public institutions).
    TreasuryVoucher,
    /// 总账.
    GeneralLedger,
    /// 明细账.
    SubsidiaryLedger,
    /// 日记账.
    Journal,
    /// 固定资产卡片.
    FixedAssetCard,
    /// 其他辅助性账簿.
    AuxiliaryLedger,
    /// 月度财务会计报告.
    MonthlyReport,
    /// 季度财务会计报告.
    QuarterlyReport,
    /// 半年度财务会计报告.
    HalfYearReport,
    /// 年度财务会计报告 (决算 for public institutions).
    AnnualReport,
    /// 下级单位报送的年度财务会计报告 copies (public institutions).
    SubordinateAnnualReport,
    /// 银行存款余额调节表.
    BankReconciliation,
    /// 银行对账单.
    BankStatement,
    /// 纳税申报表.
    TaxReturn,
    /// 会计档案移交清册.
    TransferRegister,
    /// 会计档案保管清册.
    CustodyRegister,
    /// 会计档案销毁清册.
    DestructionRegister,
    /// 会计档案鉴定意见书.
    AppraisalOpinion,
    /// 其他具有保存价值的会计资料.
    Other,
}

/// A string that names no record kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a record kind; known kinds are: {known}", known = RecordKind::wire_names())]
pub struct UnknownRecordKind(pub String);

impl RecordKind {
    /// Every kind, in the order of the retention tables.
    pub const ALL: [Self; 21] = [
        Self::OriginalVoucher,
        Self::AccountingVoucher,
        Self::TreasuryVoucher,
        Self::GeneralLedger,
        Self::SubsidiaryLedger,
        Self::Journal,
        Self::FixedAssetCard,
        Self::AuxiliaryLedger,
        Self::MonthlyReport,
        Self::QuarterlyReport,
        Self::HalfYearReport,
        Self::AnnualReport,
        Self::SubordinateAnnualReport,
        Self::BankReconciliation,
        Self::BankStatement,
        Self::TaxReturn,
        Self::TransferRegister,
        Self::CustodyRegister,
        Self::DestructionRegister,
        Self::AppraisalOpinion,
        Self::Other,
    ];

    /// The category of Art. 6 the kind belongs to.
    #[must_use]
    pub const fn category(self) -> Category {
        match self {
            Self::OriginalVoucher | Self::AccountingVoucher | Self::TreasuryVoucher => {
                Category::Voucher
            }
            Self::GeneralLedger
            | Self::SubsidiaryLedger
            | Self::Journal
            | Self::FixedAssetCard
            | Self::AuxiliaryLedger => Category::Ledger,
            Self::MonthlyReport
            | Self::QuarterlyReport
            | Self::HalfYearReport
            | Self::AnnualReport
            | Self::SubordinateAnnualReport => Category::Report,
            Self::BankReconciliation
            | Self::BankStatement
            | Self::TaxReturn
            | Self::TransferRegister
            | Self::CustodyRegister
            | Self::DestructionRegister
            | Self::AppraisalOpinion
            | Self::Other => Category::Other,
        }
    }

    /// The position of the kind inside its category, from 1, in the order DA/T 94 8.5–8.6 binds
    /// them (总账 → 明细账 → 日记账 → 固定资产卡片 → other; monthly → quarterly → half-year →
    /// annual). Used as the default volume number for kinds that are bound by type.
    #[must_use]
    pub fn order_in_category(self) -> u16 {
        let category = self.category();
        let position = Self::ALL
            .iter()
            .filter(|k| k.category() == category)
            .position(|k| *k == self)
            .unwrap_or(0);
        u16::try_from(position + 1).unwrap_or(u16::MAX)
    }

    /// The snake_case wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OriginalVoucher => "original_voucher",
            Self::AccountingVoucher => "accounting_voucher",
            Self::TreasuryVoucher => "treasury_voucher",
            Self::GeneralLedger => "general_ledger",
            Self::SubsidiaryLedger => "subsidiary_ledger",
            Self::Journal => "journal",
            Self::FixedAssetCard => "fixed_asset_card",
            Self::AuxiliaryLedger => "auxiliary_ledger",
            Self::MonthlyReport => "monthly_report",
            Self::QuarterlyReport => "quarterly_report",
            Self::HalfYearReport => "half_year_report",
            Self::AnnualReport => "annual_report",
            Self::SubordinateAnnualReport => "subordinate_annual_report",
            Self::BankReconciliation => "bank_reconciliation",
            Self::BankStatement => "bank_statement",
            Self::TaxReturn => "tax_return",
            Self::TransferRegister => "transfer_register",
            Self::CustodyRegister => "custody_register",
            Self::DestructionRegister => "destruction_register",
            Self::AppraisalOpinion => "appraisal_opinion",
            Self::Other => "other",
        }
    }

    /// The Chinese name used in the regulation.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::OriginalVoucher => "原始凭证",
            Self::AccountingVoucher => "记账凭证",
            Self::TreasuryVoucher => "国家金库报表及缴库退库凭证",
            Self::GeneralLedger => "总账",
            Self::SubsidiaryLedger => "明细账",
            Self::Journal => "日记账",
            Self::FixedAssetCard => "固定资产卡片",
            Self::AuxiliaryLedger => "其他辅助性账簿",
            Self::MonthlyReport => "月度财务会计报告",
            Self::QuarterlyReport => "季度财务会计报告",
            Self::HalfYearReport => "半年度财务会计报告",
            Self::AnnualReport => "年度财务会计报告",
            Self::SubordinateAnnualReport => "下级单位报送的年度财务会计报告",
            Self::BankReconciliation => "银行存款余额调节表",
            Self::BankStatement => "银行对账单",
            Self::TaxReturn => "纳税申报表",
            Self::TransferRegister => "会计档案移交清册",
            Self::CustodyRegister => "会计档案保管清册",
            Self::DestructionRegister => "会计档案销毁清册",
            Self::AppraisalOpinion => "会计档案鉴定意见书",
            Self::Other => "其他会计资料",
        }
    }

    /// Whether a record of this kind covers one accounting period (a month) rather than a year.
    #[must_use]
    pub const fn is_periodic(self) -> bool {
        matches!(
            self,
            Self::OriginalVoucher
                | Self::AccountingVoucher
                | Self::TreasuryVoucher
                | Self::MonthlyReport
                | Self::BankReconciliation
                | Self::BankStatement
        )
    }

    fn wire_names() -> String {
        Self::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl FromStr for RecordKind {
    type Err = UnknownRecordKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.name_zh() == s)
            .ok_or_else(|| UnknownRecordKind(s.chars().take(60).collect()))
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_wire_and_chinese_names() {
        for kind in RecordKind::ALL {
            assert_eq!(kind.as_str().parse::<RecordKind>(), Ok(kind));
            assert_eq!(kind.name_zh().parse::<RecordKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert!("invoice".parse::<RecordKind>().is_err());
    }

    #[test]
    fn kinds_fall_in_the_four_categories_of_article_6() {
        assert_eq!(RecordKind::AccountingVoucher.category(), Category::Voucher);
        assert_eq!(RecordKind::FixedAssetCard.category(), Category::Ledger);
        assert_eq!(RecordKind::AnnualReport.category(), Category::Report);
        assert_eq!(RecordKind::BankStatement.category(), Category::Other);
        for category in Category::ALL {
            assert!(RecordKind::ALL.iter().any(|k| k.category() == category));
        }
    }

    #[test]
    fn ledgers_bind_in_the_order_of_dat94() {
        assert_eq!(RecordKind::GeneralLedger.order_in_category(), 1);
        assert_eq!(RecordKind::SubsidiaryLedger.order_in_category(), 2);
        assert_eq!(RecordKind::Journal.order_in_category(), 3);
        assert_eq!(RecordKind::FixedAssetCard.order_in_category(), 4);
        assert_eq!(RecordKind::MonthlyReport.order_in_category(), 1);
        assert_eq!(RecordKind::AnnualReport.order_in_category(), 4);
    }
}
