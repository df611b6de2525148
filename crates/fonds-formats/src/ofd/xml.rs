//! A bounded XML reader that builds a small element tree for the OFD files.
//!
//! No DTD is processed: a DOCTYPE is refused outright, and only the five predefined entities
//! and character references are expanded. Names are compared by local name, so
//! `<ofd:Page>` and `<Page xmlns="http://www.ofdspec.org/2016">` read the same; producers write
//! both.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::error::{OfdError, XmlProblem};
use super::package::Limits;

/// One element: its local name, attributes by local name, child elements and the direct text.
#[derive(Debug, Clone, Default)]
pub(super) struct Element {
    pub(super) name: String,
    attributes: Vec<(String, String)>,
    pub(super) children: Vec<Element>,
    text: String,
}

impl Element {
    /// The value of the attribute with this local name.
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first child element with this local name.
    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The child elements with this local name, in document order.
    pub(super) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element's own text, trimmed; `None` when blank.
    pub(super) fn text(&self) -> Option<&str> {
        let text = self.text.trim();
        (!text.is_empty()).then_some(text)
    }

    /// The trimmed text of the first child with this local name, when not blank.
    pub(super) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Element::text)
    }

    /// The first element with this local name at any depth below this one, in document order.
    pub(super) fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|c| {
            if c.name == name {
                Some(c)
            } else {
                c.find(name)
            }
        })
    }

    /// Every element with this local name at any depth below this one, in document order.
    pub(super) fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for child in &self.children {
            if child.name == name {
                out.push(child);
            }
            child.find_all(name, out);
        }
    }
}

/// Parses one XML file of the package into its root element.
pub(super) fn parse(path: &str, bytes: &[u8], limits: &Limits) -> Result<Element, OfdError> {
    let fail = |problem| OfdError::Xml {
        path: path.to_owned(),
        problem,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| fail(XmlProblem::NotUtf8))?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| fail(XmlProblem::Syntax(e.to_string())))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(fail(XmlProblem::NoSingleRoot));
            }
            Event::Start(start) => {
                elements += 1;
                if elements > limits.max_xml_elements {
                    return Err(fail(XmlProblem::TooManyElements {
                        limit: limits.max_xml_elements,
                    }));
                }
                if stack.len() >= limits.max_xml_depth {
                    return Err(fail(XmlProblem::TooDeep {
                        limit: limits.max_xml_depth,
                    }));
                }
                stack.push(element(&start).map_err(fail)?);
            }
            Event::Empty(start) => {
                elements += 1;
                if elements > limits.max_xml_elements {
                    return Err(fail(XmlProblem::TooManyElements {
                        limit: limits.max_xml_elements,
                    }));
                }
                let done = element(&start).map_err(fail)?;
                close(&mut stack, &mut root, done);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| fail(XmlProblem::NoSingleRoot))?;
                close(&mut stack, &mut root, done);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()).map_err(fail)?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()).map_err(fail)?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => resolve_predefined_entity(&r)
                        .ok_or_else(|| fail(XmlProblem::UnknownEntity(short(&r))))?
                        .to_owned(),
                    Err(e) => return Err(fail(XmlProblem::Syntax(e.to_string()))),
                };
                push_text(&mut stack, &resolved).map_err(fail)?;
            }
            Event::DocType(_) => return Err(fail(XmlProblem::Doctype)),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(fail(XmlProblem::Syntax("an element is not closed".into())));
    }
    root.ok_or_else(|| fail(XmlProblem::NoSingleRoot))
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(stack: &mut [Element], root: &mut Option<Element>, done: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

/// Adds character data to the open element; outside the root only whitespace is allowed.
fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlProblem> {
    match stack.last_mut() {
        Some(open) => {
            open.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlProblem::Syntax("text outside the root element".into())),
    }
}

/// An element from a start tag: local names, namespace declarations left out.
fn element(start: &BytesStart<'_>) -> Result<Element, XmlProblem> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| XmlProblem::Syntax(e.to_string()))?;
        let key = attribute.key;
        if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
            continue;
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlProblem::Syntax(e.to_string()))?;
        attributes.push((key.local_name().as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element {
        name: start.local_name().as_ref().to_owned(),
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}
