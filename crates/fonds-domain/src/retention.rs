//! Retention periods (保管期限), the two statutory tables, and due dates.
//!
//! Order 79 Art. 14–15: periods are permanent or fixed (normally 10 or 30 years), count from the
//! first day after the fiscal year ends, and the tables give minimums that a unit may lengthen but
//! never shorten. Fixed-asset cards are event-based: kept 5 years after the asset is scrapped.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::kind::RecordKind;
use crate::period::FiscalYear;

/// How long a record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum RetentionPeriod {
    /// 永久, code `Y`.
    Permanent,
    /// 定期 N 年, counted from the first day after the fiscal year; code `D30`, `D10`, …
    Years(u16),
    /// N years after the asset is scrapped and cleared (固定资产报废清理后保管N年). No standard
    /// code exists; Fonds writes `F5`.
    YearsAfterScrapping(u16),
    /// Legacy 长期 (`C`) from before the 2015 reform: readable, never assigned to new records.
    LegacyLong,
    /// Legacy 短期 (`D`) from before the 2015 reform: readable, never assigned to new records.
    LegacyShort,
}

/// A problem with a retention period or rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    /// The text names no retention period.
    #[error("`{0}` is not a retention code: use Y (永久), D30, D10 or another D<years>")]
    UnknownCode(String),
    /// The requested period is shorter than the statutory minimum.
    #[error(
        "retention {requested} is shorter than the minimum {minimum} for {kind} ({basis}); \
         a unit may lengthen a period but never shorten it"
    )]
    BelowMinimum {
        /// The kind of record.
        kind: &'static str,
        /// What was asked for.
        requested: RetentionPeriod,
        /// What the table requires.
        minimum: RetentionPeriod,
        /// Where the minimum comes from.
        basis: &'static str,
    },
    /// A legacy code was given for a new record.
    #[error("legacy retention code {0} is kept for old records only; use Y, D30 or D10")]
    LegacyNotAssignable(RetentionPeriod),
}

impl RetentionPeriod {
    /// The code written in class codes and registers.
    #[must_use]
    pub fn code(self) -> String {
        match self {
            Self::Permanent => "Y".to_owned(),
            Self::Years(n) => format!("D{n}"),
            Self::YearsAfterScrapping(n) => format!("F{n}"),
            Self::LegacyLong => "C".to_owned(),
            Self::LegacyShort => "D".to_owned(),
        }
    }

    /// The Chinese label, e.g. 永久, 30年.
    #[must_use]
    pub fn label_zh(self) -> String {
        match self {
            Self::Permanent => "永久".to_owned(),
            Self::Years(n) => format!("{n}年"),
            Self::YearsAfterScrapping(n) => format!("报废清理后{n}年"),
            Self::LegacyLong => "长期(旧)".to_owned(),
            Self::LegacyShort => "短期(旧)".to_owned(),
        }
    }

    /// Whether this period keeps a record at least as long as `minimum` in every case. Periods of
    /// different shapes (fixed years against an event) are only ordered by `Permanent`.
    #[must_use]
    pub fn is_at_least(self, minimum: Self) -> bool {
        match (self, minimum) {
            (Self::Permanent, _) => true,
            (Self::Years(a), Self::Years(b))
            | (Self::YearsAfterScrapping(a), Self::YearsAfterScrapping(b)) => a >= b,
            _ => false,
        }
    }

    /// Whether a new record may be given this period.
    #[must_use]
    pub fn is_assignable(self) -> bool {
        !matches!(self, Self::LegacyLong | Self::LegacyShort)
    }
}

impl FromStr for RetentionPeriod {
    type Err = RetentionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let years = |digits: &str| {
            digits
                .parse::<u16>()
                .ok()
                .filter(|n| (1..=999).contains(n) && !digits.starts_with('0'))
        };
        let unknown = || RetentionError::UnknownCode(s.chars().take(20).collect());
        match s {
            "Y" | "永久" => Ok(Self::Permanent),
            "C" => Ok(Self::LegacyLong),
            "D" => Ok(Self::LegacyShort),
            _ => {
                if let Some(n) = s.strip_prefix('D') {
                    years(n).map(Self::Years).ok_or_else(unknown)
                } else if let Some(n) = s.strip_prefix('F') {
                    years(n).map(Self::YearsAfterScrapping).ok_or_else(unknown)
                } else {
                    Err(unknown())
                }
            }
        }
    }
}

