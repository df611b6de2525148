//! Round trips of rendered packages and the helpers the other test modules share.

mod custom_tags;
mod limits;
mod robustness;
mod signatures;

use std::io::{Cursor, Read};

use fonds_domain::{InvoiceKey, Money};
use time::macros::{date, datetime};

use super::zip_out::{DosTime, Entry, stored_zip};
use super::*;

pub(super) fn yuan(text: &str) -> Money {
    text.parse().expect("test amount")
}

/// An older VAT e-invoice: 12-digit code, 8-digit number, two lines, a note that needs escaping.
pub(super) fn vat_spec() -> OfdInvoiceSpec {
    OfdInvoiceSpec {
        code: Some("031001900111".into()),
        number: "12345678".into(),
        issued_on: date!(2024 - 03 - 05),
        seller_name: "上海示例软件有限公司".into(),
        seller_tax_id: "91310000MA1K000001".into(),
        buyer_name: "北京示例贸易有限公司".into(),
        buyer_tax_id: "91110000MA0000002X".into(),
        lines: vec![
            OfdInvoiceLine {
                item: "*信息技术服务*软件维护费".into(),
                specification: None,
                unit: None,
                quantity: "1".into(),
                unit_price: "100.00".into(),
                amount: yuan("100.00"),
                tax_rate: "6%".into(),
                tax: yuan("6.00"),
            },
            OfdInvoiceLine {
                item: "*现代服务*技术咨询费".into(),
                specification: Some("标准版".into()),
                unit: Some("次".into()),
                quantity: "3".into(),
                unit_price: "33.333333".into(),
                amount: yuan("100.00"),
                tax_rate: "6%".into(),
                tax: yuan("6.00"),
            },
        ],
        total_amount: yuan("200.00"),
        total_tax: yuan("12.00"),
        total_with_tax: yuan("212.00"),
        note: Some("项目 P-2024-017 & <加急>".into()),
        doc_id: "5f1c0e9a2b7d4c3e8a6f0b1d2c3e4f5a".into(),
        signed_at: datetime!(2024-03-05 09:30:15),
        tamper: None,
    }
}

/// A 数电票: 20-digit number, no code.
pub(super) fn fully_digital_spec() -> OfdInvoiceSpec {
    OfdInvoiceSpec {
        code: None,
        number: "24312000000012345678".into(),
        note: None,
        ..vat_spec()
    }
}

pub(super) fn tampered(tamper: Tamper) -> Vec<u8> {
    render_invoice(&OfdInvoiceSpec {
        tamper: Some(tamper),
        ..vat_spec()
    })
}

pub(super) fn read_default(bytes: &[u8]) -> Result<OfdDocument, OfdError> {
    read(bytes, &Limits::default())
}

/// The entries of a package, in order, read with the `zip` crate (not the reader under test).
pub(super) fn unpack(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut data = Vec::new();
            file.read_to_end(&mut data).expect("entry data");
            (file.name().expect("name").to_string(), data)
        })
        .collect()
}

/// Writes entries back into a package.
pub(super) fn repack(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<Entry<'_>> = entries.iter().map(|(n, d)| Entry::new(n, d)).collect();
    stored_zip(
        &entries,
        DosTime {
            time: 0,
            date: 0x21,
        },
    )
}

/// The package with one entry's text edited.
pub(super) fn edited(bytes: &[u8], path: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut entries = unpack(bytes);
    let entry = entries
        .iter_mut()
        .find(|(name, _)| name == path)
        .expect("entry to edit");
    let text = String::from_utf8(entry.1.clone()).expect("utf-8");
    entry.1 = edit(&text).into_bytes();
    repack(&entries)
}

fn detail(signature: &OfdSignature) -> &SignatureDetail {
    match &signature.file {
        SignatureFile::Present(detail) => detail,
        SignatureFile::Missing => panic!("signature file missing"),
    }
}

pub(super) fn only_signature(document: &OfdDocument) -> &SignatureDetail {
    assert_eq!(document.signatures.len(), 1);
    detail(&document.signatures[0])
}

