//! A minimal ZIP writer for the packages Fonds generates: stored (uncompressed) entries, UTF-8
//! names, one fixed timestamp. It is infallible and byte-for-byte deterministic, independent of
//! the `zip` crate's version, so the same invoice always has the same digest.
//!
//! It writes no ZIP64 records: generated packages are a few kilobytes, far below the 4 GiB and
//! 65 535-entry limits of plain ZIP (larger values would be written saturated, i.e. wrong, and
//! the reader would refuse the package).

/// An MS-DOS date and time as ZIP headers hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DosTime {
    pub(super) time: u16,
    pub(super) date: u16,
}

impl DosTime {
    /// From a calendar date and time; years before 1980 are written as 1980.
    pub(super) fn from_datetime(at: time::PrimitiveDateTime) -> Self {
        let year = u16::try_from(at.year().clamp(1980, 2107) - 1980).unwrap_or(0);
        Self {
            time: (u16::from(at.hour()) << 11)
                | (u16::from(at.minute()) << 5)
                | u16::from(at.second() / 2),
            date: (year << 9) | (u16::from(u8::from(at.month())) << 5) | u16::from(at.day()),
        }
    }
}

/// One entry to write, with sizes that may be overridden to build malformed test packages.
#[derive(Debug, Clone)]
pub(super) struct Entry<'a> {
    pub(super) name: &'a str,
    pub(super) data: &'a [u8],
    /// The uncompressed size written in the headers; the real size when `None`.
    pub(super) declared_size: Option<u32>,
}

impl<'a> Entry<'a> {
    pub(super) fn new(name: &'a str, data: &'a [u8]) -> Self {
        Self {
            name,
            data,
            declared_size: None,
        }
    }
}

/// The ZIP archive of `entries`, in the given order.
pub(super) fn stored_zip(entries: &[Entry<'_>], at: DosTime) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = len32(out.len());
        let crc = crc32(entry.data);
        let size = len32(entry.data.len());
        let declared = entry.declared_size.unwrap_or(size);
        let name = entry.name.as_bytes();
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);

        put32(&mut out, 0x0403_4b50);
        put16(&mut out, 20); // version needed: 2.0
        put16(&mut out, 0x0800); // names are UTF-8
        put16(&mut out, 0); // stored
        put16(&mut out, at.time);
        put16(&mut out, at.date);
        put32(&mut out, crc);
        put32(&mut out, size);
        put32(&mut out, declared);
        put16(&mut out, name_len);
        put16(&mut out, 0); // no extra field
        out.extend_from_slice(name);
        out.extend_from_slice(entry.data);

        put32(&mut central, 0x0201_4b50);
        put16(&mut central, 20); // made by: MS-DOS, 2.0
        put16(&mut central, 20);
        put16(&mut central, 0x0800);
        put16(&mut central, 0);
        put16(&mut central, at.time);
        put16(&mut central, at.date);
        put32(&mut central, crc);
        put32(&mut central, size);
        put32(&mut central, declared);
        put16(&mut central, name_len);
        put16(&mut central, 0); // extra
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, 0); // external attributes
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = len32(out.len());
    let central_size = len32(central.len());
    out.extend_from_slice(&central);
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, central_size);
    put32(&mut out, central_offset);
    put16(&mut out, 0); // no comment
    out
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// CRC-32 (IEEE 802.3, reflected), as ZIP uses it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