impl TryFrom<String> for RetentionPeriod {
    type Error = RetentionError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<RetentionPeriod> for String {
    fn from(p: RetentionPeriod) -> Self {
        p.code()
    }
}

impl fmt::Display for RetentionPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// When a record's retention ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "date", rename_all = "snake_case")]
pub enum RetentionDue {
    /// Kept for ever.
    Never,
    /// Due for appraisal on this date (the first day after the period has run).
    On(Date),
    /// Event-based and the event (the asset's scrapping) has not happened yet.
    AwaitingEvent,
}

impl RetentionPeriod {
    /// The due date of a record of `fiscal_year` with this period. `scrapped_on` is the date the
    /// asset was scrapped and cleared, for event-based periods.
    #[must_use]
    pub fn due(self, fiscal_year: FiscalYear, scrapped_on: Option<Date>) -> RetentionDue {
        let add_years = |start: Date, years: u16| {
            let year = start.year() + i32::from(years);
            start
                .replace_year(year)
                .or_else(|_| Date::from_calendar_date(year, start.month(), 28))
                .map_or(RetentionDue::Never, RetentionDue::On)
        };
        match self {
            Self::Permanent | Self::LegacyLong | Self::LegacyShort => RetentionDue::Never,
            Self::Years(n) => add_years(fiscal_year.retention_start(), n),
            Self::YearsAfterScrapping(n) => match scrapped_on {
                Some(date) => add_years(date, n),
                None => RetentionDue::AwaitingEvent,
            },
        }
    }
}

/// Which statutory table a fonds follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionScheme {
    /// Order 79 附表1: enterprises and other organisations (DA/T 94 Table B.1).
    Enterprise,
    /// Order 79 附表2: government and public institutions (DA/T 94 Table B.2).
    PublicInstitution,
}

impl FromStr for RetentionScheme {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "enterprise" => Ok(Self::Enterprise),
            "public_institution" => Ok(Self::PublicInstitution),
            other => Err(format!(
                "`{other}` is not a retention scheme: use enterprise or public_institution"
            )),
        }
    }
}

impl RetentionScheme {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::PublicInstitution => "public_institution",
        }
    }
}

/// The minimum period for one kind, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionRule {
    /// The minimum period.
    pub minimum: RetentionPeriod,
    /// The row of the table, or the most similar row used where the table has none (Art. 15).
    pub basis: &'static str,
}

/// A retention table: a minimum period for every record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionTable {
    rules: BTreeMap<RecordKind, RetentionRule>,
}

const fn rule(minimum: RetentionPeriod, basis: &'static str) -> RetentionRule {
    RetentionRule { minimum, basis }
}

impl RetentionTable {
    /// The statutory table of a scheme, the default configuration of every fonds.
    #[must_use]
    pub fn statutory(scheme: RetentionScheme) -> Self {
        use RecordKind as K;
        use RetentionPeriod::{Permanent as Y, Years, YearsAfterScrapping};
        let rules = RecordKind::ALL.into_iter().map(|kind| {
            let r = match scheme {
                RetentionScheme::Enterprise => match kind {
                    K::OriginalVoucher => rule(Years(30), "附表1 第1项 原始凭证"),
                    K::AccountingVoucher => rule(Years(30), "附表1 第2项 记账凭证"),
                    K::TreasuryVoucher => rule(Years(10), "附表1 无此项，按附表2 国家金库报表"),
                    K::GeneralLedger => rule(Years(30), "附表1 第3项 总账"),
                    K::SubsidiaryLedger => rule(Years(30), "附表1 第4项 明细账"),
                    K::Journal => rule(Years(30), "附表1 第5项 日记账"),
                    K::FixedAssetCard => rule(YearsAfterScrapping(5), "附表1 第6项 固定资产卡片"),
                    K::AuxiliaryLedger => rule(Years(30), "附表1 第7项 其他辅助性账簿"),
                    K::MonthlyReport | K::QuarterlyReport | K::HalfYearReport => {
                        rule(Years(10), "附表1 第8项 月度、季度、半年度财务会计报告")
                    }
                    K::AnnualReport => rule(Y, "附表1 第9项 年度财务会计报告"),
                    K::SubordinateAnnualReport => rule(Years(10), "附表1 无此项，按最相近的第8项"),
                    K::BankReconciliation => rule(Years(10), "附表1 第10项 银行存款余额调节表"),
                    K::BankStatement => rule(Years(10), "附表1 第11项 银行对账单"),
                    K::TaxReturn => rule(Years(10), "附表1 第12项 纳税申报表"),
                    K::TransferRegister => rule(Years(30), "附表1 第13项 会计档案移交清册"),
                    K::CustodyRegister => rule(Y, "附表1 第14项 会计档案保管清册"),
                    K::DestructionRegister => rule(Y, "附表1 第15项 会计档案销毁清册"),
                    K::AppraisalOpinion => rule(Y, "附表1 第16项 会计档案鉴定意见书"),
                    K::Other => rule(Years(30), "附表1 无此项，按最相近的凭证与账簿 30年"),
                },
                RetentionScheme::PublicInstitution => match kind {
                    K::OriginalVoucher | K::AccountingVoucher => rule(Years(30), "附表2 会计凭证"),
                    K::TreasuryVoucher => {
                        rule(Years(10), "附表2 国家金库编送的各种报表及缴库退库凭证")
                    }
                    K::GeneralLedger | K::SubsidiaryLedger | K::Journal | K::AuxiliaryLedger => {
                        rule(Years(30), "附表2 会计账簿")
                    }
                    K::FixedAssetCard => rule(YearsAfterScrapping(5), "附表2 固定资产卡片"),
                    K::MonthlyReport | K::QuarterlyReport => {
                        rule(Years(10), "附表2 月、季度财务会计报告")
                    }
                    K::HalfYearReport => rule(Years(10), "附表2 无此项，按最相近的月、季度报告"),
                    K::AnnualReport => rule(Y, "附表2 决算（年报）"),
                    K::SubordinateAnnualReport => {
                        rule(Years(2), "附表2 下级单位报送的年度财务会计报告")
                    }
                    K::BankReconciliation => rule(Years(10), "附表2 银行存款余额调节表"),
                    K::BankStatement => rule(Years(10), "附表2 银行对账单"),
                    K::TaxReturn => rule(Years(10), "附表2 无此项，按最相近的银行对账单"),
                    K::TransferRegister => rule(Years(30), "附表2 会计档案移交清册"),
                    K::CustodyRegister => rule(Y, "附表2 会计档案保管清册"),
                    K::DestructionRegister => rule(Y, "附表2 会计档案销毁清册"),
                    K::AppraisalOpinion => rule(Y, "附表2 会计档案鉴定意见书"),
                    K::Other => rule(Years(30), "附表2 无此项，按最相近的会计凭证 30年"),
                },
            };
            (kind, r)
        });
        Self {
            rules: rules.collect(),
        }
    }

