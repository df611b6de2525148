//! Inspection and text extraction of PDFs Fonds renders, and of such PDFs changed with lopdf
//! to carry what inspection must notice: encryption, active content, a PDF/A claim.

use lopdf::{
    Document, EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary,
};
use time::macros::datetime;

use super::*;
use crate::pdf::{PdfDocument, PdfLine, render};

fn voucher() -> PdfDocument {
    PdfDocument {
        title: "记账凭证 记-0057".into(),
        subject: None,
        creation_date: datetime!(2023-03-31 17:05:09),
        lines: vec![
            PdfLine::Heading("记账凭证".into()),
            PdfLine::KeyValue("摘要".into(), "报销差旅费 (Beijing trip)".into()),
            PdfLine::Text("借：管理费用-差旅费 1,234.50".into()),
        ],
    }
}

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The rendered voucher loaded, changed by `change`, and saved again.
fn changed(change: impl FnOnce(&mut Document)) -> Vec<u8> {
    let mut doc = ok(Document::load_mem(&render(&voucher())));
    change(&mut doc);
    let mut out = Vec::new();
    ok(doc.save_to(&mut out));
    out
}

fn catalog(doc: &mut Document) -> &mut lopdf::Dictionary {
    ok(doc.catalog_mut())
}

#[test]
fn a_rendered_pdf_is_plain_with_its_information() {
    let info = ok(inspect(&render(&voucher()), &Limits::default()));
    assert_eq!(
        info,
        PdfInfo {
            version: "1.7".into(),
            page_count: 1,
            encrypted: false,
            hazards: vec![],
            pdfa: None,
            title: Some("记账凭证 记-0057".into()),
            producer: Some("Fonds".into()),
            creation_date: Some("D:20230331170509".into()),
        }
    );
}

#[test]
fn chinese_text_is_extracted_from_rendered_pdfs_page_by_page() {
    let mut doc = voucher();
    doc.lines
        .extend((0..80).map(|i| PdfLine::Text(format!("第{i}行 会计档案"))));
    let pages = ok(extract_text(&render(&doc), &Limits::default()));
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let first: Vec<&str> = pages[0].lines().collect();
    assert_eq!(
        &first[..5],
        [
            "记账凭证",
            "摘要",
            "报销差旅费 (Beijing trip)",
            "借：管理费用-差旅费 1,234.50",
            "第0行 会计档案"
        ]
    );
    assert!(pages[1].contains("第79行 会计档案"), "{}", pages[1]);
    assert!(pages[1].contains(&format!("2 / {}", pages.len())));
}

#[test]
fn active_content_is_reported() {
    let pdf = changed(|doc| {
        let launch =
            doc.add_object(dictionary! { "S" => "Launch", "F" => Object::string_literal("x.exe") });
        let catalog = catalog(doc);
        catalog.set(
            "OpenAction",
            dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") },
        );
        catalog.set(
            "Names",
            dictionary! { "EmbeddedFiles" => dictionary! { "Names" => vec![] } },
        );
        catalog.set("AA", dictionary! { "WC" => launch });
    });
    let info = ok(inspect(&pdf, &Limits::default()));
    assert_eq!(
        info.hazards,
        [Hazard::JavaScript, Hazard::EmbeddedFiles, Hazard::Launch]
    );
}

#[test]
fn a_pdfa_claim_in_the_catalog_metadata_is_reported() {
    let xmp = "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
               <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
               <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
               <rdf:Description rdf:about=\"\" \
               xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"2\" \
               pdfaid:conformance=\"B\"/></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
    let pdf = changed(|doc| {
        let mut stream = Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            xmp.as_bytes().to_vec(),
        );
        ok(stream.compress());
        let metadata = doc.add_object(stream);
        catalog(doc).set("Metadata", metadata);
    });
    let info = ok(inspect(&pdf, &Limits::default()));
    assert_eq!(
        info.pdfa,
        Some(PdfAClaim {
            part: 2,
            conformance: Some("B".into())
        })
    );
}

fn encrypted(user_password: &str) -> Vec<u8> {
    changed(|doc| {
        let version = EncryptionVersion::V2 {
            document: doc,
            owner_password: "owner",
            user_password,
            key_length: 128,
            permissions: Permissions::all(),
        };
        let state = ok(EncryptionState::try_from(version));
        ok(doc.encrypt(&state));
    })
}

#[test]
fn encrypted_pdfs_are_reported_and_their_text_is_not_read() {
    for user_password in ["", "secret"] {
        let pdf = encrypted(user_password);
        let info = ok(inspect(&pdf, &Limits::default()));
        assert!(info.encrypted, "user password {user_password:?}");
        assert_eq!(
            extract_text(&pdf, &Limits::default()),
            Err(PdfReadError::Encrypted)
        );
    }
}

#[test]
fn limits_are_enforced() {
    let mut doc = voucher();
    doc.lines
        .extend((0..200).map(|i| PdfLine::Text(format!("第{i}行"))));
    let pdf = render(&doc);
    let pages = Limits {
        max_pages: 2,
        ..Limits::default()
    };
    assert_eq!(
        inspect(&pdf, &pages),
        Err(PdfReadError::TooManyPages { limit: 2 })
    );
    let objects = Limits {
        max_objects: 5,
        ..Limits::default()
    };
    assert!(matches!(
        inspect(&pdf, &objects),
        Err(PdfReadError::TooManyObjects { limit: 5, .. })
    ));
    let text = Limits {
        max_text_chars: 100,
        ..Limits::default()
    };
    assert_eq!(
        extract_text(&pdf, &text),
        Err(PdfReadError::TextTooLong { limit: 100 })
    );
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let pdf = render(&voucher());
    assert_eq!(
        inspect(&pdf[..pdf.len() / 2], &Limits::default()),
        Err(PdfReadError::Truncated)
    );
    assert_eq!(
        inspect(b"GIF89a", &Limits::default()),
        Err(PdfReadError::NotPdf)
    );
    let garbage = b"%PDF-1.7\nnothing here\nstartxref\n12345\n%%EOF\n";
    assert!(matches!(
        inspect(garbage, &Limits::default()),
        Err(PdfReadError::Malformed(_))
    ));
}

#[test]
fn the_content_budget_bounds_the_whole_document() {
    let mut doc = voucher();
    doc.lines
        .extend((0..200).map(|i| PdfLine::Text(format!("第{i}行"))));
    let pdf = render(&doc);
    let one_page = Limits {
        max_content_bytes: 4096,
        ..Limits::default()
    };
    assert_eq!(
        extract_text(&pdf, &one_page),
        Err(PdfReadError::ContentTooLarge { limit: 4096 })
    );
    assert!(extract_text(&pdf, &Limits::default()).is_ok());
}
