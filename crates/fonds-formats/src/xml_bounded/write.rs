//! Just enough of an XML writer for the fixed element trees Fonds renders: a declaration,
//! two-space indentation and escaping. Output is deterministic.

use std::fmt::Write as _;

/// Writes one document; [`XmlWriter::finish`] returns it.
#[derive(Debug)]
pub(crate) struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// A document that starts with the UTF-8 XML declaration.
    pub(crate) fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    /// Opens the root element with its default namespace.
    pub(crate) fn open_root(&mut self, name: &str, namespace: &str) {
        self.indent();
        let _ = write!(self.out, "<{name} xmlns=\"");
        escape_into(&mut self.out, namespace, Context::Attribute);
        self.out.push_str("\">\n");
        self.depth += 1;
    }

    /// Opens an element.
    pub(crate) fn open(&mut self, name: &str) {
        self.open_with(name, &[]);
    }

    /// Opens an element with attributes.
    pub(crate) fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// Closes the innermost element, which the caller names.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An element holding only text.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// An element with attributes holding only text.
    pub(crate) fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        self.out.push('>');
        escape_into(&mut self.out, text, Context::Text);
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An empty element with attributes.
    pub(crate) fn empty_with(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// An element holding only text, written only when there is a text.
    pub(crate) fn optional_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// The document.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.indent();
        let _ = write!(self.out, "<{name}");
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"");
            escape_into(&mut self.out, value, Context::Attribute);
            self.out.push('"');
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// Where escaped text goes: attribute values need tab and line breaks as references, or
/// attribute-value normalisation turns them into spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

/// Escapes text. Characters XML 1.0 cannot carry at all (C0 controls other than tab and line
/// breaks, U+FFFE and U+FFFF) are dropped, since even a character reference to them makes the
/// document ill-formed; CR is escaped so that parsers do not normalise it away.
fn escape_into(out: &mut String, text: &str, context: Context) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if context == Context::Attribute => out.push_str("&#10;"),
            '\t' if context == Context::Attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c < '\u{20}' => {}
            c => out.push(c),
        }
    }
}
