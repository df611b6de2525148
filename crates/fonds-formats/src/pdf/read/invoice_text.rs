//! Reading an invoice's key fields from its extracted text: the labels every issued invoice
//! prints (发票代码, 发票号码, 开票日期, the parties' 名称 and 纳税人识别号, 合计, 价税合计（小写）)
//! and the red-letter markers (红字, 销项负数, 被红冲蓝字数电票号码).

use std::collections::HashSet;

use fonds_domain::{InvoiceKey, Money};

use super::PdfReadError;
use super::fields::{self, Labelled, TextFields};
use crate::pdf::invoice::{PartyFields, PdfInvoice};

/// Labels under which a red-letter invoice names the blue invoice it reverses. A 发票号码 inside
/// one of them is not the invoice's own number.
const REVERSAL_LABELS: [&str; 7] = [
    "被红冲蓝字数电票号码",
    "被红冲蓝字发票号码",
    "对应蓝字数电票号码",
    "对应蓝字发票号码",
    "蓝字发票号码",
    "原发票号码",
    "对应正数发票号码",
];

/// The label of an older VAT red-letter invoice's reference: `对应正数发票代码:…号码:…`.
const VAT_REVERSAL_LABEL: &str = "对应正数发票代码";

/// The invoice in the text of its pages.
pub(in crate::pdf) fn from_pages(pages: &[String]) -> Result<PdfInvoice, PdfReadError> {
    from_text(&TextFields::new(pages))
}

fn from_text(text: &TextFields) -> Result<PdfInvoice, PdfReadError> {
    let (reverses, reversal_ends) = reversal(text);
    // Every reversal label ends in the label it contains (…发票号码, …发票代码), so a hit is
    // part of one exactly when they end at the same place. Both labels are four characters.
    let own = |hit: &&Labelled<'_>| !reversal_ends.contains(&(hit.at + "发票号码".len()));
    let number = text
        .labelled("发票号码")
        .iter()
        .filter(own)
        .map(|hit| fields::leading_digits(hit.value))
        .find(|digits| digits.len() == 20 || digits.len() == 8)
        .ok_or(PdfReadError::NoInvoiceNumber)?;
    let key = if number.len() == 20 {
        InvoiceKey::fully_digital(number)
    } else {
        let code = text
            .labelled("发票代码")
            .iter()
            .filter(own)
            .map(|hit| fields::leading_digits(hit.value))
            .find(|digits| digits.len() == 10 || digits.len() == 12)
            .ok_or_else(|| PdfReadError::NoInvoiceCode {
                number: number.to_owned(),
            })?;
        InvoiceKey::vat(code, number)
    }
    .map_err(|_| PdfReadError::NoInvoiceNumber)?;

    let (buyer, seller) = parties(text);
    let (total_amount, total_tax) = totals(text.text());
    let whole = text.text();
    Ok(PdfInvoice {
        key,
        issued_on: text
            .labelled("开票日期")
            .iter()
            .find_map(|hit| fields::date(hit.value)),
        buyer,
        seller,
        total_amount,
        total_tax,
        total_with_tax: total_with_tax(whole),
        // LIMITATION: a red-letter invoice is recognised by what its text says, not by negative
        // amounts, which a blue invoice's discount lines also have.
        red_letter: whole.contains("红字") || whole.contains("销项负数"),
        reverses,
        drawer: text
            .labelled("开票人")
            .iter()
            .map(|hit| hit.value)
            .find(|value| !value.is_empty())
            .map(str::to_owned),
    })
}

/// The reversed invoice's number, if stated, and where the reversal labels end.
fn reversal(text: &TextFields) -> (Option<String>, HashSet<usize>) {
    let mut ends = HashSet::new();
    let mut reverses = None;
    for label in REVERSAL_LABELS {
        for hit in text.labelled(label) {
            ends.insert(hit.at + label.len());
            let digits = fields::leading_digits(hit.value);
            if reverses.is_none() && (digits.len() == 20 || digits.len() == 8) {
                reverses = Some(digits.to_owned());
            }
        }
    }
    for hit in text.labelled(VAT_REVERSAL_LABEL) {
        ends.insert(hit.at + VAT_REVERSAL_LABEL.len());
        // `…代码:011002100111号码:12345678`: the number follows the code.
        let code = fields::leading_digits(hit.value);
        let number = hit.value[code.len()..]
            .trim_start()
            .strip_prefix("号码")
            .map(|rest| rest.trim_start_matches([':', '：', ' ']))
            .map(fields::leading_digits)
            .filter(|digits| digits.len() == 8);
        if reverses.is_none() {
            reverses = number.map(str::to_owned);
        }
    }
    (reverses, ends)
}

