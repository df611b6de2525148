//! Failures of the application services. Every failure a caller can see carries a stable code
//! of the one error vocabulary ([`ErrorCode`], defined in `fonds-domain` so that the pure readers
//! share it) and a message that says what was wrong and what to do. Internal causes are kept for
//! the log and never shown to callers.

pub use fonds_domain::{ErrorCode, ErrorKind, FieldError};
use fonds_store::{BlobError, StoreError};

/// A failure of an application service.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct CoreError {
    /// The stable code.
    pub code: ErrorCode,
    /// What went wrong, safe to show to the caller.
    pub detail: String,
    /// Every field at fault, when the input had several problems.
    pub errors: Vec<FieldError>,
    /// The internal cause, for the log only.
    #[source]
    pub cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// How long the caller should wait before trying again, in seconds.
    pub retry_after: Option<u64>,
}

impl CoreError {
    /// A failure with a caller-facing detail.
    #[must_use]
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            cause: None,
            retry_after: None,
        }
    }

    /// An internal failure: the caller sees a generic message, the log sees `cause`.
    #[must_use]
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            code: ErrorCode::Internal,
            detail: "Fonds failed to complete the request; the server log has the cause".into(),
            errors: Vec::new(),
            cause: Some(Box::new(cause)),
            retry_after: None,
        }
    }

    /// Input with one or more field problems; the first one's code becomes the error's code.
    #[must_use]
    pub fn fields(errors: Vec<FieldError>) -> Self {
        let first = errors.first();
        let code = first
            .and_then(|e| code_from_str(&e.code))
            .unwrap_or(ErrorCode::ManifestInvalid);
        let detail = match (first, errors.len()) {
            (Some(e), 1) => format!("{}: {}", e.pointer, e.detail),
            (Some(e), n) => format!("{}: {} (and {} more problems)", e.pointer, e.detail, n - 1),
            (None, _) => "the manifest is invalid".to_owned(),
        };
        Self {
            code,
            detail,
            errors,
            cause: None,
            retry_after: None,
        }
    }
}

fn code_from_str(code: &str) -> Option<ErrorCode> {
    ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
}

impl From<StoreError> for CoreError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::RecordNotFound(id) => Self::new(
                ErrorCode::RecordNotFound,
                format!("record {id} does not exist"),
            ),
            StoreError::FondsNotFound(code) => Self::new(
                ErrorCode::FondsNotFound,
                format!("fonds {code} does not exist"),
            ),
            StoreError::Duplicate(detail) => Self::new(ErrorCode::RecordDuplicate, detail),
            StoreError::BusinessKeyTaken(detail) => Self::new(ErrorCode::BusinessKeyTaken, detail),
            StoreError::ArchivalCodeTaken(detail) => {
                Self::new(ErrorCode::ArchivalCodeTaken, detail)
            }
            StoreError::LoginTaken(login) => Self::new(
                ErrorCode::LoginTaken,
                format!("the login name `{login}` is taken; choose another"),
            ),
            StoreError::IdempotencyKeyTaken => Self::new(
                ErrorCode::IdempotencyKeyReused,
                "this idempotency key was used by a submission that is still being stored; retry",
            ),
            StoreError::Transition(e) => Self::new(ErrorCode::TransitionNotAllowed, e.to_string()),
            StoreError::DepartmentTaken(fonds, code) => Self::new(
                ErrorCode::DepartmentTaken,
                format!("fonds {fonds} already has a department {code}; choose another code"),
            ),
            StoreError::DepartmentNotFound(fonds, code) => Self::new(
                ErrorCode::DepartmentNotFound,
                format!(
                    "fonds {fonds} has no department {code}; `fonds department list` lists them"
                ),
            ),
            StoreError::OfficerSeparation(detail) => {
                Self::new(ErrorCode::OfficerSeparation, detail)
            }
            other => Self::internal(other),
        }
    }
}

impl From<BlobError> for CoreError {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::TooLarge { limit } => Self::new(
                ErrorCode::UploadTooLarge,
                format!(
                    "the upload exceeds the limit of {limit} bytes; send fewer or smaller files per submission"
                ),
            ),
            BlobError::RangeNotSatisfiable { start, end, size } => Self::new(
                ErrorCode::RangeNotSatisfiable,
                format!("bytes {start}..{end} lie outside a file of {size} bytes"),
            ),
            BlobError::Missing(sha) => Self {
                code: ErrorCode::BlobMissing,
                detail: format!(
                    "the stored file {sha} is missing; run `fonds verify` and restore from backup"
                ),
                errors: Vec::new(),
                cause: Some(Box::new(BlobError::Missing(sha))),
                retry_after: None,
            },
            other => Self::internal(other),
        }
    }
}