#[test]
fn a_rendered_vat_invoice_reads_back_field_for_field() {
    let spec = vat_spec();
    let document = read_default(&render_invoice(&spec)).expect("readable");

    assert_eq!(
        document.info.doc_id.as_deref(),
        Some("5f1c0e9a2b7d4c3e8a6f0b1d2c3e4f5a")
    );
    assert_eq!(document.info.title.as_deref(), Some("电子发票(普通发票)"));
    assert_eq!(
        document.info.author.as_deref(),
        Some("上海示例软件有限公司")
    );
    assert_eq!(document.info.creation_date, Some(date!(2024 - 03 - 05)));
    let custom: Vec<(&str, &str)> = document
        .info
        .custom_datas
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(
        custom,
        [
            ("发票代码", "031001900111"),
            ("发票号码", "12345678"),
            ("开票日期", "2024年03月05日"),
            ("价税合计", "212.00"),
        ]
    );
    assert_eq!(document.doc_root, "Doc_0/Document.xml");
    assert_eq!(
        document.signatures_path.as_deref(),
        Some("Doc_0/Signs/Signatures.xml")
    );
    assert_eq!(document.page_count, 1);

    let invoice = document.invoice.as_ref().expect("invoice data");
    assert_eq!(
        invoice.source,
        InvoiceSource::OriginalInvoice {
            path: "Doc_0/Attachs/original_invoice.xml".into()
        }
    );
    assert_eq!(invoice.note.as_deref(), Some("项目 P-2024-017 & <加急>"));
    assert_eq!(invoice.lines.len(), 2);
    let second = &invoice.lines[1];
    assert_eq!(second.item, "*现代服务*技术咨询费");
    assert_eq!(second.specification.as_deref(), Some("标准版"));
    assert_eq!(second.unit.as_deref(), Some("次"));
    assert_eq!(second.quantity.as_deref(), Some("3"));
    assert_eq!(second.unit_price.as_deref(), Some("33.333333"));
    assert_eq!(second.amount, Some(yuan("100.00")));
    assert_eq!(second.tax_rate.as_deref(), Some("6%"));
    assert_eq!(second.tax, Some(yuan("6.00")));
    assert_eq!(invoice.lines[0].specification, None);

    let facts = document.facts().expect("facts");
    assert_eq!(facts, spec.facts());
    assert_eq!(facts.key(), InvoiceKey::vat("031001900111", "12345678"));
    assert!(!facts.red_letter);
}

#[test]
fn a_rendered_signature_reads_back_and_every_reference_matches() {
    let document = read_default(&render_invoice(&vat_spec())).expect("readable");
    let signature = &document.signatures[0];
    assert_eq!(signature.id, "1");
    assert_eq!(signature.kind, SignatureKind::Seal);
    assert_eq!(signature.base_loc, "/Doc_0/Signs/Sign_0/Signature.xml");
    let detail = only_signature(&document);
    assert_eq!(detail.path, "Doc_0/Signs/Sign_0/Signature.xml");
    assert_eq!(
        detail.provider,
        Some(Provider {
            name: "Fonds demo signer".into(),
            company: Some("Fonds".into()),
            version: Some("1.0".into()),
        })
    );
    assert_eq!(
        detail.signature_method.as_deref(),
        Some("1.2.156.10197.1.501")
    );
    assert_eq!(
        detail.signature_date_time.as_deref(),
        Some("2024-03-05 09:30:15")
    );
    assert_eq!(detail.check_method.as_deref(), Some(CheckMethod::SM3_OID));
    let checked: Vec<(&str, &DigestCheck)> = detail
        .references
        .iter()
        .map(|r| (r.path.as_deref().expect("resolved"), &r.outcome))
        .collect();
    assert_eq!(
        checked,
        [
            ("Doc_0/Document.xml", &DigestCheck::Matches),
            ("Doc_0/PublicRes.xml", &DigestCheck::Matches),
            ("Doc_0/Pages/Page_0/Content.xml", &DigestCheck::Matches),
            ("Doc_0/Attachs/Attachments.xml", &DigestCheck::Matches),
            ("Doc_0/Attachs/original_invoice.xml", &DigestCheck::Matches),
        ]
    );
    assert_eq!(
        detail.stamp_annots,
        [StampAnnot {
            id: Some("1".into()),
            page_ref: "1".into(),
            boundary: Some("150 8 40 26".into()),
        }]
    );
    assert_eq!(
        detail.signed_value.path.as_deref(),
        Some("Doc_0/Signs/Sign_0/SignedValue.dat")
    );
    assert!(detail.signed_value.size.is_some_and(|size| size > 50));
    assert!(matches!(
        &detail.seal_signature,
        SealSignatureCheck::NotVerified { reason } if reason.contains("GB/T 38540")
    ));
}

#[test]
fn a_fully_digital_invoice_has_no_code_and_keys_by_its_number() {
    let spec = fully_digital_spec();
    let bytes = render_invoice(&spec);
    let original = unpack(&bytes)
        .into_iter()
        .find(|(name, _)| name == "Doc_0/Attachs/original_invoice.xml")
        .expect("attachment");
    assert!(!String::from_utf8_lossy(&original.1).contains("InvoiceCode"));

    let document = read_default(&bytes).expect("readable");
    let facts = document.facts().expect("facts");
    assert_eq!(facts, spec.facts());
    assert_eq!(facts.code, None);
    assert_eq!(
        facts.key(),
        InvoiceKey::fully_digital("24312000000012345678")
    );
}

