//! Untrusted bytes to an element tree, within limits, or an error that says what to fix.

use quick_xml::events::{BytesRef, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// How much a reader accepts before it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The most bytes of input.
    pub(crate) max_bytes: usize,
    /// The deepest element nesting; the root is depth 1.
    pub(crate) max_depth: usize,
    /// The most elements in the whole document.
    pub(crate) max_elements: usize,
}

/// One element: its local name, namespace, child elements in order and its own character data
/// (the text directly inside it, references resolved, line ends normalised as XML 1.0 does).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) namespace: Option<String>,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

/// Bytes that are not an XML document Fonds reads: too large, too deep, not UTF-8, carrying a
/// DOCTYPE, ill-formed, or with another root element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// More bytes than the reader's limit.
    #[error("the document has {size} bytes, more than the limit of {limit}; send it in parts")]
    TooLarge {
        /// The size received.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Elements nested deeper than the reader's limit.
    #[error(
        "the document nests elements deeper than {limit} levels, far beyond its documented \
         shape; send the document as issued"
    )]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More elements than the reader's limit.
    #[error("the document has more than {limit} elements; send it in parts")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// The bytes are not UTF-8.
    #[error(
        "the document is not UTF-8 (first invalid byte at offset {offset}); send it encoded as \
         UTF-8"
    )]
    NotUtf8 {
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// The XML declaration names an encoding other than UTF-8.
    #[error("the document declares encoding `{declared}`; send it encoded as UTF-8")]
    UnsupportedEncoding {
        /// The encoding declared.
        declared: String,
    },
    /// A `<!DOCTYPE …>`, which is where entity declarations live.
    #[error(
        "the document has a DOCTYPE; Fonds refuses document type and entity declarations in \
         received XML, remove it"
    )]
    Doctype,
    /// A reference to an entity other than the five XML predefines.
    #[error(
        "the document refers to entity `&{name};`, which is not one of the five predefined \
         XML entities; write the character itself or a character reference"
    )]
    UndeclaredEntity {
        /// The entity name.
        name: String,
    },
    /// Not well-formed XML.
    #[error("the document is not well-formed XML at byte {offset}: {detail}")]
    Malformed {
        /// Where the parser stopped.
        offset: u64,
        /// What the parser found.
        detail: String,
    },
    /// The input ends inside an element.
    #[error("the document ends inside element `{open}`; it is truncated, send it complete")]
    Truncated {
        /// The innermost element left open.
        open: String,
    },
    /// No element at all.
    #[error("the document has no root element")]
    NoRoot,
    /// Text or a second element outside the root element.
    #[error("the document has content after or around its root element; send one element only")]
    ContentOutsideRoot,
    /// A root element other than the one the reader reads.
    #[error("the root element is `{found}`, not `{expected}`; this is not that kind of document")]
    UnexpectedRoot {
        /// The root the reader reads.
        expected: &'static str,
        /// The root found.
        found: String,
    },
    /// A root element in a namespace the reader does not read.
    #[error(
        "the root element `{root}` is in namespace `{found}`, not `{expected}`; this is \
         another schema's document"
    )]
    UnexpectedNamespace {
        /// The root element's name.
        root: &'static str,
        /// The namespace the reader reads.
        expected: &'static str,
        /// The namespace found.
        found: String,
    },
}

impl Element {
    /// Checks the root element's local name.
    pub(crate) fn expect_root(&self, expected: &'static str) -> Result<(), XmlError> {
        if self.name == expected {
            Ok(())
        } else {
            Err(XmlError::UnexpectedRoot {
                expected,
                found: clip(&self.name),
            })
        }
    }

    /// Checks the root element's local name and, when it declares one, its namespace.
    pub(crate) fn expect_root_in(
        &self,
        expected: &'static str,
        namespace: &'static str,
    ) -> Result<(), XmlError> {
        self.expect_root(expected)?;
        match &self.namespace {
            Some(found) if found != namespace => Err(XmlError::UnexpectedNamespace {
                root: expected,
                expected: namespace,
                found: found.clone(),
            }),
            _ => Ok(()),
        }
    }
}

