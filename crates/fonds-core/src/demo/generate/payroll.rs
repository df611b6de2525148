//! Month-end and monthly vouchers for salaries and taxes: accruing and paying salaries, paying
//! social insurance and the housing fund, remitting withheld income tax, transferring the
//! month's VAT due and accruing the surtaxes on it, and paying them. Amounts paid are read from
//! the books, so what is paid is exactly what was accrued.

use super::accounts::{self as acct, Account};
use super::draft::{Desk, Draft, Holder, tax_on};
use super::parties::{self, US};

/// Employer contributions to social insurance and the housing fund, per mille of gross pay.
const EMPLOYER_PER_MILLE: i64 = 335;
/// Employee contributions withheld from pay, per mille.
const EMPLOYEE_PER_MILLE: i64 = 175;
/// Individual income tax withheld, per mille of gross pay, on average.
const INCOME_TAX_PER_MILLE: i64 = 62;
/// The housing fund's share of all contributions: 7 % + 7 % of 33.5 % + 17.5 %.
const HOUSING_FUND_SHARE: (i64, i64) = (14, 51);

fn per_mille(amount: i64, rate: i64) -> i64 {
    (amount * rate + 500).div_euclid(1000)
}

/// What is owed on a liability account now (its credit balance), if anything.
fn owed(desk: &Desk<'_>, account: Account) -> i64 {
    -desk.books.balance(account.code, 12)
}

/// `2023年2月`, or the previous month's label for payments made a month in arrears.
fn label(desk: &Desk<'_>, months_back: u8) -> String {
    let year = i32::from(desk.year.get());
    match desk.month.checked_sub(months_back) {
        Some(m) if m >= 1 => format!("{year}年{m}月"),
        _ => format!("{}年{}月", year - 1, 12 + desk.month - months_back),
    }
}

fn tax_payment(desk: &mut Desk<'_>, amount: i64, purpose: &str) -> super::draft::Receipt {
    let payee = Holder::from(&parties::TREASURY);
    desk.receipt(
        Holder::from(&US),
        payee,
        amount,
        purpose.to_owned(),
        "电子缴税付款凭证",
    )
}

pub(super) fn accrue_salaries(desk: &mut Desk<'_>) -> Draft {
    let gross = desk.rng.between(190_000, 210_000) * 1_000;
    let rnd = per_mille(gross, 550);
    let selling = per_mille(gross, 270);
    let admin = gross - rnd - selling;
    let cost = |pay: i64| pay + per_mille(pay, EMPLOYER_PER_MILLE);
    let employer: i64 = [rnd, selling, admin].iter().map(|p| cost(*p) - p).sum();
    let lines = vec![
        acct::RND.dr(cost(rnd)),
        acct::SELLING_PAY.dr(cost(selling)),
        acct::ADMIN_PAY.dr(cost(admin)),
        acct::WAGES.cr(gross),
        acct::SOCIAL.cr(employer),
    ];
    Draft::new(format!("计提{}工资及社保公积金", label(desk, 0)), lines)
}

/// Pays last month's accrued salaries, less what is withheld; `None` when nothing is accrued.
pub(super) fn pay_salaries(desk: &mut Desk<'_>) -> Option<Draft> {
    let gross = owed(desk, acct::WAGES);
    if gross <= 0 {
        return None;
    }
    let contributions = per_mille(gross, EMPLOYEE_PER_MILLE);
    let income_tax = per_mille(gross, INCOME_TAX_PER_MILLE);
    let net = gross - contributions - income_tax;
    let lines = vec![
        acct::WAGES.dr(gross),
        acct::WITHHELD.cr(contributions),
        acct::INCOME_TAX_WITHHELD.cr(income_tax),
        acct::BANK.cr(net),
    ];
    let month = label(desk, 1);
    let payee = Holder {
        name: format!("代发工资（{} 笔）", parties::HEADCOUNT),
        account: "批量代发".to_owned(),
        bank: US.bank.to_owned(),
    };
    let receipt = desk.receipt(
        Holder::from(&US),
        payee,
        net,
        format!("{month}工资"),
        "代发工资回单",
    );
    Some(Draft {
        receipts: vec![receipt],
        ..Draft::new(format!("发放{month}工资"), lines)
    })
}

