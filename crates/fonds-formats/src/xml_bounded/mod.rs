//! The XML kit shared by the 数电票 reader and the bank-document readers: a bounded parser that
//! turns untrusted bytes into a small element tree, a navigator that names the element path in
//! every error, text-to-value conversions, and the minimal writer the renderers use.
//!
//! The parser is deliberately narrow. It accepts UTF-8 only, refuses any DOCTYPE (and with it
//! every entity declaration, so no entity expansion can happen), resolves only the five
//! predefined entities and character references, and stops at a byte, depth and element-count
//! limit the caller chooses. Namespaces are resolved but elements are matched by local name, so
//! documents with or without prefixes read the same.

mod node;
#[cfg(test)]
pub(crate) mod testing;
mod tree;
mod value;
mod write;

pub use node::FieldError;
pub(crate) use node::Node;
pub use tree::XmlError;
pub(crate) use tree::{Limits, parse};
pub(crate) use value::{format_date, format_date_time, format_time};
pub(crate) use write::XmlWriter;
