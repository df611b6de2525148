//! Stable ids, media types, Chinese names and hazards of the identified formats.

use super::format::{
    ExecutableKind, FileFormat, Hazard, OfficeApplication, OpenDocumentKind, ScriptKind,
};

/// Every id [`FileFormat::id`] can return, in the order reports list them. These are the keys of
/// the format policy table ([`FormatRegistry`](super::registry::FormatRegistry)).
pub const FORMAT_IDS: [&str; 23] = [
    "ofd",
    "pdf_a",
    "pdf",
    "xml",
    "jpeg",
    "tiff",
    "png",
    "ooxml_word",
    "ooxml_excel",
    "ooxml_powerpoint",
    "ooxml_other",
    "opendocument",
    "csv",
    "text",
    "rtf",
    "html",
    "gif",
    "bmp",
    "zip",
    "ole",
    "executable",
    "script",
    "unknown",
];

impl FileFormat {
    /// A stable short id, used as the key of the format policy table: `pdf`, `pdf_a`, `ofd`,
    /// `xml`, `ooxml_word`, … (all listed in [`FORMAT_IDS`]). A PDF whose XMP claims PDF/A
    /// conformance is `pdf_a`.
    #[must_use]
    pub const fn id(&self) -> &'static str {
        match self {
            Self::Pdf { pdfa: Some(_), .. } => "pdf_a",
            Self::Pdf { pdfa: None, .. } => "pdf",
            Self::Ofd { .. } => "ofd",
            Self::Ooxml { application, .. } => match application {
                OfficeApplication::Word => "ooxml_word",
                OfficeApplication::Excel => "ooxml_excel",
                OfficeApplication::PowerPoint => "ooxml_powerpoint",
                OfficeApplication::Other => "ooxml_other",
            },
            Self::OpenDocument { .. } => "opendocument",
            Self::Zip { .. } => "zip",
            Self::Xml { .. } => "xml",
            Self::Html => "html",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Tiff => "tiff",
            Self::Gif => "gif",
            Self::Bmp => "bmp",
            Self::OleCompound { .. } => "ole",
            Self::Rtf => "rtf",
            Self::Csv { .. } => "csv",
            Self::Text => "text",
            Self::Executable(_) => "executable",
            Self::Script(_) => "script",
            Self::Unknown => "unknown",
        }
    }

    /// The IANA media type, or the customary one where none is registered (`application/ofd`).
    #[must_use]
    pub const fn media_type(&self) -> &'static str {
        match self {
            Self::Pdf { .. } => "application/pdf",
            Self::Ofd { .. } => "application/ofd",
            Self::Ooxml {
                application,
                macros,
                ..
            } => ooxml_media_type(*application, *macros),
            Self::OpenDocument { kind, .. } => match kind {
                OpenDocumentKind::Text => "application/vnd.oasis.opendocument.text",
                OpenDocumentKind::Spreadsheet => "application/vnd.oasis.opendocument.spreadsheet",
                OpenDocumentKind::Presentation => "application/vnd.oasis.opendocument.presentation",
                OpenDocumentKind::Other => "application/zip",
            },
            Self::Zip { .. } => "application/zip",
            Self::Xml { .. } => "application/xml",
            Self::Html => "text/html",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Tiff => "image/tiff",
            Self::Gif => "image/gif",
            Self::Bmp => "image/bmp",
            Self::OleCompound { .. } => "application/x-ole-storage",
            Self::Rtf => "application/rtf",
            Self::Csv { .. } => "text/csv",
            Self::Text => "text/plain",
            Self::Executable(kind) => match kind {
                ExecutableKind::WindowsPe => "application/vnd.microsoft.portable-executable",
                ExecutableKind::Elf => "application/x-executable",
                ExecutableKind::MachO => "application/x-mach-binary",
                ExecutableKind::JavaClass => "application/java-vm",
                ExecutableKind::JavaArchive => "application/java-archive",
            },
            Self::Script(kind) => match kind {
                ScriptKind::Shebang => "text/x-script",
                ScriptKind::WindowsBatch => "application/x-bat",
                ScriptKind::PowerShell => "text/x-powershell",
                ScriptKind::JavaScript => "text/javascript",
                ScriptKind::VbScript => "text/vbscript",
                ScriptKind::Html => "text/html",
                ScriptKind::Svg => "image/svg+xml",
            },
            Self::Unknown => "application/octet-stream",
        }
    }

    /// The Chinese name shown to archivists, e.g. `PDF/A` or `OFD 版式文件`.
    #[must_use]
    pub const fn name_zh(&self) -> &'static str {
        match self {
            Self::Pdf { pdfa: Some(_), .. } => "PDF/A",
            Self::Pdf { pdfa: None, .. } => "PDF 版式文件",
            Self::Ofd { .. } => "OFD 版式文件",
            Self::Ooxml { application, .. } => match application {
                OfficeApplication::Word => "Word 文档 (OOXML)",
                OfficeApplication::Excel => "Excel 电子表格 (OOXML)",
                OfficeApplication::PowerPoint => "PowerPoint 演示文稿 (OOXML)",
                OfficeApplication::Other => "OOXML 文档包",
            },
            Self::OpenDocument { .. } => "开放文档 (ODF)",
            Self::Zip { .. } => "ZIP 压缩包",
            Self::Xml { .. } => "XML 文件",
            Self::Html => "HTML 网页",
            Self::Jpeg => "JPEG 图像",
            Self::Png => "PNG 图像",
            Self::Tiff => "TIFF 图像",
            Self::Gif => "GIF 图像",
            Self::Bmp => "BMP 图像",
            Self::OleCompound { .. } => "旧版 Office 复合文档",
            Self::Rtf => "RTF 文档",
            Self::Csv { .. } => "CSV 数据文件",
            Self::Text => "纯文本",
            Self::Executable(_) => "可执行程序",
            Self::Script(_) => "脚本",
            Self::Unknown => "未识别格式",
        }
    }

    /// What makes this file unfit to keep as is, in a fixed order; empty for most files.
    /// [`FormatRegistry::policy`](super::registry::FormatRegistry::policy) refuses any file
    /// with a hazard, whatever its format's policy.
    #[must_use]
    pub fn hazards(&self) -> Vec<Hazard> {
        let (macros, script, executable, encrypted) = match self {
            Self::Pdf {
                encrypted,
                active_content,
                ..
            } => (false, *active_content, false, *encrypted),
            Self::Ofd { encrypted } | Self::Zip { encrypted } => (false, false, false, *encrypted),
            Self::Ooxml {
                macros, encrypted, ..
            }
            | Self::OpenDocument {
                macros, encrypted, ..
            } => (*macros, false, false, *encrypted),
            // Possibly macro-bearing: see the variant's documentation.
            Self::OleCompound { encrypted } => (true, false, false, *encrypted),
            Self::Executable(_) => (false, false, true, false),
            Self::Script(_) => (false, true, false, false),
            _ => (false, false, false, false),
        };
        [
            (executable, Hazard::Executable),
            (script, Hazard::Script),
            (macros, Hazard::Macros),
            (encrypted, Hazard::Encrypted),
        ]
        .into_iter()
        .filter_map(|(present, hazard)| present.then_some(hazard))
        .collect()
    }
}

const fn ooxml_media_type(application: OfficeApplication, macros: bool) -> &'static str {
    match (application, macros) {
        (OfficeApplication::Word, false) => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        (OfficeApplication::Word, true) => "application/vnd.ms-word.document.macroEnabled.12",
        (OfficeApplication::Excel, false) => {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
        (OfficeApplication::Excel, true) => "application/vnd.ms-excel.sheet.macroEnabled.12",
        (OfficeApplication::PowerPoint, false) => {
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        }
        (OfficeApplication::PowerPoint, true) => {
            "application/vnd.ms-powerpoint.presentation.macroEnabled.12"
        }
        (OfficeApplication::Other, _) => "application/zip",
    }
}
