//! A PDF as a sender controls it: any bytes must be inspected or refused, and read as an invoice
//! or refused, without a panic; what inspection reports must be consistent with itself.

#![no_main]

use fonds_formats::pdf::invoice::read_invoice_pdf;
use fonds_formats::pdf::read::{Limits, inspect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(info) = inspect(data, &limits) {
        assert!(info.page_count <= limits.max_pages, "the page limit holds");
        assert!(
            info.hazards.windows(2).all(|pair| pair[0] < pair[1]),
            "hazards are listed once each, in order"
        );
    }
    if let Ok(invoice) = read_invoice_pdf(data, &limits) {
        // The key was validated when read, so the facts give it back.
        assert_eq!(invoice.facts().key().ok(), Some(invoice.key.clone()));
    }
});
