//! Format identification from a file's first bytes, never from its name.
//!
//! A sender controls the file name and the declared media type, so neither says what a file is.
//! [`identify`] looks only at the head of the content (a few kilobytes is plenty) and names the
//! format Fonds will treat it as. It is a gate, not a validator: a file that starts like a PDF may
//! still be a broken PDF, which the format's own reader finds out later.

/// What the head of a file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Identified {
    /// The IANA media type (or the customary one for OFD), e.g. `application/pdf`.
    pub media_type: &'static str,
    /// A short format name: `pdf`, `ofd`, `zip`, `xml`, `jpeg`, `png`, `tiff`, `text` or `binary`.
    pub format: &'static str,
}

impl Identified {
    const PDF: Self = Self::new("application/pdf", "pdf");
    const OFD: Self = Self::new("application/ofd", "ofd");
    const ZIP: Self = Self::new("application/zip", "zip");
    const XML: Self = Self::new("application/xml", "xml");
    const JPEG: Self = Self::new("image/jpeg", "jpeg");
    const PNG: Self = Self::new("image/png", "png");
    const TIFF: Self = Self::new("image/tiff", "tiff");
    const TEXT: Self = Self::new("text/plain", "text");
    const BINARY: Self = Self::new("application/octet-stream", "binary");

    const fn new(media_type: &'static str, format: &'static str) -> Self {
        Self { media_type, format }
    }
}

/// Identifies a file from its first bytes. Pass at least the first 4 KiB when the file has
/// them; a shorter head only makes the OFD and text checks less certain.
#[must_use]
pub fn identify(head: &[u8]) -> Identified {
    if head.starts_with(b"%PDF-") {
        return Identified::PDF;
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Identified::PNG;
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Identified::JPEG;
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Identified::TIFF;
    }
    if is_zip(head) {
        return if is_ofd(head) {
            Identified::OFD
        } else {
            Identified::ZIP
        };
    }
    if is_xml(head) {
        return Identified::XML;
    }
    if is_text(head) {
        return Identified::TEXT;
    }
    Identified::BINARY
}

/// A zip starts with a local file header, or with the end-of-central-directory record when the
/// archive is empty.
fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// An OFD package is a zip whose entry point is `OFD.xml` (GB/T 33190 §7.1).
///
/// This is a first-bytes heuristic: the first entry's name is `OFD.xml`, or the name appears
/// anywhere in the head (packagers are free to store it later, and its local header then usually
/// still falls within the first kilobytes). The full check, reading the central directory and
/// parsing `OFD.xml`, belongs to the OFD reader.
fn is_ofd(head: &[u8]) -> bool {
    const NAME: &[u8] = b"OFD.xml";
    let first_name = head.get(26..28).and_then(|len| {
        let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
        head.get(30..30 + len)
    });
    first_name == Some(NAME) || memchr::memmem::find(head, NAME).is_some()
}

/// XML: an optional UTF-8 byte-order mark and white space, then a declaration, a comment, a
/// doctype or an element. Element names may be Chinese, so any non-ASCII byte may start one.
fn is_xml(head: &[u8]) -> bool {
    let rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = rest
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(rest.len());
    match rest.get(start..) {
        Some([b'<', next, ..]) => {
            next.is_ascii_alphabetic() || matches!(next, b'?' | b'!' | b'_' | b':') || *next >= 0x80
        }
        _ => false,
    }
}

/// Text: valid UTF-8 without NUL bytes. The head may end inside a multi-byte character, so an
/// incomplete sequence at the very end still counts as text.
fn is_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with_first_entry(name: &str) -> Vec<u8> {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&[20, 0, 0, 0, 8, 0]); // version, flags, method
        bytes.extend_from_slice(&[0; 16]); // time, date, crc, sizes
        let len = u16::try_from(name.len()).expect("short name");
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&[0, 0]); // extra field length
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(b"compressed bytes follow");
        bytes
    }

    fn format_of(head: &[u8]) -> &'static str {
        identify(head).format
    }

    #[test]
    fn pdf_is_recognised_by_its_header() {
        let id = identify(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj");
        assert_eq!(id, Identified::new("application/pdf", "pdf"));
    }

    #[test]
    fn ofd_is_a_zip_whose_entry_point_is_ofd_xml() {
        assert_eq!(
            identify(&zip_with_first_entry("OFD.xml")).media_type,
            "application/ofd"
        );
        let mut later = zip_with_first_entry("Doc_0/Document.xml");
        later.extend_from_slice(b"PK\x03\x04....OFD.xml");
        assert_eq!(format_of(&later), "ofd");
    }

    #[test]
    fn other_zips_are_plain_zip() {
        assert_eq!(format_of(&zip_with_first_entry("mimetype")), "zip");
        assert_eq!(format_of(b"PK\x05\x06\0\0\0\0"), "zip");
    }

    #[test]
    fn xml_may_start_with_a_bom_white_space_or_an_element() {
        assert_eq!(
            identify(b"<?xml version=\"1.0\"?><EInvoice/>").media_type,
            "application/xml"
        );
        assert_eq!(
            format_of(b"\xEF\xBB\xBF\r\n  <?xml version=\"1.0\"?>"),
            "xml"
        );
        assert_eq!(format_of(b"<EInvoice><Header/></EInvoice>"), "xml");
        assert_eq!(format_of("<发票/>".as_bytes()), "xml");
    }

    #[test]
    fn images_are_recognised_by_their_signatures() {
        assert_eq!(
            format_of(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F']),
            "jpeg"
        );
        assert_eq!(format_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "png");
        assert_eq!(format_of(b"II*\0\x08\0\0\0"), "tiff");
        assert_eq!(format_of(b"MM\0*\0\0\0\x08"), "tiff");
        assert_eq!(identify(b"MM\0*").media_type, "image/tiff");
    }

    #[test]
    fn utf8_text_and_csv_are_text() {
        let csv = "序号,档号,文件号\n1,,记-0001\n";
        assert_eq!(
            identify(csv.as_bytes()),
            Identified::new("text/plain", "text")
        );
        // A head cut inside 档 (three bytes) is still text.
        let cut = &csv.as_bytes()[..csv.find('档').expect("present") + 2];
        assert_eq!(format_of(cut), "text");
    }

    #[test]
    fn anything_else_is_binary() {
        assert_eq!(identify(b"").media_type, "application/octet-stream");
        assert_eq!(format_of(b"text with a NUL\0 inside"), "binary");
        assert_eq!(format_of(b"\xC4\xE3\xBA\xC3 GBK is not UTF-8"), "binary");
        assert_eq!(format_of(&[0x7F, b'E', b'L', b'F', 2, 1, 1, 0]), "binary");
    }

    #[test]
    fn the_name_never_matters_only_the_bytes() {
        // A text file that merely mentions a PDF header later on stays text.
        assert_eq!(format_of(b"see attached %PDF-1.7 file"), "text");
    }
}
