//! Format identification from a file's whole content, and the registry of formats accepted for
//! long-term keeping (DA/T 94 6.4, GB/T 18894 8.3.2, DA/T 104 6.4.2).
//!
//! [`identify`] names what a file is from its bytes alone, never from its name or declared media
//! type, and reports what makes it unfit to keep as is ([`FileFormat::hazards`]: executable code,
//! script, macros, encryption). It serves the usability check of the four-properties test
//! (可用性: the format is on the allowed archival list, its signature matches, no non-public
//! compression or encryption blocks use). [`registry::FormatRegistry`] then says whether the
//! format is kept for the long term, accepted for conversion, or refused.
//!
//! Identification is bounded. Only the first [`HEAD_WINDOW`] bytes are examined, plus, for a
//! zip, the central directory (wherever it lies) and small XML parts of at most 256 KiB
//! decompressed, and for a PDF the last [`PDF_TAIL_WINDOW`] bytes, where the trailer sits. It is
//! not validation: a file that identifies as PDF/A merely claims to be one, and a damaged file
//! of a known format is found out by that format's own reader. The ingest gate
//! [`crate::sniff`] is a cheaper, head-only relative of this module.

mod binary;
mod bytes;
mod container;
mod describe;
mod format;
mod markup;
mod pdf;
pub mod registry;
mod script;
#[cfg(test)]
mod tests;
mod text;
mod zip_dir;

pub use self::describe::FORMAT_IDS;
pub use self::format::{
    CsvDelimiter, ExecutableKind, FileFormat, Hazard, OfficeApplication, OpenDocumentKind,
    PdfAClaim, ScriptKind,
};

/// The examined start of the content: 4 MiB.
pub const HEAD_WINDOW: usize = 4 * 1024 * 1024;

/// The examined end of a PDF: 64 KiB.
pub const PDF_TAIL_WINDOW: usize = 64 * 1024;

/// Names the format of `content` and what it carries. Never fails and never panics: anything
/// unrecognisable is [`FileFormat::Unknown`].
///
/// Signatures are tried in an order that keeps dangerous content from hiding behind a harmless
/// one: executables first (so a self-extracting archive is an executable, not a zip), then PDF,
/// images, OLE compound files, zip containers, RTF, and last the text formats.
#[must_use]
pub fn identify(content: &[u8]) -> FileFormat {
    let head = &content[..content.len().min(HEAD_WINDOW)];
    if head.is_empty() {
        return FileFormat::Unknown;
    }
    if let Some(kind) = binary::executable(head) {
        return FileFormat::Executable(kind);
    }
    if head.starts_with(b"%PDF-") {
        let tail = &content[content.len().saturating_sub(PDF_TAIL_WINDOW)..];
        return pdf::identify(head, tail);
    }
    if let Some(image) = binary::image(head) {
        return image;
    }
    if binary::is_ole(head) {
        return FileFormat::OleCompound {
            encrypted: binary::ole_has_encrypted_package(head),
        };
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return container::identify(content);
    }
    if head.starts_with(b"{\\rtf") {
        return FileFormat::Rtf;
    }
    text::identify(head, head.len() < content.len())
}
