//! Bounded inspection and text extraction of PDF files received from outside: e-invoices,
//! bank receipts and scanned documents submitted for archiving.
//!
//! [`inspect`] reports what the four-properties check needs to know about a PDF without
//! rendering it: its version and page count, whether it is encrypted, whether it carries active
//! content (JavaScript, embedded files, launch actions) and whether its XMP metadata claims
//! PDF/A conformance (DA/T 94 6.4 and GB/T 18894 8.3.2 allow PDF and PDF/A as archival layout
//! formats; DOMAIN.md §2.3). [`extract_text`] returns the text layer page by page, which is what
//! the PDF e-invoice reader (`pdf::invoice`) reads its fields from.
//!
//! Parsing is done by `lopdf`. Every input is first checked cheaply (size, `%PDF-` header,
//! `startxref` near the end) so that obviously wrong files are refused with a clear message
//! before the parser sees them, and the parser runs with bounded stream decompression; the
//! number of objects and pages is bounded after loading.

mod budget;
mod fields;
mod guard;
mod hazards;
mod invoice_text;
#[cfg(test)]
mod robustness;
#[cfg(test)]
mod tests;
mod xmp;

use lopdf::{Document, LoadOptions, Object, ObjectId};

use self::budget::Budget;

pub(in crate::pdf) use self::invoice_text::from_pages as invoice_from_text;

/// Bounds on what the readers accept, so that one hostile file cannot exhaust memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// The most pages a document may have.
    pub max_pages: usize,
    /// The most indirect objects a document may have.
    pub max_objects: usize,
    /// The most bytes any one stream may decompress to (content streams, object streams,
    /// metadata).
    pub max_stream_bytes: usize,
    /// The most bytes of decompressed page content text extraction decodes in the whole
    /// document, so that pages sharing one large content stream cannot multiply its cost.
    pub max_content_bytes: usize,
    /// The most characters of text extracted from the whole document.
    pub max_text_chars: usize,
}

impl Default for Limits {
    /// 64 MiB, 2000 pages, 500 000 objects, 16 MiB per decompressed stream, 256 MiB of page
    /// content and 4 million characters of text: far above any invoice, receipt or report, far
    /// below what would strain the server.
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            max_pages: 2000,
            max_objects: 500_000,
            max_stream_bytes: 16 * 1024 * 1024,
            max_content_bytes: 256 * 1024 * 1024,
            max_text_chars: 4_000_000,
        }
    }
}

/// What [`inspect`] found out about a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfInfo {
    /// The version in the file header, e.g. `1.7`.
    pub version: String,
    /// The number of pages in the page tree.
    pub page_count: usize,
    /// Whether the trailer has an `/Encrypt` dictionary. The document is reported as encrypted,
    /// never decrypted with a password; text is not extracted from it.
    pub encrypted: bool,
    /// Active content found anywhere in the document, in a fixed order, without repeats.
    pub hazards: Vec<Hazard>,
    /// The PDF/A conformance the XMP metadata claims, if it claims any. A claim is not proof:
    /// only a PDF/A validator can confirm it.
    pub pdfa: Option<PdfAClaim>,
    /// The document information `/Title`, decoded from its text-string encoding.
    pub title: Option<String>,
    /// The document information `/Producer`.
    pub producer: Option<String>,
    /// The document information `/CreationDate`, as written (e.g. `D:20240305093000+08'00'`).
    pub creation_date: Option<String>,
}

/// Active content a PDF for long-term keeping should not carry (PDF/A forbids all of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hazard {
    /// JavaScript: a document-level `/JavaScript` name tree or any JavaScript action.
    JavaScript,
    /// Embedded files: an `/EmbeddedFiles` name tree, a file specification with `/EF` or an
    /// embedded-file stream.
    EmbeddedFiles,
    /// A launch action, which starts an application or opens another file.
    Launch,
}

