//! The bounded ZIP layer under an OFD package: every entry is checked against [`Limits`] before
//! and while it is read, so a hostile package (a zip bomb, thousands of entries, a header that
//! lies about sizes, names that climb out of the package) is refused with a typed error instead
//! of exhausting memory.
//!
//! The whole package is read once, eagerly, into a name → bytes map: the reader needs most
//! entries anyway (every signed file is digested), and the total is bounded by
//! [`Limits::max_total_size`].

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::error::OfdError;

/// What an OFD package may contain before it is refused.
///
/// The defaults fit real e-invoices (a few dozen entries, well under a megabyte) with a wide
/// margin; raise them only for documents known to be large, such as scanned multi-page OFDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Entries (files and directories) in the package.
    pub max_entries: usize,
    /// Uncompressed bytes of one entry.
    pub max_entry_size: u64,
    /// Uncompressed bytes of all entries together.
    pub max_total_size: u64,
    /// Uncompressed bytes per compressed byte of one entry, checked only for entries larger
    /// than [`Limits::ratio_applies_above`].
    pub max_compression_ratio: u64,
    /// Entries up to this many uncompressed bytes are exempt from the ratio check: small XML
    /// files legitimately compress very well.
    pub ratio_applies_above: u64,
    /// Bytes of an entry name.
    pub max_name_len: usize,
    /// Nesting depth of any XML file in the package. Keep it modest (OFD needs about ten): the
    /// element tree is walked recursively.
    pub max_xml_depth: usize,
    /// Elements in any one XML file.
    pub max_xml_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 1_000,
            max_entry_size: 16 * 1024 * 1024,
            max_total_size: 64 * 1024 * 1024,
            max_compression_ratio: 100,
            ratio_applies_above: 64 * 1024,
            max_name_len: 512,
            max_xml_depth: 64,
            max_xml_elements: 100_000,
        }
    }
}

/// The entries of a package, by normalised name (no leading `/`, no `.` or `..` segments).
#[derive(Debug, Clone, Default)]
pub(super) struct Package {
    entries: BTreeMap<String, Vec<u8>>,
}

impl Package {
    /// Reads every file entry of the ZIP within `limits`.
    pub(super) fn open(bytes: &[u8], limits: &Limits) -> Result<Self, OfdError> {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| OfdError::NotZip {
            detail: e.to_string(),
        })?;
        if archive.len() > limits.max_entries {
            return Err(OfdError::TooManyEntries {
                count: archive.len(),
                limit: limits.max_entries,
            });
        }
        if archive.has_duplicate_names() {
            return Err(OfdError::DuplicateEntry);
        }
        let mut entries = BTreeMap::new();
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let mut file = archive
                .by_index(index)
                .map_err(|e| OfdError::EntryUnreadable {
                    name: format!("#{index}"),
                    detail: e.to_string(),
                })?;
            let raw_name = String::from_utf8_lossy(file.name_raw()).into_owned();
            let name = checked_name(&raw_name, limits)?;
            if file.is_dir() {
                continue;
            }
            if file.encrypted() {
                return Err(OfdError::EncryptedEntry { name });
            }
            let compressed = file.compressed_size();
            check_size(&name, file.size(), compressed, limits)?;
            let remaining = limits.max_total_size.saturating_sub(total);
            // Read one byte past what may be accepted, whatever the header declares, so that a
            // header understating the size is caught without reading further.
            let cap = limits.max_entry_size.min(remaining).saturating_add(1);
            let mut data = Vec::new();
            (&mut file).take(cap).read_to_end(&mut data).map_err(|e| {
                OfdError::EntryUnreadable {
                    name: name.clone(),
                    detail: e.to_string(),
                }
            })?;
            let actual = u64::try_from(data.len()).unwrap_or(u64::MAX);
            if actual > limits.max_entry_size {
                return Err(OfdError::EntryTooLarge {
                    name,
                    limit: limits.max_entry_size,
                });
            }
            if actual > remaining {
                return Err(OfdError::PackageTooLarge {
                    limit: limits.max_total_size,
                });
            }
            check_size(&name, actual, compressed, limits)?;
            total = total.saturating_add(actual);
            entries.insert(name, data);
        }
        Ok(Self { entries })
    }

    /// The bytes of the entry at a normalised path.
    pub(super) fn get(&self, path: &str) -> Option<&[u8]> {
        self.entries.get(path).map(Vec::as_slice)
    }

    /// Whether an entry exists at a normalised path.
    pub(super) fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// Finds a location written inside the file at `from`: relative to that file's directory
    /// (or to the package root when it starts with `/`), and, when nothing is there, relative to
    /// the package root, because producers write both forms for the same kind of location.
    pub(super) fn locate(&self, from: &str, loc: &str) -> Option<String> {
        let relative = resolve(dir_of(from), loc)?;
        if self.contains(&relative) {
            return Some(relative);
        }
        let rooted = resolve("", loc)?;
        self.contains(&rooted).then_some(rooted)
    }
}