/// Which party a label belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    Buyer,
    Seller,
}

/// The buyer's and the seller's name and tax id. A label prefixed with its party (购买方名称,
/// 销 名称) goes to that party; the others are taken in order, the buyer's first, as every
/// invoice prints them.
fn parties(text: &TextFields) -> (PartyFields, PartyFields) {
    let whole = text.text();
    let names = text
        .labelled("名称")
        .into_iter()
        .filter(|hit| {
            !["项目", "服务", "货物"]
                .iter()
                .any(|p| whole[..hit.at].ends_with(p))
        })
        .map(|hit| (party_before(&whole[..hit.at]), name(hit.value)));
    let mut tax_ids: Vec<_> = ["纳税人识别号", "统一社会信用代码"]
        .iter()
        .flat_map(|label| text.labelled(label))
        .collect();
    tax_ids.sort_by_key(|hit| hit.at);
    let tax_ids = tax_ids
        .into_iter()
        .map(|hit| (party_before(&whole[..hit.at]), tax_id(hit.value)));

    let (buyer_name, seller_name) = assign(names);
    let (buyer_tax_id, seller_tax_id) = assign(tax_ids);
    (
        PartyFields {
            name: buyer_name,
            tax_id: buyer_tax_id,
        },
        PartyFields {
            name: seller_name,
            tax_id: seller_tax_id,
        },
    )
}

/// Gives each found value to its party, the buyer's value and the seller's: the stated party,
/// or else the buyer until the buyer has had one, then the seller. A party keeps its first value.
fn assign(
    values: impl Iterator<Item = (Option<Party>, Option<String>)>,
) -> (Option<String>, Option<String>) {
    let (mut buyer, mut seller) = (None, None);
    let mut next = Some(Party::Buyer);
    for (stated, value) in values {
        let Some(party) = stated.or(next) else {
            continue;
        };
        if stated.is_none() || stated == next {
            next = match party {
                Party::Buyer => Some(Party::Seller),
                Party::Seller => None,
            };
        }
        let slot = match party {
            Party::Buyer => &mut buyer,
            Party::Seller => &mut seller,
        };
        if slot.is_none() {
            *slot = value;
        }
    }
    (buyer, seller)
}

/// The party named just before a label, e.g. `购买方` in `购买方名称` or `销` in `销 名称`.
fn party_before(before: &str) -> Option<Party> {
    let before = before.trim_end();
    let before = before
        .strip_suffix("统一社会信用代码/")
        .unwrap_or(before)
        .trim_end();
    if ["购买方", "购方", "购"].iter().any(|p| before.ends_with(p)) {
        Some(Party::Buyer)
    } else if ["销售方", "销方", "销"].iter().any(|p| before.ends_with(p)) {
        Some(Party::Seller)
    } else {
        None
    }
}

