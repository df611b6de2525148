//! Cheap checks made before the parser sees a file: its size, its header and the
//! cross-reference pointer at its end. They refuse files that are plainly not whole PDFs with a
//! message the sender can act on, and keep such files away from the parser altogether.

use super::{Limits, PdfReadError};

/// How far into the file the `%PDF-` header may start. PDF 32000-1 puts it at the start; readers
/// tolerate a little leading junk (e.g. a mail header), and so do we.
const HEADER_WINDOW: usize = 1024;
/// How close to the end `startxref` must be. The file ends with `startxref`, an offset and
/// `%%EOF`; a little trailing junk is tolerated.
const TAIL_WINDOW: usize = 4096;

/// Checks the size, the header and the trailer pointer.
pub(super) fn check(bytes: &[u8], limits: &Limits) -> Result<(), PdfReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(PdfReadError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let head = &bytes[..bytes.len().min(HEADER_WINDOW)];
    if !contains(head, b"%PDF-") {
        return Err(PdfReadError::NotPdf);
    }
    let tail = &bytes[bytes.len().saturating_sub(TAIL_WINDOW)..];
    if !contains(tail, b"startxref") {
        return Err(PdfReadError::Truncated);
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_whole_pdfs_are_refused_before_parsing() {
        let limits = Limits::default();
        assert_eq!(check(b"PK\x03\x04", &limits), Err(PdfReadError::NotPdf));
        assert_eq!(
            check(b"%PDF-1.7\n1 0 obj\n<<", &limits),
            Err(PdfReadError::Truncated)
        );
        assert_eq!(check(b"%PDF-1.7\nstartxref\n9\n%%EOF\n", &limits), Ok(()));
        let small = Limits {
            max_bytes: 4,
            ..limits
        };
        assert_eq!(
            check(b"%PDF-1.7", &small),
            Err(PdfReadError::TooLarge { size: 8, limit: 4 })
        );
    }
}
