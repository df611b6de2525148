//! The invoice as XML, in the element structure of public 数电票 samples.

use super::InvoiceData;
use crate::xml_bounded::{XmlWriter, format_date_time};

/// Renders the invoice as UTF-8 XML with a declaration, indented two spaces per level.
#[must_use]
pub fn render_xml(invoice: &InvoiceData) -> String {
    let mut xml = XmlWriter::new();
    xml.open("EInvoice");
    xml.open("Header");
    xml.leaf("EIid", &invoice.number);
    xml.close("Header");

    xml.open("EInvoiceData");
    xml.open("SellerInformation");
    xml.leaf("SellerIdNum", &invoice.seller_tax_id);
    xml.leaf("SellerName", &invoice.seller_name);
    xml.close("SellerInformation");
    xml.open("BuyerInformation");
    xml.leaf("BuyerIdNum", &invoice.buyer_tax_id);
    xml.leaf("BuyerName", &invoice.buyer_name);
    xml.close("BuyerInformation");

    let issued_at = format_date_time(invoice.issued_at);
    xml.open("BasicInformation");
    xml.leaf("TotalAmWithoutTax", &invoice.total_amount.to_string());
    xml.leaf("TotalTaxAm", &invoice.total_tax.to_string());
    xml.leaf(
        "TotalTax-includedAmount",
        &invoice.total_with_tax.to_string(),
    );
    xml.leaf("RequestTime", &issued_at);
    // LIMITATION: the official 数电票 schema is not public and no public sample shows where the
    // invoice XML itself flags a red-letter invoice, so the flag uses the element name of the
    // e-voucher data standard (DOMAIN.md §6.2).
    xml.leaf(
        "WhetherEinvoiceIsRedEinvoice",
        if invoice.red_letter { "Y" } else { "N" },
    );
    xml.close("BasicInformation");

    // LIMITATION: where a red-letter 数电票 names the blue invoice it reverses is not public
    // either; `RedInvoiceInformation/OriginalInvoiceNumber` is Fonds' own name, chosen in the
    // style of the sample elements, until the official schema is available.
    if invoice.red_letter
        && let Some(original) = &invoice.original_number
    {
        xml.open("RedInvoiceInformation");
        xml.leaf("OriginalInvoiceNumber", original);
        xml.close("RedInvoiceInformation");
    }

    for item in &invoice.items {
        xml.open("IssuItemInformation");
        xml.leaf("ItemName", &item.name);
        xml.leaf("Quantity", &item.quantity);
        xml.leaf("UnPrice", &item.unit_price.to_string());
        xml.leaf("Amount", &item.amount.to_string());
        xml.leaf("TaxRate", &item.tax_rate);
        xml.leaf("ComTaxAm", &item.tax.to_string());
        // Amounts are bounded far below i64 fen in practice; an overflowing sum has no
        // meaningful value to print, so the derived element is then left out.
        if let Some(with_tax) = item.amount.checked_add(item.tax) {
            xml.leaf("TotaltaxIncludedAmount", &with_tax.to_string());
        }
        xml.close("IssuItemInformation");
    }

    if let Some(remarks) = &invoice.remarks {
        xml.open("AdditionalInformation");
        xml.leaf("Remark", remarks);
        xml.close("AdditionalInformation");
    }
    xml.close("EInvoiceData");

    xml.open("TaxSupervisionInfo");
    xml.leaf("InvoiceNumber", &invoice.number);
    xml.leaf("IssueTime", &issued_at);
    xml.close("TaxSupervisionInfo");
    xml.close("EInvoice");
    xml.finish()
}
