//! Format identification from a file's head: any bytes get a format, without a panic.

#![no_main]

use fonds_formats::sniff::identify;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let identified = identify(data);
    assert!(!identified.media_type.is_empty());
});
