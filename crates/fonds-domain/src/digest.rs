//! Fixity digests: SHA-256 for interoperability and SM3 for national-standard deployments
//! (DOMAIN.md "How Fonds uses this" 12). Both are 32 bytes and written as lower-case hex.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A string that is not a 32-byte hex digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {algorithm} digest: expected 64 hexadecimal characters")]
pub struct DigestError {
    algorithm: &'static str,
    value: String,
}

fn parse_hex32(algorithm: &'static str, s: &str) -> Result<[u8; 32], DigestError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(s, &mut bytes).map_err(|_| DigestError {
        algorithm,
        value: s.chars().take(80).collect(),
    })?;
    Ok(bytes)
}

macro_rules! digest_type {
    ($(#[$doc:meta])* $name:ident, $algorithm:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps a computed digest.
            #[must_use]
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The raw digest.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Lower-case hex, 64 characters.
            #[must_use]
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
        }

        impl FromStr for $name {
            type Err = DigestError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hex32($algorithm, s).map(Self)
            }
        }

        impl TryFrom<String> for $name {
            type Error = DigestError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(d: $name) -> Self {
                d.to_hex()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }
    };
}

digest_type!(
    /// A SHA-256 digest: the content address of a stored file.
    Sha256Digest,
    "SHA-256"
);
digest_type!(
    /// An SM3 digest (GB/T 32905), kept beside SHA-256 for national-standard fixity checks.
    Sm3Digest,
    "SM3"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_round_trip_through_hex_and_refuse_bad_text() {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let d: Sha256Digest = hex.parse().expect("valid");
        assert_eq!(d.to_hex(), hex);
        assert!("ba78".parse::<Sha256Digest>().is_err());
        assert!(hex.replace('a', "g").parse::<Sm3Digest>().is_err());
        // Upper case is accepted on input and normalised to lower case.
        let upper: Sha256Digest = hex.to_uppercase().parse().expect("valid");
        assert_eq!(upper, d);
    }
}