/// Refuses entry names that could mean something outside the package or more than one thing.
fn checked_name(raw: &str, limits: &Limits) -> Result<String, OfdError> {
    let unsafe_name = |reason: &'static str| OfdError::UnsafeEntryName {
        name: raw.chars().take(120).collect(),
        reason,
    };
    if raw.is_empty() {
        return Err(unsafe_name("it is empty"));
    }
    if raw.len() > limits.max_name_len {
        return Err(unsafe_name("it is longer than the name limit"));
    }
    if raw.starts_with('/') || raw.starts_with('\\') || raw.as_bytes().get(1) == Some(&b':') {
        return Err(unsafe_name("it is an absolute path"));
    }
    if raw.contains('\\') {
        return Err(unsafe_name("it uses a backslash, which OFD paths never do"));
    }
    if raw.chars().any(char::is_control) {
        return Err(unsafe_name("it contains a control character"));
    }
    let trimmed = raw.strip_suffix('/').unwrap_or(raw);
    if trimmed.split('/').any(|segment| segment == "..") {
        return Err(unsafe_name("it has a `..` segment"));
    }
    if trimmed
        .split('/')
        .any(|segment| segment.is_empty() || segment == ".")
    {
        return Err(unsafe_name("it has an empty or `.` segment"));
    }
    Ok(trimmed.to_owned())
}

/// The size and compression-ratio checks, applied to the declared and to the actual size.
fn check_size(name: &str, size: u64, compressed: u64, limits: &Limits) -> Result<(), OfdError> {
    if size > limits.max_entry_size {
        return Err(OfdError::EntryTooLarge {
            name: name.to_owned(),
            limit: limits.max_entry_size,
        });
    }
    if size > limits.ratio_applies_above {
        let ratio = size / compressed.max(1);
        if ratio > limits.max_compression_ratio {
            return Err(OfdError::CompressionRatio {
                name: name.to_owned(),
                ratio,
                limit: limits.max_compression_ratio,
            });
        }
    }
    Ok(())
}

/// The directory part of a normalised path, without the trailing `/` (empty at the root).
pub(super) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Resolves a location as OFD writes it (`/Doc_0/Document.xml`, `Pages/Page_0/Content.xml`,
/// `../Res/x.png`) against a base directory into a normalised package path. `None` when it is
/// empty, uses a backslash or climbs above the package root.
pub(super) fn resolve(base_dir: &str, loc: &str) -> Option<String> {
    let loc = loc.trim();
    if loc.is_empty() || loc.contains('\\') {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    if !loc.starts_with('/') {
        segments.extend(base_dir.split('/').filter(|s| !s.is_empty()));
    }
    for segment in loc.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    if segments.is_empty() {
        return None;
    }
    Some(segments.join("/"))
}
