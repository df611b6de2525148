//! A minimal PDF writer for the documents Fonds generates: demonstration vouchers,
//! reimbursement forms, bank receipts, registers and reports.
//!
//! The output is PDF 1.7 with uncompressed content streams on A4 pages, in the non-embedded
//! standard CJK font STSong-Light so that Chinese text displays and can be extracted. Rendering
//! is deterministic: the same document yields the same bytes, including the file identifier,
//! which is derived from the content rather than from a clock or a random source, so generated
//! documents have stable digests.

mod font;
pub mod invoice;
mod layout;
pub mod read;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use time::PrimitiveDateTime;

use self::layout::{FOOTER_BASELINE, FOOTER_SIZE, MARGIN, Mark, PAGE_HEIGHT, PAGE_WIDTH};

/// A document to render.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfDocument {
    /// The document title, stored in the document information.
    pub title: String,
    /// The subject, stored in the document information when given.
    pub subject: Option<String>,
    /// The creation date stored in the document information, as local time without an offset.
    pub creation_date: PrimitiveDateTime,
    /// The content, top to bottom.
    pub lines: Vec<PdfLine>,
}

/// One element of the content. Text longer than the page is wide wraps onto further lines, and
/// `\n` starts a new line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfLine {
    /// A heading in a larger size.
    Heading(String),
    /// A paragraph of body text.
    Text(String),
    /// A label and its value in two columns, e.g. 报销人 / 张三.
    KeyValue(String, String),
    /// A horizontal line across the page.
    Rule,
}

/// Fixed object numbers; page objects follow, two per page (the page and its content stream).
const CATALOG: usize = 1;
const PAGES: usize = 2;
const FONT: usize = 3;
const CID_FONT: usize = 4;
const DESCRIPTOR: usize = 5;
const TO_UNICODE: usize = 6;
const INFO: usize = 7;
const FIRST_PAGE: usize = 8;

/// Renders the document as a complete PDF file.
#[must_use]
pub fn render(doc: &PdfDocument) -> Vec<u8> {
    let pages = layout::paginate(&doc.lines);
    let mut used_high_bytes = BTreeSet::new();
    let contents: Vec<String> = pages
        .iter()
        .enumerate()
        .map(|(i, marks)| content_stream(marks, i + 1, pages.len(), &mut used_high_bytes))
        .collect();

    let mut pdf = Writer::new();
    pdf.object(
        CATALOG,
        &format!("<< /Type /Catalog /Pages {PAGES} 0 R /Lang (zh-CN) >>"),
    );
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", FIRST_PAGE + 2 * i))
        .collect();
    pdf.object(
        PAGES,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ),
    );
    pdf.object(FONT, &font::type0(CID_FONT, TO_UNICODE));
    pdf.object(CID_FONT, &font::cid_font(DESCRIPTOR));
    pdf.object(DESCRIPTOR, font::descriptor());
    pdf.stream(TO_UNICODE, &font::to_unicode_cmap(&used_high_bytes));
    pdf.object(INFO, &info(doc));
    for (i, content) in contents.iter().enumerate() {
        let page = FIRST_PAGE + 2 * i;
        pdf.object(
            page,
            &format!(
                "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << /F1 {FONT} 0 R >> >> /Contents {} 0 R >>",
                number(PAGE_WIDTH),
                number(PAGE_HEIGHT),
                page + 1
            ),
        );
        pdf.stream(page + 1, content);
    }
    pdf.finish()
}

/// The drawing operators of one page, with its page number at the foot.
fn content_stream(marks: &[Mark], page: usize, pages: usize, highs: &mut BTreeSet<u8>) -> String {
    let mut out = String::new();
    let mut text = |out: &mut String, x: f32, y: f32, size: f32, text: &str| {
        font::high_bytes(text, highs);
        let _ = writeln!(
            out,
            "BT /F1 {} Tf {} {} Td {} Tj ET",
            number(size),
            number(x),
            number(y),
            font::hex_string(text)
        );
    };
    for mark in marks {
        match mark {
            Mark::Text { text: t, .. } if t.is_empty() => {}
            Mark::Text {
                x,
                y,
                size,
                text: t,
            } => text(&mut out, *x, *y, *size, t),
            Mark::Rule { y } => {
                let _ = writeln!(
                    out,
                    "0.6 w {} {y} m {} {y} l S",
                    number(MARGIN),
                    number(PAGE_WIDTH - MARGIN),
                    y = number(*y)
                );
            }
        }
    }
    let footer = format!("{page} / {pages}");
    let x = (PAGE_WIDTH - font::text_width(&footer, FOOTER_SIZE)) / 2.0;
    text(&mut out, x, FOOTER_BASELINE, FOOTER_SIZE, &footer);
    out
}

/// The document information dictionary.
fn info(doc: &PdfDocument) -> String {
    let mut info = format!("<< /Title {}", text_string(&doc.title));
    if let Some(subject) = &doc.subject {
        let _ = write!(info, " /Subject {}", text_string(subject));
    }
    let at = doc.creation_date;
    let _ = write!(
        info,
        " /Producer (Fonds) /CreationDate (D:{:04}{:02}{:02}{:02}{:02}{:02}) >>",
        at.year().clamp(0, 9999),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    info
}

/// A PDF text string as UTF-16BE with a byte-order mark, in hex so no escaping is needed.
fn text_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// A coordinate with at most two decimals and no trailing zeros, e.g. `56`, `10.5`, `595.28`.
fn number(value: f32) -> String {
    let fixed = format!("{value:.2}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Serialises numbered objects and records where each starts, for the cross-reference table.
struct Writer {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Writer {
    fn new() -> Self {
        // The comment of four high bytes tells transfer tools the file is binary.
        Self {
            out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            offsets: Vec::new(),
        }
    }

    /// Writes object `number`, which must be the next in sequence.
    fn object(&mut self, number: usize, body: &str) {
        debug_assert_eq!(
            number,
            self.offsets.len() + 1,
            "objects are written in order"
        );
        self.offsets.push(self.out.len());
        self.out
            .extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
    }

    fn stream(&mut self, number: usize, data: &str) {
        let body = format!("<< /Length {} >>\nstream\n{data}\nendstream", data.len());
        self.object(number, &body);
    }

    /// Appends the cross-reference table and the trailer.
    fn finish(mut self) -> Vec<u8> {
        let id = fingerprint(&self.out);
        let xref = self.out.len();
        let size = self.offsets.len() + 1;
        let mut tail = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for offset in &self.offsets {
            let _ = writeln!(tail, "{offset:010} 00000 n ");
        }
        let _ = write!(
            tail,
            "trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R /ID [<{id}> <{id}>] >>\n\
             startxref\n{xref}\n%%EOF\n"
        );
        self.out.extend_from_slice(tail.as_bytes());
        self.out
    }
}

/// A 128-bit identifier of the file body: two FNV-1a passes with different offset bases. The
/// identifier only has to tell files apart, not resist forgery, so no cryptographic hash is
/// needed.
fn fingerprint(bytes: &[u8]) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01B3;
    let fnv = |basis: u64| {
        bytes
            .iter()
            .fold(basis, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(PRIME))
    };
    format!(
        "{:016X}{:016X}",
        fnv(0xCBF2_9CE4_8422_2325),
        fnv(0x6C62_272E_07BB_0142)
    )
}
