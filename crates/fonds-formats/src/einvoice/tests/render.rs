//! The rendered XML: element names, escaping, the red-letter block, determinism.

use super::*;

/// Checks that start and end tags nest properly, which is all a fixed-tree writer can get
/// wrong; returns the element names in document order.
fn balanced_elements(xml: &str) -> Vec<String> {
    let body = xml.split_once("?>").expect("declaration").1;
    let mut stack = Vec::new();
    let mut seen = Vec::new();
    for tag in body.split('<').skip(1) {
        let name = tag.split('>').next().expect("tag end");
        if let Some(closing) = name.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(closing), "misnested {closing}");
        } else {
            stack.push(name.to_owned());
            seen.push(name.to_owned());
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    seen
}

#[test]
fn invoice_renders_with_the_element_names_of_public_samples() {
    let xml = render_xml(&invoice());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EInvoice>\n"));
    let elements = balanced_elements(&xml);
    for name in [
        "Header",
        "EIid",
        "SellerIdNum",
        "BuyerName",
        "TotalAmWithoutTax",
        "TotalTax-includedAmount",
        "RequestTime",
        "TaxRate",
        "ComTaxAm",
        "TaxSupervisionInfo",
    ] {
        assert!(elements.iter().any(|e| e == name), "{name} missing");
    }
    let lines = elements.iter().filter(|e| *e == "IssuItemInformation");
    assert_eq!(lines.count(), 2);
    assert!(xml.contains("<EIid>24442000000123456789</EIid>"));
    assert!(xml.contains("<InvoiceNumber>24442000000123456789</InvoiceNumber>"));
    assert!(xml.contains("<TotalTax-includedAmount>1166.00</TotalTax-includedAmount>"));
    assert!(xml.contains("<RequestTime>2024-03-05 09:30:00</RequestTime>"));
    assert!(xml.contains("<TotaltaxIncludedAmount>106.00</TotaltaxIncludedAmount>"));
    assert!(xml.contains("<WhetherEinvoiceIsRedEinvoice>N</WhetherEinvoiceIsRedEinvoice>"));
    assert!(!xml.contains("Remark"), "no remarks were given");
    assert!(
        !xml.contains("RedInvoiceInformation"),
        "a blue invoice reverses nothing"
    );
}

#[test]
fn special_characters_are_escaped_and_forbidden_ones_dropped() {
    let mut data = invoice();
    data.seller_name = "A&B <Co> \"Ltd\" 'x'".into();
    data.remarks = Some("原发票号码: 2444\u{1}2000\r\n第二行".into());
    let xml = render_xml(&data);
    assert!(xml.contains("<SellerName>A&amp;B &lt;Co&gt; &quot;Ltd&quot; &apos;x&apos;</"));
    assert!(xml.contains("<Remark>原发票号码: 24442000&#13;\n第二行</Remark>"));
    balanced_elements(&xml);
}

#[test]
fn red_letter_invoices_carry_the_flag_negative_amounts_and_the_reversed_number() {
    let xml = render_xml(&red_invoice());
    assert!(xml.contains("<WhetherEinvoiceIsRedEinvoice>Y</WhetherEinvoiceIsRedEinvoice>"));
    assert!(xml.contains("<TotalTax-includedAmount>-1166.00</"));
    assert!(xml.contains(
        "<RedInvoiceInformation>\n      \
         <OriginalInvoiceNumber>24442000000123456789</OriginalInvoiceNumber>\n    \
         </RedInvoiceInformation>"
    ));
    balanced_elements(&xml);
}

#[test]
fn a_blue_invoice_never_renders_an_original_number() {
    let mut data = invoice();
    data.original_number = Some("24442000000000000001".into());
    assert!(!render_xml(&data).contains("OriginalInvoiceNumber"));
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(render_xml(&invoice()), render_xml(&invoice()));
    assert_eq!(render_xml(&red_invoice()), render_xml(&red_invoice()));
}
