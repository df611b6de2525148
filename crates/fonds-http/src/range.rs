//! Reading the `Range` header (RFC 9110 §14.2). Only a single range in bytes is honoured; any
//! other form is ignored and the whole file is served, as the RFC allows.

use fonds_core::ByteRange;

/// The range asked for, or `None` to serve the whole file.
#[must_use]
pub fn parse(header: &str) -> Option<ByteRange> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.trim(), last.trim()) {
        ("", suffix) => number(suffix).map(ByteRange::Suffix),
        (first, "") => number(first).map(ByteRange::From),
        (first, last) => Some(ByteRange::Closed {
            first: number(first)?,
            last: number(last)?,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_byte_ranges_are_read_and_everything_else_ignored() {
        assert_eq!(
            parse("bytes=0-99"),
            Some(ByteRange::Closed { first: 0, last: 99 })
        );
        assert_eq!(parse("bytes=100-"), Some(ByteRange::From(100)));
        assert_eq!(parse("bytes=-5"), Some(ByteRange::Suffix(5)));
        for ignored in ["bytes=0-1,5-6", "items=0-1", "bytes=a-b", "bytes=-", "0-1"] {
            assert_eq!(parse(ignored), None, "{ignored}");
        }
    }
}
