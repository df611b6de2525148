//! Typed identifiers. Each is a UUIDv7, so identifiers sort by creation time, which keeps cursor
//! pagination stable and index inserts local.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A string that is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{value}` is not a valid {what} (expected a UUID such as 0190f3c2-7c1e-7d51-8a3b-1c2d3e4f5a6b)"
)]
pub struct IdError {
    what: &'static str,
    value: String,
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new identifier, ordered after every identifier made before it.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The underlying UUID.
            #[must_use]
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| IdError { what: $what, value: s.to_owned() })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

typed_id!(
    /// One archival unit (件).
    RecordId,
    "record id"
);
typed_id!(
    /// One stored file (电子文件) of a record.
    FileId,
    "file id"
);
typed_id!(
    /// One submission (归档信息包) as received from a source system.
    SubmissionId,
    "submission id"
);
typed_id!(
    /// One run of the four-properties check (四性检测) over some records.
    CheckRunId,
    "check run id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_sort_by_creation() {
        let first = RecordId::new();
        let second = RecordId::new();
        assert!(first < second);
        assert_eq!(first.to_string().parse::<RecordId>(), Ok(first));
        assert!("not-a-uuid".parse::<RecordId>().is_err());
    }
}
