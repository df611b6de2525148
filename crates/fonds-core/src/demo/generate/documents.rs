//! The files of a voucher item, rendered in DA/T 94 order: the 记账凭证 itself, then the
//! originals behind it (费用报销单, 数电票 as XML with its PDF rendition, 银行电子回单). The
//! invoice and bank-receipt renditions say they are demonstration data, since they imitate
//! documents that only a tax authority or a bank may issue.

use fonds_domain::FileRole;
use fonds_formats::einvoice::render_xml;
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
        files.push(DemoFile {
            role: FileRole::Invoice,
            file_name: format!("发票-{number}.pdf"),
            bytes: invoice_pdf(invoice),
        });
    }
    for receipt in &draft.receipts {
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

fn invoice_pdf(invoice: &Invoice) -> Vec<u8> {
    let data = &invoice.data;
    let kind = if invoice.special {
        "电子发票（增值税专用发票）"
    } else {
        "电子发票（普通发票）"
    };
    let mut lines = vec![
        PdfLine::Heading(kind.to_owned()),
        kv("发票号码", data.number.as_str()),
        kv("开票日期", zh_date(data.issued_at.date())),
        PdfLine::Rule,
        kv("购买方名称", data.buyer_name.as_str()),
        kv("购买方税号", data.buyer_tax_id.as_str()),
        kv("销售方名称", data.seller_name.as_str()),
        kv("销售方税号", data.seller_tax_id.as_str()),
        PdfLine::Rule,
    ];
    for item in &data.items {
        lines.push(kv(
            &item.name,
            format!(
                "数量 {}　单价 {}",
                item.quantity,
                figures(item.unit_price.fen())
            ),
        ));
        lines.push(kv(
            "",
            format!(
                "金额 {}　税率 {}　税额 {}",
                figures(item.amount.fen()),
                item.tax_rate,
                figures(item.tax.fen())
            ),
        ));
    }
    lines.extend([
        PdfLine::Rule,
        kv(
            "合计",
            format!(
                "金额 {}　税额 {}",
                yuan(data.total_amount.fen()),
                yuan(data.total_tax.fen())
            ),
        ),
        kv("价税合计（大写）", capital(data.total_with_tax.fen())),
        kv("价税合计（小写）", yuan(data.total_with_tax.fen())),
    ]);
    if let Some(remarks) = &data.remarks {
        lines.push(kv("备注", remarks.as_str()));
    }
    lines.push(kv("开票人", invoice.drawer));
    lines.push(PdfLine::Rule);
    lines.push(PdfLine::Text(DEMO_NOTICE.to_owned()));
    pdf(
        format!("{kind} {}", data.number),
        "发票",
        data.issued_at,
        lines,
    )
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
