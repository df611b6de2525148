//! The financial reports as PDF, figured from the books: each month's balance sheet (资产负债表,
//! 会企01表) and income statement (利润表, 会企02表), and the annual financial report with
//! both statements and notes. Profit is taken from the income accounts as they stand
//! (表结法), so the balance sheet balances without closing entries.

use fonds_domain::FiscalYear;
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use time::PrimitiveDateTime;

use super::accounts::{self as acct, Books};
use super::calendar;
use super::parties::{BOOKKEEPER, MANAGER, REVIEWER, US};
use super::words::figures;

// LIMITATION: the demo books neither depreciation nor corporate income tax, so net profit equals
// total profit and fixed assets keep their opening net value; the annual notes say so.

/// One row of a statement: its label and its figures in fen.
pub(super) type Row = (&'static str, i64, i64);

/// The balance-sheet rows: `(label, at end of month, at start of year)`.
pub(super) fn balance_sheet(books: &Books, month: u8) -> Vec<Row> {
    let both = |f: &dyn Fn(u8) -> i64| (f(month), f(0));
    let debit = |code: &'static str| move |m: u8| books.balance(code, m);
    let credit = |code: &'static str| move |m: u8| -books.balance(code, m);
    let cash = both(&|m| debit("1001")(m) + debit("1002")(m));
    let receivable = both(&debit("1122"));
    let stock = both(&debit("1405"));
    let current = (
        cash.0 + receivable.0 + stock.0,
        cash.1 + receivable.1 + stock.1,
    );
    let fixed = both(&|m| debit("1601")(m) + debit("1602")(m));
    let payable = both(&credit("2202"));
    let payroll = both(&credit("2211"));
    let taxes = both(&credit("2221"));
    let other = both(&credit("2241"));
    let liabilities = (
        payable.0 + payroll.0 + taxes.0 + other.0,
        payable.1 + payroll.1 + taxes.1 + other.1,
    );
    let capital = both(&credit("4001"));
    let surplus = both(&credit("4101"));
    let retained = both(&|m| credit("4104")(m) + profit(books, 1, m));
    let equity = (
        capital.0 + surplus.0 + retained.0,
        capital.1 + surplus.1 + retained.1,
    );
    let row = |label, (end, start): (i64, i64)| (label, end, start);
    vec![
        row("货币资金", cash),
        row("应收账款", receivable),
        row("存货", stock),
        row("流动资产合计", current),
        row("固定资产", fixed),
        row("非流动资产合计", fixed),
        row("资产总计", (current.0 + fixed.0, current.1 + fixed.1)),
        row("应付账款", payable),
        row("应付职工薪酬", payroll),
        row("应交税费", taxes),
        row("其他应付款", other),
        row("负债合计", liabilities),
        row("实收资本", capital),
        row("盈余公积", surplus),
        row("未分配利润", retained),
        row("所有者权益合计", equity),
        row(
            "负债和所有者权益总计",
            (liabilities.0 + equity.0, liabilities.1 + equity.1),
        ),
    ]
}

/// Debits less credits under a code over months `from..=to`.
fn net_debit(books: &Books, code: &str, from: u8, to: u8) -> i64 {
    let (debit, credit) = books.movement(code, from, to);
    debit - credit
}

/// Profit over months `from..=to` (nothing for an empty range).
fn profit(books: &Books, from: u8, to: u8) -> i64 {
    if to < from {
        return 0;
    }
    -["6001", "6401", "6403", "6601", "6602", "6603"]
        .iter()
        .map(|code| net_debit(books, code, from, to))
        .sum::<i64>()
}

/// The income-statement rows: `(label, this month, year to date)`.
pub(super) fn income_statement(books: &Books, month: u8) -> Vec<Row> {
    let figure = |f: &dyn Fn(u8, u8) -> i64| (f(month, month), f(1, month));
    let expense = |code: &'static str| move |a: u8, b: u8| net_debit(books, code, a, b);
    let revenue = figure(&|a, b| -net_debit(books, "6001", a, b));
    let admin = figure(&|a, b| expense("6602")(a, b) - expense(acct::RND.code)(a, b));
    let profit = figure(&|a, b| profit(books, a, b));
    let row = |label, (this, total): (i64, i64)| (label, this, total);
    vec![
        row("一、营业收入", revenue),
        row("减：营业成本", figure(&expense("6401"))),
        row("税金及附加", figure(&expense("6403"))),
        row("销售费用", figure(&expense("6601"))),
        row("管理费用", admin),
        row("研发费用", figure(&expense(acct::RND.code))),
        row("财务费用", figure(&expense("6603"))),
        row("二、营业利润", profit),
        row("三、利润总额", profit),
        row("减：所得税费用", (0, 0)),
        row("四、净利润", profit),
    ]
}

fn kv(key: impl Into<String>, value: impl Into<String>) -> PdfLine {
    PdfLine::KeyValue(key.into(), value.into())
}

fn rows(lines: &mut Vec<PdfLine>, rows: &[Row], first: &str, second: &str) {
    for (label, a, b) in rows {
        lines.push(kv(
            *label,
            format!("{first} {}　{second} {}", figures(*a), figures(*b)),
        ));
    }
}

fn signatures() -> PdfLine {
    PdfLine::Text(format!(
        "单位负责人：{MANAGER}　　主管会计工作负责人：{REVIEWER}　　会计机构负责人：{REVIEWER}　　制表：{BOOKKEEPER}"
    ))
}

fn document(title: String, created: PrimitiveDateTime, lines: Vec<PdfLine>) -> Vec<u8> {
    render(&PdfDocument {
        title,
        subject: Some("财务会计报告".to_owned()),
        creation_date: created,
        lines,
    })
}

/// The monthly report: balance sheet at the month's end and income statement for the month.
pub(super) fn monthly(
    books: &Books,
    year: FiscalYear,
    month: u8,
    created: PrimitiveDateTime,
) -> Vec<u8> {
    let title = format!("{year}年{month}月 财务报表");
    let mut lines = vec![
        PdfLine::Heading(title.clone()),
        kv("编制单位", US.name),
        kv("金额单位", "人民币元"),
        PdfLine::Heading("资产负债表".to_owned()),
        kv("表号", "会企01表"),
        kv(
            "报表日期",
            calendar::zh_date(calendar::last_day(year, month)),
        ),
        PdfLine::Rule,
    ];
    rows(
        &mut lines,
        &balance_sheet(books, month),
        "期末余额",
        "年初余额",
    );
    lines.extend([
        PdfLine::Heading("利润表".to_owned()),
        kv("表号", "会企02表"),
        kv("所属期间", format!("{year}年{month}月")),
        PdfLine::Rule,
    ]);
    rows(
        &mut lines,
        &income_statement(books, month),
        "本月金额",
        "本年累计金额",
    );
    lines.extend([PdfLine::Rule, signatures()]);
    document(title, created, lines)
}

/// The annual financial report: statements at year end and notes.
pub(super) fn annual(books: &Books, year: FiscalYear, created: PrimitiveDateTime) -> Vec<u8> {
    let title = format!("{year}年度 财务会计报告");
    let mut lines = vec![
        PdfLine::Heading(title.clone()),
        kv("单位名称", US.name),
        kv("统一社会信用代码", US.credit_code()),
        kv("注册地址", super::parties::OUR_ADDRESS),
        kv("法定代表人", MANAGER),
        kv("报告期间", format!("{year}年1月1日至{year}年12月31日")),
        kv("金额单位", "人民币元"),
        PdfLine::Heading("一、资产负债表".to_owned()),
        PdfLine::Rule,
    ];
    rows(
        &mut lines,
        &balance_sheet(books, 12),
        "年末余额",
        "年初余额",
    );
    lines.push(PdfLine::Heading("二、利润表".to_owned()));
    lines.push(PdfLine::Rule);
    for (label, _, year_to_date) in income_statement(books, 12) {
        lines.push(kv(label, format!("本年金额 {}", figures(year_to_date))));
    }
    lines.push(PdfLine::Heading("三、财务报表附注".to_owned()));
    for paragraph in notes(books, year) {
        lines.push(PdfLine::Text(paragraph));
    }
    lines.extend([PdfLine::Rule, signatures()]);
    document(title, created, lines)
}

fn notes(books: &Books, year: FiscalYear) -> Vec<String> {
    let mut debtors = books.auxiliaries(acct::RECEIVABLE);
    debtors.retain(|(_, balance)| *balance > 0);
    debtors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut notes = vec![
        format!(
            "1. 公司基本情况：{}注册于上海市浦东新区，{}",
            US.name, "主要从事企业管理软件的研发、销售及相关技术服务。"
        ),
        concat!(
            "2. 编制基础：本公司以持续经营为基础，根据实际发生的交易和事项，",
            "按照《企业会计准则》进行确认和计量，并在此基础上编制财务报表。"
        )
        .to_owned(),
        format!("3. 会计期间：自{year}年1月1日起至{year}年12月31日止；记账本位币为人民币。"),
        concat!(
            "4. 主要税项：增值税税率为 13%（软件产品、商品销售）和 6%（技术服务）；",
            "城市维护建设税、教育费附加和地方教育附加分别按实缴增值税的 7%、3%、2% 计缴。"
        )
        .to_owned(),
        format!(
            "5. 货币资金：年末库存现金 {} 元，银行存款 {} 元。",
            figures(books.balance("1001", 12)),
            figures(books.balance("1002", 12))
        ),
    ];
    let top: Vec<String> = debtors
        .iter()
        .take(5)
        .map(|(name, balance)| format!("{name} {} 元", figures(*balance)))
        .collect();
    if !top.is_empty() {
        notes.push(format!("6. 应收账款年末余额前五名：{}。", top.join("；")));
    }
    notes.push(format!(
        "7. 营业收入：软件产品收入 {} 元，技术服务收入 {} 元。",
        figures(-net_debit(books, acct::SOFTWARE_REVENUE.code, 1, 12)),
        figures(-net_debit(books, acct::SERVICE_REVENUE.code, 1, 12))
    ));
    notes.push("8. 本示范账套未计提固定资产折旧和企业所得税，净利润等于利润总额。本报告为 Fonds 示范数据。".to_owned());
    notes
}
