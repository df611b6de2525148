//! The formats [`identify`](super::identify) can name, and what each one carries.

/// What a file's content says it is.
///
/// Every variant is decided from the bytes alone. Fields carry only what matters for keeping
/// the file: a version, a claim of conformance, whether macros, scripts or encryption were seen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// A PDF file (`%PDF-` header).
    Pdf {
        /// The version from the header, e.g. `1.7`; `None` when the header carries none that
        /// reads as `digit.digit`.
        // LIMITATION: a catalogue `/Version` entry, which may raise the header's version, is not
        // read: finding the catalogue needs a PDF parser, and the header is what tools show.
        version: Option<String>,
        /// The PDF/A conformance the file's XMP metadata claims, if any.
        pdfa: Option<PdfAClaim>,
        /// An `/Encrypt` entry was seen: the content needs a key (possibly empty) to read.
        encrypted: bool,
        /// A `/JavaScript`, `/JS` or `/Launch` name was seen: the file carries active content.
        active_content: bool,
    },
    /// An OFD layout file (GB/T 33190): a zip whose central directory has `OFD.xml` at the root.
    Ofd {
        /// At least one entry has the zip encryption flag set.
        encrypted: bool,
    },
    /// An Office Open XML package (ECMA-376): a zip with `[Content_Types].xml`.
    Ooxml {
        /// Which application's document this is.
        application: OfficeApplication,
        /// A VBA project (`vbaProject.bin`), an Excel 4.0 macro sheet or a macro-enabled
        /// content type was found.
        macros: bool,
        /// At least one entry has the zip encryption flag set.
        encrypted: bool,
    },
    /// An OpenDocument package (ISO/IEC 26300): a zip whose `mimetype` entry names an
    /// `application/vnd.oasis.opendocument.*` type.
    OpenDocument {
        /// The kind of document the `mimetype` entry names.
        kind: OpenDocumentKind,
        /// `Basic/` or `Scripts/` entries exist.
        macros: bool,
        /// A zip entry is encrypted, or `META-INF/manifest.xml` declares encryption data.
        encrypted: bool,
    },
    /// Any other zip archive. Its entries are not identified.
    Zip {
        /// At least one entry has the zip encryption flag set.
        encrypted: bool,
    },
    /// An XML document.
    Xml {
        /// The local name of the root element, e.g. `EInvoice`.
        root: String,
        /// The namespace URI of the root element, if it is in one.
        namespace: Option<String>,
        /// A document type declaration precedes the root. It is noted, never processed.
        doctype: bool,
    },
    /// An HTML page without script (GB/T 18894 lists HTML for web pages). HTML with script is a
    /// [`FileFormat::Script`].
    Html,
    /// A JPEG image.
    Jpeg,
    /// A PNG image.
    Png,
    /// A TIFF image (classic or BigTIFF).
    Tiff,
    /// A GIF image.
    Gif,
    /// A Windows bitmap.
    Bmp,
    /// An OLE compound file: legacy `.doc`, `.xls` or `.ppt`, or a password-protected Office
    /// Open XML file (Office stores those as an `EncryptedPackage` stream in a compound file).
    ///
    /// Always treated as possibly carrying macros: telling for sure means walking the compound
    /// file's directory and the VBA storage, which identification does not do.
    OleCompound {
        /// An `EncryptedPackage` stream name was seen. Only a hint: not seeing it proves
        /// nothing, because the directory may lie beyond the bytes examined.
        encrypted: bool,
    },
    /// A Rich Text Format document (`{\rtf`).
    // LIMITATION: embedded OLE objects (`\objdata`) are not flagged; the four hazards have no
    // place for them and RTF is only accepted for conversion, never kept as is.
    Rtf,
    /// Delimited text: most of the first records split into the same number (more than one) of
    /// fields on one delimiter. UTF-8 only.
    Csv {
        /// The delimiter that splits the records evenly.
        delimiter: CsvDelimiter,
    },
    /// Other UTF-8 text.
    Text,
    /// Machine code or bytecode that runs when started.
    Executable(ExecutableKind),
    /// Source text that an interpreter runs, or markup that embeds script.
    Script(ScriptKind),
    /// Nothing recognisable: unknown binary, text in an encoding other than UTF-8, a damaged
    /// container, or an empty file.
    Unknown,
}

