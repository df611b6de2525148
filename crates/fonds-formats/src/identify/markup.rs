//! Markup: XML documents (root element and namespace), HTML pages, and script embedded in HTML,
//! XHTML or SVG.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::bytes::{contains_ignore_case, find_all};
use super::format::{FileFormat, ScriptKind};

/// The root element's name is kept to this many characters.
const MAX_NAME_CHARS: usize = 256;

/// At most this many events (declaration, comments, processing instructions, white space) may
/// precede the root element.
const MAX_PROLOG_EVENTS: usize = 10_000;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Identifies text that starts with `<` (after white space): an HTML page, or an XML document
/// whose prolog and root start tag are well formed. `None` when it is neither.
pub(super) fn identify(text: &str) -> Option<FileFormat> {
    if looks_like_html(text) {
        return Some(html(text));
    }
    let root = xml_root(text)?;
    let is_html = root.local.eq_ignore_ascii_case("html") || root.namespace_is(XHTML_NS);
    let is_svg = root.local == "svg" || root.namespace_is(SVG_NS);
    Some(if is_html {
        html(text)
    } else if is_svg && embeds_script(text.as_bytes()) {
        FileFormat::Script(ScriptKind::Svg)
    } else {
        FileFormat::Xml {
            root: root.local,
            namespace: root.namespace,
            doctype: root.doctype,
        }
    })
}

/// HTML that is not well-formed XML still starts with a doctype or one of the outer elements.
fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start().as_bytes();
    let start = &start[..start.len().min(64)];
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|tag| {
            start.len() >= tag.len() && start[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
        })
}

fn html(text: &str) -> FileFormat {
    if embeds_script(text.as_bytes()) {
        FileFormat::Script(ScriptKind::Html)
    } else {
        FileFormat::Html
    }
}

/// A heuristic for script in markup: a `script` element (with or without a prefix), a
/// `javascript:` URL, or an attribute `on…=` (an event handler such as `onload=`).
fn embeds_script(markup: &[u8]) -> bool {
    contains_ignore_case(markup, b"<script")
        || contains_ignore_case(markup, b":script")
        || contains_ignore_case(markup, b"javascript:")
        || has_event_handler(markup)
}

/// An attribute named `on` plus letters, preceded by white space and followed by `=`.
fn has_event_handler(markup: &[u8]) -> bool {
    let lower = markup.to_ascii_lowercase();
    find_all(&lower, b"on").any(|at| {
        let preceded = at > 0 && lower[at - 1].is_ascii_whitespace();
        let rest = &lower[at + 2..];
        let letters = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
        let after = rest[letters..].iter().find(|b| !b.is_ascii_whitespace());
        preceded && letters >= 3 && after == Some(&b'=')
    })
}

/// The root element of an XML document.
#[derive(Debug)]
struct Root {
    local: String,
    namespace: Option<String>,
    doctype: bool,
}

impl Root {
    fn namespace_is(&self, uri: &str) -> bool {
        self.namespace.as_deref() == Some(uri)
    }
}

/// Reads the prolog (declaration, comments, processing instructions, white space, a doctype
/// that is noted but never processed) up to the root start tag. `None` when anything else comes
/// first or the markup is not well formed up to there.
fn xml_root(text: &str) -> Option<Root> {
    let mut reader = NsReader::from_str(text);
    let mut doctype = false;
    for _ in 0..MAX_PROLOG_EVENTS {
        match reader.read_resolved_event().ok()? {
            (ns, Event::Start(element) | Event::Empty(element)) => {
                let namespace = match ns {
                    ResolveResult::Bound(ns) => Some(bounded(ns.as_ref())),
                    ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
                };
                return Some(Root {
                    local: bounded(element.local_name().as_ref()),
                    namespace,
                    doctype,
                });
            }
            (_, Event::DocType(_)) => doctype = true,
            (_, Event::Decl(_) | Event::Comment(_) | Event::PI(_)) => {}
            (_, Event::Text(t)) if t.trim().is_empty() => {}
            _ => return None,
        }
    }
    None
}

/// The name, at most [`MAX_NAME_CHARS`] characters of it.
fn bounded(name: &str) -> String {
    name.chars().take(MAX_NAME_CHARS).collect()
}