/// Parses `bytes` (UTF-8, an optional byte-order mark) into its root element.
pub(crate) fn parse(bytes: &[u8], limits: Limits) -> Result<Element, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut reader = NsReader::from_str(text);
    let mut tree = Builder::new(limits);
    loop {
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((resolved, event)) => (namespace_of(&resolved), event),
            Err(error) => {
                return Err(XmlError::Malformed {
                    offset: reader.error_position(),
                    detail: clip(&error.to_string()),
                });
            }
        };
        match event {
            Event::Decl(declaration) => match declaration.encoding() {
                Some(Ok(encoding)) if !is_utf8(&encoding) => {
                    return Err(XmlError::UnsupportedEncoding {
                        declared: clip(&encoding),
                    });
                }
                Some(Err(error)) => {
                    return Err(XmlError::Malformed {
                        offset: reader.buffer_position(),
                        detail: clip(&error.to_string()),
                    });
                }
                _ => {}
            },
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(start) => tree.open(start.local_name().as_ref(), namespace)?,
            Event::Empty(start) => {
                tree.open(start.local_name().as_ref(), namespace)?;
                tree.close()?;
            }
            Event::End(_) => tree.close()?,
            Event::Text(text) => tree.text(&text.xml10_content())?,
            Event::CData(data) => tree.text(&data.xml10_content())?,
            Event::GeneralRef(reference) => {
                let resolved = resolve(&reference).map_err(|detail| XmlError::Malformed {
                    offset: reader.buffer_position(),
                    detail,
                })?;
                let c = resolved.ok_or_else(|| XmlError::UndeclaredEntity {
                    name: clip(&reference),
                })?;
                tree.text(c.encode_utf8(&mut [0; 4]))?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => return tree.finish(),
        }
    }
}

/// The character a reference stands for, `None` for an entity that is not predefined, or a
/// description of a character reference that is not a character.
fn resolve(reference: &BytesRef<'_>) -> Result<Option<char>, String> {
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .map_err(|error| clip(&error.to_string()));
    }
    Ok(match &**reference {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    })
}

fn namespace_of(resolved: &ResolveResult<'_>) -> Option<String> {
    match resolved {
        ResolveResult::Bound(namespace) => Some(clip(namespace.as_ref())),
        // An undeclared prefix is tolerated: the element is matched by its local name anyway.
        ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
    }
}

fn is_utf8(encoding: &str) -> bool {
    encoding.eq_ignore_ascii_case("utf-8") || encoding.eq_ignore_ascii_case("utf8")
}

/// At most 80 characters of text taken from the document, for an error message.
fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

/// The tree under construction: the open elements, innermost last.
struct Builder {
    limits: Limits,
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

impl Builder {
    const fn new(limits: Limits) -> Self {
        Self {
            limits,
            open: Vec::new(),
            root: None,
            elements: 0,
        }
    }

    fn open(&mut self, name: &str, namespace: Option<String>) -> Result<(), XmlError> {
        if self.open.is_empty() && self.root.is_some() {
            return Err(XmlError::ContentOutsideRoot);
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(XmlError::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(XmlError::TooManyElements {
                limit: self.limits.max_elements,
            });
        }
        self.open.push(Element {
            name: clip(name),
            namespace,
            children: Vec::new(),
            text: String::new(),
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), XmlError> {
        // The parser checks that end tags match start tags, so an element is always open here;
        // the error only keeps this total.
        let element = self.open.pop().ok_or(XmlError::ContentOutsideRoot)?;
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), XmlError> {
        match self.open.last_mut() {
            Some(element) => element.text.push_str(text),
            None if text.chars().all(is_xml_space) => {}
            None => return Err(XmlError::ContentOutsideRoot),
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Element, XmlError> {
        if let Some(element) = self.open.pop() {
            return Err(XmlError::Truncated { open: element.name });
        }
        self.root.ok_or(XmlError::NoRoot)
    }
}

/// The four characters XML counts as white space.
pub(crate) const fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}
