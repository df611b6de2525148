//! Text formats: UTF-8 text, delimited text (CSV), scripts and markup.
//!
//! Text means UTF-8 (with or without a byte-order mark) and no control characters other than
//! tab, line breaks, form feed and the old end-of-file mark `^Z`.
// LIMITATION: GB18030/GBK text, common in older Chinese exports, and UTF-16 text are not UTF-8
// and are identified as unknown. Guessing a legacy encoding from bytes is unreliable, and a file
// kept for the long term should say what it is; such files are converted to UTF-8 before ingest.

use super::format::{CsvDelimiter, FileFormat, ScriptKind};
use super::{markup, script};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Script and CSV heuristics look at this much of the text.
const SAMPLE: usize = 64 * 1024;

/// CSV detection looks at this many records.
const CSV_RECORDS: usize = 20;

/// Identifies text. `truncated` says whether `head` is only the start of the content, in which
/// case it may end inside a character.
pub(super) fn identify(head: &[u8], truncated: bool) -> FileFormat {
    let body = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let Some(text) = as_text(body, truncated) else {
        return FileFormat::Unknown;
    };
    if text.starts_with("#!") {
        return FileFormat::Script(ScriptKind::Shebang);
    }
    if text.trim_start().starts_with('<')
        && let Some(format) = markup::identify(text)
    {
        return format;
    }
    let sample = prefix(text, SAMPLE);
    if let Some(kind) = script::detect(sample) {
        return FileFormat::Script(kind);
    }
    match csv_delimiter(sample, sample.len() < text.len() || truncated) {
        Some(delimiter) => FileFormat::Csv { delimiter },
        None => FileFormat::Text,
    }
}

/// The bytes as text, or `None` when they are empty, not UTF-8 or hold control characters.
fn as_text(bytes: &[u8], truncated: bool) -> Option<&str> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // A head cut inside a multi-byte character is still text.
        Err(e) if truncated && e.error_len().is_none() => {
            std::str::from_utf8(bytes.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    let clean = !text
        .bytes()
        .any(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | b'\x0C' | b'\x1A'));
    (clean && !text.is_empty()).then_some(text)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The delimiter that splits most of the first records into the same number (more than one) of
/// fields. Double-quoted fields may hold delimiters and line breaks. When the sample is cut, its
/// last record may be partial and is left out.
fn csv_delimiter(sample: &str, cut: bool) -> Option<CsvDelimiter> {
    let mut best: Option<(CsvDelimiter, usize, usize)> = None;
    for delimiter in [
        CsvDelimiter::Comma,
        CsvDelimiter::Tab,
        CsvDelimiter::Semicolon,
    ] {
        let mut counts = field_counts(sample, delimiter.byte());
        if cut {
            counts.pop();
        }
        counts.truncate(CSV_RECORDS);
        if counts.len() < 2 {
            continue;
        }
        let Some((fields, agreeing)) = most_common(&counts) else {
            continue;
        };
        // "Most": at least four records in five agree.
        let even = fields > 1 && agreeing * 5 >= counts.len() * 4;
        let better = best.is_none_or(|(_, f, a)| (agreeing, fields) > (a, f));
        if even && better {
            best = Some((delimiter, fields, agreeing));
        }
    }
    best.map(|(delimiter, _, _)| delimiter)
}

/// The number of fields of each non-blank record.
fn field_counts(sample: &str, delimiter: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut fields, mut quoted, mut blank) = (1, false, true);
    for b in sample.bytes() {
        match b {
            b'"' => {
                quoted = !quoted;
                blank = false;
            }
            b'\n' if !quoted => {
                if !blank {
                    counts.push(fields);
                }
                if counts.len() > CSV_RECORDS {
                    return counts;
                }
                (fields, blank) = (1, true);
            }
            _ if b == delimiter && !quoted => {
                fields += 1;
                blank = false;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => blank = false,
        }
    }
    if !blank {
        counts.push(fields);
    }
    counts
}

/// The most common value and how often it occurs; ties go to the larger value.
fn most_common(values: &[usize]) -> Option<(usize, usize)> {
    values
        .iter()
        .map(|v| (*v, values.iter().filter(|w| *w == v).count()))
        .max_by_key(|(value, count)| (*count, *value))
}
