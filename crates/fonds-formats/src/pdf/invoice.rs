//! PDF e-invoices: reading the key fields from the text layer of an invoice PDF, and rendering
//! an invoice PDF laid out like an issued 电子发票 for demonstration and test data.
//!
//! An issued 数电票 comes as XML, PDF and OFD, and the XML is authoritative (DOMAIN.md §6.3);
//! many senders still submit only the PDF, so the PDF's text layer is read as a fallback. The
//! reader looks for the labels every issued invoice prints (发票号码, 开票日期, the parties'
//! 名称 and 纳税人识别号, 合计, 价税合计（小写）) and leaves a field it does not find as `None`.
//! A PDF without a text layer, such as a scan, has no invoice number and is refused.

use std::fmt::Write as _;

use fonds_domain::{InvoiceKey, Money};
use time::Date;

use super::read::{self, Limits, PdfReadError};
use super::{PdfDocument, PdfLine};
use crate::einvoice::InvoiceData;
use crate::invoice::InvoiceFacts;

/// The fields read from an invoice PDF's text layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfInvoice {
    /// The invoice's identity: a 数电票 number, or 发票代码 + 发票号码 of an older VAT e-invoice.
    pub key: InvoiceKey,
    /// 开票日期.
    pub issued_on: Option<Date>,
    /// 购买方.
    pub buyer: PartyFields,
    /// 销售方.
    pub seller: PartyFields,
    /// 合计金额 (excluding tax), the first amount on the 合计 line.
    pub total_amount: Option<Money>,
    /// 合计税额, the second amount on the 合计 line.
    pub total_tax: Option<Money>,
    /// 价税合计（小写）.
    pub total_with_tax: Option<Money>,
    /// Whether the text says 红字 or 销项负数 (a red-letter invoice).
    pub red_letter: bool,
    /// The number of the blue invoice this one reverses, when the text states it (e.g.
    /// 被红冲蓝字数电票号码：…).
    pub reverses: Option<String>,
    /// 开票人.
    pub drawer: Option<String>,
}

/// One party's name and tax identifier as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyFields {
    /// 名称.
    pub name: Option<String>,
    /// 统一社会信用代码/纳税人识别号.
    pub tax_id: Option<String>,
}

impl PdfInvoice {
    /// The facts every invoice reader reports.
    #[must_use]
    pub fn facts(&self) -> InvoiceFacts {
        let (code, number) = match &self.key {
            InvoiceKey::Vat { code, number } => (Some(code.clone()), number.clone()),
            InvoiceKey::FullyDigital { number } | InvoiceKey::Ticket { number, .. } => {
                (None, number.clone())
            }
        };
        InvoiceFacts {
            code,
            number,
            issued_on: self.issued_on,
            seller_name: self.seller.name.clone(),
            seller_tax_id: self.seller.tax_id.clone(),
            buyer_name: self.buyer.name.clone(),
            buyer_tax_id: self.buyer.tax_id.clone(),
            total_amount: self.total_amount,
            total_tax: self.total_tax,
            total_with_tax: self.total_with_tax,
            red_letter: self.red_letter,
            reverses: self.reverses.clone(),
        }
    }
}

/// Reads an invoice's key fields from the text layer of a PDF.
///
/// # Errors
/// When the PDF cannot be read (see [`read::extract_text`]), its text has no invoice number
/// ([`PdfReadError::NoInvoiceNumber`], e.g. a scanned image), or an 8-digit 发票号码 comes
/// without its 发票代码.
pub fn read_invoice_pdf(bytes: &[u8], limits: &Limits) -> Result<PdfInvoice, PdfReadError> {
    let pages = read::extract_text(bytes, limits)?;
    read::invoice_from_text(&pages)
}

/// Options of [`render_invoice_pdf_with`] for what [`InvoiceData`] does not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoicePdfOptions {
    /// The 发票代码 of an older VAT e-invoice (增值税电子普通发票); the invoice's number is then
    /// its 8-digit 发票号码. `None` renders a 数电票.
    pub code: Option<String>,
    /// 开票人, printed at the foot when given.
    pub drawer: Option<String>,
    /// Leaves out 价税合计（大写）, the amount in Chinese financial numerals.
    pub omit_amount_in_words: bool,
}

/// Renders the invoice as a 电子发票（普通发票） PDF. The same invoice always yields the same
/// bytes.
#[must_use]
pub fn render_invoice_pdf(invoice: &InvoiceData) -> Vec<u8> {
    render_invoice_pdf_with(invoice, &InvoicePdfOptions::default())
}

