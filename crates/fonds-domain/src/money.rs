//! Money as an exact decimal with two fraction digits (元.角分). Never floating point.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount in yuan, held as a whole number of fen (分) so that sums are exact.
///
/// Parsed from and written as a decimal string such as `"1234.50"` or `"-12.3"`; JSON numbers are
/// refused on input because a binary float cannot carry every decimal amount.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Money(i64);

/// A string that is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not a decimal with at most two fraction digits.
    #[error(
        "`{0}` is not an amount: write a decimal with at most two fraction digits, e.g. 1234.50"
    )]
    Malformed(String),
    /// The amount is larger than Fonds can hold exactly.
    #[error("`{0}` is too large an amount")]
    Overflow(String),
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Self = Self(0);

    /// An amount from a number of fen.
    #[must_use]
    pub const fn from_fen(fen: i64) -> Self {
        Self(fen)
    }

    /// The amount in fen.
    #[must_use]
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// The sum, or `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// Whether the amount is below zero (a red-letter or reversing amount).
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || MoneyError::Malformed(s.chars().take(40).collect());
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
            return Err(malformed());
        }
        if digits.ends_with('.') {
            return Err(malformed());
        }
        let overflow = || MoneyError::Overflow(s.chars().take(40).collect());
        let yuan: i64 = whole.parse().map_err(|_| overflow())?;
        let fen_part: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| malformed())? * 10,
            _ => fraction.parse::<i64>().map_err(|_| malformed())?,
        };
        let fen = yuan
            .checked_mul(100)
            .and_then(|f| f.checked_add(fen_part))
            .ok_or_else(overflow)?;
        Ok(Self(if negative { -fen } else { fen }))
    }
}

impl TryFrom<String> for Money {
    type Error = MoneyError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Money> for String {
    fn from(m: Money) -> Self {
        m.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_and_print_with_two_digits() {
        let cases = [
            ("0", "0.00"),
            ("1234.5", "1234.50"),
            ("-12.34", "-12.34"),
            ("0.01", "0.01"),
        ];
        for (input, printed) in cases {
            let m: Money = input.parse().expect(input);
            assert_eq!(m.to_string(), printed);
        }
        assert_eq!("0.1".parse::<Money>().map(Money::fen), Ok(10));
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "",
            ".5",
            "1.",
            "1.234",
            "1e3",
            "12,00",
            "abc",
            "--1",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Money>().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn json_numbers_are_refused_so_no_float_ever_becomes_money() {
        assert!(serde_json::from_str::<Money>("12.5").is_err());
        assert_eq!(
            serde_json::from_str::<Money>("\"12.5\"")
                .map(Money::fen)
                .ok(),
            Some(1250)
        );
    }
}