    /// Lengthens the minimum of one kind, as a unit may (Art. 15).
    ///
    /// # Errors
    /// When `period` is shorter than the statutory minimum or a legacy code.
    pub fn lengthen(
        &mut self,
        kind: RecordKind,
        period: RetentionPeriod,
        basis: &'static str,
    ) -> Result<(), RetentionError> {
        let minimum = self.rule(kind);
        check_at_least(kind, period, minimum)?;
        self.rules.insert(kind, rule(period, basis));
        Ok(())
    }

    /// The rule for a kind.
    #[must_use]
    pub fn rule(&self, kind: RecordKind) -> RetentionRule {
        self.rules.get(&kind).copied().unwrap_or(rule(
            RetentionPeriod::Permanent,
            "no rule configured: kept permanently",
        ))
    }

    /// The period a new record gets: the table's minimum, or a longer requested one.
    ///
    /// # Errors
    /// When the requested period is shorter than the minimum, or a legacy code.
    pub fn assign(
        &self,
        kind: RecordKind,
        requested: Option<RetentionPeriod>,
    ) -> Result<RetentionPeriod, RetentionError> {
        let minimum = self.rule(kind);
        match requested {
            None => Ok(minimum.minimum),
            Some(period) => check_at_least(kind, period, minimum).map(|()| period),
        }
    }
}

