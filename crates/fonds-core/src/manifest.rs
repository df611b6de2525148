//! The submission manifest. It is untrusted input, so it is read, bounded and validated in
//! `fonds-formats` ([`Manifest::parse`], [`Manifest::validate`]); this module re-exports it and
//! turns its failures into [`CoreError`]s: a manifest that cannot be read becomes
//! `manifest_malformed`, and validation problems become [`CoreError::fields`].

pub use fonds_formats::manifest::*;

use crate::error::CoreError;

impl From<ManifestError> for CoreError {
    fn from(error: ManifestError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}
