//! The bank receipt and statement readers as a sender controls them: any bytes give a document or
//! an error from each reader without a panic, the consistency checks of what they read do not
//! panic, and what they read renders to a document they read again.

#![no_main]

use fonds_formats::bank::{read_receipt, read_statement, render_receipt_xml, render_statement_xml};
use libfuzzer_sys::fuzz_target;

/// Inputs up to this size re-render within the readers' byte limit even when every character
/// grows to its longest escape.
const RE_RENDERABLE: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    if let Ok(receipt) = read_receipt(data) {
        let _ = receipt.inconsistencies();
        if data.len() <= RE_RENDERABLE {
            let rendered = render_receipt_xml(&receipt);
            if let Err(error) = read_receipt(rendered.as_bytes()) {
                panic!("a rendered receipt does not read back: {error}\n{rendered}");
            }
        }
    }
    if let Ok(statement) = read_statement(data) {
        let _ = statement.inconsistencies();
        if data.len() <= RE_RENDERABLE {
            let rendered = render_statement_xml(&statement);
            if let Err(error) = read_statement(rendered.as_bytes()) {
                panic!("a rendered statement does not read back: {error}\n{rendered}");
            }
        }
    }
});
