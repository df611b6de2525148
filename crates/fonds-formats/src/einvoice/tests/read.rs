//! The reader: what it tolerates, and every way it refuses a document.

use super::*;

fn read_str(xml: &str) -> Result<InvoiceData, EInvoiceError> {
    read(xml.as_bytes())
}

fn field_error(xml: &str) -> FieldError {
    match read_str(xml) {
        Err(EInvoiceError::Field(error)) => error,
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn xml_error(xml: &[u8]) -> XmlError {
    match read(xml) {
        Err(EInvoiceError::Xml(error)) => error,
        other => panic!("expected an XML error, got {other:?}"),
    }
}

#[test]
fn the_rendered_invoice_reads_back() {
    assert_eq!(read_str(&render_xml(&invoice())), Ok(invoice()));
    assert_eq!(read_str(&render_xml(&red_invoice())), Ok(red_invoice()));
}

#[test]
fn prefixes_namespaces_a_byte_order_mark_and_comments_are_tolerated() {
    let xml = render_xml(&invoice());
    let body = xml.split_once("?>\n").expect("declaration").1;
    let prefixed = body
        .replace("</", "\u{0}")
        .replace('<', "<einv:")
        .replace('\u{0}', "</einv:")
        .replacen(
            "<einv:EInvoice>",
            "<einv:EInvoice xmlns:einv=\"urn:example:einvoice\"><!-- issued -->",
            1,
        );
    let with_bom = format!("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{prefixed}");
    assert_eq!(read_str(&with_bom), Ok(invoice()));
}

#[test]
fn unknown_elements_cdata_and_a_date_only_request_time_are_accepted() {
    let xml = rendered_with(
        "<RequestTime>2024-03-05 09:30:00</RequestTime>",
        "<RequestTime>2024-03-05</RequestTime><Drawer>张三</Drawer>",
    )
    .replacen(
        "<SellerName>广州某某信息技术有限公司</SellerName>",
        "<SellerName><![CDATA[广州某某信息技术有限公司]]></SellerName>",
        1,
    );
    let read = read_str(&xml).expect("readable");
    assert_eq!(read.issued_at, datetime!(2024-03-05 00:00:00));
    assert_eq!(read.seller_name, invoice().seller_name);
}

#[test]
fn remark_and_buyer_id_are_optional_and_remark_is_found_at_other_depths() {
    let xml = rendered_with("<BuyerIdNum>91110000100000000X</BuyerIdNum>", "").replacen(
        "<TotalTaxAm>",
        "<Remark>在基本信息中</Remark><TotalTaxAm>",
        1,
    );
    let read = read_str(&xml).expect("readable");
    assert_eq!(read.buyer_tax_id, "");
    assert_eq!(read.remarks.as_deref(), Some("在基本信息中"));
}

#[test]
fn an_absent_red_letter_flag_means_blue() {
    let xml = rendered_with(
        "<WhetherEinvoiceIsRedEinvoice>N</WhetherEinvoiceIsRedEinvoice>",
        "",
    );
    assert_eq!(read_str(&xml).map(|i| i.red_letter), Ok(false));
}

#[test]
fn missing_required_elements_are_named_by_path() {
    let cases = [
        ("<EIid>24442000000123456789</EIid>", "EInvoice/Header/EIid"),
        (
            "<SellerName>广州某某信息技术有限公司</SellerName>",
            "EInvoice/EInvoiceData/SellerInformation/SellerName",
        ),
        (
            "<TotalTaxAm>66.00</TotalTaxAm>",
            "EInvoice/EInvoiceData/BasicInformation/TotalTaxAm",
        ),
        (
            "<RequestTime>2024-03-05 09:30:00</RequestTime>",
            "EInvoice/EInvoiceData/BasicInformation/RequestTime",
        ),
        (
            "<Amount>100.00</Amount>",
            "EInvoice/EInvoiceData/IssuItemInformation[2]/Amount",
        ),
    ];
    for (element, path) in cases {
        let error = field_error(&rendered_with(element, ""));
        assert_eq!(error, FieldError::Missing { path: path.into() });
        assert!(error.to_string().contains(path));
    }
    let no_data = render_xml(&invoice());
    let start = no_data.find("<EInvoiceData>").expect("data");
    let end = no_data.find("<TaxSupervisionInfo>").expect("supervision");
    let no_data = format!("{}{}", &no_data[..start], &no_data[end..]);
    assert_eq!(field_error(&no_data).path(), "EInvoice/EInvoiceData");
}

#[test]
fn bad_amounts_are_refused_with_their_path_and_value() {
    for bad in ["1,100.00", "1100.001", "", "1e3", "十元"] {
        let xml = rendered_with(
            "<TotalAmWithoutTax>1100.00</TotalAmWithoutTax>",
            &format!("<TotalAmWithoutTax>{bad}</TotalAmWithoutTax>"),
        );
        let error = field_error(&xml);
        assert_eq!(
            error.path(),
            "EInvoice/EInvoiceData/BasicInformation/TotalAmWithoutTax"
        );
        assert!(matches!(&error, FieldError::Invalid { value, .. } if value == bad));
    }
    let xml = rendered_with("<ComTaxAm>60.00</ComTaxAm>", "<ComTaxAm>6O.00</ComTaxAm>");
    assert_eq!(
        field_error(&xml).path(),
        "EInvoice/EInvoiceData/IssuItemInformation[1]/ComTaxAm"
    );
}

#[test]
fn surrounding_white_space_around_values_is_ignored() {
    let xml = rendered_with(
        "<TotalAmWithoutTax>1100.00</TotalAmWithoutTax>",
        "<TotalAmWithoutTax>\n  1100.00\n</TotalAmWithoutTax>",
    );
    assert_eq!(read_str(&xml), Ok(invoice()));
}

#[test]
fn invoice_numbers_other_than_twenty_digits_are_refused() {
    for bad in [
        "2444200000012345678",
        "244420000001234567890",
        "2444200000012345678X",
    ] {
        let xml = rendered_with(
            "<EIid>24442000000123456789</EIid>",
            &format!("<EIid>{bad}</EIid>"),
        )
        .replacen(
            "<InvoiceNumber>24442000000123456789</InvoiceNumber>",
            &format!("<InvoiceNumber>{bad}</InvoiceNumber>"),
            1,
        );
        assert_eq!(field_error(&xml).path(), "EInvoice/Header/EIid");
    }
    let red = render_xml(&red_invoice()).replacen(
        "<OriginalInvoiceNumber>24442000000123456789</",
        "<OriginalInvoiceNumber>0123</",
        1,
    );
    assert_eq!(
        field_error(&red).path(),
        "EInvoice/EInvoiceData/RedInvoiceInformation/OriginalInvoiceNumber"
    );
}

#[test]
fn a_supervision_number_that_differs_from_the_header_is_an_error_naming_both() {
    let xml = rendered_with(
        "<InvoiceNumber>24442000000123456789</InvoiceNumber>",
        "<InvoiceNumber>24442000000123456780</InvoiceNumber>",
    );
    let error = read_str(&xml).expect_err("mismatch");
    assert_eq!(
        error,
        EInvoiceError::NumberMismatch {
            header: "24442000000123456789".into(),
            supervision: "24442000000123456780".into(),
        }
    );
    let message = error.to_string();
    assert!(message.contains("24442000000123456789") && message.contains("24442000000123456780"));
}

#[test]
fn bad_flags_times_and_repeated_elements_are_refused() {
    let flag = rendered_with(
        "<WhetherEinvoiceIsRedEinvoice>N</",
        "<WhetherEinvoiceIsRedEinvoice>是</",
    );
    assert!(matches!(
        field_error(&flag),
        FieldError::Invalid {
            expected: "Y or N",
            ..
        }
    ));
    let time = rendered_with(
        "2024-03-05 09:30:00</RequestTime>",
        "2024-02-30 09:30:00</RequestTime>",
    );
    assert_eq!(
        field_error(&time).path(),
        "EInvoice/EInvoiceData/BasicInformation/RequestTime"
    );
    let twice = rendered_with(
        "<EIid>24442000000123456789</EIid>",
        "<EIid>24442000000123456789</EIid><EIid>24442000000000000000</EIid>",
    );
    assert_eq!(
        field_error(&twice),
        FieldError::Repeated {
            path: "EInvoice/Header/EIid".into()
        }
    );
}

#[test]
fn doctype_and_entity_declarations_are_refused() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE EInvoice [<!ENTITY a \"aaaaaaaa\">\
                  <!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>\n<EInvoice><Header><EIid>&b;</EIid>\
                  </Header></EInvoice>";
    assert_eq!(xml_error(laughs.as_bytes()), XmlError::Doctype);
    let external = "<!DOCTYPE EInvoice SYSTEM \"file:///etc/passwd\"><EInvoice/>";
    assert_eq!(xml_error(external.as_bytes()), XmlError::Doctype);
    let undeclared = rendered_with("<SellerName>广州", "<SellerName>&company;广州");
    assert_eq!(
        xml_error(undeclared.as_bytes()),
        XmlError::UndeclaredEntity {
            name: "company".into()
        }
    );
}

#[test]
fn documents_too_deep_too_large_or_with_too_many_lines_are_refused() {
    let deep = format!(
        "<EInvoice>{}{}</EInvoice>",
        "<a>".repeat(MAX_INVOICE_DEPTH),
        "</a>".repeat(MAX_INVOICE_DEPTH)
    );
    assert_eq!(
        xml_error(deep.as_bytes()),
        XmlError::TooDeep {
            limit: MAX_INVOICE_DEPTH
        }
    );

    let padding = format!("<!--{}-->", " ".repeat(MAX_INVOICE_BYTES));
    let large = rendered_with("<Header>", &format!("<Header>{padding}"));
    assert!(matches!(
        xml_error(large.as_bytes()),
        XmlError::TooLarge {
            limit: MAX_INVOICE_BYTES,
            ..
        }
    ));

    let line = "<IssuItemInformation><ItemName>x</ItemName><UnPrice>1</UnPrice>\
                <Amount>1</Amount><ComTaxAm>0</ComTaxAm></IssuItemInformation>";
    let many = rendered_with(
        "<IssuItemInformation>",
        &format!("{}<IssuItemInformation>", line.repeat(MAX_INVOICE_ITEMS)),
    );
    assert_eq!(
        read_str(&many),
        Err(EInvoiceError::TooManyItems {
            count: MAX_INVOICE_ITEMS + 2,
            limit: MAX_INVOICE_ITEMS
        })
    );
}

#[test]
fn other_roots_encodings_and_broken_markup_are_refused() {
    assert_eq!(
        xml_error(b"<Invoice><Header/></Invoice>"),
        XmlError::UnexpectedRoot {
            expected: "EInvoice",
            found: "Invoice".into()
        }
    );
    let gbk = rendered_with("encoding=\"UTF-8\"", "encoding=\"GBK\"");
    assert_eq!(
        xml_error(gbk.as_bytes()),
        XmlError::UnsupportedEncoding {
            declared: "GBK".into()
        }
    );
    let mut latin1 = render_xml(&invoice()).into_bytes();
    let at = latin1.len() / 2;
    latin1[at] = 0xFF;
    assert!(matches!(xml_error(&latin1), XmlError::NotUtf8 { .. }));
    assert!(matches!(
        xml_error(b"<EInvoice><Header></EInvoice>"),
        XmlError::Malformed { .. }
    ));
    assert_eq!(xml_error(b"<!-- nothing -->"), XmlError::NoRoot);
    assert_eq!(
        xml_error(b"<EInvoice/><EInvoice/>"),
        XmlError::ContentOutsideRoot
    );
    assert_eq!(
        xml_error(b"<EInvoice><Header>"),
        XmlError::Truncated {
            open: "Header".into()
        }
    );
}
