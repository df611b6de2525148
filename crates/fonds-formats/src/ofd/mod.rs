//! OFD (GB/T 33190-2016) e-invoices: a bounded reader and a writer of realistic test data.
//!
//! An OFD file is a ZIP package of XML files (DOMAIN.md §6.4). [`read`] opens it within
//! [`Limits`], refuses anything hostile with an [`OfdError`] that says what to do, and returns
//! an [`OfdDocument`]: the document information from `OFD.xml`, the page count, the invoice data
//! when the package carries it, and every signature with the recomputed digest of each file it
//! covers. [`render_invoice`] writes a deterministic package from an [`OfdInvoiceSpec`], with
//! [`Tamper`] variants for tests of the checks.
//!
//! Locations inside the package are resolved relative to the file that writes them (or from the
//! root when they start with `/`), falling back to the package root, since producers write both;
//! signature `FileRef`s are always taken from the package root, as the standard defines them.
//!
//! What is checked and what is not: reference digests (SM3, SHA-256) are recomputed and compared;
//! the SM2 seal signature in `SignedValue.dat` is located and measured but not verified
//! ([`SealSignatureCheck::NotVerified`]).

mod base64;
mod dates;
mod document;
mod error;
mod invoice;
mod package;
mod signature;
mod write;
mod xml;
mod zip_out;

#[cfg(test)]
mod tests;

pub use document::{CustomData, DocInfo};
pub use error::{OfdError, XmlProblem};
pub use invoice::{GoodsLine, InvoiceSource, OfdInvoice, Party};
pub use package::Limits;
pub use signature::{
    CheckMethod, DigestCheck, OfdSignature, Provider, ReferenceCheck, SealSignatureCheck,
    SignatureDetail, SignatureFile, SignatureKind, SignedValue, StampAnnot,
};
pub use write::{OfdInvoiceLine, OfdInvoiceSpec, Tamper, render_invoice};

use crate::invoice::InvoiceFacts;

/// An OFD document as read from its package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfdDocument {
    /// `DocInfo` from `OFD.xml`.
    pub info: DocInfo,
    /// The package path of the document root (`DocRoot`, usually `Doc_0/Document.xml`).
    pub doc_root: String,
    /// The package path of the signature list (`Signatures`), when the document has one.
    pub signatures_path: Option<String>,
    /// The number of `Pages/Page` entries in the document root.
    pub page_count: usize,
    /// The invoice data, when the package carries it (see [`OfdInvoice`] for where it is looked
    /// for).
    pub invoice: Option<OfdInvoice>,
    /// The signatures listed in the signature list, in order.
    pub signatures: Vec<OfdSignature>,
}

impl OfdDocument {
    /// The invoice facts, when the package carries invoice data.
    #[must_use]
    pub fn facts(&self) -> Option<InvoiceFacts> {
        self.invoice.as_ref().map(OfdInvoice::facts)
    }
}

/// Reads an OFD package.
///
/// # Errors
/// When the bytes are not a ZIP package, break a limit, are not an OFD document (no `OFD.xml`,
/// no document root), or an XML file or invoice field the reader needs is malformed. A signature
/// whose files are missing or whose digests differ is not an error: it is reported in
/// [`OfdDocument::signatures`].
pub fn read(bytes: &[u8], limits: &Limits) -> Result<OfdDocument, OfdError> {
    let package = package::Package::open(bytes, limits)?;
    let root = document::read_root(&package, limits)?;
    let body = document::read_body(&package, &root.doc_root, limits)?;
    let invoice = invoice::read_invoice(&package, &root.doc_root, &body, limits)?;
    let signatures = match &root.signatures {
        Some(path) => signature::read_signatures(&package, path, limits)?,
        None => Vec::new(),
    };
    Ok(OfdDocument {
        info: root.info,
        doc_root: root.doc_root,
        signatures_path: root.signatures,
        page_count: body.pages.len(),
        invoice,
        signatures,
    })
}
