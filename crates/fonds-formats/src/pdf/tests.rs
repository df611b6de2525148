//! Structural checks of rendered PDFs, done by parsing the file the way a reader starts to.

use time::macros::datetime;

use super::*;

fn voucher() -> PdfDocument {
    PdfDocument {
        title: "记账凭证 记-0057".into(),
        subject: Some("2023年3月".into()),
        creation_date: datetime!(2023-03-31 17:05:09),
        lines: vec![
            PdfLine::Heading("记账凭证".into()),
            PdfLine::KeyValue("凭证号".into(), "记-0057".into()),
            PdfLine::KeyValue("摘要".into(), "报销差旅费 (Beijing trip)".into()),
            PdfLine::Rule,
            PdfLine::Text("借: 管理费用-差旅费 1,234.50\n贷: 银行存款 1,234.50".into()),
        ],
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Follows `startxref` to the cross-reference table and checks that every in-use entry points
/// at the header of the object with its number. Returns the number of objects.
fn check_xref(pdf: &[u8]) -> usize {
    let at = rfind(pdf, b"startxref\n").expect("startxref") + b"startxref\n".len();
    let tail = std::str::from_utf8(&pdf[at..]).expect("ASCII tail");
    let xref: usize = tail
        .lines()
        .next()
        .expect("offset")
        .parse()
        .expect("number");
    let table = std::str::from_utf8(&pdf[xref..]).expect("ASCII table");
    let mut lines = table.split('\n');
    assert_eq!(lines.next(), Some("xref"));
    let header = lines.next().expect("subsection");
    let size: usize = header
        .strip_prefix("0 ")
        .expect("one subsection from 0")
        .parse()
        .expect("size");
    assert_eq!(lines.next(), Some("0000000000 65535 f "));
    for number in 1..size {
        let entry = lines.next().expect("entry");
        assert_eq!(entry.len(), 19, "entries are 20 bytes with their line end");
        assert!(entry.ends_with(" 00000 n "), "{entry}");
        let offset: usize = entry[..10].parse().expect("offset");
        let expected = format!("{number} 0 obj\n");
        assert!(
            pdf[offset..].starts_with(expected.as_bytes()),
            "object {number} is not at {offset}"
        );
    }
    assert!(table.contains(&format!("trailer\n<< /Size {size} /Root 1 0 R")));
    size - 1
}

#[test]
fn output_is_a_pdf_17_file_with_a_trailer() {
    let pdf = render(&voucher());
    assert!(pdf.starts_with(b"%PDF-1.7\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    assert_eq!(check_xref(&pdf), 9, "seven fixed objects and one page");
}

#[test]
fn stream_lengths_match_their_data() {
    let pdf = render(&voucher());
    let mut rest = &pdf[..];
    while let Some(at) = find(rest, b"<< /Length ") {
        rest = &rest[at + b"<< /Length ".len()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let length: usize = std::str::from_utf8(&rest[..digits])
            .expect("digits")
            .parse()
            .expect("length");
        let data = find(rest, b"stream\n").expect("stream") + b"stream\n".len();
        assert!(rest[data + length..].starts_with(b"\nendstream"));
    }
}

#[test]
fn chinese_text_uses_the_cjk_font_as_ucs2() {
    let pdf = render(&voucher());
    for needle in [
        &b"/BaseFont /STSong-Light-UniGB-UCS2-H"[..],
        b"/Encoding /UniGB-UCS2-H",
        b"/Subtype /CIDFontType0 /BaseFont /STSong-Light",
        b"/Registry (Adobe) /Ordering (GB1)",
        b"/ToUnicode 6 0 R",
        b"<8BB08D2651ED8BC1> Tj", // 记账凭证
    ] {
        assert!(
            find(&pdf, needle).is_some(),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
    // The ToUnicode map covers the codes used: ASCII and the blocks of 记 (8B) and 账 (8D).
    assert!(find(&pdf, b"<8B00> <8BFF> <8B00>").is_some());
    assert!(find(&pdf, b"<8D00> <8DFF> <8D00>").is_some());
}

#[test]
fn document_information_carries_title_producer_and_date() {
    let pdf = render(&voucher());
    let info = format!("7 0 obj\n<< /Title {}", text_string("记账凭证 记-0057"));
    assert!(find(&pdf, info.as_bytes()).is_some());
    assert!(find(&pdf, b"<< /Title <FEFF8BB08D2651ED8BC10020").is_some());
    assert!(find(&pdf, b"/Producer (Fonds) /CreationDate (D:20230331170509)").is_some());
    assert!(find(&pdf, b"/Subject <FEFF").is_some());
    assert!(find(&pdf, b"/ID [<").is_some());
}

#[test]
fn rendering_is_deterministic_and_the_id_follows_the_content() {
    let first = render(&voucher());
    assert_eq!(first, render(&voucher()));
    let mut changed = voucher();
    changed.lines.push(PdfLine::Text("附件 3 张".into()));
    let second = render(&changed);
    let id = |pdf: &[u8]| {
        let at = find(pdf, b"/ID [<").expect("id") + 6;
        pdf[at..at + 32].to_vec()
    };
    assert_ne!(id(&first), id(&second));
}

#[test]
fn long_documents_span_several_pages() {
    let mut doc = voucher();
    doc.lines = (1..=200)
        .map(|i| PdfLine::KeyValue(format!("第{i}行"), "差旅费 1,234.50".into()))
        .collect();
    let pdf = render(&doc);
    let pages = count(&pdf, b"/Type /Page /Parent");
    assert!(pages > 1, "{pages} page(s)");
    assert!(find(&pdf, format!("/Count {pages} >>").as_bytes()).is_some());
    assert_eq!(check_xref(&pdf), 7 + 2 * pages);
    assert!(
        find(&pdf, b"<00310020002F0020").is_some(),
        "page numbers are printed"
    );
}

#[test]
fn characters_outside_the_bmp_become_question_marks() {
    let mut doc = voucher();
    doc.lines = vec![PdfLine::Text("𠀀".into())];
    let pdf = render(&doc);
    assert!(find(&pdf, b"<003F> Tj").is_some());
}
