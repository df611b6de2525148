//! Invoice data from custom tags, when there is no `original_invoice.xml`.

use super::*;

const TAGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ofd:CustomTags xmlns:ofd="http://www.ofdspec.org/2016">
  <ofd:CustomTag TypeID="invoice">
    <ofd:FileLoc>CustomTag.xml</ofd:FileLoc>
  </ofd:CustomTag>
</ofd:CustomTags>"#;

/// Number and parties as text in the tag file; the amount and the date by reference to page
/// objects. The root is written `<:eInvoice>`, with an empty prefix, as some issuers do.
const TAG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<:eInvoice xmlns:ofd="http://www.ofdspec.org/2016" xmlns="">
  <InvoiceNo>24312000000012345678</InvoiceNo>
  <Buyer><BuyerName>北京示例贸易有限公司</BuyerName></Buyer>
  <Seller><SellerName>上海示例软件有限公司</SellerName><SellerTaxID>91310000MA1K000001</SellerTaxID></Seller>
  <IssueDate><ofd:ObjectRef PageRef="1">51</ofd:ObjectRef></IssueDate>
  <TaxInclusiveTotalAmount><ofd:ObjectRef PageRef="1">50</ofd:ObjectRef></TaxInclusiveTotalAmount>
</:eInvoice>"#;

const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="3">
  <ofd:TextObject ID="50" Boundary="0 0 30 5" Font="2" Size="3">
    <ofd:TextCode X="0" Y="3">¥212.00</ofd:TextCode>
  </ofd:TextObject>
  <ofd:TextObject ID="51" Boundary="0 6 30 5" Font="2" Size="3">
    <ofd:TextCode X="0" Y="3">2024年03月</ofd:TextCode>
    <ofd:TextCode X="20" Y="3">05日</ofd:TextCode>
  </ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>"#;

fn tagged_package(tag: &str) -> Vec<u8> {
    let bytes = edited(
        &render_invoice(&fully_digital_spec()),
        "Doc_0/Document.xml",
        |text| {
            text.replace(
                "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>",
                "<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>",
            )
        },
    );
    let mut entries = unpack(&bytes);
    entries.retain(|(name, _)| !name.starts_with("Doc_0/Attachs/"));
    for (name, data) in &mut entries {
        if name == "Doc_0/Pages/Page_0/Content.xml" {
            *data = PAGE.as_bytes().to_vec();
        }
    }
    entries.push(("Doc_0/Tags/CustomTags.xml".into(), TAGS.as_bytes().to_vec()));
    entries.push(("Doc_0/Tags/CustomTag.xml".into(), tag.as_bytes().to_vec()));
    repack(&entries)
}

#[test]
fn custom_tags_give_the_invoice_with_values_from_the_tag_file_and_the_page() {
    let document = read_default(&tagged_package(TAG)).expect("readable");
    let invoice = document.invoice.as_ref().expect("invoice from tags");
    assert_eq!(
        invoice.source,
        InvoiceSource::CustomTags {
            path: "Doc_0/Tags/CustomTag.xml".into()
        }
    );
    assert_eq!(invoice.lines, []);
    let facts = invoice.facts();
    assert_eq!(facts.number, "24312000000012345678");
    assert_eq!(facts.code, None);
    assert_eq!(facts.issued_on, Some(date!(2024 - 03 - 05)));
    assert_eq!(facts.total_with_tax, Some(yuan("212.00")));
    assert_eq!(facts.total_amount, None);
    assert_eq!(facts.buyer_name.as_deref(), Some("北京示例贸易有限公司"));
    assert_eq!(facts.buyer_tax_id, None);
    assert_eq!(facts.seller_tax_id.as_deref(), Some("91310000MA1K000001"));
}

#[test]
fn a_tag_file_without_an_invoice_number_is_not_invoice_data() {
    let tag = "<eInvoice><BuyerName>某公司</BuyerName></eInvoice>";
    let document = read_default(&tagged_package(tag)).expect("readable");
    assert_eq!(document.invoice, None);
}

#[test]
fn a_malformed_tag_file_is_an_xml_error() {
    assert!(matches!(
        read_default(&tagged_package("<eInvoice><InvoiceNo>1</eInvoice>")),
        Err(OfdError::Xml { path, .. }) if path == "Doc_0/Tags/CustomTag.xml"
    ));
}
