//! Vouchers for what the company buys with an invoice: staff claims (travel, entertainment,
//! local transport) and payments to suppliers (office supplies, advertising, property, cloud
//! services, rent). Deductible VAT goes to 进项税额; entertainment VAT is not deductible.

use super::accounts::{self as acct, Account};
use super::calendar;
use super::draft::{self, ClaimItem, Desk, Draft, Holder, Invoice, Item, before_tax};
use super::identifiers;
use super::parties::{self, Dept, Employee, Party, US};

/// A staff member's payee details, for reimbursements paid to the salary card.
fn staff_holder(employee: &Employee) -> Holder {
    Holder {
        name: employee.name.to_owned(),
        account: identifiers::salary_card(employee.name),
        bank: US.bank.to_owned(),
    }
}

/// Expense, deductible input VAT, and the credit to `paid_from`: 2 or 3 lines.
fn expense_lines(
    expense: Account,
    extra: i64,
    invoices: &[Invoice],
    paid_from: Account,
) -> Vec<acct::Line> {
    let net: i64 = invoices.iter().map(draft::net).sum::<i64>() + extra;
    let tax: i64 = invoices.iter().map(draft::tax).sum();
    let mut lines = vec![expense.dr(net)];
    if tax != 0 {
        lines.push(acct::VAT_INPUT.dr(tax));
    }
    lines.push(paid_from.cr(net + tax));
    lines
}

fn transfer_to(desk: &mut Desk<'_>, payee: &Party, amount: i64, purpose: String) -> draft::Receipt {
    desk.receipt(
        Holder::from(&US),
        Holder::from(payee),
        amount,
        purpose,
        "付款回单",
    )
}

pub(super) fn travel(desk: &mut Desk<'_>) -> Draft {
    let employee = *desk.rng.pick(&parties::STAFF);
    let trip = *desk.rng.pick(&parties::TRIPS);
    let nights = desk.rng.between(1, 4);
    let back = desk.days_earlier(1, 6);
    let start = back.saturating_sub(time::Duration::days(nights));
    let nightly = before_tax(desk.rng.between(38, 78) * 1_000, 6);
    let nights_count = u32::try_from(nights).unwrap_or(1);
    let remarks = format!(
        "入住人：{}；入住日期：{} 至 {}",
        employee.name,
        calendar::zh_date(start),
        calendar::zh_date(back)
    );
    let hotel = desk.invoice(
        &trip.hotel,
        &US,
        back,
        vec![("*住宿服务*住宿费".to_owned(), nights_count, nightly, 6)],
        true,
        Some(remarks),
    );
    let mut items = vec![ClaimItem {
        what: "住宿费".to_owned(),
        amount: draft::gross(&hotel),
        bills: 1,
    }];
    let mut invoices = vec![hotel];
    if desk.rng.chance(60) {
        let fare = before_tax(desk.rng.between(35, 260) * 100, 3);
        let ride = *desk.rng.pick(&parties::RIDE_HAILING);
        let taxi = desk.invoice(
            &ride,
            &US,
            back,
            vec![("*运输服务*客运服务费".to_owned(), 1, fare, 3)],
            true,
            None,
        );
        items.push(ClaimItem {
            what: "市内交通费".to_owned(),
            amount: draft::gross(&taxi),
            bills: 1,
        });
        invoices.push(taxi);
    }
    // Travel allowance (出差补助): 100 yuan a day, no bill.
    let allowance = (nights + 1) * 10_000;
    items.push(ClaimItem {
        what: "出差补助".to_owned(),
        amount: allowance,
        bills: 0,
    });
    let expense = if employee.dept.sells() {
        acct::SELLING_TRAVEL
    } else {
        acct::ADMIN_TRAVEL
    };
    let lines = expense_lines(expense, allowance, &invoices, acct::BANK);
    let total = lines.iter().map(|l| l.credit).sum();
    let summary = format!("报销{}{}差旅费", employee.name, trip.city);
    let reason = format!(
        "赴{}出差（客户现场支持与商务洽谈），共 {} 天",
        trip.city,
        nights + 1
    );
    let claim = desk.claim(employee, reason, items);
    let receipt = desk.receipt(
        Holder::from(&US),
        staff_holder(&employee),
        total,
        "差旅费报销".to_owned(),
        "付款回单",
    );
    Draft {
        claim: Some(claim),
        invoices,
        receipts: vec![receipt],
        ..Draft::new(summary, lines)
    }
}