/// Pays the contributions accrued and withheld; `None` when none are owed.
pub(super) fn pay_social_security(desk: &mut Desk<'_>) -> Option<Draft> {
    let employer = owed(desk, acct::SOCIAL).max(0);
    let employee = owed(desk, acct::WITHHELD).max(0);
    let total = employer + employee;
    if total == 0 {
        return None;
    }
    let mut lines = Vec::new();
    if employer > 0 {
        lines.push(acct::SOCIAL.dr(employer));
    }
    if employee > 0 {
        lines.push(acct::WITHHELD.dr(employee));
    }
    lines.push(acct::BANK.cr(total));
    let month = label(desk, 1);
    let fund = total * HOUSING_FUND_SHARE.0 / HOUSING_FUND_SHARE.1;
    let social = Holder::from(&parties::SOCIAL_SECURITY);
    let housing = Holder::from(&parties::HOUSING_FUND);
    let receipts = vec![
        desk.receipt(
            Holder::from(&US),
            social,
            total - fund,
            format!("{month}社会保险费"),
            "付款回单",
        ),
        desk.receipt(
            Holder::from(&US),
            housing,
            fund,
            format!("{month}住房公积金"),
            "付款回单",
        ),
    ];
    let summary = format!("缴纳{month}社会保险费及住房公积金");
    Some(Draft {
        receipts,
        ..Draft::new(summary, lines)
    })
}

/// Remits the income tax withheld; `None` when none is owed.
pub(super) fn pay_income_tax(desk: &mut Desk<'_>) -> Option<Draft> {
    let amount = owed(desk, acct::INCOME_TAX_WITHHELD);
    if amount <= 0 {
        return None;
    }
    let lines = vec![acct::INCOME_TAX_WITHHELD.dr(amount), acct::BANK.cr(amount)];
    let month = label(desk, 1);
    let receipt = tax_payment(desk, amount, "个人所得税（代扣代缴）");
    Some(Draft {
        receipts: vec![receipt],
        ..Draft::new(format!("代缴{month}个人所得税"), lines)
    })
}

/// Pays last month's VAT and surtaxes; `None` when none are owed.
pub(super) fn pay_vat(desk: &mut Desk<'_>) -> Option<Draft> {
    let taxes = [
        acct::VAT_UNPAID,
        acct::CITY_TAX,
        acct::EDUCATION_LEVY,
        acct::LOCAL_EDUCATION_LEVY,
    ];
    let mut lines: Vec<_> = taxes
        .iter()
        .map(|tax| (tax, owed(desk, *tax)))
        .filter(|(_, amount)| *amount > 0)
        .map(|(tax, amount)| tax.dr(amount))
        .collect();
    let total: i64 = lines.iter().map(|l| l.debit).sum();
    if total == 0 {
        return None;
    }
    lines.push(acct::BANK.cr(total));
    let month = label(desk, 1);
    let receipt = tax_payment(desk, total, "增值税及附加税费");
    Some(Draft {
        receipts: vec![receipt],
        ..Draft::new(format!("缴纳{month}增值税及附加税费"), lines)
    })
}

/// Moves the month's VAT due to 未交增值税; `None` when input VAT exceeds output VAT and the
/// difference is carried forward (留抵).
pub(super) fn transfer_vat(desk: &mut Desk<'_>) -> Option<Draft> {
    let due = -desk.books.balance("2221.01", 12);
    if due <= 0 {
        return None;
    }
    let lines = vec![acct::VAT_OUT_TRANSFER.dr(due), acct::VAT_UNPAID.cr(due)];
    Some(Draft::new(
        format!("结转{}未交增值税", label(desk, 0)),
        lines,
    ))
}

/// Accrues the surtaxes on the VAT transferred this month; `None` when none was.
pub(super) fn accrue_surtaxes(desk: &mut Desk<'_>) -> Option<Draft> {
    let (base, _) = desk
        .books
        .movement(acct::VAT_OUT_TRANSFER.code, desk.month, desk.month);
    if base <= 0 {
        return None;
    }
    let city = tax_on(base, 7);
    let education = tax_on(base, 3);
    let local = tax_on(base, 2);
    let lines = vec![
        acct::SURTAXES.dr(city + education + local),
        acct::CITY_TAX.cr(city),
        acct::EDUCATION_LEVY.cr(education),
        acct::LOCAL_EDUCATION_LEVY.cr(local),
    ];
    Some(Draft::new(
        format!("计提{}城市维护建设税及教育费附加", label(desk, 0)),
        lines,
    ))
}
