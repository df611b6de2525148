//! Client systems (接入系统): the OA, reimbursement and ERP systems that submit records with
//! signed requests. Here only their identity and the algorithm they sign with; the signing
//! itself lives with the services.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A client's id: `fc_` followed by 24 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

/// Text that is not a client id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a client id: expected fc_ followed by 24 lower-case hex digits")]
pub struct ClientIdError(String);

impl ClientId {
    /// The prefix every client id has.
    pub const PREFIX: &'static str = "fc_";

    /// A client id from 12 random bytes.
    #[must_use]
    pub fn from_random(bytes: [u8; 12]) -> Self {
        Self(format!("{}{}", Self::PREFIX, hex::encode(bytes)))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ClientId {
    type Err = ClientIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = s.strip_prefix(Self::PREFIX).is_some_and(|hex| {
            hex.len() == 24
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(ClientIdError(s.chars().take(40).collect()))
        }
    }
}

impl TryFrom<String> for ClientId {
    type Error = ClientIdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> Self {
        id.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a client signs its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SigningAlgorithm {
    /// HMAC-SHA256, the default.
    #[default]
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    /// HMAC-SM3 (GB/T 32905), for national-standard deployments.
    #[serde(rename = "hmac-sm3")]
    HmacSm3,
}

impl SigningAlgorithm {
    /// The configuration name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "hmac-sha256",
            Self::HmacSm3 => "hmac-sm3",
        }
    }

    /// The first line of the string to sign.
    #[must_use]
    pub const fn scheme(self) -> &'static str {
        match self {
            Self::HmacSha256 => "FONDS1-HMAC-SHA256",
            Self::HmacSm3 => "FONDS1-HMAC-SM3",
        }
    }
}

impl FromStr for SigningAlgorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hmac-sha256" => Ok(Self::HmacSha256),
            "hmac-sm3" => Ok(Self::HmacSm3),
            other => Err(format!(
                "`{other}` is not a signing algorithm: use hmac-sha256 or hmac-sm3"
            )),
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_have_one_shape() {
        let id = ClientId::from_random([0xab; 12]);
        assert_eq!(id.as_str(), "fc_abababababababababababab");
        assert_eq!(id.as_str().parse::<ClientId>(), Ok(id));
        for bad in [
            "fc_ABABABABABABABABABABABAB",
            "fc_abab",
            "xx_abababababababababababab",
            "",
        ] {
            assert!(bad.parse::<ClientId>().is_err(), "{bad}");
        }
        assert_eq!("hmac-sm3".parse(), Ok(SigningAlgorithm::HmacSm3));
        assert!("md5".parse::<SigningAlgorithm>().is_err());
    }
}
