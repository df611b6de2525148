//! The one error vocabulary of Fonds: every failure a caller can see has a stable snake_case
//! code and a kind that a transport maps to its own status, and every problem with one field of
//! the input names the field by a JSON pointer. The codes are plain data, so that the pure readers
//! of `fonds-formats` report problems in the same words as the application services.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What sort of failure it is, independent of any transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is malformed or breaks a rule; nothing was changed.
    Invalid,
    /// The request is malformed at the transport level (e.g. its body does not match its digest).
    BadRequest,
    /// The caller did not authenticate.
    Unauthenticated,
    /// The caller is known but may not do this.
    Forbidden,
    /// The caller sent too many bad requests and must wait.
    RateLimited,
    /// The thing asked for does not exist (or is not visible to the caller).
    NotFound,
    /// The thing asked for existed but is gone for good (a used or expired deep link).
    Gone,
    /// The request conflicts with what exists.
    Conflict,
    /// The lifecycle does not allow the change now.
    NotAllowed,
    /// The upload is larger than the configured limit.
    TooLarge,
    /// A byte range outside the file.
    RangeNotSatisfiable,
    /// A component Fonds depends on (the virus scanner) cannot be reached; try again later.
    Unavailable,
    /// Fonds failed; the log has the cause.
    Internal,
}

