//! ISO 4217 currency codes.

use std::fmt;
use std::str::FromStr;

use crate::xml_bounded::{FieldError, Node};

/// An ISO 4217 alphabetic currency code: three ASCII capital letters, e.g. `CNY`.
///
/// Only the form is checked, not membership of the ISO 4217 list, which changes over time; a
/// bank document naming a code that does not exist is for the reader of the amount to notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Text that is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a currency code: write three capital letters as in ISO 4217, e.g. CNY")]
pub struct CurrencyError(String);

impl Currency {
    /// Renminbi, the currency of every amount unless a document says otherwise.
    pub const CNY: Self = Self(*b"CNY");

    /// The three letters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Construction admits ASCII capitals only, which are always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::CNY
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match <[u8; 3]>::try_from(s.as_bytes()) {
            Ok(code) if code.iter().all(u8::is_ascii_uppercase) => Ok(Self(code)),
            _ => Err(CurrencyError(s.chars().take(40).collect())),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The optional `CurrencyCode` child of a bank document's element; [`Currency::CNY`] when absent.
pub(super) fn currency_of(parent: &Node<'_>) -> Result<Currency, FieldError> {
    match parent.child("CurrencyCode")? {
        Some(code) => code
            .value()
            .parse()
            .map_err(|_| code.invalid("an ISO 4217 currency code of three capital letters")),
        None => Ok(Currency::CNY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_capital_letters_are_a_code_and_print_as_written() {
        assert_eq!(
            "USD".parse::<Currency>().map(|c| c.to_string()),
            Ok("USD".into())
        );
        assert_eq!(Currency::default(), Currency::CNY);
        assert_eq!(Currency::CNY.as_str(), "CNY");
    }

    #[test]
    fn other_forms_are_refused() {
        for bad in ["cny", "CN", "CNYY", "人民币", "C1Y", "", " CNY"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad} was accepted");
        }
    }
}
