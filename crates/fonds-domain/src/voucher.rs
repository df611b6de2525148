//! The 记账凭证: its number and its entries, which must balance (借贷必相等).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// A voucher number within its period, e.g. `记-0057` or `57`: 1 to 32 characters, no control
/// characters and no path separators (it names the item's folder in exports and imports).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VoucherNumber(String);

impl VoucherNumber {
    /// The number as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for VoucherNumber {
    type Err = VoucherError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=32).contains(&s.chars().count())
            && !s.chars().any(|c| c.is_control() || matches!(c, '/' | '\\'))
            && s.trim() == s;
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(VoucherError::Number(s.chars().take(40).collect()))
        }
    }
}

impl TryFrom<String> for VoucherNumber {
    type Error = VoucherError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<VoucherNumber> for String {
    fn from(n: VoucherNumber) -> Self {
        n.0
    }
}

impl fmt::Display for VoucherNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of a 记账凭证.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherEntry {
    /// 摘要.
    pub summary: String,
    /// 科目编码, e.g. 6602.01.
    pub account_code: String,
    /// 科目名称, e.g. 管理费用-差旅费.
    pub account_name: String,
    /// 借方金额.
    #[serde(default)]
    pub debit: Money,
    /// 贷方金额.
    #[serde(default)]
    pub credit: Money,
}

/// A voucher that cannot be booked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoucherError {
    /// The number is not usable.
    #[error("`{0}` is not a voucher number: 1 to 32 characters, no slashes or control characters")]
    Number(String),
    /// No entries.
    #[error("a 记账凭证 needs at least two entries")]
    TooFewEntries,
    /// An entry has both or neither side.
    #[error("entry {line} must have an amount on exactly one side (debit or credit)")]
    OneSide {
        /// 1-based line number.
        line: usize,
    },
    /// The sides do not balance.
    #[error("entries do not balance: debits {debits} ≠ credits {credits}")]
    Unbalanced {
        /// Sum of debits.
        debits: Money,
        /// Sum of credits.
        credits: Money,
    },
    /// The sums overflow.
    #[error("the entries' amounts are too large to add up")]
    Overflow,
}

/// Checks that a voucher's entries balance and returns the voucher's amount (the debit total).
///
/// # Errors
/// When there are fewer than two entries, an entry has amounts on both or neither side, or the
/// debits and credits differ.
pub fn ensure_balanced(entries: &[VoucherEntry]) -> Result<Money, VoucherError> {
    if entries.len() < 2 {
        return Err(VoucherError::TooFewEntries);
    }
    let mut debits = Money::ZERO;
    let mut credits = Money::ZERO;
    for (i, entry) in entries.iter().enumerate() {
        let has_debit = entry.debit != Money::ZERO;
        let has_credit = entry.credit != Money::ZERO;
        if has_debit == has_credit {
            return Err(VoucherError::OneSide { line: i + 1 });
        }
        debits = debits
            .checked_add(entry.debit)
            .ok_or(VoucherError::Overflow)?;
        credits = credits
            .checked_add(entry.credit)
            .ok_or(VoucherError::Overflow)?;
    }
    if debits == credits {
        Ok(debits)
    } else {
        Err(VoucherError::Unbalanced { debits, credits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(debit: &str, credit: &str) -> VoucherEntry {
        VoucherEntry {
            summary: "报销差旅费".into(),
            account_code: "6602".into(),
            account_name: "管理费用".into(),
            debit: debit.parse().expect("debit"),
            credit: credit.parse().expect("credit"),
        }
    }

    #[test]
    fn balanced_entries_give_the_voucher_amount() {
        let entries = [
            entry("1000.50", "0"),
            entry("200", "0"),
            entry("0", "1200.50"),
        ];
        assert_eq!(
            ensure_balanced(&entries),
            Ok("1200.50".parse().expect("amount"))
        );
    }

    #[test]
    fn unbalanced_or_one_sided_entries_are_refused() {
        assert!(matches!(
            ensure_balanced(&[entry("100", "0"), entry("0", "99.99")]),
            Err(VoucherError::Unbalanced { .. })
        ));
        assert_eq!(
            ensure_balanced(&[entry("100", "100"), entry("0", "0")]),
            Err(VoucherError::OneSide { line: 1 })
        );
        assert_eq!(
            ensure_balanced(&[entry("1", "0")]),
            Err(VoucherError::TooFewEntries)
        );
    }

    #[test]
    fn voucher_numbers_cannot_escape_their_folder() {
        assert!("记-0057".parse::<VoucherNumber>().is_ok());
        for bad in ["", "../x", "a/b", " 57", "a\nb", &"9".repeat(33)] {
            assert!(
                bad.parse::<VoucherNumber>().is_err(),
                "{bad:?} was accepted"
            );
        }
    }
}
