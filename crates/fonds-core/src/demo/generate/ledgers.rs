//! The year's ledgers as PDF, written from the books after the last voucher: the general ledger
//! by first-level account, the subsidiary ledger by detail account (both with monthly totals),
//! and the bank and cash journals posting by posting, as DA/T 94 8.5 lists them.

use fonds_domain::FiscalYear;
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use time::PrimitiveDateTime;

use super::accounts::{Account, Books, JournalLine, LEVEL_ONE, Tally};
use super::parties::{BOOKKEEPER, REVIEWER, US};
use super::words::figures;

/// `借 1,234.00`, `贷 1,234.00` or `平`: a balance with its side.
pub(super) fn with_side(balance: i64) -> String {
    match balance {
        0 => "平".to_owned(),
        b if b > 0 => format!("借 {}", figures(b)),
        b => format!("贷 {}", figures(-b)),
    }
}

fn kv(key: impl Into<String>, value: impl Into<String>) -> PdfLine {
    PdfLine::KeyValue(key.into(), value.into())
}

fn head(title: &str, year: FiscalYear) -> Vec<PdfLine> {
    vec![
        PdfLine::Heading(title.to_owned()),
        kv("核算单位", US.name),
        kv("会计期间", format!("{year}年1月1日至{year}年12月31日")),
        kv("金额单位", "人民币元"),
        PdfLine::Rule,
    ]
}

fn foot(lines: &mut Vec<PdfLine>) {
    lines.push(PdfLine::Text(format!(
        "记账：{BOOKKEEPER}　　会计主管：{REVIEWER}"
    )));
}

fn document(title: String, created: PrimitiveDateTime, lines: Vec<PdfLine>) -> Vec<u8> {
    render(&PdfDocument {
        title,
        subject: Some("会计账簿".to_owned()),
        creation_date: created,
        lines,
    })
}

/// Monthly totals and balances of one account: `(debit, credit)` per month and balance after.
fn account_rows(lines: &mut Vec<PdfLine>, opening: i64, months: &[[i64; 2]; 12]) {
    lines.push(kv("期初余额", with_side(opening)));
    let mut balance = opening;
    let (mut debits, mut credits) = (0, 0);
    for (month, [debit, credit]) in (1..).zip(months) {
        balance += debit - credit;
        debits += debit;
        credits += credit;
        if *debit == 0 && *credit == 0 {
            continue;
        }
        lines.push(kv(
            format!("{month}月 本月合计"),
            format!(
                "借方 {}　贷方 {}　余额 {}",
                figures(*debit),
                figures(*credit),
                with_side(balance)
            ),
        ));
    }
    lines.push(kv(
        "本年累计",
        format!("借方 {}　贷方 {}", figures(debits), figures(credits)),
    ));
    lines.push(kv("期末余额", with_side(balance)));
    lines.push(PdfLine::Rule);
}

/// The general ledger (总账): every first-level account that has a balance or postings.
pub(super) fn general_ledger(
    books: &Books,
    year: FiscalYear,
    created: PrimitiveDateTime,
) -> Vec<u8> {
    let title = format!("{year}年度 总账");
    let mut lines = head(&title, year);
    for account in &LEVEL_ONE {
        let mut months = [[0; 2]; 12];
        for (month, slot) in (1..).zip(months.iter_mut()) {
            let (debit, credit) = books.movement(account.code, month, month);
            *slot = [debit, credit];
        }
        let opening = books.balance(account.code, 0);
        if opening == 0 && months.iter().all(|m| *m == [0, 0]) {
            continue;
        }
        lines.push(PdfLine::Text(format!(
            "科目：{} {}",
            account.code, account.name
        )));
        account_rows(&mut lines, opening, &months);
    }
    foot(&mut lines);
    document(title, created, lines)
}

/// The subsidiary ledger (明细账): every detail account, customers and suppliers apart.
pub(super) fn subsidiary_ledger(
    books: &Books,
    year: FiscalYear,
    created: PrimitiveDateTime,
) -> Vec<u8> {
    let title = format!("{year}年度 明细账");
    let mut lines = head(&title, year);
    for (code, name, tally) in books.details() {
        let Tally { opening, months } = tally;
        lines.push(PdfLine::Text(format!("科目：{code} {name}")));
        account_rows(&mut lines, *opening, months);
    }
    foot(&mut lines);
    document(title, created, lines)
}

/// A journal (日记账) of the cash or bank account: every posting in date order, with the
/// running balance and each month's totals.
pub(super) fn journal(
    title: &str,
    account: Account,
    opening: i64,
    postings: &[JournalLine],
    year: FiscalYear,
    created: PrimitiveDateTime,
) -> Vec<u8> {
    let mut lines = head(title, year);
    lines.push(kv("科目", format!("{} {}", account.code, account.name)));
    lines.push(kv("上年结转", with_side(opening)));
    let mut balance = opening;
    let mut month_totals = (0, 0);
    let mut year_totals = (0, 0);
    for (i, posting) in postings.iter().enumerate() {
        balance += posting.debit - posting.credit;
        month_totals = (
            month_totals.0 + posting.debit,
            month_totals.1 + posting.credit,
        );
        year_totals = (
            year_totals.0 + posting.debit,
            year_totals.1 + posting.credit,
        );
        let amount = if posting.debit != 0 {
            format!("收入 {}", figures(posting.debit))
        } else {
            format!("支出 {}", figures(posting.credit))
        };
        lines.push(PdfLine::Text(format!(
            "{}　{}　{}　{amount}　余额 {}",
            posting.date,
            posting.number,
            posting.summary,
            figures(balance)
        )));
        let month_ends = postings
            .get(i + 1)
            .is_none_or(|next| next.date.month() != posting.date.month());
        if month_ends {
            lines.push(kv(
                format!("{}月 本月合计", u8::from(posting.date.month())),
                format!(
                    "收入 {}　支出 {}　余额 {}",
                    figures(month_totals.0),
                    figures(month_totals.1),
                    with_side(balance)
                ),
            ));
            lines.push(PdfLine::Rule);
            month_totals = (0, 0);
        }
    }
    lines.push(kv(
        "本年累计",
        format!(
            "收入 {}　支出 {}",
            figures(year_totals.0),
            figures(year_totals.1)
        ),
    ));
    lines.push(kv("结转下年", with_side(balance)));
    foot(&mut lines);
    document(title.to_owned(), created, lines)
}
