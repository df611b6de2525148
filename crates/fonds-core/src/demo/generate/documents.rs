//! The files of a voucher item, rendered in DA/T 94 order: the 记账凭证 itself, then the
//! originals behind it (费用报销单, 数电票 as XML with its PDF rendition, 银行电子回单). The
//! invoice and bank-receipt renditions say they are demonstration data, since they imitate
//! documents that only a tax authority or a bank may issue.

use fonds_domain::FileRole;
use fonds_formats::bank::{BankParty, BankReceipt, Currency, TransactedAt, render_receipt_xml};
use fonds_formats::einvoice::render_xml;
use fonds_formats::ofd::{OfdInvoiceLine, OfdInvoiceSpec, render_invoice};
use fonds_formats::pdf::invoice::{InvoicePdfOptions, render_invoice_pdf_with};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use time::{Date, PrimitiveDateTime};

use super::DemoFile;
use super::accounts::{BANK, CASH};
use super::calendar::{iso_time, zh_date};
use super::draft::{Claim, Draft, Invoice, Receipt};
use super::identifiers::salary_card;
use super::parties::{BOOKKEEPER, CASHIER, MANAGER, REVIEWER, US};
use super::words::{capital, figures, yuan};

const DEMO_NOTICE: &str = "本文件为 Fonds 示范数据，仅用于演示，不具有法律效力。";

fn kv(key: &str, value: impl Into<String>) -> PdfLine {
    PdfLine::KeyValue(key.to_owned(), value.into())
}

fn pdf(title: String, subject: &str, created: PrimitiveDateTime, lines: Vec<PdfLine>) -> Vec<u8> {
    render(&PdfDocument {
        title,
        subject: Some(subject.to_owned()),
        creation_date: created,
        lines,
    })
}

/// Everything printed on a 记账凭证 besides the draft and its originals.
#[derive(Debug, Clone)]
pub(super) struct VoucherHead<'a> {
    pub(super) number: &'a str,
    pub(super) date: Date,
    pub(super) preparer: &'static str,
    pub(super) created: PrimitiveDateTime,
}

/// The voucher's files: Main first, then the originals in item order. The originals are
/// rendered first, so the voucher can state how many it has (附单据).
pub(super) fn voucher_files(head: &VoucherHead<'_>, draft: &Draft) -> Vec<DemoFile> {
    let mut files = Vec::new();
    if let Some(claim) = &draft.claim {
        files.push(DemoFile {
            role: FileRole::ReimbursementForm,
            file_name: format!("报销单-{}.pdf", head.number),
            bytes: claim_pdf(claim, head),
        });
    }
    for invoice in &draft.invoices {
        let number = &invoice.data.number;
        files.push(DemoFile {
            role: FileRole::Invoice,
            file_name: format!("发票-{number}.xml"),
            bytes: render_xml(&invoice.data).into_bytes(),
        });
        // The layout rendition: OFD, the recommended format (DA/T 94 6.4), for special VAT
        // invoices; PDF for ordinary ones, as issuers send both.
        if invoice.special {
            files.push(DemoFile {
                role: FileRole::Invoice,
                file_name: format!("发票-{number}.ofd"),
                bytes: invoice_ofd(invoice),
            });
        } else {
            files.push(DemoFile {
                role: FileRole::Invoice,
                file_name: format!("发票-{number}.pdf"),
                bytes: invoice_pdf(invoice),
            });
        }
    }
    for receipt in &draft.receipts {
        files.push(DemoFile {
            role: FileRole::BankReceipt,
            file_name: format!("银行回单-{}.xml", receipt.serial),
            bytes: receipt_xml(receipt),
        });
        files.push(DemoFile {
            role: FileRole::BankReceipt,
            file_name: format!("银行回单-{}.pdf", receipt.serial),
            bytes: receipt_pdf(receipt),
        });
    }
    let attachments = files.iter().filter(|f| f.role.is_original()).count();
    let main = DemoFile {
        role: FileRole::Main,
        file_name: format!("{}.pdf", head.number),
        bytes: voucher_pdf(head, attachments, draft),
    };
    files.insert(0, main);
    files
}