/// Renders the invoice as a PDF with the given options. The same input always yields the same
/// bytes.
#[must_use]
pub fn render_invoice_pdf_with(invoice: &InvoiceData, options: &InvoicePdfOptions) -> Vec<u8> {
    let title = if options.code.is_some() {
        "增值税电子普通发票"
    } else {
        "电子发票（普通发票）"
    };
    let at = invoice.issued_at;
    let mut lines = vec![PdfLine::Heading(title.to_owned())];
    if invoice.red_letter {
        lines.push(PdfLine::Text("红字发票".to_owned()));
    }
    if let Some(code) = &options.code {
        lines.push(PdfLine::Text(format!("发票代码：{code}")));
    }
    lines.push(PdfLine::Text(format!("发票号码：{}", invoice.number)));
    lines.push(PdfLine::Text(format!(
        "开票日期：{:04}年{:02}月{:02}日",
        at.year(),
        u8::from(at.month()),
        at.day()
    )));
    for (heading, name, tax_id) in [
        ("购买方信息", &invoice.buyer_name, &invoice.buyer_tax_id),
        ("销售方信息", &invoice.seller_name, &invoice.seller_tax_id),
    ] {
        lines.push(PdfLine::Rule);
        lines.push(PdfLine::Text(heading.to_owned()));
        lines.push(PdfLine::Text(format!("名称：{name}")));
        lines.push(PdfLine::Text(format!(
            "统一社会信用代码/纳税人识别号：{tax_id}"
        )));
    }
    lines.push(PdfLine::Rule);
    lines.push(PdfLine::KeyValue(
        "项目名称".to_owned(),
        "数量    单价    金额    税率/征收率    税额".to_owned(),
    ));
    for item in &invoice.items {
        lines.push(PdfLine::KeyValue(
            item.name.clone(),
            format!(
                "{}    {}    {}    {}    {}",
                item.quantity, item.unit_price, item.amount, item.tax_rate, item.tax
            ),
        ));
    }
    lines.push(PdfLine::Rule);
    lines.push(PdfLine::Text(format!(
        "合计    ¥{}    ¥{}",
        invoice.total_amount, invoice.total_tax
    )));
    let mut total = String::from("价税合计");
    if !options.omit_amount_in_words {
        let _ = write!(
            total,
            "（大写）{}    ",
            amount_in_words(invoice.total_with_tax)
        );
    }
    let _ = write!(total, "（小写）¥{}", invoice.total_with_tax);
    lines.push(PdfLine::Text(total));
    lines.push(PdfLine::Rule);
    let mut remarks = Vec::new();
    if let (true, Some(original)) = (invoice.red_letter, &invoice.original_number) {
        // Where issued invoices state the reversed invoice: a 数电票 names it, an older VAT
        // invoice names its code and number after 销项负数.
        remarks.push(match &options.code {
            None => format!("被红冲蓝字数电票号码：{original}"),
            Some(code) => format!("销项负数 对应正数发票代码:{code}号码:{original}"),
        });
    }
    remarks.extend(invoice.remarks.iter().cloned());
    if !remarks.is_empty() {
        lines.push(PdfLine::Text(format!("备注：{}", remarks.join("\n"))));
    }
    if let Some(drawer) = &options.drawer {
        lines.push(PdfLine::Text(format!("开票人：{drawer}")));
    }
    super::render(&PdfDocument {
        title: format!("{title} {}", invoice.number),
        subject: None,
        creation_date: invoice.issued_at,
        lines,
    })
}

/// An amount in Chinese financial numerals as printed on invoices, e.g. 壹仟壹佰陆拾陆圆整 for
/// 1166.00 and 负壹拾圆零伍分 for -10.05.
fn amount_in_words(amount: Money) -> String {
    let fen = amount.fen().unsigned_abs();
    let (yuan, jiao, fen) = (fen / 100, (fen / 10 % 10) as usize, (fen % 10) as usize);
    let mut out = String::new();
    if amount.is_negative() {
        out.push('负');
    }
    if yuan > 0 {
        out.push_str(&integer_in_words(yuan));
        out.push('圆');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零圆");
            }
            out.push('整');
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(NUMERALS[f]);
            out.push('分');
        }
        (j, 0) => {
            out.push(NUMERALS[j]);
            out.push_str("角整");
        }
        (j, f) => {
            out.push(NUMERALS[j]);
            out.push('角');
            out.push(NUMERALS[f]);
            out.push('分');
        }
    }
    out
}

