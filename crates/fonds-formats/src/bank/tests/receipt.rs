//! Receipts: rendering, reading, refusals and the consistency check.

use super::*;

#[test]
fn a_receipt_renders_in_the_documented_shape() {
    let xml = render_receipt_xml(&receipt());
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <BankElectronicReceipt xmlns=\"urn:fonds:bank:1\">\n  <ReceiptNo>HD20240305000123</"
    ));
    for expected in [
        "<XAgentBusinessNo>XA2024030500001987</XAgentBusinessNo>",
        "<TransDate>2024-03-05</TransDate>",
        "<TransTime>09:30:15</TransTime>",
        "<PayAcctNo>1100 0000 0000 1234</PayAcctNo>",
        "<PayeeAcctName>广州某某信息技术有限公司</PayeeAcctName>",
        "<PayAmt>1166.00</PayAmt>",
        "<CurrencyCode>CNY</CurrencyCode>",
        "<Summary>付款回单</Summary>",
    ] {
        assert!(xml.contains(expected), "{expected} missing from\n{xml}");
    }
    assert!(!xml.contains("Remark"), "no remarks were given");
    assert_eq!(xml, render_receipt_xml(&receipt()), "deterministic");
}

#[test]
fn a_rendered_receipt_reads_back_and_optional_parts_may_be_absent() {
    let xml = render_receipt_xml(&receipt());
    assert_eq!(read_receipt(xml.as_bytes()), Ok(receipt()));

    let bare = replaced(&xml, "<TransTime>09:30:15</TransTime>", "");
    let bare = replaced(&bare, "<CurrencyCode>CNY</CurrencyCode>", "");
    let bare = replaced(&bare, " xmlns=\"urn:fonds:bank:1\"", "");
    let read = read_receipt(bare.as_bytes()).expect("readable");
    assert_eq!(read.transacted_at.time, None);
    assert_eq!(read.currency, Currency::CNY, "CNY when absent");
}

#[test]
fn a_receipt_with_a_prefix_for_the_fonds_namespace_reads() {
    let xml = render_receipt_xml(&receipt());
    let body = xml.split_once("?>\n").expect("declaration").1;
    let prefixed = body
        .replace("</", "\u{0}")
        .replace('<', "<b:")
        .replace('\u{0}', "</b:")
        .replace(" xmlns=", " xmlns:b=");
    assert_eq!(read_receipt(prefixed.as_bytes()), Ok(receipt()));
}

#[test]
fn receipt_refusals_name_the_element_at_fault() {
    let xml = render_receipt_xml(&receipt());
    let missing = replaced(&xml, "<PayeeAcctNo>4400 0000 0000 5678</PayeeAcctNo>", "");
    assert_eq!(
        field_error(read_receipt(missing.as_bytes())),
        FieldError::Missing {
            path: "BankElectronicReceipt/PayeeAcctNo".into()
        }
    );
    let amount = replaced(&xml, "<PayAmt>1166.00</", "<PayAmt>1,166.00</");
    assert_eq!(
        field_error(read_receipt(amount.as_bytes())).path(),
        "BankElectronicReceipt/PayAmt"
    );
    let currency = replaced(&xml, "<CurrencyCode>CNY</", "<CurrencyCode>人民币</");
    assert_eq!(
        field_error(read_receipt(currency.as_bytes())).path(),
        "BankElectronicReceipt/CurrencyCode"
    );
    let date = replaced(&xml, "<TransDate>2024-03-05</", "<TransDate>2024-3-5</");
    assert_eq!(
        field_error(read_receipt(date.as_bytes())).path(),
        "BankElectronicReceipt/TransDate"
    );
    let time = replaced(&xml, "<TransTime>09:30:15</", "<TransTime>9.30</");
    assert_eq!(
        field_error(read_receipt(time.as_bytes())).path(),
        "BankElectronicReceipt/TransTime"
    );
}

#[test]
fn receipts_of_another_kind_namespace_or_with_a_doctype_are_refused() {
    let xml = render_receipt_xml(&receipt());
    let statement = render_statement_xml(&statement());
    assert_eq!(
        xml_error(read_receipt(statement.as_bytes())),
        XmlError::UnexpectedRoot {
            expected: "BankElectronicReceipt",
            found: "BankStatement".into()
        }
    );
    let foreign = replaced(&xml, "urn:fonds:bank:1", "urn:example:bank");
    assert!(matches!(
        xml_error(read_receipt(foreign.as_bytes())),
        XmlError::UnexpectedNamespace { .. }
    ));
    let doctype = replaced(&xml, "?>\n", "?>\n<!DOCTYPE BankElectronicReceipt>\n");
    assert_eq!(
        xml_error(read_receipt(doctype.as_bytes())),
        XmlError::Doctype
    );
    let deep = format!(
        "<BankElectronicReceipt>{}</BankElectronicReceipt>",
        "<x>".repeat(MAX_BANK_DEPTH)
    );
    assert_eq!(
        xml_error(read_receipt(deep.as_bytes())),
        XmlError::TooDeep {
            limit: MAX_BANK_DEPTH
        }
    );
    let large = vec![b' '; MAX_BANK_BYTES + 1];
    assert!(matches!(
        xml_error(read_receipt(&large)),
        XmlError::TooLarge { .. }
    ));
}

#[test]
fn a_consistent_receipt_has_no_inconsistencies() {
    assert_eq!(receipt().inconsistencies(), vec![]);
}

#[test]
fn non_positive_amounts_and_transfers_to_the_same_account_are_reported() {
    let mut odd = receipt();
    odd.amount = Money::ZERO;
    odd.payee.account = "110000000000 1234".into();
    assert_eq!(
        odd.inconsistencies(),
        vec![
            ReceiptInconsistency::NonPositiveAmount {
                amount: Money::ZERO
            },
            ReceiptInconsistency::SameAccount {
                account: "1100 0000 0000 1234".into()
            },
        ]
    );
    odd.amount = money("-0.01");
    odd.payer.account = String::new();
    odd.payee.account = String::new();
    assert_eq!(
        odd.inconsistencies(),
        vec![ReceiptInconsistency::NonPositiveAmount {
            amount: money("-0.01")
        }],
        "empty accounts are unknown, not the same"
    );
}
