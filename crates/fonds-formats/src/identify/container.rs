//! Zip containers: OFD, Office Open XML, OpenDocument, Java archives and plain zips, told apart by
//! the names in the central directory and, for Office formats, a few small XML parts.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::bytes::contains_ignore_case;
use super::format::{ExecutableKind, FileFormat, OfficeApplication, OpenDocumentKind};
use super::zip_dir::{Entry, ZipDirectory};

/// Small parts (`[Content_Types].xml`, `mimetype`, `META-INF/manifest.xml`) are read at most
/// this far, compressed and uncompressed.
const SMALL_PART: usize = 256 * 1024;

/// At most this many content types are collected from `[Content_Types].xml`.
const MAX_CONTENT_TYPES: usize = 10_000;

/// Identifies a zip archive from its central directory. An archive without a readable central
/// directory is [`FileFormat::Unknown`]: nothing can open it reliably.
pub(super) fn identify(content: &[u8]) -> FileFormat {
    let Some(directory) = ZipDirectory::read(content) else {
        return FileFormat::Unknown;
    };
    let encrypted = directory.any_encrypted();
    // GB/T 33190: the entry point of an OFD package is OFD.xml at the root.
    if directory.entry(b"OFD.xml").is_some() {
        return FileFormat::Ofd { encrypted };
    }
    if let Some(content_types) = directory.entry(b"[Content_Types].xml") {
        return ooxml(content, &directory, content_types, encrypted);
    }
    if let Some(kind) = opendocument_kind(content, &directory) {
        return FileFormat::OpenDocument {
            kind,
            macros: directory
                .entries
                .iter()
                .any(|e| e.name.starts_with(b"Basic/") || e.name.starts_with(b"Scripts/")),
            encrypted: encrypted || odf_manifest_declares_encryption(content, &directory),
        };
    }
    if directory
        .entries
        .iter()
        .any(|e| e.name.ends_with(b".class"))
    {
        return FileFormat::Executable(ExecutableKind::JavaArchive);
    }
    // LIMITATION: the entries of a plain zip are not identified; they are identified one by one
    // once unpacked, which is why a plain zip is only ever accepted for conversion.
    FileFormat::Zip { encrypted }
}

/// An Office Open XML package: the application from the main part's content type (or, when
/// `[Content_Types].xml` cannot be read, from the customary part names), macros from a VBA
/// project, an Excel 4.0 macro sheet or a macro-enabled content type.
fn ooxml(
    content: &[u8],
    directory: &ZipDirectory,
    content_types_entry: &Entry,
    encrypted: bool,
) -> FileFormat {
    let content_types = directory
        .read_small_entry(content, content_types_entry, SMALL_PART)
        .map(|xml| content_types(&xml))
        .unwrap_or_default();
    let application = content_types
        .iter()
        .find_map(|t| application_of_main_part(t))
        .unwrap_or_else(|| application_from_part_names(directory));
    let macro_type = content_types.iter().any(|t| {
        ["macroenabled", "vbaproject", "macrosheet"]
            .iter()
            .any(|marker| contains_ignore_case(t.as_bytes(), marker.as_bytes()))
    });
    let macro_part = directory.entries.iter().any(|e| {
        let file_name = e.name.rsplit(|b| *b == b'/').next().unwrap_or(&e.name);
        file_name.eq_ignore_ascii_case(b"vbaProject.bin")
            || contains_ignore_case(&e.name, b"/macrosheets/")
    });
    FileFormat::Ooxml {
        application,
        macros: macro_type || macro_part,
        encrypted,
    }
}

/// The `ContentType` attribute values of `[Content_Types].xml` (its `Default` and `Override`
/// elements). Reading stops at the first XML error.
fn content_types(xml: &[u8]) -> Vec<String> {
    let mut reader = Reader::from_reader(xml);
    let mut types = Vec::new();
    while types.len() < MAX_CONTENT_TYPES {
        match reader.read_event() {
            Ok(Event::Start(element) | Event::Empty(element)) => {
                types.extend(
                    element
                        .attributes()
                        .with_checks(false)
                        .flatten()
                        .filter(|a| a.key.local_name().as_ref() == "ContentType")
                        .map(|a| a.value.into_owned()),
                );
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    types
}

/// The application whose main document part has this content type, e.g.
/// `application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml` or
/// `application/vnd.ms-excel.sheet.binary.macroEnabled.main`.
fn application_of_main_part(content_type: &str) -> Option<OfficeApplication> {
    let t = content_type.trim().to_ascii_lowercase();
    if !(t.ends_with(".main+xml") || t.ends_with(".main")) {
        return None;
    }
    if t.contains("wordprocessingml") || t.contains("ms-word") {
        Some(OfficeApplication::Word)
    } else if t.contains("spreadsheetml") || t.contains("ms-excel") {
        Some(OfficeApplication::Excel)
    } else if t.contains("presentationml") || t.contains("ms-powerpoint") {
        Some(OfficeApplication::PowerPoint)
    } else {
        None
    }
}

fn application_from_part_names(directory: &ZipDirectory) -> OfficeApplication {
    let has = |name: &[u8]| directory.entry(name).is_some();
    if has(b"word/document.xml") {
        OfficeApplication::Word
    } else if has(b"xl/workbook.xml") || has(b"xl/workbook.bin") {
        OfficeApplication::Excel
    } else if has(b"ppt/presentation.xml") {
        OfficeApplication::PowerPoint
    } else {
        OfficeApplication::Other
    }
}

/// The kind named by the `mimetype` entry, when it names an OpenDocument type.
fn opendocument_kind(content: &[u8], directory: &ZipDirectory) -> Option<OpenDocumentKind> {
    let entry = directory.entry(b"mimetype")?;
    let mimetype = directory.read_small_entry(content, entry, 256)?;
    let subtype = mimetype
        .trim_ascii()
        .strip_prefix(b"application/vnd.oasis.opendocument.")?;
    Some(match subtype {
        b"text" => OpenDocumentKind::Text,
        b"spreadsheet" => OpenDocumentKind::Spreadsheet,
        b"presentation" => OpenDocumentKind::Presentation,
        _ => OpenDocumentKind::Other,
    })
}

/// OpenDocument encrypts entries itself and declares it in `META-INF/manifest.xml`
/// (`manifest:encryption-data`); the zip encryption flag stays clear.
fn odf_manifest_declares_encryption(content: &[u8], directory: &ZipDirectory) -> bool {
    directory
        .entry(b"META-INF/manifest.xml")
        .and_then(|entry| directory.read_small_entry(content, entry, SMALL_PART))
        .is_some_and(|manifest| contains_ignore_case(&manifest, b"encryption-data"))
}
