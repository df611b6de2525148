//! 密级: how secret a record is. A grant names the highest level its holder may see.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A record's secrecy level, from least to most secret. Records without a level given in their
/// manifest are [`SecrecyLevel::Internal`].
// LIMITATION: 绝密 (top secret) is not offered: state secrets of that level are never kept in a
// networked archive system of this kind, and a manifest that names it is refused.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SecrecyLevel {
    /// 公开.
    Public,
    /// 内部 (the default).
    #[default]
    Internal,
    /// 秘密.
    Confidential,
    /// 机密.
    Secret,
}

/// A text that names no secrecy level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a secrecy level; use public (公开), internal (内部), confidential (秘密) or secret (机密)"
)]
pub struct UnknownSecrecyLevel(pub String);

impl SecrecyLevel {
    /// Every level, least secret first.
    pub const ALL: [Self; 4] = [
        Self::Public,
        Self::Internal,
        Self::Confidential,
        Self::Secret,
    ];

    /// The stable code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Confidential => "confidential",
            Self::Secret => "secret",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Public => "公开",
            Self::Internal => "内部",
            Self::Confidential => "秘密",
            Self::Secret => "机密",
        }
    }

    /// The rank stored in the database (0 for public … 3 for secret), so that "at most this
    /// secret" is a comparison.
    #[must_use]
    pub const fn rank(self) -> u8 {
        self as u8
    }

    /// The level of a stored rank.
    #[must_use]
    pub fn from_rank(rank: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|l| i64::from(l.rank()) == rank)
    }
}

impl fmt::Display for SecrecyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for SecrecyLevel {
    type Err = UnknownSecrecyLevel;

    /// Parses a code or a Chinese name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.code() == s || l.name_zh() == s)
            .ok_or_else(|| UnknownSecrecyLevel(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_from_public_to_secret_and_ranks_round_trip() {
        assert!(SecrecyLevel::Public < SecrecyLevel::Internal);
        assert!(SecrecyLevel::Confidential < SecrecyLevel::Secret);
        for level in SecrecyLevel::ALL {
            assert_eq!(
                SecrecyLevel::from_rank(i64::from(level.rank())),
                Some(level)
            );
            assert_eq!(level.name_zh().parse::<SecrecyLevel>(), Ok(level));
        }
        assert_eq!(SecrecyLevel::from_rank(4), None);
        assert!("绝密".parse::<SecrecyLevel>().is_err());
    }
}
