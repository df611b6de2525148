//! The PDF/A claim in a document's XMP metadata: `pdfaid:part` and `pdfaid:conformance` in the
//! namespace `http://www.aiim.org/pdfa/ns/id/`, written either as attributes of an
//! `rdf:Description` or as its child elements. Prefixes are resolved, so a file that binds the
//! namespace to another prefix is read the same.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::PdfAClaim;

const PDFAID: &str = "http://www.aiim.org/pdfa/ns/id/";

/// The claim in the XMP packet, or `None` when there is none, its part is not a number from 1
/// to 4, or the packet is not well-formed XML up to the claim.
pub(super) fn pdfa_claim(xmp: &[u8]) -> Option<PdfAClaim> {
    let text = String::from_utf8_lossy(xmp);
    let text = text.trim_start_matches('\u{FEFF}');
    let mut reader = NsReader::from_str(text);
    let mut found = Found::default();
    // The pdfaid property whose element is open, if any.
    let mut open: Option<Property> = None;
    loop {
        match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), Event::Start(e))) if ns.as_ref() == PDFAID => {
                open = Property::from_local(e.local_name().as_ref());
            }
            Ok((_, Event::Start(e) | Event::Empty(e))) => {
                attributes(&reader, &e, &mut found);
                open = None;
            }
            Ok((_, Event::Text(t))) => {
                if let Some(property) = open {
                    found.set(property, t.xml10_content().trim());
                }
            }
            Ok((_, Event::End(_))) => open = None,
            Ok((_, Event::Eof)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    found.claim()
}

/// Reads pdfaid attributes of an element.
fn attributes(reader: &NsReader<&[u8]>, e: &BytesStart<'_>, found: &mut Found) {
    for attribute in e.attributes().with_checks(false).flatten() {
        let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
        if !matches!(ns, ResolveResult::Bound(ns) if ns.as_ref() == PDFAID) {
            continue;
        }
        if let (Some(property), Ok(value)) = (
            Property::from_local(local.as_ref()),
            attribute.normalized_value(XmlVersion::Implicit1_0),
        ) {
            found.set(property, value.trim());
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Property {
    Part,
    Conformance,
}

impl Property {
    fn from_local(name: &str) -> Option<Self> {
        match name {
            "part" => Some(Self::Part),
            "conformance" => Some(Self::Conformance),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Found {
    part: Option<String>,
    conformance: Option<String>,
}

impl Found {
    /// Keeps the first value of each property.
    fn set(&mut self, property: Property, value: &str) {
        if value.is_empty() {
            return;
        }
        let slot = match property {
            Property::Part => &mut self.part,
            Property::Conformance => &mut self.conformance,
        };
        if slot.is_none() {
            *slot = Some(value.chars().take(16).collect());
        }
    }

    fn claim(self) -> Option<PdfAClaim> {
        let part = self
            .part?
            .parse::<u8>()
            .ok()
            .filter(|p| (1..=4).contains(p))?;
        Some(PdfAClaim {
            part,
            conformance: self.conformance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(description: &str) -> String {
        format!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
             <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
             {description}</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
        )
    }

    #[test]
    fn the_attribute_form_is_read() {
        let xmp = packet(
            "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
             pdfaid:part=\"2\" pdfaid:conformance=\"B\"/>",
        );
        assert_eq!(
            pdfa_claim(xmp.as_bytes()),
            Some(PdfAClaim {
                part: 2,
                conformance: Some("B".into())
            })
        );
    }

    #[test]
    fn the_element_form_is_read_under_any_prefix() {
        let xmp = packet(
            "<rdf:Description rdf:about=\"\" xmlns:id=\"http://www.aiim.org/pdfa/ns/id/\">\
             <id:part> 1 </id:part><id:conformance>A</id:conformance></rdf:Description>",
        );
        assert_eq!(
            pdfa_claim(xmp.as_bytes()),
            Some(PdfAClaim {
                part: 1,
                conformance: Some("A".into())
            })
        );
    }

    #[test]
    fn no_claim_or_a_wrong_namespace_or_part_is_none() {
        let other_ns =
            packet("<rdf:Description xmlns:pdfaid=\"http://example.com/\" pdfaid:part=\"1\"/>");
        assert_eq!(pdfa_claim(other_ns.as_bytes()), None);
        let bad_part = packet(
            "<rdf:Description xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"x\"/>",
        );
        assert_eq!(pdfa_claim(bad_part.as_bytes()), None);
        assert_eq!(pdfa_claim(b"\xff\xfe<not xml"), None);
        let pdfa4 = packet(
            "<rdf:Description xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"4\"/>",
        );
        assert_eq!(
            pdfa_claim(pdfa4.as_bytes()),
            Some(PdfAClaim {
                part: 4,
                conformance: None
            })
        );
    }
}