/// A stable error code, part of the public API. Never renamed once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The manifest is not valid JSON of the documented shape.
    ManifestMalformed,
    /// A manifest field breaks a rule.
    ManifestInvalid,
    /// A record kind Fonds does not know.
    RecordKindUnknown,
    /// A file part the manifest names is missing.
    FilePartMissing,
    /// A file part the manifest does not name.
    FilePartUnexpected,
    /// A file's declared SHA-256 differs from the bytes received.
    DigestMismatch,
    /// A 记账凭证 whose debits and credits differ.
    VoucherUnbalanced,
    /// A retention period shorter than the statutory minimum.
    RetentionBelowMinimum,
    /// The archival code is already taken in the fonds.
    ArchivalCodeTaken,
    /// The same voucher already exists.
    RecordDuplicate,
    /// A link or business key of an unknown type.
    LinkTypeUnknown,
    /// A business key already names another record.
    BusinessKeyTaken,
    /// The same item is already archived (DA/T 94 Annex C's "already archived" flag).
    RecordAlreadyArchived,
    /// The upload is too large.
    UploadTooLarge,
    /// The multipart body could not be read.
    MultipartMalformed,
    /// No such fonds.
    FondsNotFound,
    /// No such record.
    RecordNotFound,
    /// No such file.
    FileNotFound,
    /// No such route.
    RouteNotFound,
    /// No such submission (or not the caller's).
    SubmissionNotFound,
    /// The lifecycle forbids the change.
    TransitionNotAllowed,
    /// A query parameter is malformed.
    QueryInvalid,
    /// A byte range that cannot be served.
    RangeNotSatisfiable,
    /// Missing or wrong credentials.
    Unauthenticated,
    /// A file is missing from the store although its record points at it.
    BlobMissing,
    /// A signing header is missing or malformed.
    SignatureMissing,
    /// Unknown client.
    ClientUnknown,
    /// Client disabled.
    ClientDisabled,
    /// Signature does not verify.
    SignatureInvalid,
    /// Timestamp outside the allowed window.
    TimestampOutOfWindow,
    /// Nonce already used.
    NonceReused,
    /// Address not on the client's allow-list.
    AddressNotAllowed,
    /// The client has a pinned certificate and the connection presented none.
    ClientCertificateRequired,
    /// The connection presented a client certificate other than the pinned one.
    ClientCertificateMismatch,
    /// Body does not match its declared SHA-256.
    ContentDigestMismatch,
    /// Outside the client's scope.
    ClientScopeDenied,
    /// Idempotency key reused with a different body.
    IdempotencyKeyReused,
    /// Too many bad requests.
    RateLimited,
    /// The request breaks a rule.
    RequestInvalid,
    /// No deep link has this token.
    DeepLinkUnknown,
    /// The deep link was opened before; it works once only.
    DeepLinkUsed,
    /// The deep link expired before it was opened.
    DeepLinkExpired,
    /// An item of the four-properties check failed.
    CheckFailed,
    /// The virus scan found malicious content.
    VirusFound,
    /// The invoice was booked before, in this or another fonds.
    InvoiceAlreadyBooked,
    /// The virus scanner is configured but cannot be reached.
    ScannerUnavailable,
    /// No such check run.
    CheckRunNotFound,
    /// A check item Fonds does not know.
    CheckItemUnknown,
    /// The login name or password is wrong (one answer for both).
    LoginFailed,
    /// The account is locked after failed logins, or by an administrator.
    AccountLocked,
    /// The session cookie names a session that timed out or was ended.
    SessionExpired,
    /// A cookie-authenticated change without its `X-CSRF-Token`.
    CsrfTokenMissing,
    /// A cookie-authenticated change whose `X-CSRF-Token` is not the session's.
    CsrfTokenInvalid,
    /// Another account has this login name.
    LoginTaken,
    /// No such session (or not the caller's).
    SessionNotFound,
    /// The session waits for the second factor (a TOTP or recovery code) before anything else.
    SecondFactorRequired,
    /// A second factor is required of the person and none is enrolled: enrol first.
    SecondFactorEnrolmentRequired,
    /// The TOTP or recovery code is wrong, or was used before.
    SecondFactorFailed,
    /// The person has an active second factor already.
    SecondFactorAlreadyEnrolled,
    /// No enrolment is pending to confirm, or the session is not waiting for a second factor.
    SecondFactorNotPending,
    /// The password is shorter than the policy allows.
    PasswordTooShort,
    /// The password mixes too few character classes.
    PasswordTooSimple,
    /// The password contains the login or display name.
    PasswordContainsName,
    /// The password is one of the most common passwords.
    PasswordTooCommon,
    /// The caller's roles do not include the permission the action needs.
    PermissionDenied,
    /// The records named lie outside the caller's data scope.
    ScopeDenied,
    /// A grant would make a person hold an officer's role beside another role (三员分立).
    OfficerSeparation,
    /// No such department.
    DepartmentNotFound,
    /// The fonds already has a department with this code.
    DepartmentTaken,
    /// No such grant, or it was revoked already.
    GrantNotFound,
    /// Anything else.
    Internal,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [Self; 71] = [
        Self::ManifestMalformed,
        Self::ManifestInvalid,
        Self::RecordKindUnknown,
        Self::FilePartMissing,
        Self::FilePartUnexpected,
        Self::DigestMismatch,
        Self::VoucherUnbalanced,
        Self::RetentionBelowMinimum,
        Self::ArchivalCodeTaken,
        Self::RecordDuplicate,
        Self::LinkTypeUnknown,
        Self::BusinessKeyTaken,
        Self::RecordAlreadyArchived,
        Self::UploadTooLarge,
        Self::MultipartMalformed,
        Self::FondsNotFound,
        Self::RecordNotFound,
        Self::FileNotFound,
        Self::RouteNotFound,
        Self::SubmissionNotFound,
        Self::TransitionNotAllowed,
        Self::QueryInvalid,
        Self::RangeNotSatisfiable,
        Self::Unauthenticated,
        Self::BlobMissing,
        Self::SignatureMissing,
        Self::ClientUnknown,
        Self::ClientDisabled,
        Self::SignatureInvalid,
        Self::TimestampOutOfWindow,
        Self::NonceReused,
        Self::AddressNotAllowed,
        Self::ClientCertificateRequired,
        Self::ClientCertificateMismatch,
        Self::ContentDigestMismatch,
        Self::ClientScopeDenied,
        Self::IdempotencyKeyReused,
        Self::RateLimited,
        Self::RequestInvalid,
        Self::DeepLinkUnknown,
        Self::DeepLinkUsed,
        Self::DeepLinkExpired,
        Self::CheckFailed,
        Self::VirusFound,
        Self::InvoiceAlreadyBooked,
        Self::ScannerUnavailable,
        Self::CheckRunNotFound,
        Self::CheckItemUnknown,
        Self::LoginFailed,
        Self::AccountLocked,
        Self::SessionExpired,
        Self::CsrfTokenMissing,
        Self::CsrfTokenInvalid,
        Self::LoginTaken,
        Self::SessionNotFound,
        Self::SecondFactorRequired,
        Self::SecondFactorEnrolmentRequired,
        Self::SecondFactorFailed,
        Self::SecondFactorAlreadyEnrolled,
        Self::SecondFactorNotPending,
        Self::PasswordTooShort,
        Self::PasswordTooSimple,
        Self::PasswordContainsName,
        Self::PasswordTooCommon,
        Self::PermissionDenied,
        Self::ScopeDenied,
        Self::OfficerSeparation,
        Self::DepartmentNotFound,
        Self::DepartmentTaken,
        Self::GrantNotFound,
        Self::Internal,
    ];

    /// The wire code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ManifestMalformed => "manifest_malformed",
            Self::ManifestInvalid => "manifest_invalid",
            Self::RecordKindUnknown => "record_kind_unknown",
            Self::FilePartMissing => "file_part_missing",
            Self::FilePartUnexpected => "file_part_unexpected",
            Self::DigestMismatch => "digest_mismatch",
            Self::VoucherUnbalanced => "voucher_unbalanced",
            Self::RetentionBelowMinimum => "retention_below_minimum",
            Self::ArchivalCodeTaken => "archival_code_taken",
            Self::RecordDuplicate => "record_duplicate",
            Self::LinkTypeUnknown => "link_type_unknown",
            Self::BusinessKeyTaken => "business_key_taken",
            Self::RecordAlreadyArchived => "record_already_archived",
            Self::UploadTooLarge => "upload_too_large",
            Self::MultipartMalformed => "multipart_malformed",
            Self::FondsNotFound => "fonds_not_found",
            Self::RecordNotFound => "record_not_found",
            Self::FileNotFound => "file_not_found",
            Self::RouteNotFound => "route_not_found",
            Self::SubmissionNotFound => "submission_not_found",
            Self::TransitionNotAllowed => "transition_not_allowed",
            Self::QueryInvalid => "query_invalid",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::Unauthenticated => "unauthenticated",
            Self::BlobMissing => "blob_missing",
            Self::SignatureMissing => "signature_missing",
            Self::ClientUnknown => "client_unknown",
            Self::ClientDisabled => "client_disabled",
            Self::SignatureInvalid => "signature_invalid",
            Self::TimestampOutOfWindow => "timestamp_out_of_window",
            Self::NonceReused => "nonce_reused",
            Self::AddressNotAllowed => "address_not_allowed",
            Self::ClientCertificateRequired => "client_certificate_required",
            Self::ClientCertificateMismatch => "client_certificate_mismatch",
            Self::ContentDigestMismatch => "content_digest_mismatch",
            Self::ClientScopeDenied => "client_scope_denied",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::RateLimited => "rate_limited",
            Self::RequestInvalid => "request_invalid",
            Self::DeepLinkUnknown => "deep_link_unknown",
            Self::DeepLinkUsed => "deep_link_used",
            Self::DeepLinkExpired => "deep_link_expired",
            Self::CheckFailed => "check_failed",
            Self::VirusFound => "virus_found",
            Self::InvoiceAlreadyBooked => "invoice_already_booked",
            Self::ScannerUnavailable => "scanner_unavailable",
            Self::CheckRunNotFound => "check_run_not_found",
            Self::CheckItemUnknown => "check_item_unknown",
            Self::LoginFailed => "login_failed",
            Self::AccountLocked => "account_locked",
            Self::SessionExpired => "session_expired",
            Self::CsrfTokenMissing => "csrf_token_missing",
            Self::CsrfTokenInvalid => "csrf_token_invalid",
            Self::LoginTaken => "login_taken",
            Self::SessionNotFound => "session_not_found",
            Self::SecondFactorRequired => "second_factor_required",
            Self::SecondFactorEnrolmentRequired => "second_factor_enrolment_required",
            Self::SecondFactorFailed => "second_factor_failed",
            Self::SecondFactorAlreadyEnrolled => "second_factor_already_enrolled",
            Self::SecondFactorNotPending => "second_factor_not_pending",
            Self::PasswordTooShort => "password_too_short",
            Self::PasswordTooSimple => "password_too_simple",
            Self::PasswordContainsName => "password_contains_name",
            Self::PasswordTooCommon => "password_too_common",
            Self::PermissionDenied => "permission_denied",
            Self::ScopeDenied => "scope_denied",
            Self::OfficerSeparation => "officer_separation",
            Self::DepartmentNotFound => "department_not_found",
            Self::DepartmentTaken => "department_taken",
            Self::GrantNotFound => "grant_not_found",
            Self::Internal => "internal",
        }
    }

    /// The kind of failure.
    #[must_use]
    pub const fn kind(self) -> ErrorKind {
        match self {
            Self::ManifestMalformed
            | Self::ManifestInvalid
            | Self::RecordKindUnknown
            | Self::FilePartMissing
            | Self::FilePartUnexpected
            | Self::DigestMismatch
            | Self::VoucherUnbalanced
            | Self::RetentionBelowMinimum
            | Self::MultipartMalformed
            | Self::QueryInvalid
            | Self::LinkTypeUnknown => ErrorKind::Invalid,
            Self::ArchivalCodeTaken
            | Self::RecordDuplicate
            | Self::RecordAlreadyArchived
            | Self::BusinessKeyTaken => ErrorKind::Conflict,
            Self::UploadTooLarge => ErrorKind::TooLarge,
            Self::FondsNotFound
            | Self::RecordNotFound
            | Self::FileNotFound
            | Self::RouteNotFound
            | Self::SubmissionNotFound => ErrorKind::NotFound,
            Self::TransitionNotAllowed => ErrorKind::NotAllowed,
            Self::RangeNotSatisfiable => ErrorKind::RangeNotSatisfiable,
            Self::Unauthenticated => ErrorKind::Unauthenticated,
            Self::BlobMissing | Self::Internal => ErrorKind::Internal,
            Self::SignatureMissing
            | Self::ClientUnknown
            | Self::SignatureInvalid
            | Self::TimestampOutOfWindow
            | Self::NonceReused
            | Self::ClientCertificateRequired
            | Self::ClientCertificateMismatch => ErrorKind::Unauthenticated,
            Self::ClientDisabled | Self::AddressNotAllowed | Self::ClientScopeDenied => {
                ErrorKind::Forbidden
            }
            Self::ContentDigestMismatch => ErrorKind::BadRequest,
            Self::IdempotencyKeyReused => ErrorKind::Conflict,
            Self::RateLimited => ErrorKind::RateLimited,
            Self::RequestInvalid => ErrorKind::Invalid,
            Self::DeepLinkUnknown => ErrorKind::NotFound,
            Self::DeepLinkUsed | Self::DeepLinkExpired => ErrorKind::Gone,
            Self::CheckFailed | Self::VirusFound | Self::CheckItemUnknown => ErrorKind::Invalid,
            Self::LoginFailed => ErrorKind::Unauthenticated,
            Self::AccountLocked => ErrorKind::RateLimited,
            Self::SessionExpired => ErrorKind::Unauthenticated,
            Self::CsrfTokenMissing => ErrorKind::Forbidden,
            Self::CsrfTokenInvalid => ErrorKind::Forbidden,
            Self::LoginTaken => ErrorKind::Conflict,
            Self::SessionNotFound => ErrorKind::NotFound,
            Self::SecondFactorRequired => ErrorKind::Unauthenticated,
            Self::SecondFactorEnrolmentRequired => ErrorKind::Forbidden,
            Self::SecondFactorFailed => ErrorKind::Unauthenticated,
            Self::SecondFactorAlreadyEnrolled => ErrorKind::Conflict,
            Self::SecondFactorNotPending => ErrorKind::Conflict,
            Self::PasswordTooShort => ErrorKind::Invalid,
            Self::PasswordTooSimple => ErrorKind::Invalid,
            Self::PasswordContainsName => ErrorKind::Invalid,
            Self::PasswordTooCommon => ErrorKind::Invalid,
            Self::InvoiceAlreadyBooked => ErrorKind::Conflict,
            Self::ScannerUnavailable => ErrorKind::Unavailable,
            Self::CheckRunNotFound => ErrorKind::NotFound,
            Self::PermissionDenied => ErrorKind::Forbidden,
            Self::ScopeDenied => ErrorKind::Forbidden,
            Self::OfficerSeparation => ErrorKind::Conflict,
            Self::DepartmentNotFound => ErrorKind::NotFound,
            Self::DepartmentTaken => ErrorKind::Conflict,
            Self::GrantNotFound => ErrorKind::NotFound,
        }
    }

    /// A short English title for the code.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Self::ManifestMalformed => "The manifest could not be read",
            Self::ManifestInvalid => "The manifest breaks a rule",
            Self::RecordKindUnknown => "Unknown record kind",
            Self::FilePartMissing => "A file part is missing",
            Self::FilePartUnexpected => "A file part is not named in the manifest",
            Self::DigestMismatch => "A file does not match its declared digest",
            Self::VoucherUnbalanced => "Voucher entries do not balance",
            Self::RetentionBelowMinimum => "Retention period below the statutory minimum",
            Self::ArchivalCodeTaken => "Archival code already taken",
            Self::RecordDuplicate => "Record already exists",
            Self::LinkTypeUnknown => "Unknown link type",
            Self::BusinessKeyTaken => "Business key already taken",
            Self::RecordAlreadyArchived => "Record already archived",
            Self::UploadTooLarge => "Upload too large",
            Self::MultipartMalformed => "The multipart body could not be read",
            Self::FondsNotFound => "Fonds not found",
            Self::RecordNotFound => "Record not found",
            Self::FileNotFound => "File not found",
            Self::RouteNotFound => "No such route",
            Self::SubmissionNotFound => "Submission not found",
            Self::TransitionNotAllowed => "Lifecycle change not allowed",
            Self::QueryInvalid => "Invalid query parameter",
            Self::RangeNotSatisfiable => "Range not satisfiable",
            Self::Unauthenticated => "Authentication required",
            Self::BlobMissing => "Stored file missing",
            Self::SignatureMissing => "A signing header is missing or malformed",
            Self::ClientUnknown => "Unknown client",
            Self::ClientDisabled => "Client disabled",
            Self::SignatureInvalid => "Signature does not verify",
            Self::TimestampOutOfWindow => "Timestamp outside the allowed window",
            Self::NonceReused => "Nonce already used",
            Self::AddressNotAllowed => "Address not on the client's allow-list",
            Self::ClientCertificateRequired => "The client's pinned certificate was not presented",
            Self::ClientCertificateMismatch => "Client certificate is not the pinned one",
            Self::ContentDigestMismatch => "Body does not match its declared SHA-256",
            Self::ClientScopeDenied => "Outside the client's scope",
            Self::IdempotencyKeyReused => "Idempotency key reused with a different body",
            Self::RateLimited => "Too many bad requests",
            Self::RequestInvalid => "The request breaks a rule",
            Self::DeepLinkUnknown => "Deep link not found",
            Self::DeepLinkUsed => "Deep link already used",
            Self::DeepLinkExpired => "Deep link expired",
            Self::CheckFailed => "A four-properties check item failed",
            Self::VirusFound => "Malicious content found",
            Self::InvoiceAlreadyBooked => "Invoice already booked",
            Self::ScannerUnavailable => "The virus scanner cannot be reached",
            Self::CheckRunNotFound => "Check run not found",
            Self::CheckItemUnknown => "Unknown check item",
            Self::LoginFailed => "Login failed",
            Self::AccountLocked => "Account locked",
            Self::SessionExpired => "Session expired",
            Self::CsrfTokenMissing => "CSRF token missing",
            Self::CsrfTokenInvalid => "CSRF token invalid",
            Self::LoginTaken => "Login name taken",
            Self::SessionNotFound => "Session not found",
            Self::SecondFactorRequired => "Second factor required",
            Self::SecondFactorEnrolmentRequired => "Second factor enrolment required",
            Self::SecondFactorFailed => "Second factor failed",
            Self::SecondFactorAlreadyEnrolled => "Second factor already enrolled",
            Self::SecondFactorNotPending => "No second factor pending",
            Self::PasswordTooShort => "Password too short",
            Self::PasswordTooSimple => "Password too simple",
            Self::PasswordContainsName => "Password contains a name",
            Self::PasswordTooCommon => "Password too common",
            Self::PermissionDenied => "Permission denied",
            Self::ScopeDenied => "Outside the caller's data scope",
            Self::OfficerSeparation => "Three-officer separation",
            Self::DepartmentNotFound => "Department not found",
            Self::DepartmentTaken => "Department code taken",
            Self::GrantNotFound => "Grant not found",
            Self::Internal => "Internal error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field of the input, located by a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Where, e.g. `/records/3/entries`.
    pub pointer: String,
    /// The specific code.
    pub code: String,
    /// What is wrong and what is expected.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_code_has_its_own_snake_case_wire_name() {
        let names: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for name in names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name} is not snake_case"
            );
        }
    }

    #[test]
    fn a_code_displays_as_its_wire_name() {
        assert_eq!(
            ErrorCode::ManifestMalformed.to_string(),
            "manifest_malformed"
        );
        assert_eq!(ErrorCode::DeepLinkUsed.kind(), ErrorKind::Gone);
    }

    #[test]
    fn a_field_error_keeps_its_json_shape() -> Result<(), serde_json::Error> {
        let error = FieldError {
            pointer: "/records/0/kind".into(),
            code: ErrorCode::RecordKindUnknown.as_str().into(),
            detail: "unknown".into(),
        };
        let json = serde_json::to_value(&error)?;
        assert_eq!(
            json,
            serde_json::json!({"pointer": "/records/0/kind", "code": "record_kind_unknown", "detail": "unknown"})
        );
        assert_eq!(serde_json::from_value::<FieldError>(json)?, error);
        Ok(())
    }
}
