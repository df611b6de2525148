//! The import register (DA/T 94 Table F.1 as CSV): any bytes must be read into rows or refused,
//! within the limits, without a panic.

#![no_main]

use fonds_formats::register::{RegisterLimits, read_register};
use libfuzzer_sys::fuzz_target;

/// Small limits, so that the limit checks themselves are reached.
const LIMITS: RegisterLimits = RegisterLimits {
    max_rows: 16,
    max_field_chars: 64,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = read_register(data, &LIMITS) {
        assert!(rows.len() <= LIMITS.max_rows, "more rows than the limit");
    }
});