pub(super) fn entertainment(desk: &mut Desk<'_>) -> Draft {
    // Guests are entertained by sales, marketing and administration staff.
    let hosts: Vec<Employee> = parties::STAFF
        .iter()
        .copied()
        .filter(|e| e.dept.sells() || e.dept == Dept::Admin)
        .collect();
    let employee = hosts
        .get(desk.rng.index(hosts.len()))
        .copied()
        .unwrap_or(parties::STAFF[0]);
    let restaurant = *desk.rng.pick(&parties::RESTAURANTS);
    let guest = desk.rng.pick(&parties::CUSTOMERS).name;
    let dined = desk.days_earlier(1, 5);
    let meal = before_tax(desk.rng.between(60, 480) * 1_000, 6);
    let invoice = desk.invoice(
        &restaurant,
        &US,
        dined,
        vec![("*餐饮服务*餐饮费".to_owned(), 1, meal, 6)],
        false,
        None,
    );
    let total = draft::gross(&invoice);
    let expense = if employee.dept.sells() {
        acct::SELLING_ENTERTAINMENT
    } else {
        acct::ADMIN_ENTERTAINMENT
    };
    // Entertainment input VAT may not be deducted: the whole invoice is the expense.
    let lines = vec![expense.dr(total), acct::BANK.cr(total)];
    let summary = format!("报销业务招待费-{}", employee.name);
    let reason = format!("接待{guest}来访洽谈项目合作");
    let claim = desk.claim(
        employee,
        reason,
        vec![ClaimItem {
            what: "业务招待费".to_owned(),
            amount: total,
            bills: 1,
        }],
    );
    let receipt = desk.receipt(
        Holder::from(&US),
        staff_holder(&employee),
        total,
        "业务招待费报销".to_owned(),
        "付款回单",
    );
    Draft {
        claim: Some(claim),
        invoices: vec![invoice],
        receipts: vec![receipt],
        ..Draft::new(summary, lines)
    }
}

/// Local transport paid from petty cash; `None` when the cash box cannot cover it.
pub(super) fn local_transport(desk: &mut Desk<'_>) -> Option<Draft> {
    // The most a claim can come to is 8 rides at 90 yuan.
    if desk.books.balance(acct::CASH.code, 12) < 100_000 {
        return None;
    }
    let employee = *desk.rng.pick(&parties::STAFF);
    let ride = *desk.rng.pick(&parties::RIDE_HAILING);
    let rides = u32::try_from(desk.rng.between(2, 8)).unwrap_or(2);
    let fare = before_tax(desk.rng.between(25, 90) * 100, 3);
    let travelled = desk.days_earlier(1, 10);
    let invoice = desk.invoice(
        &ride,
        &US,
        travelled,
        vec![("*运输服务*客运服务费".to_owned(), rides, fare, 3)],
        true,
        None,
    );
    let lines = expense_lines(
        acct::LOCAL_TRANSPORT,
        0,
        std::slice::from_ref(&invoice),
        acct::CASH,
    );
    let summary = format!("报销{}市内交通费", employee.name);
    let item = ClaimItem {
        what: "市内交通费".to_owned(),
        amount: draft::gross(&invoice),
        bills: 1,
    };
    let claim = desk.claim(
        employee,
        "外出拜访客户及办理公司事务".to_owned(),
        vec![item],
    );
    Some(Draft {
        claim: Some(claim),
        invoices: vec![invoice],
        ..Draft::new(summary, lines)
    })
}

pub(super) fn office_supplies(desk: &mut Desk<'_>) -> Draft {
    static GOODS: [(&str, i64, i64, i64); 5] = [
        ("*纸制品*复印纸 A4 70g（5包/箱）", 120, 160, 40),
        ("*文具*中性笔 0.5mm（12支/盒）", 18, 28, 50),
        ("*计算机配套产品*激光打印机硒鼓", 380, 560, 6),
        ("*纸制品*笔记本 A5", 6, 15, 100),
        ("*办公设备*桌面文件柜", 260, 480, 8),
    ];
    let supplier = *desk.rng.pick(&parties::OFFICE_SUPPLIERS);
    let lines_wanted = desk.rng.between(1, 3);
    let mut items: Vec<Item> = Vec::new();
    for _ in 0..lines_wanted {
        let (name, low, high, most) = *desk.rng.pick(&GOODS);
        if items.iter().any(|(n, ..)| n == name) {
            continue;
        }
        let quantity = u32::try_from(desk.rng.between(2, most)).unwrap_or(1);
        items.push((
            name.to_owned(),
            quantity,
            desk.rng.between(low, high) * 100,
            13,
        ));
    }
    let issued = desk.invoice_day(0, 4);
    let invoice = desk.invoice(&supplier, &US, issued, items, true, None);
    pay_supplier(
        desk,
        acct::OFFICE,
        &supplier,
        invoice,
        "支付办公用品采购款",
        "办公用品款",
    )
}

