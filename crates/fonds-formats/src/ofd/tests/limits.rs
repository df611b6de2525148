//! Hostile packages are refused with the limit they break.

use std::io::Write as _;

use super::*;

fn small_entries(count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| (format!("f{i}.txt"), b"x".to_vec()))
        .collect()
}

#[test]
fn too_many_entries_are_refused_before_reading_them() {
    let bytes = repack(&small_entries(1_001));
    assert!(matches!(
        read_default(&bytes),
        Err(OfdError::TooManyEntries {
            count: 1_001,
            limit: 1_000
        })
    ));
}

#[test]
fn an_entry_over_the_size_limit_is_refused() {
    let limits = Limits {
        max_entry_size: 1_000,
        ..Limits::default()
    };
    let result = read(&render_invoice(&vat_spec()), &limits);
    assert!(matches!(
        result,
        Err(OfdError::EntryTooLarge { limit: 1_000, .. })
    ));
}

#[test]
fn the_total_size_limit_holds_across_entries() {
    let limits = Limits {
        max_total_size: 3_000,
        ..Limits::default()
    };
    let result = read(&render_invoice(&vat_spec()), &limits);
    assert_eq!(
        result.err(),
        Some(OfdError::PackageTooLarge { limit: 3_000 })
    );
}

#[test]
fn a_header_understating_the_size_does_not_get_past_the_limit() {
    let data = vec![b'a'; 5_000];
    let mut entry = Entry::new("big.bin", &data);
    entry.declared_size = Some(10);
    let bytes = stored_zip(
        &[entry],
        DosTime {
            time: 0,
            date: 0x21,
        },
    );
    let limits = Limits {
        max_entry_size: 1_000,
        ..Limits::default()
    };
    let result = read(&bytes, &limits);
    assert!(
        matches!(
            result,
            Err(OfdError::EntryTooLarge { .. } | OfdError::EntryUnreadable { .. })
        ),
        "{result:?}"
    );
}

#[test]
fn a_zip_bomb_is_refused_by_its_compression_ratio() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("OFD.xml", options).expect("start");
    writer
        .write_all(&vec![b' '; 4 * 1024 * 1024])
        .expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    let result = read_default(&bytes);
    assert!(
        matches!(
            &result,
            Err(OfdError::CompressionRatio { name, ratio, limit: 100 })
                if name == "OFD.xml" && *ratio > 100
        ),
        "{result:?}"
    );
}

#[test]
fn names_that_leave_the_package_are_refused() {
    for name in [
        "../evil.xml",
        "Doc_0/../../evil.xml",
        "/etc/passwd",
        "C:/x.xml",
        "a\\b.xml",
        "a//b.xml",
    ] {
        let bytes = repack(&[(name.to_owned(), b"x".to_vec())]);
        assert!(
            matches!(read_default(&bytes), Err(OfdError::UnsafeEntryName { .. })),
            "{name} was accepted"
        );
    }
}

#[test]
fn duplicate_names_are_refused() {
    let mut entries = unpack(&render_invoice(&vat_spec()));
    entries.push(("OFD.xml".into(), b"<x/>".to_vec()));
    assert_eq!(
        read_default(&repack(&entries)).err(),
        Some(OfdError::DuplicateEntry)
    );
}

fn with_root(ofd_xml: &str) -> Vec<u8> {
    edited(&render_invoice(&vat_spec()), "OFD.xml", |_| {
        ofd_xml.to_owned()
    })
}

#[test]
fn deep_xml_is_refused() {
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    let result = read_default(&with_root(&deep));
    assert!(matches!(
        result,
        Err(OfdError::Xml {
            problem: XmlProblem::TooDeep { limit: 64 },
            ..
        })
    ));
}

#[test]
fn too_many_xml_elements_are_refused() {
    let wide = format!("<a>{}</a>", "<b/>".repeat(200));
    let limits = Limits {
        max_xml_elements: 100,
        ..Limits::default()
    };
    let result = read(&with_root(&wide), &limits);
    assert!(matches!(
        result,
        Err(OfdError::Xml {
            problem: XmlProblem::TooManyElements { limit: 100 },
            ..
        })
    ));
}

#[test]
fn doctype_and_undeclared_entities_are_refused() {
    let doctype = r#"<?xml version="1.0"?><!DOCTYPE OFD [<!ENTITY a "aaaa">]><OFD>&a;</OFD>"#;
    assert!(matches!(
        read_default(&with_root(doctype)),
        Err(OfdError::Xml {
            problem: XmlProblem::Doctype,
            ..
        })
    ));
    let entity = "<OFD><DocBody><DocRoot>&a;</DocRoot></DocBody></OFD>";
    assert!(matches!(
        read_default(&with_root(entity)),
        Err(OfdError::Xml { problem: XmlProblem::UnknownEntity(name), .. }) if name == "a"
    ));
}

#[test]
fn predefined_entities_and_character_references_are_expanded() {
    let ofd = render_invoice(&vat_spec());
    let bytes = edited(&ofd, "OFD.xml", |text| {
        text.replace(
            "<ofd:Title>电子发票(普通发票)</ofd:Title>",
            "<ofd:Title>A&amp;B&#x4E2D;&#25991;</ofd:Title>",
        )
    });
    let document = read_default(&bytes).expect("readable");
    assert_eq!(document.info.title.as_deref(), Some("A&B中文"));
}

#[test]
fn non_utf8_and_broken_xml_are_errors_naming_the_file() {
    let bytes = edited(&render_invoice(&vat_spec()), "OFD.xml", |_| {
        "<OFD><DocBody></OFD>".into()
    });
    assert!(matches!(
        read_default(&bytes),
        Err(OfdError::Xml { path, problem: XmlProblem::Syntax(_) }) if path == "OFD.xml"
    ));
    let mut entries = unpack(&render_invoice(&vat_spec()));
    for (name, data) in &mut entries {
        if name == "OFD.xml" {
            data.push(0xFF);
        }
    }
    assert!(matches!(
        read_default(&repack(&entries)),
        Err(OfdError::Xml {
            problem: XmlProblem::NotUtf8,
            ..
        })
    ));
}
