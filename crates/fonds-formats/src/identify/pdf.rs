//! PDF: the header version, a PDF/A claim in the XMP metadata, and encryption or active content
//! seen in the bytes.
//!
//! No PDF parsing happens here. XMP packets are stored as uncompressed streams in practice (so
//! that tools without a PDF parser can find them, which is what the `<?xpacket` wrapper is for),
//! and the names `/Encrypt`, `/JavaScript`, `/JS` and `/Launch` are searched as tokens.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::bytes::{find, find_all};
use super::format::{FileFormat, PdfAClaim};

/// The namespace of the PDF/A identification schema.
const PDFAID_NS: &str = "http://www.aiim.org/pdfa/ns/id/";

/// An XMP packet larger than this is read only this far.
const MAX_PACKET: usize = 256 * 1024;

/// At most this many XMP packets are examined (images and pages may carry their own).
const MAX_PACKETS: usize = 16;

/// Identifies a PDF. `head` is the examined start of the content, `tail` its last bytes (the
/// trailer, where `/Encrypt` is referenced); they may overlap.
// LIMITATION: names hidden in compressed object streams, or written with `#xx` escapes, are not
// seen; `active_content` and `encrypted` are reliable when true, a hint when false.
// LIMITATION: a PDF/A claim in a compressed metadata stream is not seen, and the packet is not
// checked to be the one the catalogue's `/Metadata` refers to (rather than an image's).
pub(super) fn identify(head: &[u8], tail: &[u8]) -> FileFormat {
    let active_content = [&b"/JavaScript"[..], b"/JS", b"/Launch"]
        .iter()
        .any(|name| has_name(head, name) || has_name(tail, name));
    FileFormat::Pdf {
        version: version(head),
        pdfa: pdfa_claim(head),
        encrypted: has_name(head, b"/Encrypt") || has_name(tail, b"/Encrypt"),
        active_content,
    }
}

/// The version in the `%PDF-x.y` header.
fn version(head: &[u8]) -> Option<String> {
    let rest = head.strip_prefix(b"%PDF-")?;
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))
        .unwrap_or(rest.len());
    let version = std::str::from_utf8(rest.get(..end)?).ok()?;
    let (major, minor) = version.split_once('.')?;
    let plausible = (1..=2).contains(&major.len()) && (1..=2).contains(&minor.len());
    (plausible && !minor.contains('.')).then(|| version.to_owned())
}

/// Whether `name` occurs as a whole PDF name: followed by a delimiter, white space or the end,
/// so that `/JS` does not match `/JSFoo` and `/Encrypt` does not match `/EncryptMetadata`.
fn has_name(bytes: &[u8], name: &[u8]) -> bool {
    find_all(bytes, name).any(|at| {
        bytes.get(at + name.len()).is_none_or(|next| {
            matches!(
                next,
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0' | b'/' | b'(' | b'<' | b'[' | b'>'
            )
        })
    })
}

/// The first PDF/A claim found in an XMP packet of the examined bytes.
fn pdfa_claim(head: &[u8]) -> Option<PdfAClaim> {
    find_all(head, b"<x:xmpmeta")
        .take(MAX_PACKETS)
        .find_map(|start| {
            let packet = &head[start..];
            let end = find(packet, b"</x:xmpmeta>").map_or(packet.len(), |at| at + 12);
            claim_in_packet(&packet[..end.min(MAX_PACKET)])
        })
}

/// Reads `pdfaid:part` and `pdfaid:conformance` from one packet, in attribute form
/// (`pdfaid:part="2"`) or element form (`<pdfaid:part>2</pdfaid:part>`), under whatever prefix
/// the packet binds the namespace to. Reading stops at the first XML error; what was found
/// before it counts.
fn claim_in_packet(packet: &[u8]) -> Option<PdfAClaim> {
    let packet = String::from_utf8_lossy(packet);
    let mut reader = NsReader::from_str(&packet);
    let mut claim = ClaimParts::default();
    let mut open: Option<Property> = None;
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(element))) => {
                open = is_pdfaid(&ns)
                    .then(|| Property::named(element.local_name().as_ref()))
                    .flatten();
                claim.read_attributes(&reader, &element);
            }
            Ok((_, Event::Empty(element))) => {
                open = None;
                claim.read_attributes(&reader, &element);
            }
            Ok((_, Event::Text(text))) => {
                if let Some(property) = open {
                    claim.set(property, &text);
                }
            }
            Ok((_, Event::End(_))) => open = None,
            Ok((_, Event::Eof)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    claim.into_claim()
}

fn is_pdfaid(ns: &ResolveResult<'_>) -> bool {
    matches!(ns, ResolveResult::Bound(ns) if ns.as_ref() == PDFAID_NS)
}

#[derive(Debug, Clone, Copy)]
enum Property {
    Part,
    Conformance,
}

impl Property {
    fn named(local: &str) -> Option<Self> {
        match local {
            "part" => Some(Self::Part),
            "conformance" => Some(Self::Conformance),
            _ => None,
        }
    }
}

/// The raw values found so far; the first value of each property wins.
#[derive(Debug, Default)]
struct ClaimParts {
    part: Option<u8>,
    conformance: Option<char>,
}

impl ClaimParts {
    fn read_attributes(&mut self, reader: &NsReader<&[u8]>, element: &BytesStart<'_>) {
        for attribute in element.attributes().with_checks(false).flatten() {
            let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
            if let (true, Some(property)) = (is_pdfaid(&ns), Property::named(local.as_ref())) {
                self.set(property, &attribute.value);
            }
        }
    }

    fn set(&mut self, property: Property, raw: &str) {
        let value = raw.trim();
        match property {
            Property::Part if self.part.is_none() => {
                self.part = value.parse::<u8>().ok().filter(|part| *part > 0);
            }
            Property::Conformance if self.conformance.is_none() => {
                let mut letters = value.chars();
                self.conformance = match (letters.next(), letters.next()) {
                    (Some(letter), None) if letter.is_ascii_alphabetic() => {
                        Some(letter.to_ascii_uppercase())
                    }
                    _ => None,
                };
            }
            Property::Part | Property::Conformance => {}
        }
    }

    fn into_claim(self) -> Option<PdfAClaim> {
        Some(PdfAClaim {
            part: self.part?,
            conformance: self.conformance,
        })
    }
}
