//! Rendering of 数电票 (fully digitalised e-invoice) XML, for demonstration and test data.
//!
//! The element names follow the structure that independent public samples agree on (DOMAIN.md
//! §6.3): `EInvoice/Header/EIid`, `EInvoiceData` with seller, buyer, basic and item blocks, and
//! `TaxSupervisionInfo`. The official schema is not public, so this output is shaped like a real
//! invoice for Fonds' own readers and demonstrations; it is not signed and claims no authority.

use std::fmt::Write as _;

use fonds_domain::Money;
use time::PrimitiveDateTime;

/// The data of one 数电票.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceData {
    /// The 20-digit invoice number (数电票 have no separate invoice code).
    pub number: String,
    /// When the invoice was issued.
    pub issued_at: PrimitiveDateTime,
    /// 销售方名称.
    pub seller_name: String,
    /// 销售方纳税人识别号 (unified social credit code).
    pub seller_tax_id: String,
    /// 购买方名称.
    pub buyer_name: String,
    /// 购买方纳税人识别号.
    pub buyer_tax_id: String,
    /// The invoice lines.
    pub items: Vec<InvoiceItem>,
    /// 合计金额, excluding tax.
    pub total_amount: Money,
    /// 合计税额.
    pub total_tax: Money,
    /// 价税合计.
    pub total_with_tax: Money,
    /// Whether this is a red-letter (credit) invoice; its amounts are then negative.
    pub red_letter: bool,
    /// 备注.
    pub remarks: Option<String>,
}

/// One line of a 数电票.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceItem {
    /// 项目名称, e.g. `*信息技术服务*软件维护`.
    pub name: String,
    /// 数量, as printed (may be empty or fractional).
    pub quantity: String,
    /// 单价.
    pub unit_price: Money,
    /// 金额, excluding tax.
    pub amount: Money,
    /// 税率, as printed, e.g. `6%`.
    pub tax_rate: String,
    /// 税额.
    pub tax: Money,
}

/// Renders the invoice as UTF-8 XML with a declaration, indented two spaces per level.
#[must_use]
pub fn render_xml(invoice: &InvoiceData) -> String {
    let mut xml = XmlWriter::default();
    xml.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
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

    let issued_at = format_time(invoice.issued_at);
    xml.open("BasicInformation");
    xml.leaf("TotalAmWithoutTax", &invoice.total_amount.to_string());
    xml.leaf("TotalTaxAm", &invoice.total_tax.to_string());
    xml.leaf(
        "TotalTax-includedAmount",
        &invoice.total_with_tax.to_string(),
    );
    xml.leaf("RequestTime", &issued_at);
    // LIMITATION: no public sample shows where the invoice XML itself flags a red-letter
    // invoice, so the flag uses the element name of the e-voucher data standard (DOMAIN.md §6.2)
    // until the official schema is available.
    xml.leaf(
        "WhetherEinvoiceIsRedEinvoice",
        if invoice.red_letter { "Y" } else { "N" },
    );
    xml.close("BasicInformation");

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
    xml.out
}

/// `2024-03-05 09:30:00`, the form public samples use for `RequestTime`.
fn format_time(at: PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Just enough of an XML writer for a fixed element tree: indentation and escaping.
#[derive(Default)]
struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        let _ = write!(self.out, "<{name}>");
        escape_into(&mut self.out, text);
        let _ = writeln!(self.out, "</{name}>");
    }
}

/// Escapes character data. Characters XML 1.0 cannot carry at all (C0 controls other than tab
/// and line breaks, U+FFFE and U+FFFF) are dropped, since even a character reference to them makes
/// the document ill-formed; CR is escaped so that parsers do not normalise it away.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c < '\u{20}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn money(s: &str) -> Money {
        s.parse().expect("amount")
    }

    fn invoice() -> InvoiceData {
        InvoiceData {
            number: "24442000000123456789".into(),
            issued_at: datetime!(2024-03-05 09:30:00),
            seller_name: "广州某某信息技术有限公司".into(),
            seller_tax_id: "91440101MA5XXXXX1K".into(),
            buyer_name: "示例集团有限公司".into(),
            buyer_tax_id: "91110000100000000X".into(),
            items: vec![
                InvoiceItem {
                    name: "*信息技术服务*软件维护".into(),
                    quantity: "1".into(),
                    unit_price: money("1000.00"),
                    amount: money("1000.00"),
                    tax_rate: "6%".into(),
                    tax: money("60.00"),
                },
                InvoiceItem {
                    name: "*现代服务*咨询费".into(),
                    quantity: "2".into(),
                    unit_price: money("50.00"),
                    amount: money("100.00"),
                    tax_rate: "6%".into(),
                    tax: money("6.00"),
                },
            ],
            total_amount: money("1100.00"),
            total_tax: money("66.00"),
            total_with_tax: money("1166.00"),
            red_letter: false,
            remarks: None,
        }
    }

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
        assert_eq!(
            elements
                .iter()
                .filter(|e| *e == "IssuItemInformation")
                .count(),
            2
        );
        assert!(xml.contains("<EIid>24442000000123456789</EIid>"));
        assert!(xml.contains("<InvoiceNumber>24442000000123456789</InvoiceNumber>"));
        assert!(xml.contains("<TotalTax-includedAmount>1166.00</TotalTax-includedAmount>"));
        assert!(xml.contains("<RequestTime>2024-03-05 09:30:00</RequestTime>"));
        assert!(xml.contains("<TotaltaxIncludedAmount>106.00</TotaltaxIncludedAmount>"));
        assert!(xml.contains("<WhetherEinvoiceIsRedEinvoice>N</WhetherEinvoiceIsRedEinvoice>"));
        assert!(!xml.contains("Remark"), "no remarks were given");
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
    fn red_letter_invoices_carry_the_flag_and_negative_amounts() {
        let mut data = invoice();
        data.red_letter = true;
        data.total_with_tax = money("-1166.00");
        let xml = render_xml(&data);
        assert!(xml.contains("<WhetherEinvoiceIsRedEinvoice>Y</WhetherEinvoiceIsRedEinvoice>"));
        assert!(xml.contains("<TotalTax-includedAmount>-1166.00</"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render_xml(&invoice()), render_xml(&invoice()));
    }
}