fn side(fen: i64) -> String {
    if fen == 0 {
        "—".to_owned()
    } else {
        figures(fen)
    }
}

fn voucher_pdf(head: &VoucherHead<'_>, attachments: usize, draft: &Draft) -> Vec<u8> {
    let total: i64 = draft.lines.iter().map(|l| l.debit).sum();
    let mut lines = vec![
        PdfLine::Heading("记账凭证".to_owned()),
        kv("核算单位", US.name),
        kv("凭证字号", head.number),
        kv("日期", zh_date(head.date)),
        kv("附单据", format!("{attachments} 张")),
        kv("摘要", draft.summary.as_str()),
        PdfLine::Rule,
    ];
    for (i, line) in draft.lines.iter().enumerate() {
        lines.push(kv(&format!("{}. {}", i + 1, line.code), line.name.as_str()));
        lines.push(kv(
            "",
            format!(
                "借方金额 {}　　贷方金额 {}",
                side(line.debit),
                side(line.credit)
            ),
        ));
    }
    lines.push(PdfLine::Rule);
    lines.push(kv(
        "合计",
        format!("借方 {}　　贷方 {}", yuan(total), yuan(total)),
    ));
    lines.push(kv("合计（大写）", capital(total)));
    lines.push(PdfLine::Rule);
    let touches_money = draft
        .lines
        .iter()
        .any(|l| l.code == CASH.code || l.code == BANK.code);
    let cashier = if touches_money { CASHIER } else { "—" };
    lines.push(PdfLine::Text(format!(
        "制单：{}　　审核：{REVIEWER}　　记账：{BOOKKEEPER}　　出纳：{cashier}",
        head.preparer
    )));
    pdf(
        format!("记账凭证 {}", head.number),
        "记账凭证",
        head.created,
        lines,
    )
}

fn claim_pdf(claim: &Claim, head: &VoucherHead<'_>) -> Vec<u8> {
    let total: i64 = claim.items.iter().map(|i| i.amount).sum();
    let bills: u32 = claim.items.iter().map(|i| i.bills).sum();
    let mut lines = vec![
        PdfLine::Heading("费用报销单".to_owned()),
        kv("报销单位", US.name),
        kv("单据编号", claim.number.as_str()),
        kv("报销日期", zh_date(head.date)),
        kv("报销人", claim.claimant.name),
        kv("部门", claim.claimant.dept.name_zh()),
        kv("事由", claim.reason.as_str()),
        PdfLine::Rule,
    ];
    for item in &claim.items {
        let attached = if item.bills == 0 {
            "无票据".to_owned()
        } else {
            format!("附票据 {} 张", item.bills)
        };
        lines.push(kv(
            &item.what,
            format!("{}　　{attached}", yuan(item.amount)),
        ));
    }
    lines.extend([
        PdfLine::Rule,
        kv("合计金额（小写）", yuan(total)),
        kv("合计金额（大写）", capital(total)),
        kv("附单据", format!("{bills} 张")),
        kv("收款人", claim.claimant.name),
        kv(
            "收款账号",
            format!("{} {}", US.bank, salary_card(claim.claimant.name)),
        ),
        kv("记账凭证号", head.number),
        PdfLine::Rule,
        PdfLine::Text(format!(
            "部门负责人：{}　　财务审核：{REVIEWER}　　总经理：{MANAGER}　　出纳：{CASHIER}",
            claim.claimant.dept.head()
        )),
        PdfLine::Text(
            "审批流程：申请人提交 → 部门负责人审批 → 财务审核 → 总经理审批 → 出纳付款".to_owned(),
        ),
    ]);
    pdf(
        format!("费用报销单 {}", claim.number),
        "费用报销单",
        head.created,
        lines,
    )
}

