//! Format identification from whole content: any bytes get a format with a non-empty id and a
//! policy with a reason, without a panic.

#![no_main]

use fonds_formats::identify::registry::FormatRegistry;
use fonds_formats::identify::{FORMAT_IDS, identify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let format = identify(data);
    assert!(!format.id().is_empty());
    assert!(FORMAT_IDS.contains(&format.id()));
    assert!(!format.media_type().is_empty());
    let (_, reason) = FormatRegistry::default().policy(&format);
    assert!(!reason.is_empty());
});
