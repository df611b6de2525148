//! The document structure: `OFD.xml` (DocBody → DocInfo, DocRoot, Signatures) and the
//! `Document.xml` it points to (pages, attachments, custom tags).

use time::Date;

use super::error::OfdError;
use super::package::{Package, dir_of};
use super::xml::{self, Element};
use super::{Limits, dates};

/// `DocInfo` of the first `DocBody` in `OFD.xml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocInfo {
    /// `DocID`: the document's identifier (usually 32 hex digits).
    pub doc_id: Option<String>,
    /// `Title`.
    pub title: Option<String>,
    /// `Author`.
    pub author: Option<String>,
    /// `CreationDate`, when it is a date (`2024-03-05`).
    pub creation_date: Option<Date>,
    /// `CustomDatas/CustomData`: name and value pairs, in document order.
    pub custom_datas: Vec<CustomData>,
}

/// One `CustomData` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomData {
    /// The `Name` attribute.
    pub name: String,
    /// The element text.
    pub value: String,
}

/// `OFD.xml` read: the document information and where the document root and signatures are.
#[derive(Debug, Clone)]
pub(super) struct Root {
    pub(super) info: DocInfo,
    /// Package path of `Document.xml`.
    pub(super) doc_root: String,
    /// Package path of `Signatures.xml`, when the document declares signatures.
    pub(super) signatures: Option<String>,
}

/// `Document.xml` read: its pages and where its attachments and tags are listed.
#[derive(Debug, Clone)]
pub(super) struct Body {
    /// Pages in order: the `ID` and the package path of the content, when it resolves.
    pub(super) pages: Vec<PageEntry>,
    /// Package path of `Attachments.xml`, when declared and present.
    pub(super) attachments: Option<String>,
    /// Package path of `CustomTags.xml`, when declared and present.
    pub(super) custom_tags: Option<String>,
}

/// One `Pages/Page` of `Document.xml`.
#[derive(Debug, Clone)]
pub(super) struct PageEntry {
    pub(super) id: String,
    pub(super) content: Option<String>,
}

const ROOT: &str = "OFD.xml";

/// Reads `OFD.xml`.
pub(super) fn read_root(package: &Package, limits: &Limits) -> Result<Root, OfdError> {
    let bytes = package.get(ROOT).ok_or(OfdError::NotOfd)?;
    let ofd = xml::parse(ROOT, bytes, limits)?;
    let body = ofd
        .child("DocBody")
        .ok_or_else(|| OfdError::MissingElement {
            path: ROOT.into(),
            element: "DocBody",
        })?;
    let info = body.child("DocInfo").map(doc_info).unwrap_or_default();
    let root_loc = body
        .child_text("DocRoot")
        .ok_or_else(|| OfdError::MissingElement {
            path: ROOT.into(),
            element: "DocRoot",
        })?;
    let doc_root = package
        .locate(ROOT, root_loc)
        .ok_or_else(|| OfdError::MissingPart {
            path: root_loc.chars().take(200).collect(),
            what: "the document root named by OFD.xml DocRoot",
        })?;
    let signatures = match body.child_text("Signatures") {
        Some(loc) => Some(
            package
                .locate(ROOT, loc)
                .ok_or_else(|| OfdError::MissingPart {
                    path: loc.chars().take(200).collect(),
                    what: "the signature list named by OFD.xml Signatures",
                })?,
        ),
        None => None,
    };
    Ok(Root {
        info,
        doc_root,
        signatures,
    })
}

fn doc_info(info: &Element) -> DocInfo {
    let text = |name| info.child_text(name).map(str::to_owned);
    DocInfo {
        doc_id: text("DocID"),
        title: text("Title"),
        author: text("Author"),
        creation_date: info.child_text("CreationDate").and_then(dates::parse),
        custom_datas: info
            .child("CustomDatas")
            .map(|datas| {
                datas
                    .children_named("CustomData")
                    .map(|d| CustomData {
                        name: d.attr("Name").unwrap_or_default().to_owned(),
                        value: d.text().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Reads `Document.xml` at `path`.
pub(super) fn read_body(package: &Package, path: &str, limits: &Limits) -> Result<Body, OfdError> {
    let bytes = package.get(path).unwrap_or_default();
    let document = xml::parse(path, bytes, limits)?;
    let pages = document
        .child("Pages")
        .map(|pages| {
            pages
                .children_named("Page")
                .map(|page| PageEntry {
                    id: page.attr("ID").unwrap_or_default().to_owned(),
                    content: page
                        .attr("BaseLoc")
                        .and_then(|loc| package.locate(path, loc)),
                })
                .collect()
        })
        .unwrap_or_default();
    let doc_dir = dir_of(path);
    let listed = |element: &str, usual: &str| {
        document
            .child_text(element)
            .and_then(|loc| package.locate(path, loc))
            .or_else(|| {
                let usual = join(doc_dir, usual);
                package.contains(&usual).then_some(usual)
            })
    };
    Ok(Body {
        pages,
        attachments: listed("Attachments", "Attachs/Attachments.xml"),
        custom_tags: listed("CustomTags", "Tags/CustomTags.xml"),
    })
}

/// A package path under a directory (which may be the root, `""`).
pub(super) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}