pub(super) fn advertising(desk: &mut Desk<'_>) -> Draft {
    static SERVICES: [&str; 3] = [
        "*广告服务*线上广告投放费",
        "*会展服务*展会展位费",
        "*广告服务*行业媒体宣传费",
    ];
    let agency = *desk.rng.pick(&parties::AGENCIES);
    let amount = desk.rng.between(200, 1_500) * 10_000;
    let name = (*desk.rng.pick(&SERVICES)).to_owned();
    let issued = desk.invoice_day(0, 6);
    let invoice = desk.invoice(&agency, &US, issued, vec![(name, 1, amount, 6)], true, None);
    pay_supplier(
        desk,
        acct::ADVERTISING,
        &agency,
        invoice,
        "支付广告宣传费",
        "广告宣传费",
    )
}

pub(super) fn utilities(desk: &mut Desk<'_>) -> Draft {
    let items = vec![
        (
            "*物业管理服务*物业管理费".to_owned(),
            1,
            desk.rng.between(2_800, 3_200) * 1_000,
            6,
        ),
        (
            "*供电*电费".to_owned(),
            u32::try_from(desk.rng.between(8_000, 20_000)).unwrap_or(8_000),
            92,
            13,
        ),
        (
            "*水冰雪*水费".to_owned(),
            u32::try_from(desk.rng.between(150, 600)).unwrap_or(150),
            503,
            9,
        ),
    ];
    let issued = desk.invoice_day(0, 3);
    let invoice = desk.invoice(&parties::PROPERTY_MANAGER, &US, issued, items, true, None);
    pay_supplier(
        desk,
        acct::PROPERTY,
        &parties::PROPERTY_MANAGER,
        invoice,
        "支付物业管理费及水电费",
        "物业水电费",
    )
}

pub(super) fn cloud(desk: &mut Desk<'_>) -> Draft {
    let provider = *desk.rng.pick(&parties::CLOUDS);
    let amount = desk.rng.between(800, 6_000) * 1_000;
    let issued = desk.invoice_day(0, 5);
    let item = ("*信息技术服务*云服务器租用费".to_owned(), 1, amount, 6);
    let invoice = desk.invoice(&provider, &US, issued, vec![item], true, None);
    pay_supplier(
        desk,
        acct::TECH_SERVICES,
        &provider,
        invoice,
        "支付云服务费",
        "云服务费",
    )
}

/// The month's rent: the same amount every month, from the lease.
pub(super) fn rent(desk: &mut Desk<'_>) -> Draft {
    const MONTHLY_RENT_BEFORE_TAX: i64 = 22_568_807;
    let (year, month) = (desk.year, desk.month);
    let remarks = format!(
        "{}；租赁期：{} 至 {}",
        parties::OUR_ADDRESS,
        calendar::zh_date(calendar::day(year, month, 1)),
        calendar::zh_date(calendar::last_day(year, month))
    );
    let item = (
        "*经营租赁*房屋租赁费".to_owned(),
        1,
        MONTHLY_RENT_BEFORE_TAX,
        9,
    );
    let issued = desk.invoice_day(1, 3);
    let invoice = desk.invoice(
        &parties::LANDLORD,
        &US,
        issued,
        vec![item],
        true,
        Some(remarks),
    );
    let what = format!("支付{}年{}月房租", year, month);
    let mut draft = pay_supplier(
        desk,
        acct::RENT,
        &parties::LANDLORD,
        invoice,
        &what,
        "房屋租金",
    );
    draft.summary = what;
    draft
}

/// An invoice paid at once by bank transfer: expense, input VAT, bank.
fn pay_supplier(
    desk: &mut Desk<'_>,
    expense: Account,
    supplier: &Party,
    invoice: Invoice,
    what: &str,
    purpose: &str,
) -> Draft {
    let lines = expense_lines(expense, 0, std::slice::from_ref(&invoice), acct::BANK);
    let receipt = transfer_to(desk, supplier, draft::gross(&invoice), purpose.to_owned());
    let summary = format!("{what}-{}", supplier.name);
    Draft {
        invoices: vec![invoice],
        receipts: vec![receipt],
        ..Draft::new(summary, lines)
    }
}