#[test]
fn rendering_is_deterministic_and_depends_on_the_spec() {
    let spec = vat_spec();
    assert_eq!(render_invoice(&spec), render_invoice(&spec));
    let other = OfdInvoiceSpec {
        number: "12345679".into(),
        ..vat_spec()
    };
    assert_ne!(render_invoice(&spec), render_invoice(&other));
}

#[test]
fn a_package_without_signatures_or_invoice_data_still_reads() {
    let bytes = edited(&render_invoice(&vat_spec()), "OFD.xml", |text| {
        text.replace(
            "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>",
            "",
        )
    });
    let bytes = edited(&bytes, "Doc_0/Document.xml", |text| {
        text.replace(
            "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>",
            "",
        )
    });
    let mut entries = unpack(&bytes);
    entries.retain(|(name, _)| !name.starts_with("Doc_0/Attachs/"));
    let document = read_default(&repack(&entries)).expect("readable");
    assert_eq!(document.signatures_path, None);
    assert!(document.signatures.is_empty());
    assert_eq!(document.invoice, None);
    assert_eq!(document.facts(), None);
}

#[test]
fn unprefixed_namespaces_read_the_same() {
    let bytes = render_invoice(&vat_spec());
    let mut entries = unpack(&bytes);
    for (name, data) in &mut entries {
        if name.ends_with(".xml") {
            let text = String::from_utf8(data.clone()).expect("utf-8");
            *data = text
                .replace("xmlns:ofd", "xmlns")
                .replace("ofd:", "")
                .into_bytes();
        }
    }
    // The digests were of the prefixed files: only the structure is compared here.
    let document = read_default(&repack(&entries)).expect("readable");
    assert_eq!(document.page_count, 1);
    assert_eq!(document.facts(), Some(vat_spec().facts()));
    assert_eq!(only_signature(&document).references.len(), 5);
}

#[test]
fn malformed_invoice_fields_are_errors_naming_the_field() {
    let bytes = edited(
        &render_invoice(&vat_spec()),
        "Doc_0/Attachs/original_invoice.xml",
        |text| text.replace("<TaxTotalAmount>12.00<", "<TaxTotalAmount>12,00<"),
    );
    assert!(matches!(
        read_default(&bytes),
        Err(OfdError::InvoiceField {
            field: "TaxTotalAmount",
            ..
        })
    ));
    let bytes = edited(
        &render_invoice(&vat_spec()),
        "Doc_0/Attachs/original_invoice.xml",
        |text| text.replace("2024年03月05日", "2024年13月05日"),
    );
    assert!(matches!(
        read_default(&bytes),
        Err(OfdError::InvoiceField {
            field: "IssueDate",
            ..
        })
    ));
}

#[test]
fn not_a_zip_and_a_zip_without_ofd_xml_say_so() {
    let not_zip = read_default(b"%PDF-1.7 this is not a zip");
    assert!(matches!(not_zip, Err(OfdError::NotZip { .. })));
    assert!(
        not_zip
            .err()
            .is_some_and(|e| e.to_string().contains("not a ZIP package"))
    );

    let mut entries = unpack(&render_invoice(&vat_spec()));
    entries.retain(|(name, _)| name != "OFD.xml");
    let no_root = read_default(&repack(&entries));
    assert_eq!(no_root.as_ref().err(), Some(&OfdError::NotOfd));
    assert!(
        no_root
            .err()
            .is_some_and(|e| e.to_string().contains("no OFD.xml"))
    );
}

#[test]
fn a_document_root_that_is_missing_is_an_error() {
    let mut entries = unpack(&render_invoice(&vat_spec()));
    entries.retain(|(name, _)| name != "Doc_0/Document.xml");
    assert!(matches!(
        read_default(&repack(&entries)),
        Err(OfdError::MissingPart { .. })
    ));
}

#[test]
fn money_in_the_spec_matches_money_in_the_facts() {
    let spec = OfdInvoiceSpec {
        total_with_tax: Money::from_fen(-21_200),
        total_amount: Money::from_fen(-20_000),
        total_tax: Money::from_fen(-1_200),
        ..vat_spec()
    };
    let facts = read_default(&render_invoice(&spec))
        .expect("readable")
        .facts()
        .expect("facts");
    assert_eq!(facts.total_with_tax, Some(Money::from_fen(-21_200)));
    assert!(facts.red_letter);
}
