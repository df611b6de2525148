//! Just enough of an XML writer for the writer's fixed element trees: declaration, indentation,
//! attributes and escaping.

use std::fmt::Write as _;

/// An XML document being written, indented two spaces per level.
#[derive(Debug)]
pub(super) struct XmlOut {
    out: String,
    depth: usize,
}

impl XmlOut {
    /// A document with its UTF-8 declaration.
    pub(super) fn new() -> Self {
        Self {
            out: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_owned(),
            depth: 0,
        }
    }

    /// A start tag; the caller closes it with [`XmlOut::close`].
    pub(super) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// An end tag.
    pub(super) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An element holding only text.
    pub(super) fn leaf(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        self.out.push('>');
        escape_into(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An empty element.
    pub(super) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// The document's bytes.
    pub(super) fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.indent();
        let _ = write!(self.out, "<{name}");
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"");
            escape_into(&mut self.out, value);
            self.out.push('"');
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// Escapes text for content and attribute values. Characters XML 1.0 cannot carry at all (C0
/// controls other than tab and line feed, U+FFFE, U+FFFF) are dropped; CR, tab and line feed
/// are written as references so that attribute normalisation keeps them.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c < '\u{20}' => {}
            c => out.push(c),
        }
    }
}
