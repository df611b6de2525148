//! The pure rules of an electronic accounting archive.
//!
//! Everything here is free of I/O and async: record kinds and their categories (Order 79 Art. 6),
//! retention tables and due dates (Order 79 Art. 14–15, DA/T 94 Annex B), the archival code
//! (档号, DA/T 94 8.7), the record lifecycle (DA/T 94 §5), the error vocabulary every layer
//! reports in ([`ErrorCode`]), and validated values such as [`FondsCode`], [`FiscalYear`],
//! [`Money`] and the digests. Values are built by parsing and cannot hold an invalid state; the
//! layers above only ever move them around.

pub mod access;
mod archival_code;
mod check;
mod client;
mod digest;
mod error_code;
mod file_role;
mod fonds;
mod ids;
mod invoice_key;
mod kind;
mod lifecycle;
mod link;
mod money;
mod period;
mod record;
mod retention;
mod voucher;

pub use archival_code::{
    ArchivalCode, ArchivalCodeError, ArchivalCodeParts, ArchivalCodePattern, PatternError,
};
pub use check::{
    CheckItem, CheckItemSpec, Occasion, Outcome, Property, Severity, Stage, UnknownCheckValue,
};
pub use client::{ClientId, ClientIdError, SigningAlgorithm};
pub use digest::{DigestError, Sha256Digest, Sm3Digest};
pub use error_code::{ErrorCode, ErrorKind, FieldError};
pub use file_role::{FileRole, UnknownFileRole};
pub use fonds::{Fonds, FondsCode, FondsCodeError};
pub use ids::{CheckRunId, FileId, IdError, RecordId, SubmissionId};
pub use invoice_key::{InvoiceKey, InvoiceKeyError};
pub use kind::{Category, RecordKind, UnknownRecordKind};
pub use lifecycle::{LifecycleState, TransitionError, UnknownLifecycleState};
pub use link::{BusinessKey, BusinessKeyError, LinkType, UnknownLinkType};
pub use money::{Money, MoneyError};
pub use period::{AccountingPeriod, FiscalYear, PeriodError};
pub use record::{Classification, RecordDescription, RecordError};
pub use retention::{
    RetentionDue, RetentionError, RetentionPeriod, RetentionRule, RetentionScheme, RetentionTable,
};
pub use voucher::{VoucherEntry, VoucherError, VoucherNumber, ensure_balanced};
