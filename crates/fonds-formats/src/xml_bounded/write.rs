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
        escape_into(&mut self.out, namespace);
        self.out.push_str("\">\n");
        self.depth += 1;
    }

    /// Opens an element.
    pub(crate) fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>");
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
        self.indent();
        let _ = write!(self.out, "<{name}>");
        escape_into(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
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

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// Escapes character data. Characters XML 1.0 cannot carry at all (C0 controls other than tab
/// and line breaks, U+FFFE and U+FFFF) are dropped, since even a character reference to them makes
/// the document ill-formed; CR is escaped so that parsers do not normalise it away.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c < '\u{20}' => {}
            c => out.push(c),
        }
    }
}
