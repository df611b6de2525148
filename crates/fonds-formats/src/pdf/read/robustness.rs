//! Damaged and hostile input: deterministic mutations of valid PDFs must give an error or a
//! result, never a panic, from every public reader. The fuzz target `pdf_invoice` explores
//! further; this test keeps the known classes of damage covered in every test run.

use std::panic::{AssertUnwindSafe, catch_unwind};

use time::macros::datetime;

use super::{Limits, extract_text, inspect};
use crate::einvoice::{InvoiceData, InvoiceItem};
use crate::pdf::invoice::{InvoicePdfOptions, read_invoice_pdf, render_invoice_pdf_with};

/// A small deterministic generator (xorshift64*), so failures reproduce from their seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

/// Bytes that mean something to a PDF parser, to insert where they do the most damage.
const TOKENS: [&[u8]; 14] = [
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"<",
    b">",
    b"/",
    b" R",
    b"obj",
    b"endobj",
    b"stream\n",
    b"99999999999",
];

fn mutate(original: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut bytes = original.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len());
        match rng.below(5) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = u8::try_from(rng.below(256)).unwrap_or(0),
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            3 => {
                // Truncate, but keep a tail with `startxref` now and then so that the parser,
                // not only the cheap checks, sees a cut file.
                bytes.truncate(at);
                if rng.below(2) == 0 {
                    bytes.extend_from_slice(b"\nstartxref\n9\n%%EOF\n");
                }
            }
            _ => {
                let len = rng.below(64).min(bytes.len() - at);
                bytes.drain(at..at + len);
            }
        }
        if bytes.is_empty() {
            break;
        }
    }
    bytes
}

fn invoice() -> InvoiceData {
    let money = |fen| fonds_domain::Money::from_fen(fen);
    InvoiceData {
        number: "24442000000123456789".into(),
        issued_at: datetime!(2024-03-05 09:30:00),
        seller_name: "广州某某信息技术有限公司".into(),
        seller_tax_id: "91440101MA5XXXXX1K".into(),
        buyer_name: "示例集团有限公司".into(),
        buyer_tax_id: "91110000100000000X".into(),
        items: vec![InvoiceItem {
            name: "*信息技术服务*软件维护".into(),
            quantity: "1".into(),
            unit_price: money(100_000),
            amount: money(100_000),
            tax_rate: "6%".into(),
            tax: money(6000),
        }],
        total_amount: money(100_000),
        total_tax: money(6000),
        total_with_tax: money(106_000),
        red_letter: false,
        original_number: None,
        remarks: None,
    }
}

/// The rendered invoice re-saved by lopdf with Flate-compressed streams, object streams and a
/// cross-reference stream, so the mutations also reach the decompression and object-stream paths.
fn modern(pdf: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(mut doc) = lopdf::Document::load_mem(pdf) {
        doc.compress();
        let _ = doc.save_modern(&mut out);
    }
    assert!(!out.is_empty(), "lopdf re-saves the rendered invoice");
    out
}

/// The rendered invoice encrypted with an empty user password, which lopdf opens by itself, so
/// the mutations also reach decryption.
fn encrypted(pdf: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(mut doc) = lopdf::Document::load_mem(pdf) {
        let version = lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: "",
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        };
        if let Ok(state) = lopdf::EncryptionState::try_from(version)
            && doc.encrypt(&state).is_ok()
        {
            let _ = doc.save_to(&mut out);
        }
    }
    assert!(!out.is_empty(), "lopdf encrypts the rendered invoice");
    out
}

#[test]
fn no_mutation_of_a_valid_pdf_makes_a_reader_panic() {
    let plain = render_invoice_pdf_with(&invoice(), &InvoicePdfOptions::default());
    let vat = render_invoice_pdf_with(
        &invoice(),
        &InvoicePdfOptions {
            code: Some("044002100111".into()),
            drawer: Some("李会计".into()),
            omit_amount_in_words: true,
        },
    );
    let originals = [modern(&plain), encrypted(&plain), plain, vat];
    let limits = Limits::default();
    let mut panicked = Vec::new();
    for seed in 0..1000u64 {
        let original = &originals[usize::try_from(seed).unwrap_or(0) % originals.len()];
        let bytes = mutate(original, seed);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = inspect(&bytes, &limits);
            let _ = extract_text(&bytes, &limits);
            let _ = read_invoice_pdf(&bytes, &limits);
        }));
        if outcome.is_err() {
            panicked.push(seed);
        }
    }
    assert!(
        panicked.is_empty(),
        "readers panicked on seeds {panicked:?}"
    );
}

/// A file of the given objects whose cross-reference offset is wrong, so lopdf rebuilds the
/// table by scanning, as it does for many damaged files.
fn pdf_of(objects: &[&str]) -> Vec<u8> {
    let mut pdf = String::from("%PDF-1.7\n");
    for (i, body) in objects.iter().enumerate() {
        pdf.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    pdf.push_str("trailer\n<< /Root 1 0 R /Size 9 >>\nstartxref\n0\n%%EOF\n");
    pdf.into_bytes()
}

#[test]
fn hostile_structures_give_errors_or_results_without_panics() {
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let cases = [
        // A page tree whose node is its own kid.
        pdf_of(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ]),
        // Nesting far beyond any real file.
        pdf_of(&["<< /Type /Catalog /Pages 2 0 R >>", &deep]),
        // A stream whose length is itself.
        pdf_of(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            "<< /Length 4 0 R >>\nstream\nBT ET\nendstream",
        ]),
        // A content stream that claims to be Flate but is not.
        pdf_of(&[
            "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            "<< /Length 5 /Filter /FlateDecode >>\nstream\nBT ET\nendstream",
        ]),
        // A font whose ToUnicode map is not a stream and text with an undefined font.
        pdf_of(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length 40 >>\nstream\nBT /F1 9 Tf <4F1A> Tj /F9 1 Tf (x) ' ET\nendstream",
            "<< /Type /Font /Subtype /Type0 /Encoding /UniGB-UCS2-H /ToUnicode 1 0 R >>",
        ]),
    ];
    let limits = Limits::default();
    for (i, bytes) in cases.iter().enumerate() {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let _ = inspect(bytes, &limits);
            let _ = extract_text(bytes, &limits);
            let _ = read_invoice_pdf(bytes, &limits);
        }));
        assert!(outcome.is_ok(), "case {i} panicked");
    }
}
