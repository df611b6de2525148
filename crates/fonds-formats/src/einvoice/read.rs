//! Reading a received 数电票 XML into [`InvoiceData`], bounded and with errors naming the element
//! path at fault.

use super::{
    EInvoiceError, InvoiceData, InvoiceItem, MAX_INVOICE_BYTES, MAX_INVOICE_DEPTH,
    MAX_INVOICE_ITEMS,
};
use crate::xml_bounded::{FieldError, Limits, Node, parse};

const LIMITS: Limits = Limits {
    max_bytes: MAX_INVOICE_BYTES,
    max_depth: MAX_INVOICE_DEPTH,
    // A line with every element public samples show has a dozen; this leaves room for those and
    // for blocks Fonds does not read.
    max_elements: 25 * MAX_INVOICE_ITEMS,
};

/// What an invoice number element must hold.
const NUMBER: &str = "a 数电票 number of 20 digits";

/// Reads a 数电票 XML document.
///
/// # Errors
/// When the bytes are too large, too deep, not UTF-8, carry a DOCTYPE or are not well-formed;
/// when the root is not `EInvoice`; when a required element is missing, repeated or holds a value
/// of the wrong form (the error names its path); when there are more than
/// [`MAX_INVOICE_ITEMS`] lines; and when `TaxSupervisionInfo/InvoiceNumber` disagrees with
/// `Header/EIid`.
pub fn read(xml: &[u8]) -> Result<InvoiceData, EInvoiceError> {
    let root = parse(xml, LIMITS)?;
    root.expect_root("EInvoice")?;
    let invoice = Node::root(&root);

    let number = invoice_number(&invoice.require("Header")?.require("EIid")?)?;
    if let Some(supervision) = invoice.child("TaxSupervisionInfo")?
        && let Some(stated) = supervision.child("InvoiceNumber")?
        && stated.value() != number
    {
        return Err(EInvoiceError::NumberMismatch {
            header: number,
            supervision: stated.value().chars().take(40).collect(),
        });
    }

    let data = invoice.require("EInvoiceData")?;
    let seller = data.require("SellerInformation")?;
    let buyer = data.require("BuyerInformation")?;
    let basic = data.require("BasicInformation")?;

    let count = data.count("IssuItemInformation");
    if count > MAX_INVOICE_ITEMS {
        return Err(EInvoiceError::TooManyItems {
            count,
            limit: MAX_INVOICE_ITEMS,
        });
    }
    let items = data
        .children("IssuItemInformation")
        .map(|line| item(&line))
        .collect::<Result<Vec<_>, _>>()?;

    // LIMITATION: the reversed invoice must be a 数电票 (20 digits). A red-letter 数电票 that
    // reverses an older VAT e-invoice (code + number) cannot be expressed in this element, which
    // is Fonds' own guess anyway (see the renderer), and is refused.
    let original_number = match data.child("RedInvoiceInformation")? {
        Some(red) => Some(invoice_number(&red.require("OriginalInvoiceNumber")?)?),
        None => None,
    };

    Ok(InvoiceData {
        number,
        issued_at: basic.date_time_of("RequestTime")?,
        seller_name: seller.text_of("SellerName")?,
        seller_tax_id: seller.text_of("SellerIdNum")?,
        buyer_name: buyer.text_of("BuyerName")?,
        buyer_tax_id: buyer.optional_text_of("BuyerIdNum")?.unwrap_or_default(),
        items,
        total_amount: basic.money_of("TotalAmWithoutTax")?,
        total_tax: basic.money_of("TotalTaxAm")?,
        total_with_tax: basic.money_of("TotalTax-includedAmount")?,
        red_letter: red_letter(&basic)?,
        original_number,
        remarks: remarks(&data)?,
    })
}

/// A 20-digit invoice number.
fn invoice_number(node: &Node<'_>) -> Result<String, FieldError> {
    let number = node.value();
    if number.len() == 20 && number.bytes().all(|b| b.is_ascii_digit()) {
        Ok(number.to_owned())
    } else {
        Err(node.invalid(NUMBER))
    }
}

/// The red-letter flag, `Y` or `N`; absent on most issued invoices, which are then blue.
fn red_letter(basic: &Node<'_>) -> Result<bool, FieldError> {
    let Some(flag) = basic.child("WhetherEinvoiceIsRedEinvoice")? else {
        return Ok(false);
    };
    match flag.value() {
        "Y" => Ok(true),
        "N" => Ok(false),
        _ => Err(flag.invalid("Y or N")),
    }
}

/// The remark: in `AdditionalInformation`, where Fonds writes it, or directly in the invoice
/// data or its basic information, where some issuers put it.
fn remarks(data: &Node<'_>) -> Result<Option<String>, FieldError> {
    if let Some(additional) = data.child("AdditionalInformation")?
        && let Some(remark) = additional.optional_text_of("Remark")?
    {
        return Ok(Some(remark));
    }
    if let Some(remark) = data.optional_text_of("Remark")? {
        return Ok(Some(remark));
    }
    data.require("BasicInformation")?.optional_text_of("Remark")
}

/// One `IssuItemInformation` line. Quantity and tax rate are free text that may be left out.
// LIMITATION: `TotaltaxIncludedAmount` is derived from amount and tax and `InvoiceItem` has no
// place for it, so it is not read and a line whose printed total disagrees goes unnoticed by
// `InvoiceData::inconsistencies`.
fn item(line: &Node<'_>) -> Result<InvoiceItem, FieldError> {
    Ok(InvoiceItem {
        name: line.text_of("ItemName")?,
        quantity: line.optional_text_of("Quantity")?.unwrap_or_default(),
        unit_price: line.money_of("UnPrice")?,
        amount: line.money_of("Amount")?,
        tax_rate: line.optional_text_of("TaxRate")?.unwrap_or_default(),
        tax: line.money_of("ComTaxAm")?,
    })
}
