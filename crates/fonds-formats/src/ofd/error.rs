//! Why an OFD package could not be read, each case saying what the sender should do.

/// A package that cannot be read as an OFD document within the limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfdError {
    /// The bytes are not a ZIP archive at all.
    #[error(
        "the file is not a ZIP package ({detail}); an OFD file is a ZIP archive: send the .ofd \
         file as the issuer delivered it"
    )]
    NotZip {
        /// What the ZIP reader found wrong.
        detail: String,
    },
    /// More entries than [`Limits::max_entries`](super::Limits::max_entries).
    #[error(
        "the package has {count} entries, more than the limit of {limit}; an e-invoice has a \
         few dozen: check the file, or raise the entry limit for large documents"
    )]
    TooManyEntries {
        /// Entries in the central directory.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// One entry is larger than [`Limits::max_entry_size`](super::Limits::max_entry_size).
    #[error(
        "entry `{name}` unpacks to more than {limit} bytes; check the file, or raise the \
         per-entry limit for large documents"
    )]
    EntryTooLarge {
        /// The entry.
        name: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// All entries together are larger than
    /// [`Limits::max_total_size`](super::Limits::max_total_size).
    #[error(
        "the package unpacks to more than {limit} bytes in total; check the file, or raise the \
         total-size limit for large documents"
    )]
    PackageTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// An entry compresses suspiciously well: the shape of a zip bomb.
    #[error(
        "entry `{name}` unpacks to {ratio} times its compressed size, above the limit of \
         {limit}:1 (the shape of a zip bomb); the package is refused"
    )]
    CompressionRatio {
        /// The entry.
        name: String,
        /// Uncompressed bytes per compressed byte.
        ratio: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry name that could point outside the package or is ambiguous.
    #[error("entry name `{name}` is refused because {reason}; the package is not well formed")]
    UnsafeEntryName {
        /// The name, shortened.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Two entries with the same name: which one a viewer shows is undefined.
    #[error(
        "the package holds two entries with the same name, so what is signed and what is shown \
         may differ; the package is refused"
    )]
    DuplicateEntry,
    /// An encrypted entry, which an archive cannot read or keep usable.
    #[error("entry `{name}` is encrypted; send the OFD file without ZIP encryption")]
    EncryptedEntry {
        /// The entry.
        name: String,
    },
    /// An entry that could not be decompressed (bad CRC, unknown compression, truncation).
    #[error("entry `{name}` cannot be unpacked ({detail}); the file is damaged: send it again")]
    EntryUnreadable {
        /// The entry.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// No `OFD.xml` at the package root.
    #[error(
        "the ZIP package has no OFD.xml at its root, so it is not an OFD document; check that \
         the right file was sent"
    )]
    NotOfd,
    /// A file the document structure points to is not in the package.
    #[error("`{path}` ({what}) is not in the package; the OFD document is incomplete")]
    MissingPart {
        /// The location as written, or the path looked for.
        path: String,
        /// What the file is, e.g. `the document root`.
        what: &'static str,
    },
    /// A required element is absent.
    #[error("`{path}` has no `{element}` element; the OFD document is not well formed")]
    MissingElement {
        /// The XML file.
        path: String,
        /// The element looked for.
        element: &'static str,
    },
    /// An XML file of the package could not be parsed within the limits.
    #[error("`{path}` cannot be read: {problem}")]
    Xml {
        /// The XML file.
        path: String,
        /// What is wrong.
        problem: XmlProblem,
    },
    /// An invoice field whose text is not of its type.
    #[error(
        "invoice field `{field}` in `{path}` is `{value}`, {expected}; the invoice data is damaged"
    )]
    InvoiceField {
        /// The file holding the invoice data.
        path: String,
        /// The element name.
        field: &'static str,
        /// The text found, shortened.
        value: String,
        /// What was expected, e.g. `not an amount`.
        expected: &'static str,
    },
}

/// What is wrong with one XML file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlProblem {
    /// The bytes are not UTF-8.
    #[error("it is not UTF-8 text; OFD XML must be UTF-8")]
    NotUtf8,
    /// Nesting beyond [`Limits::max_xml_depth`](super::Limits::max_xml_depth).
    #[error("elements nest deeper than {limit} levels, which no OFD file needs")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More elements than [`Limits::max_xml_elements`](super::Limits::max_xml_elements).
    #[error("it has more than {limit} elements; raise the element limit for large documents")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// A document type declaration, refused because entity declarations can expand without
    /// bound or reach outside the package.
    #[error("it has a DOCTYPE declaration, which OFD never uses; DTDs are not processed")]
    Doctype,
    /// A reference to an entity that is neither predefined nor a character reference.
    #[error("it refers to the undeclared entity `&{0};`")]
    UnknownEntity(String),
    /// The document has no root element or more than one.
    #[error("it does not have exactly one root element")]
    NoSingleRoot,
    /// Any other syntax error.
    #[error("it is not well-formed XML ({0})")]
    Syntax(String),
}