/// The PDF/A identification in a document's XMP metadata (`pdfaid:part`,
/// `pdfaid:conformance`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfAClaim {
    /// The part of ISO 19005 claimed: 1, 2, 3 or 4.
    pub part: u8,
    /// The conformance level as written, e.g. `A`, `B` or `U`; PDF/A-4 may have none.
    pub conformance: Option<String>,
}

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfReadError {
    /// The file is larger than the limit.
    #[error("the PDF is {size} bytes, more than the {limit} accepted: send a smaller file")]
    TooLarge {
        /// The file's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The file does not start with a PDF header.
    #[error("the file has no `%PDF-` header at its start, so it is not a PDF: send the PDF itself")]
    NotPdf,
    /// The file has no `startxref` near its end.
    #[error(
        "the PDF has no `startxref` near its end, so it is probably truncated: send the \
         complete file"
    )]
    Truncated,
    /// The PDF parser refused the file.
    #[error("the PDF could not be parsed ({0}): send an undamaged copy")]
    Malformed(String),
    /// The document has more pages than the limit.
    #[error("the PDF has more than the {limit} pages accepted: split the document")]
    TooManyPages {
        /// The limit.
        limit: usize,
    },
    /// The document has more objects than the limit.
    #[error("the PDF has {objects} objects, more than the {limit} accepted")]
    TooManyObjects {
        /// The number of objects.
        objects: usize,
        /// The limit.
        limit: usize,
    },
    /// The document is encrypted, so its text is not read.
    #[error(
        "the PDF is encrypted, so its text cannot be read: send the document without \
         encryption or password protection"
    )]
    Encrypted,
    /// The content of a page could not be decoded.
    #[error("the text of page {page} could not be read ({reason}): send an undamaged copy")]
    PageUnreadable {
        /// The page number, from 1.
        page: usize,
        /// What went wrong.
        reason: String,
    },
    /// The pages' content is larger, decompressed, than the limit.
    #[error(
        "the PDF's page content is more than the {limit} bytes accepted when decompressed: send \
         a smaller document"
    )]
    ContentTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The text layer is longer than the limit.
    #[error("the PDF's text is longer than the {limit} characters accepted")]
    TextTooLong {
        /// The limit, in characters.
        limit: usize,
    },
    /// The text layer has an 8-digit 发票号码 without the 发票代码 that completes it.
    #[error(
        "the PDF's text has 发票号码 {number} but no 发票代码 (10 or 12 digits), which an older \
         VAT e-invoice is identified by: send the invoice's XML or OFD file"
    )]
    NoInvoiceCode {
        /// The 8-digit number found.
        number: String,
    },
    /// The text layer has no invoice number.
    #[error(
        "no invoice number (发票号码) was found in the PDF's text layer; a scanned image has no \
         text layer: send the PDF as issued, or the invoice's XML or OFD file"
    )]
    NoInvoiceNumber,
}

/// Reports the version, page count, encryption, active content, PDF/A claim and document
/// information of a PDF.
///
/// # Errors
/// When the file is over the limits, is not a PDF, is truncated or cannot be parsed.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<PdfInfo, PdfReadError> {
    let loaded = load(bytes, limits)?;
    let doc = &loaded.document;
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|info| doc.dereference(info))
        .and_then(|(_, info)| info.as_dict())
        .ok();
    let info_text = |key: &[u8]| {
        let value = info?.get(key).ok()?;
        let (_, value) = doc.dereference(value).ok()?;
        lopdf::decode_text_string(value).ok()
    };
    Ok(PdfInfo {
        version: doc.version.clone(),
        page_count: loaded.pages.len(),
        encrypted: loaded.encrypted,
        hazards: hazards::scan(doc).into_iter().collect(),
        pdfa: metadata_stream(doc, limits).and_then(|xmp| xmp::pdfa_claim(&xmp)),
        title: info_text(b"Title"),
        producer: info_text(b"Producer"),
        creation_date: info_text(b"CreationDate"),
    })
}

