//! A record's classification (what it is, which year, how long it is kept) and its description
//! (the fields DA/T 94 §14 allows to be corrected under rules).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::archival_code::ArchivalCodeParts;
use crate::fonds::FondsCode;
use crate::kind::{Category, RecordKind};
use crate::money::Money;
use crate::period::{AccountingPeriod, FiscalYear};
use crate::retention::RetentionPeriod;
use crate::voucher::VoucherNumber;

/// Where a record sits in the classification scheme (DA/T 94 D.1: form · year · retention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The kind of record.
    pub kind: RecordKind,
    /// The fiscal year it belongs to.
    pub fiscal_year: FiscalYear,
    /// The month, for records that cover one period.
    pub period: Option<AccountingPeriod>,
    /// How long it is kept.
    pub retention: RetentionPeriod,
}

impl Classification {
    /// The volume (案卷) the record is bound into by default: vouchers by month (DA/T 94 8.4.2),
    /// ledgers and reports by type in the order of 8.5–8.6, other materials by type.
    #[must_use]
    pub fn default_volume(&self) -> u32 {
        match (self.kind.category(), self.period) {
            (Category::Voucher, Some(period)) => u32::from(period.month()),
            (Category::Voucher, None) => 13,
            _ => u32::from(self.kind.order_in_category()),
        }
    }

    /// The parts of the record's archival code, given its item number.
    #[must_use]
    pub fn code_parts(&self, fonds: &FondsCode, item: u32) -> ArchivalCodeParts {
        ArchivalCodeParts {
            fonds: fonds.clone(),
            category: self.kind.category().default_class_code().to_owned(),
            year: self.fiscal_year,
            retention: self.retention,
            volume: self.default_volume(),
            item,
        }
    }
}

/// The descriptive metadata of a record: what an archivist may correct, with every change kept
/// as a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDescription {
    /// 题名: the voucher's 摘要, "period + ledger type", the report's name.
    pub title: String,
    /// 形成日期.
    pub date: Option<Date>,
    /// 文件号: the voucher, ledger or report number.
    pub number: Option<VoucherNumber>,
    /// The amount, for vouchers and invoices.
    pub amount: Option<Money>,
    /// 制单人 / 责任者.
    pub preparer: Option<String>,
    /// 审核人.
    pub reviewer: Option<String>,
    /// 附件张数 declared on a 记账凭证.
    pub attachment_count: Option<u32>,
    /// 备注.
    pub remarks: Option<String>,
}

/// A record that cannot be accepted as described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The title is empty, too long, or has control characters.
    #[error("title must be 1 to 500 characters without control characters")]
    Title,
    /// A person's name is unusable.
    #[error("`{field}` must be 1 to 100 characters without control characters")]
    Name {
        /// Which field.
        field: &'static str,
    },
    /// Remarks are too long.
    #[error("remarks must be at most 2000 characters")]
    Remarks,
    /// A periodic kind without its month.
    #[error("a {kind} covers one month: give its period (1 to 12)")]
    PeriodMissing {
        /// The kind's Chinese name.
        kind: &'static str,
    },
    /// The date is outside the fiscal year or period.
    #[error("date {date} lies outside {scope}")]
    DateOutside {
        /// The date.
        date: Date,
        /// The year or period it should be in.
        scope: String,
    },
    /// A 记账凭证 without a number.
    #[error("a 记账凭证 needs its voucher number")]
    NumberMissing,
}

fn clean_text(text: &str, max: usize) -> bool {
    let count = text.chars().count();
    (1..=max).contains(&count) && !text.chars().any(char::is_control) && text.trim() == text
}

impl RecordDescription {
    /// Checks the description against the record's classification.
    ///
    /// # Errors
    /// When a field is malformed, a voucher lacks its number or month, or the date falls outside
    /// the fiscal year or the period.
    pub fn validate(&self, class: &Classification) -> Result<(), RecordError> {
        if !clean_text(&self.title, 500) {
            return Err(RecordError::Title);
        }
        for (field, value) in [("preparer", &self.preparer), ("reviewer", &self.reviewer)] {
            if value.as_deref().is_some_and(|v| !clean_text(v, 100)) {
                return Err(RecordError::Name { field });
            }
        }
        if self
            .remarks
            .as_deref()
            .is_some_and(|r| r.chars().count() > 2000)
        {
            return Err(RecordError::Remarks);
        }
        if class.kind.is_periodic() && class.period.is_none() {
            return Err(RecordError::PeriodMissing {
                kind: class.kind.name_zh(),
            });
        }
        if class.kind == RecordKind::AccountingVoucher && self.number.is_none() {
            return Err(RecordError::NumberMissing);
        }
        if let Some(date) = self.date {
            match class.period {
                Some(period) if !period.contains(date) => {
                    return Err(RecordError::DateOutside {
                        date,
                        scope: period.to_string(),
                    });
                }
                None if !class.fiscal_year.contains(date) => {
                    return Err(RecordError::DateOutside {
                        date,
                        scope: format!("fiscal year {}", class.fiscal_year),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn voucher_class(month: i64) -> Classification {
        let year = FiscalYear::new(2023).expect("year");
        Classification {
            kind: RecordKind::AccountingVoucher,
            fiscal_year: year,
            period: Some(AccountingPeriod::new(year, month).expect("month")),
            retention: RetentionPeriod::Years(30),
        }
    }

    fn description() -> RecordDescription {
        RecordDescription {
            title: "报销差旅费".into(),
            date: Some(date!(2023 - 12 - 05)),
            number: Some("记-0057".parse().expect("number")),
            amount: Some("1234.50".parse().expect("amount")),
            preparer: Some("张三".into()),
            reviewer: Some("李四".into()),
            attachment_count: Some(2),
            remarks: None,
        }
    }

    #[test]
    fn vouchers_are_bound_by_month_and_coded_like_dat94() {
        let class = voucher_class(12);
        let parts = class.code_parts(&"Z001".parse().expect("fonds"), 57);
        let code = crate::ArchivalCodePattern::dat94()
            .format(&parts)
            .expect("code");
        assert_eq!(code.as_str(), "Z001-PZ·2023·D30-0012-0057");
    }

    #[test]
    fn a_voucher_dated_outside_its_period_is_refused() {
        assert_eq!(description().validate(&voucher_class(12)), Ok(()));
        assert!(matches!(
            description().validate(&voucher_class(11)),
            Err(RecordError::DateOutside { .. })
        ));
    }

    #[test]
    fn a_voucher_needs_its_number_and_a_clean_title() {
        let mut d = description();
        d.number = None;
        assert_eq!(
            d.validate(&voucher_class(12)),
            Err(RecordError::NumberMissing)
        );
        let mut d = description();
        d.title = " 前后空格 ".into();
        assert_eq!(d.validate(&voucher_class(12)), Err(RecordError::Title));
        let mut d = description();
        d.title = String::new();
        assert_eq!(d.validate(&voucher_class(12)), Err(RecordError::Title));
    }
}
