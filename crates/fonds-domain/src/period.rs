//! Fiscal years and accounting periods. Chinese fiscal years are calendar years (Order 79 Art. 14).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A value that is not a fiscal year or accounting period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The year is outside the range Fonds accepts.
    #[error("fiscal year {0} is out of range: expected a year from 1949 to 2200")]
    YearOutOfRange(i64),
    /// The month is not 1 to 12.
    #[error("accounting period {0} is out of range: expected a month from 1 to 12")]
    MonthOutOfRange(i64),
}

/// A fiscal year (会计年度), e.g. 2023. Written as 4 digits in archival codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct FiscalYear(u16);

impl FiscalYear {
    /// The earliest and latest years accepted: the founding of the PRC's accounting system to a
    /// horizon no real record will pass.
    pub const RANGE: std::ops::RangeInclusive<i64> = 1949..=2200;

    /// Validates a year.
    ///
    /// # Errors
    /// When the year is outside [`FiscalYear::RANGE`].
    pub fn new(year: i64) -> Result<Self, PeriodError> {
        if Self::RANGE.contains(&year) {
            Ok(Self(
                u16::try_from(year).map_err(|_| PeriodError::YearOutOfRange(year))?,
            ))
        } else {
            Err(PeriodError::YearOutOfRange(year))
        }
    }

    /// The year as a number.
    #[must_use]
    pub fn get(self) -> u16 {
        self.0
    }

    /// The first day of the year.
    #[must_use]
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(i32::from(self.0), Month::January, 1).unwrap_or(Date::MIN)
    }

    /// The first day after the fiscal year ends (会计年度终了后的第一天): retention counts from
    /// here.
    #[must_use]
    pub fn retention_start(self) -> Date {
        Date::from_calendar_date(i32::from(self.0) + 1, Month::January, 1).unwrap_or(Date::MAX)
    }

    /// Whether a date falls inside this fiscal year.
    #[must_use]
    pub fn contains(self, date: Date) -> bool {
        date.year() == i32::from(self.0)
    }
}

impl TryFrom<i64> for FiscalYear {
    type Error = PeriodError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<FiscalYear> for i64 {
    fn from(year: FiscalYear) -> Self {
        i64::from(year.0)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// An accounting period (会计期间): one month of a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountingPeriod {
    year: FiscalYear,
    month: u8,
}

impl AccountingPeriod {
    /// Validates a month of a fiscal year.
    ///
    /// # Errors
    /// When the month is not 1 to 12.
    pub fn new(year: FiscalYear, month: i64) -> Result<Self, PeriodError> {
        match u8::try_from(month) {
            Ok(m @ 1..=12) => Ok(Self { year, month: m }),
            _ => Err(PeriodError::MonthOutOfRange(month)),
        }
    }

    /// The fiscal year.
    #[must_use]
    pub fn year(self) -> FiscalYear {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// Whether a date falls inside this period.
    #[must_use]
    pub fn contains(self, date: Date) -> bool {
        self.year.contains(date) && u8::from(date.month()) == self.month
    }
}

impl fmt::Display for AccountingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn retention_starts_on_the_first_day_after_the_fiscal_year() {
        let year = FiscalYear::new(2023).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(year.retention_start(), date!(2024 - 01 - 01));
        assert!(year.contains(date!(2023 - 12 - 31)));
        assert!(!year.contains(date!(2024 - 01 - 01)));
    }

    #[test]
    fn years_and_months_out_of_range_are_refused() {
        assert!(FiscalYear::new(1948).is_err());
        assert!(FiscalYear::new(2201).is_err());
        let year = FiscalYear::new(2023).unwrap_or_else(|e| panic!("{e}"));
        assert!(AccountingPeriod::new(year, 0).is_err());
        assert!(AccountingPeriod::new(year, 13).is_err());
        let dec = AccountingPeriod::new(year, 12).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dec.to_string(), "2023-12");
        assert!(dec.contains(date!(2023 - 12 - 05)));
        assert!(!dec.contains(date!(2023 - 11 - 30)));
    }
}