/// Extracts the text layer, one string per page in page order, lines separated by `\n`.
///
/// Text is decoded through each font's ToUnicode map or its predefined CMap (e.g. the
/// `UniGB-UCS2-H` that Fonds' own PDFs and many Chinese e-invoices use). A page without text,
/// such as a scanned image, yields an empty or blank string.
///
/// # Errors
/// When the file cannot be loaded (see [`inspect`]), is encrypted, a page's content cannot be
/// decoded, or the decoded content or the text is larger than the limits.
pub fn extract_text(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, PdfReadError> {
    let loaded = load(bytes, limits)?;
    if loaded.encrypted {
        return Err(PdfReadError::Encrypted);
    }
    // LIMITATION: the text comes from lopdf's extraction, which follows the order of the content
    // stream, ignores where text is placed, and does not descend into form XObjects: text drawn
    // inside a form XObject is missed, and text objects that share a baseline come out as
    // separate lines. The invoice reader's label rules allow for the second; a layout-aware
    // extractor would be needed for the first.
    let doc = &loaded.document;
    let mut pages = Vec::with_capacity(loaded.pages.len());
    let mut chars = 0usize;
    let mut budget = Budget::new(limits);
    for (index, (number, id)) in loaded.pages.iter().enumerate() {
        budget.charge_page(doc, *id, index + 1)?;
        let text = doc
            .extract_text_with_limit(&[*number], limits.max_stream_bytes)
            .map_err(|error| PdfReadError::PageUnreadable {
                page: index + 1,
                reason: short(&error.to_string()),
            })?;
        chars = chars.saturating_add(text.chars().count());
        if chars > limits.max_text_chars {
            return Err(PdfReadError::TextTooLong {
                limit: limits.max_text_chars,
            });
        }
        pages.push(text);
    }
    Ok(pages)
}

/// A parsed document within the limits.
struct Loaded {
    document: Document,
    /// The page numbers and page objects of the page tree, in order.
    pages: Vec<(u32, ObjectId)>,
    encrypted: bool,
}

fn load(bytes: &[u8], limits: &Limits) -> Result<Loaded, PdfReadError> {
    guard::check(bytes, limits)?;
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_stream_bytes),
        ..LoadOptions::default()
    };
    // LIMITATION: lopdf has no time budget; parsing time is bounded only through the size
    // limits (input bytes, per-stream decompression), and the cross-reference rebuild it does
    // for damaged files scans the whole input.
    let document = Document::load_mem_with_options(bytes, options)
        .map_err(|error| PdfReadError::Malformed(short(&error.to_string())))?;
    if document.objects.len() > limits.max_objects {
        return Err(PdfReadError::TooManyObjects {
            objects: document.objects.len(),
            limit: limits.max_objects,
        });
    }
    // lopdf opens a document whose user password is empty by itself and then drops `/Encrypt`
    // from the trailer; `was_encrypted` remembers it. A document that needs a password keeps
    // `/Encrypt` and loads without its objects.
    // LIMITATION: so for a document that needs a password, inspection reports only the version
    // and the encryption (no pages, hazards, PDF/A claim or information), and for one with an
    // empty user password those come from the objects lopdf decrypted by itself.
    let encrypted = document.trailer.has(b"Encrypt") || document.was_encrypted();
    // The page tree is walked lazily and only one page past the limit, so a tree that repeats
    // one page millions of times costs no more than the limit.
    let pages: Vec<(u32, ObjectId)> = (1..)
        .zip(document.page_iter())
        .take(limits.max_pages.saturating_add(1))
        .collect();
    if pages.len() > limits.max_pages {
        return Err(PdfReadError::TooManyPages {
            limit: limits.max_pages,
        });
    }
    Ok(Loaded {
        document,
        pages,
        encrypted,
    })
}

/// The decoded XMP metadata stream of the catalog, if there is one that decodes.
fn metadata_stream(doc: &Document, limits: &Limits) -> Option<Vec<u8>> {
    let catalog = doc.catalog().ok()?;
    let (_, metadata) = doc.dereference(catalog.get(b"Metadata").ok()?).ok()?;
    match metadata {
        Object::Stream(stream) => stream
            .get_plain_content_with_limit(limits.max_stream_bytes)
            .ok(),
        _ => None,
    }
}

/// A parser message cut to a length fit for an error shown to the sender.
fn short(message: &str) -> String {
    const MAX: usize = 200;
    if message.chars().count() <= MAX {
        message.to_owned()
    } else {
        let mut cut: String = message.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}
