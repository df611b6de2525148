//! The 数电票 XML reader as a sender controls it: any bytes give an invoice or an error without a
//! panic, the consistency check and the facts of an invoice it reads do not panic, and what it
//! reads renders to a document it reads again.

#![no_main]

use fonds_formats::einvoice::{read, render_xml};
use libfuzzer_sys::fuzz_target;

/// Inputs up to this size re-render within the reader's byte limit even when every character
/// grows to its longest escape.
const RE_RENDERABLE: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(invoice) = read(data) else {
        return;
    };
    let _ = invoice.inconsistencies();
    let facts = invoice.facts();
    assert_eq!(facts.number, invoice.number);
    assert!(
        facts.key().is_ok(),
        "a number the reader accepts is a 数电票 key"
    );
    if data.len() <= RE_RENDERABLE {
        let rendered = render_xml(&invoice);
        if let Err(error) = read(rendered.as_bytes()) {
            panic!("a rendered invoice does not read back: {error}\n{rendered}");
        }
    }
});