/// The conformance a PDF's XMP metadata claims (`pdfaid:part`, `pdfaid:conformance`).
///
/// A claim is only a claim: anyone can write these two properties. Whether the file really
/// conforms to ISO 19005 is for a validator to decide, not for identification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PdfAClaim {
    /// The part of ISO 19005, e.g. 2 for PDF/A-2. Never 0.
    pub part: u8,
    /// The conformance level as an upper-case letter (`A`, `B`, `U`, or `E`/`F` for PDF/A-4),
    /// when one is given; PDF/A-4 has none for its base level.
    pub conformance: Option<char>,
}

/// The application an Office Open XML package belongs to, from its main part's content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfficeApplication {
    /// A word-processing document (`.docx`, `.docm`, `.dotx`).
    Word,
    /// A spreadsheet (`.xlsx`, `.xlsm`, `.xlsb`, `.xltx`).
    Excel,
    /// A presentation (`.pptx`, `.pptm`, `.ppsx`).
    PowerPoint,
    /// Another OPC package, e.g. XPS or Visio.
    Other,
}

/// The kind of OpenDocument package, from its `mimetype` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpenDocumentKind {
    /// `application/vnd.oasis.opendocument.text` (`.odt`).
    Text,
    /// `application/vnd.oasis.opendocument.spreadsheet` (`.ods`).
    Spreadsheet,
    /// `application/vnd.oasis.opendocument.presentation` (`.odp`).
    Presentation,
    /// Any other OpenDocument type: graphics, templates, formulas, charts.
    Other,
}

/// The delimiter of a [`FileFormat::Csv`] file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CsvDelimiter {
    /// `,`
    Comma,
    /// A horizontal tab.
    Tab,
    /// `;`
    Semicolon,
}

impl CsvDelimiter {
    /// The delimiter byte.
    #[must_use]
    pub const fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Tab => b'\t',
            Self::Semicolon => b';',
        }
    }
}

/// The kind of a [`FileFormat::Executable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutableKind {
    /// A DOS or Windows executable or library (`MZ` header): `.exe`, `.dll`, `.sys`, `.scr`.
    WindowsPe,
    /// An ELF executable, shared object or core file.
    Elf,
    /// A Mach-O executable, thin or universal ("fat").
    MachO,
    /// A compiled Java class. Shares its magic `CAFEBABE` with universal Mach-O binaries; the
    /// two are told apart by the number after the magic (a class file version is at least 45,
    /// an architecture count is far smaller).
    JavaClass,
    /// A Java archive: a zip holding `.class` entries.
    JavaArchive,
}

/// The kind of a [`FileFormat::Script`].
///
/// Apart from [`ScriptKind::Shebang`], these are heuristics on the text: they look for
/// statements typical of each language, so they can miss a script written to look innocent and,
/// rarely, flag prose that quotes code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptKind {
    /// Text whose first line starts with `#!`: a Unix script of any interpreter.
    Shebang,
    /// A Windows batch file (`.bat`, `.cmd`).
    WindowsBatch,
    /// A PowerShell script (`.ps1`).
    PowerShell,
    /// JavaScript or JScript (`.js`).
    JavaScript,
    /// VBScript (`.vbs`).
    VbScript,
    /// HTML or XHTML with a `<script>` element, a `javascript:` URL or an event-handler
    /// attribute.
    Html,
    /// SVG with a `<script>` element or an event-handler attribute.
    Svg,
}

/// Something in a file that makes it unfit to keep as is, whatever its format's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hazard {
    /// Machine code or bytecode: running it is never part of reading an archive.
    Executable,
    /// Interpreted code or markup that runs code when opened.
    Script,
    /// Office macros (VBA, Excel 4.0 macro sheets, OpenDocument Basic), or, for OLE compound
    /// files, the possibility of them.
    Macros,
    /// Encrypted content: DA/T 70 usability requires that no non-public encryption blocks use.
    Encrypted,
}

impl Hazard {
    /// A short English description for reasons and reports.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::Executable => "executable code",
            Self::Script => "script or active content",
            Self::Macros => "macros (or, for legacy Office files, possibly macros)",
            Self::Encrypted => "encrypted content",
        }
    }

    /// The Chinese name, e.g. `宏`.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Executable => "可执行程序",
            Self::Script => "脚本",
            Self::Macros => "宏",
            Self::Encrypted => "加密",
        }
    }
}