/// A party's name: the value without a party marker that ends it where two columns share a line
/// (`甲公司 销` in `名称：甲公司 销 名称：乙公司`).
fn name(value: &str) -> Option<String> {
    const MARKERS: [&str; 7] = ["购", "买", "方", "销", "售", "购买方", "销售方"];
    let value = match value.rsplit_once(char::is_whitespace) {
        Some((head, last)) if MARKERS.contains(&last) => head.trim_end(),
        _ => value,
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// A tax id: 15 to 20 digits and capital letters (unified social credit codes have 18).
fn tax_id(value: &str) -> Option<String> {
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
        .unwrap_or(value.len());
    let id = &value[..end];
    (15..=20).contains(&id.len()).then(|| id.to_owned())
}

// LIMITATION: the totals are read only from the line of their label; a text layer that puts
// the amounts of 合计 on lines of their own (possible where they are separate text objects) gives
// no 合计金额 or 合计税额, which then stay absent rather than guessed.
/// 合计金额 and 合计税额: the first two amounts on the first 合计 line that has any. 价税合计
/// is a different line, and `合 计` may be spaced out.
fn totals(text: &str) -> (Option<Money>, Option<Money>) {
    for line in text.lines() {
        let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(at) = squeezed.find("合计") else {
            continue;
        };
        if squeezed[..at].ends_with("价税") {
            continue;
        }
        let found = fields::amounts(line);
        if let Some(first) = found.first() {
            return (Some(*first), found.get(1).copied());
        }
    }
    (None, None)
}

/// 价税合计: the amount after （小写）, or else the last amount on the 价税合计 line.
fn total_with_tax(text: &str) -> Option<Money> {
    for marker in ["（小写）", "(小写)"] {
        if let Some((_, rest)) = text.split_once(marker)
            && let Some(amount) = fields::amounts(rest.lines().next().unwrap_or("")).first()
        {
            return Some(*amount);
        }
    }
    text.lines()
        .filter(|line| line.contains("价税合计"))
        .find_map(|line| fields::amounts(line).last().copied())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn read(text: &str) -> Result<PdfInvoice, PdfReadError> {
        from_pages(&[text.to_owned()])
    }

    #[test]
    fn two_column_text_as_issued_invoices_extract_is_read() {
        // The shape a viewer's text export of an issued 数电票 takes: both parties side by side.
        let text = "电子发票（普通发票）\n发票号码：24442000000123456789\n\
                    开票日期：2024年03月05日\n\
                    购 名称：示例集团有限公司 销 名称：广州某某信息技术有限公司\n\
                    买 统一社会信用代码/纳税人识别号：91110000100000000X 售 \
                    统一社会信用代码/纳税人识别号：91440101MA5XXXXX1K\n\
                    项目名称 规格型号 单位 数量 单价 金额 税率/征收率 税额\n\
                    *信息技术服务*软件维护 1 1000.00 1000.00 6% 60.00\n\
                    合 计 ¥1,000.00 ¥60.00\n\
                    价税合计（大写） ⊗壹仟零陆拾圆整 （小写）¥1,060.00\n\
                    开票人：王五";
        let invoice = read(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(invoice.issued_on, Some(date!(2024 - 03 - 05)));
        assert_eq!(invoice.buyer.name.as_deref(), Some("示例集团有限公司"));
        assert_eq!(
            invoice.seller.name.as_deref(),
            Some("广州某某信息技术有限公司")
        );
        assert_eq!(invoice.buyer.tax_id.as_deref(), Some("91110000100000000X"));
        assert_eq!(invoice.seller.tax_id.as_deref(), Some("91440101MA5XXXXX1K"));
        assert_eq!(invoice.total_amount, Some(Money::from_fen(100_000)));
        assert_eq!(invoice.total_tax, Some(Money::from_fen(6000)));
        assert_eq!(invoice.total_with_tax, Some(Money::from_fen(106_000)));
        assert_eq!(invoice.drawer.as_deref(), Some("王五"));
        assert!(!invoice.red_letter);
    }

    #[test]
    fn labels_with_their_party_go_to_that_party_whatever_the_order() {
        let text = "发票号码：24442000000123456789\n销售方名称：乙公司\n购买方名称：甲公司\n\
                    销售方纳税人识别号：91440101MA5XXXXX1K\n";
        let invoice = read(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(invoice.buyer.name.as_deref(), Some("甲公司"));
        assert_eq!(invoice.seller.name.as_deref(), Some("乙公司"));
        assert_eq!(invoice.seller.tax_id.as_deref(), Some("91440101MA5XXXXX1K"));
        assert_eq!(invoice.buyer.tax_id, None);
        assert_eq!(invoice.issued_on, None, "absent fields stay absent");
        assert_eq!(invoice.total_with_tax, None);
    }

    #[test]
    fn the_reversed_number_is_not_taken_for_the_invoice_s_own() {
        let text = "备注：被红冲蓝字数电票号码：24442000000123456789 红字发票信息确认单编号：1\n\
                    发票号码：24442000000987654321\n价税合计 ¥-1060.00\n";
        let invoice = read(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            invoice.key,
            InvoiceKey::fully_digital("24442000000987654321").unwrap_or_else(|e| panic!("{e}"))
        );
        assert_eq!(invoice.reverses.as_deref(), Some("24442000000123456789"));
        assert!(invoice.red_letter);
        assert_eq!(invoice.total_with_tax, Some(Money::from_fen(-106_000)));
    }

    #[test]
    fn hostile_text_with_many_labels_is_read_in_linear_time() {
        // Quadratic scanning would take minutes here; the readers' limits allow texts this long.
        let mut text = "原发票号码：".repeat(20_000);
        text.push_str(&"名称：".repeat(20_000));
        text.push_str(&"1,".repeat(20_000));
        let started = std::time::Instant::now();
        assert_eq!(read(&text), Err(PdfReadError::NoInvoiceNumber));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn a_text_without_a_usable_number_is_refused() {
        assert_eq!(
            read("记账凭证\n1 / 1\n"),
            Err(PdfReadError::NoInvoiceNumber)
        );
        assert_eq!(read("发票号码：123\n"), Err(PdfReadError::NoInvoiceNumber));
        assert_eq!(
            read("发票号码：12345678\n"),
            Err(PdfReadError::NoInvoiceCode {
                number: "12345678".into()
            })
        );
    }
}
