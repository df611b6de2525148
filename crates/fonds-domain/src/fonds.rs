//! The fonds (全宗): the organisation that owns a body of records.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::archival_code::ArchivalCodePattern;
use crate::retention::RetentionScheme;

/// A fonds number (全宗号): 1 to 16 upper-case ASCII letters or digits, e.g. `Z001`.
///
/// Letters and digits only, so that a fonds code can never contain an archival-code separator and
/// every code built from it parses back unambiguously.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FondsCode(String);

/// A string that is not a fonds code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a fonds code: use 1 to 16 upper-case letters A–Z or digits, e.g. Z001")]
pub struct FondsCodeError(String);

impl FondsCode {
    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for FondsCode {
    type Err = FondsCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = (1..=16).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(FondsCodeError(s.to_owned()))
        }
    }
}

impl TryFrom<String> for FondsCode {
    type Error = FondsCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<FondsCode> for String {
    fn from(code: FondsCode) -> Self {
        code.0
    }
}

impl fmt::Display for FondsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fonds and the rules it has chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fonds {
    /// The fonds number.
    pub code: FondsCode,
    /// The organisation's name, e.g. 华东示范科技有限公司.
    pub name: String,
    /// Which retention table applies: enterprises or government and public institutions.
    pub retention_scheme: RetentionScheme,
    /// How archival codes are written in this fonds.
    pub code_pattern: ArchivalCodePattern,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonds_codes_are_upper_case_letters_and_digits() {
        assert!("Z001".parse::<FondsCode>().is_ok());
        assert!("A".parse::<FondsCode>().is_ok());
        for bad in ["", "z001", "Z-01", "Z·01", "ABCDEFGHIJKLMNOPQ", "全宗"] {
            assert!(bad.parse::<FondsCode>().is_err(), "{bad} was accepted");
        }
    }
}