/// The PDF rendition, as the tax authority's platform lays it out, readable by Fonds' own PDF
/// invoice reader.
fn invoice_pdf(invoice: &Invoice) -> Vec<u8> {
    render_invoice_pdf_with(
        &invoice.data,
        &InvoicePdfOptions {
            code: None,
            drawer: Some(invoice.drawer.to_owned()),
            omit_amount_in_words: false,
        },
    )
}

/// The OFD rendition with its signature block. The seal is demonstration data: its check values
/// are right, its signature value is not a real seal.
fn invoice_ofd(invoice: &Invoice) -> Vec<u8> {
    let data = &invoice.data;
    render_invoice(&OfdInvoiceSpec {
        code: None,
        number: data.number.clone(),
        issued_on: data.issued_at.date(),
        seller_name: data.seller_name.clone(),
        seller_tax_id: data.seller_tax_id.clone(),
        buyer_name: data.buyer_name.clone(),
        buyer_tax_id: data.buyer_tax_id.clone(),
        lines: data
            .items
            .iter()
            .map(|item| OfdInvoiceLine {
                item: item.name.clone(),
                specification: None,
                unit: None,
                quantity: item.quantity.clone(),
                unit_price: item.unit_price.to_string(),
                amount: item.amount,
                tax_rate: item.tax_rate.clone(),
                tax: item.tax,
            })
            .collect(),
        total_amount: data.total_amount,
        total_tax: data.total_tax,
        total_with_tax: data.total_with_tax,
        note: Some(DEMO_NOTICE.to_owned()),
        doc_id: format!("demo-{}", data.number),
        signed_at: data.issued_at,
        tamper: None,
    })
}

/// The structured bank receipt (Fonds' documented XML, modelled on DA/T 95 B.1).
fn receipt_xml(receipt: &Receipt) -> Vec<u8> {
    let party = |h: &super::draft::Holder| BankParty {
        name: h.name.clone(),
        account: h.account.clone(),
        bank: h.bank.clone(),
    };
    render_receipt_xml(&BankReceipt {
        receipt_number: format!("HD{}", receipt.serial),
        serial: receipt.serial.clone(),
        transacted_at: TransactedAt {
            date: receipt.at.date(),
            time: Some(receipt.at.time()),
        },
        payer: party(&receipt.payer),
        payee: party(&receipt.payee),
        amount: fonds_domain::Money::from_fen(receipt.amount),
        currency: Currency::CNY,
        purpose: receipt.purpose.clone(),
        summary: Some(receipt.kind.to_owned()),
        remarks: Some(DEMO_NOTICE.to_owned()),
    })
    .into_bytes()
}

fn receipt_pdf(receipt: &Receipt) -> Vec<u8> {
    let lines = vec![
        PdfLine::Heading("招商银行电子回单".to_owned()),
        kv("回单类型", receipt.kind),
        kv("交易流水号", receipt.serial.as_str()),
        kv("交易时间", iso_time(receipt.at)),
        PdfLine::Rule,
        kv("付款人户名", receipt.payer.name.as_str()),
        kv("付款人账号", receipt.payer.account.as_str()),
        kv("付款人开户行", receipt.payer.bank.as_str()),
        kv("收款人户名", receipt.payee.name.as_str()),
        kv("收款人账号", receipt.payee.account.as_str()),
        kv("收款人开户行", receipt.payee.bank.as_str()),
        PdfLine::Rule,
        kv("币种", "人民币"),
        kv("金额（小写）", yuan(receipt.amount)),
        kv("金额（大写）", capital(receipt.amount)),
        kv("用途", receipt.purpose.as_str()),
        kv("记账日期", zh_date(receipt.at.date())),
        PdfLine::Rule,
        PdfLine::Text("电子回单可在网上银行验证真伪，重复打印不影响其效力。".to_owned()),
        PdfLine::Text(DEMO_NOTICE.to_owned()),
    ];
    pdf(
        format!("银行电子回单 {}", receipt.serial),
        "银行回单",
        receipt.at,
        lines,
    )
}