fn check_at_least(
    kind: RecordKind,
    period: RetentionPeriod,
    minimum: RetentionRule,
) -> Result<(), RetentionError> {
    if !period.is_assignable() {
        return Err(RetentionError::LegacyNotAssignable(period));
    }
    if period.is_at_least(minimum.minimum) {
        Ok(())
    } else {
        Err(RetentionError::BelowMinimum {
            kind: kind.name_zh(),
            requested: period,
            minimum: minimum.minimum,
            basis: minimum.basis,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use RecordKind as K;
    use RetentionPeriod::{Permanent as Y, Years, YearsAfterScrapping};

    fn year(y: i64) -> FiscalYear {
        FiscalYear::new(y).expect("valid year")
    }

    #[test]
    fn enterprise_table_matches_order_79_appendix_1_row_by_row() {
        let table = RetentionTable::statutory(RetentionScheme::Enterprise);
        let rows = [
            (K::OriginalVoucher, Years(30)),
            (K::AccountingVoucher, Years(30)),
            (K::GeneralLedger, Years(30)),
            (K::SubsidiaryLedger, Years(30)),
            (K::Journal, Years(30)),
            (K::FixedAssetCard, YearsAfterScrapping(5)),
            (K::AuxiliaryLedger, Years(30)),
            (K::MonthlyReport, Years(10)),
            (K::QuarterlyReport, Years(10)),
            (K::HalfYearReport, Years(10)),
            (K::AnnualReport, Y),
            (K::BankReconciliation, Years(10)),
            (K::BankStatement, Years(10)),
            (K::TaxReturn, Years(10)),
            (K::TransferRegister, Years(30)),
            (K::CustodyRegister, Y),
            (K::DestructionRegister, Y),
            (K::AppraisalOpinion, Y),
        ];
        for (kind, expected) in rows {
            let rule = table.rule(kind);
            assert_eq!(rule.minimum, expected, "{kind}");
            assert!(
                rule.basis.starts_with("附表1 第"),
                "{kind} cites {}",
                rule.basis
            );
        }
    }

    #[test]
    fn public_institution_table_matches_order_79_appendix_2_row_by_row() {
        let table = RetentionTable::statutory(RetentionScheme::PublicInstitution);
        let rows = [
            (K::OriginalVoucher, Years(30)),
            (K::AccountingVoucher, Years(30)),
            (K::TreasuryVoucher, Years(10)),
            (K::GeneralLedger, Years(30)),
            (K::SubsidiaryLedger, Years(30)),
            (K::Journal, Years(30)),
            (K::AuxiliaryLedger, Years(30)),
            (K::FixedAssetCard, YearsAfterScrapping(5)),
            (K::AnnualReport, Y),
            (K::SubordinateAnnualReport, Years(2)),
            (K::MonthlyReport, Years(10)),
            (K::QuarterlyReport, Years(10)),
            (K::BankReconciliation, Years(10)),
            (K::BankStatement, Years(10)),
            (K::TransferRegister, Years(30)),
            (K::CustodyRegister, Y),
            (K::DestructionRegister, Y),
            (K::AppraisalOpinion, Y),
        ];
        for (kind, expected) in rows {
            assert_eq!(table.rule(kind).minimum, expected, "{kind}");
        }
    }

    #[test]
    fn every_kind_has_a_rule_that_names_its_basis_in_both_tables() {
        for scheme in [
            RetentionScheme::Enterprise,
            RetentionScheme::PublicInstitution,
        ] {
            let table = RetentionTable::statutory(scheme);
            for kind in RecordKind::ALL {
                assert!(
                    table.rule(kind).basis.starts_with("附表"),
                    "{scheme:?} {kind}"
                );
            }
        }
    }

    #[test]
    fn fixed_periods_count_from_the_first_day_after_the_fiscal_year() {
        assert_eq!(
            Years(30).due(year(2023), None),
            RetentionDue::On(date!(2054 - 01 - 01))
        );
        assert_eq!(
            Years(10).due(year(2023), None),
            RetentionDue::On(date!(2034 - 01 - 01))
        );
        assert_eq!(Y.due(year(2023), None), RetentionDue::Never);
    }

    #[test]
    fn fixed_asset_cards_are_due_five_years_after_scrapping() {
        let card = YearsAfterScrapping(5);
        assert_eq!(card.due(year(2015), None), RetentionDue::AwaitingEvent);
        assert_eq!(
            card.due(year(2015), Some(date!(2024 - 02 - 29))),
            RetentionDue::On(date!(2029 - 02 - 28))
        );
    }

    #[test]
    fn longer_periods_are_allowed_and_shorter_ones_refused() {
        let table = RetentionTable::statutory(RetentionScheme::Enterprise);
        assert_eq!(table.assign(K::BankStatement, None), Ok(Years(10)));
        assert_eq!(
            table.assign(K::BankStatement, Some(Years(30))),
            Ok(Years(30))
        );
        assert_eq!(table.assign(K::AccountingVoucher, Some(Y)), Ok(Y));
        assert!(matches!(
            table.assign(K::AccountingVoucher, Some(Years(10))),
            Err(RetentionError::BelowMinimum { .. })
        ));
        assert!(table.assign(K::AnnualReport, Some(Years(30))).is_err());
        assert!(table.assign(K::FixedAssetCard, Some(Years(30))).is_err());
        assert!(matches!(
            table.assign(K::Other, Some(RetentionPeriod::LegacyLong)),
            Err(RetentionError::LegacyNotAssignable(_))
        ));
    }

    #[test]
    fn a_unit_may_lengthen_its_table_but_not_shorten_it() {
        let mut table = RetentionTable::statutory(RetentionScheme::Enterprise);
        assert!(
            table
                .lengthen(K::BankStatement, Years(30), "单位制度")
                .is_ok()
        );
        assert_eq!(table.rule(K::BankStatement).minimum, Years(30));
        assert!(
            table
                .lengthen(K::BankStatement, Years(10), "单位制度")
                .is_err()
        );
    }

    #[test]
    fn codes_round_trip_and_legacy_codes_stay_readable() {
        for code in ["Y", "D30", "D10", "D2", "F5", "C", "D"] {
            let period: RetentionPeriod = code.parse().expect(code);
            assert_eq!(period.code(), code);
        }
        for bad in ["", "D0", "D030", "X", "Dx", "F"] {
            assert!(
                bad.parse::<RetentionPeriod>().is_err(),
                "{bad} was accepted"
            );
        }
    }
}
