//! The central directory of a zip archive, read by hand and bounded.
//!
//! Only the end-of-central-directory record (in the last 64 KiB of the file) and the central
//! directory it points to are read; local headers are never walked. Entry data is reached only
//! through [`ZipDirectory::read_small_entry`], which decompresses at most a few hundred KiB.

use std::io::Read;

use zip::ZipReadOptions;

/// At most this many entries are listed; a larger archive is listed this far.
// LIMITATION: entries past the cap are not examined for names or the encryption flag.
const MAX_ENTRIES: usize = 100_000;

/// The end-of-central-directory record has a fixed part of 22 bytes and a comment of at most
/// 65 535 bytes, so it starts within this distance of the end.
const EOCD_SEARCH: usize = 22 + 65_535;

const EOCD_SIG: &[u8] = b"PK\x05\x06";
const ZIP64_LOCATOR_SIG: &[u8] = b"PK\x06\x07";
const ZIP64_EOCD_SIG: &[u8] = b"PK\x06\x06";
const CENTRAL_SIG: &[u8] = b"PK\x01\x02";

/// General-purpose flag bit 0: the entry is encrypted.
const FLAG_ENCRYPTED: u16 = 1;
/// Compression method 99 is WinZip AES encryption (AE-x).
const METHOD_AES: u16 = 99;

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The name as stored (UTF-8 or CP437; the names Fonds looks for are ASCII).
    pub name: Vec<u8>,
    pub encrypted: bool,
    compressed_size: u64,
    uncompressed_size: u64,
    crc32: u32,
    local_header: u64,
}

/// The listed entries of a zip archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZipDirectory {
    pub entries: Vec<Entry>,
}

impl ZipDirectory {
    /// Reads the central directory, or `None` when the archive has no readable one.
    pub(super) fn read(content: &[u8]) -> Option<Self> {
        let eocd = find_eocd(content)?;
        let (count, size, offset) = directory_bounds(content, eocd)?;
        let directory = content.get(offset..offset.checked_add(size)?)?;
        let mut entries = Vec::new();
        let mut at = 0;
        while entries.len() < count.min(MAX_ENTRIES) {
            let (entry, next) = read_entry(directory, at)?;
            entries.push(entry);
            at = next;
        }
        Some(Self { entries })
    }

    /// Whether any listed entry is encrypted.
    pub(super) fn any_encrypted(&self) -> bool {
        self.entries.iter().any(|entry| entry.encrypted)
    }

    /// The entry with exactly this name.
    pub(super) fn entry(&self, name: &[u8]) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.name == name)
    }

    /// The first `limit` bytes of an entry's uncompressed data, or `None` when it is encrypted,
    /// its compressed data is larger than `limit`, or it cannot be read at all. A damaged
    /// stream yields what was decompressed before the damage.
    pub(super) fn read_small_entry(
        &self,
        content: &[u8],
        entry: &Entry,
        limit: usize,
    ) -> Option<Vec<u8>> {
        let limit_u64 = u64::try_from(limit).ok()?;
        if entry.encrypted || entry.compressed_size > limit_u64 {
            return None;
        }
        let start = usize::try_from(entry.local_header).ok()?;
        let mut local = content.get(start..)?;
        let options = ZipReadOptions::new()
            .override_compressed_size(entry.compressed_size)
            .override_uncompressed_size(entry.uncompressed_size)
            .override_crc(entry.crc32);
        let file = zip::read::read_zipfile_from_stream_with_options(&mut local, options).ok()??;
        let mut data = Vec::new();
        // On an error `data` keeps what was read before it, which is enough to identify.
        let _ = file.take(limit_u64).read_to_end(&mut data);
        Some(data)
    }
}

/// The position of the end-of-central-directory record: the last signature in the tail whose
/// comment length fits in the file.
fn find_eocd(content: &[u8]) -> Option<usize> {
    let from = content.len().saturating_sub(EOCD_SEARCH);
    let tail = &content[from..];
    (0..tail.len().saturating_sub(21)).rev().find_map(|at| {
        let record = &tail[at..];
        let comment = usize::from(le16(record, 20)?);
        (record.starts_with(EOCD_SIG) && 22 + comment <= record.len()).then_some(from + at)
    })
}

/// The number of entries, size and offset of the central directory, from the end record or,
/// when it defers to them, from the zip64 records.
fn directory_bounds(content: &[u8], eocd: usize) -> Option<(usize, usize, usize)> {
    let record = &content[eocd..];
    let count = le16(record, 10)?;
    let size = le32(record, 12)?;
    let offset = le32(record, 16)?;
    if count != u16::MAX && size != u32::MAX && offset != u32::MAX {
        return Some((
            usize::from(count),
            to_usize(size.into())?,
            to_usize(offset.into())?,
        ));
    }
    let locator = content.get(eocd.checked_sub(20)?..eocd)?;
    if !locator.starts_with(ZIP64_LOCATOR_SIG) {
        return Some((
            usize::from(count),
            to_usize(size.into())?,
            to_usize(offset.into())?,
        ));
    }
    let zip64 = content.get(to_usize(le64(locator, 8)?)?..)?;
    if !zip64.starts_with(ZIP64_EOCD_SIG) {
        return None;
    }
    Some((
        to_usize(le64(zip64, 32)?)?,
        to_usize(le64(zip64, 40)?)?,
        to_usize(le64(zip64, 48)?)?,
    ))
}

/// Reads the central-directory header at `at`; returns the entry and the next header's offset.
fn read_entry(directory: &[u8], at: usize) -> Option<(Entry, usize)> {
    let header = directory.get(at..)?;
    if !header.starts_with(CENTRAL_SIG) {
        return None;
    }
    let flags = le16(header, 8)?;
    let method = le16(header, 10)?;
    let name_len = usize::from(le16(header, 28)?);
    let extra_len = usize::from(le16(header, 30)?);
    let comment_len = usize::from(le16(header, 32)?);
    let name = header.get(46..46 + name_len)?.to_vec();
    let extra = header.get(46 + name_len..46 + name_len + extra_len)?;
    let mut entry = Entry {
        name,
        encrypted: flags & FLAG_ENCRYPTED != 0 || method == METHOD_AES,
        crc32: le32(header, 16)?,
        compressed_size: le32(header, 20)?.into(),
        uncompressed_size: le32(header, 24)?.into(),
        local_header: le32(header, 42)?.into(),
    };
    apply_zip64_extra(&mut entry, extra);
    Some((entry, at + 46 + name_len + extra_len + comment_len))
}

/// Replaces the 32-bit fields that are saturated (`0xFFFFFFFF`) with the values of the zip64
/// extended-information extra field (id 1), which lists them in a fixed order.
fn apply_zip64_extra(entry: &mut Entry, extra: &[u8]) {
    let mut rest = extra;
    while let (Some(id), Some(len)) = (le16(rest, 0), le16(rest, 2)) {
        let Some(data) = rest.get(4..4 + usize::from(len)) else {
            return;
        };
        if id == 1 {
            let mut values = data.chunks_exact(8).map(|c| le64(c, 0).unwrap_or(0));
            for field in [
                &mut entry.uncompressed_size,
                &mut entry.compressed_size,
                &mut entry.local_header,
            ] {
                if *field == u64::from(u32::MAX) {
                    match values.next() {
                        Some(value) => *field = value,
                        None => return,
                    }
                }
            }
            return;
        }
        rest = &rest[4 + usize::from(len)..];
    }
}

fn to_usize(value: u64) -> Option<usize> {
    usize::try_from(value).ok()
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 8)?;
    Some(u64::from_le_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
}
