//! Departments (部门): a tree per fonds. A record may belong to one; a grant's data scope may
//! name department subtrees.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::fonds::FondsCode;

/// A department's code within its fonds: 1 to 32 ASCII letters, digits, `-` or `_`, e.g. `FIN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentCode(String);

/// A text that is not a department code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a department code: use 1 to 32 ASCII letters, digits, `-` or `_`, e.g. FIN")]
pub struct DepartmentCodeError(pub String);

impl DepartmentCode {
    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DepartmentCode {
    type Err = DepartmentCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = (1..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(DepartmentCodeError(s.to_owned()))
        }
    }
}

impl TryFrom<String> for DepartmentCode {
    type Error = DepartmentCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<DepartmentCode> for String {
    fn from(code: DepartmentCode) -> Self {
        code.0
    }
}

impl fmt::Display for DepartmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A department named across fonds: `FONDS/CODE`, e.g. `Z001/FIN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentRef {
    /// The fonds whose tree holds it.
    pub fonds: FondsCode,
    /// Its code there.
    pub code: DepartmentCode,
}

/// A text that is not `FONDS/CODE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` does not name a department: write FONDS/CODE, e.g. Z001/FIN")]
pub struct DepartmentRefError(pub String);

impl FromStr for DepartmentRef {
    type Err = DepartmentRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || DepartmentRefError(s.to_owned());
        let (fonds, code) = s.split_once('/').ok_or_else(error)?;
        Ok(Self {
            fonds: fonds.parse().map_err(|_| error())?,
            code: code.parse().map_err(|_| error())?,
        })
    }
}

impl TryFrom<String> for DepartmentRef {
    type Error = DepartmentRefError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<DepartmentRef> for String {
    fn from(d: DepartmentRef) -> Self {
        d.to_string()
    }
}

impl fmt::Display for DepartmentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.fonds, self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_references_parse_and_print_as_fonds_slash_code() {
        let d: DepartmentRef = "Z001/FIN-AP".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.code.as_str(), "FIN-AP");
        assert_eq!(d.to_string(), "Z001/FIN-AP");
        assert!("FIN".parse::<DepartmentRef>().is_err());
        assert!("Z001/财务".parse::<DepartmentRef>().is_err());
        assert!("z001/FIN".parse::<DepartmentRef>().is_err());
    }
}