const NUMERALS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// A positive whole number in financial numerals: groups of four digits with 万, 亿 and 万亿,
/// one 零 for each run of zeros between non-zero digits.
fn integer_in_words(mut n: u64) -> String {
    const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];
    const GROUPS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];
    let mut groups = Vec::new();
    while n > 0 {
        groups.push(n % 10_000);
        n /= 10_000;
    }
    let mut out = String::new();
    let mut zero_pending = false;
    for (index, group) in groups.iter().enumerate().rev() {
        if *group == 0 {
            zero_pending = true;
            continue;
        }
        if !out.is_empty() && (zero_pending || *group < 1000) {
            out.push('零');
        }
        zero_pending = false;
        let digits = [group / 1000, group / 100 % 10, group / 10 % 10, group % 10];
        let mut started = false;
        let mut zero_inside = false;
        for (digit, place) in digits.iter().zip(PLACES) {
            if *digit == 0 {
                zero_inside |= started;
                continue;
            }
            if zero_inside {
                out.push('零');
                zero_inside = false;
            }
            out.push(NUMERALS[*digit as usize]);
            out.push_str(place);
            started = true;
        }
        out.push_str(GROUPS.get(index).copied().unwrap_or(""));
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn money(s: &str) -> Money {
        s.parse().unwrap_or_else(|_| panic!("amount {s}"))
    }

    /// The einvoice tests' blue invoice, with a remark for the PDF's 备注 box.
    fn blue() -> InvoiceData {
        InvoiceData {
            remarks: Some("项目编号 P-2024-017".into()),
            ..crate::einvoice::tests::invoice()
        }
    }

    fn red() -> InvoiceData {
        let mut data = blue();
        data.number = "24442000000987654321".into();
        data.red_letter = true;
        data.original_number = Some("24442000000123456789".into());
        data.items.truncate(1);
        data.items[0].amount = money("-1000.00");
        data.items[0].tax = money("-60.00");
        data.total_amount = money("-1000.00");
        data.total_tax = money("-60.00");
        data.total_with_tax = money("-1060.00");
        data.remarks = None;
        data
    }

    fn read_back(pdf: &[u8]) -> PdfInvoice {
        read_invoice_pdf(pdf, &Limits::default()).unwrap_or_else(|e| panic!("read: {e}"))
    }

    #[test]
    fn a_rendered_blue_invoice_reads_back_with_its_facts() {
        let data = blue();
        let invoice = read_back(&render_invoice_pdf(&data));
        assert_eq!(invoice.facts(), data.facts());
        assert_eq!(invoice.drawer, None);
        assert_eq!(
            invoice.facts().key(),
            InvoiceKey::fully_digital("24442000000123456789")
        );
    }

    #[test]
    fn a_red_letter_invoice_reads_back_with_the_invoice_it_reverses() {
        let data = red();
        let invoice = read_back(&render_invoice_pdf(&data));
        assert!(invoice.red_letter);
        assert_eq!(invoice.reverses.as_deref(), Some("24442000000123456789"));
        assert_eq!(invoice.total_with_tax, Some(money("-1060.00")));
        assert_eq!(invoice.facts(), data.facts());
    }

    #[test]
    fn an_older_vat_invoice_reads_back_with_code_and_number() {
        let mut data = red();
        data.number = "87654321".into();
        data.original_number = Some("12345678".into());
        let options = InvoicePdfOptions {
            code: Some("044002100111".into()),
            drawer: Some("李会计".into()),
            omit_amount_in_words: true,
        };
        let invoice = read_back(&render_invoice_pdf_with(&data, &options));
        let expected = InvoiceFacts {
            code: options.code.clone(),
            ..data.facts()
        };
        assert_eq!(invoice.facts(), expected);
        assert_eq!(invoice.drawer.as_deref(), Some("李会计"));
        assert_eq!(
            invoice.facts().reversed_key(),
            InvoiceKey::vat("044002100111", "12345678").ok()
        );
    }

    #[test]
    fn a_natural_person_buyer_without_tax_id_reads_as_absent() {
        let mut data = blue();
        data.buyer_name = "张三".into();
        data.buyer_tax_id = String::new();
        let invoice = read_back(&render_invoice_pdf(&data));
        assert_eq!(invoice.buyer.tax_id, None);
        assert_eq!(invoice.seller.tax_id.as_deref(), Some("91440101MA5XXXXX1K"));
        assert_eq!(invoice.facts(), data.facts());
    }

    #[test]
    fn a_pdf_without_an_invoice_number_in_its_text_is_refused() {
        let scan = super::super::render(&PdfDocument {
            title: "扫描件".into(),
            subject: None,
            creation_date: datetime!(2024-03-05 09:30:00),
            lines: vec![PdfLine::Rule, PdfLine::Rule],
        });
        assert_eq!(
            read_invoice_pdf(&scan, &Limits::default()),
            Err(PdfReadError::NoInvoiceNumber)
        );
    }

    #[test]
    fn rendering_is_deterministic_and_shows_the_amount_in_words() {
        let pdf = render_invoice_pdf(&blue());
        assert_eq!(pdf, render_invoice_pdf(&blue()));
        let text = read::extract_text(&pdf, &Limits::default())
            .unwrap_or_else(|e| panic!("extract: {e}"))
            .join("\n");
        assert!(text.contains("电子发票（普通发票）"), "{text}");
        assert!(
            text.contains("价税合计（大写）壹仟壹佰陆拾陆圆整"),
            "{text}"
        );
    }

    #[test]
    fn amounts_in_words_follow_the_financial_numeral_rules() {
        let cases = [
            ("1166.00", "壹仟壹佰陆拾陆圆整"),
            ("1005.00", "壹仟零伍圆整"),
            ("10.05", "壹拾圆零伍分"),
            ("0.50", "伍角整"),
            ("0.00", "零圆整"),
            ("100010.10", "壹拾万零壹拾圆壹角整"),
            ("100000001.23", "壹亿零壹圆贰角叁分"),
            ("120000000.00", "壹亿贰仟万圆整"),
            ("-1060.00", "负壹仟零陆拾圆整"),
        ];
        for (amount, words) in cases {
            assert_eq!(amount_in_words(money(amount)), words, "{amount}");
        }
    }
}
