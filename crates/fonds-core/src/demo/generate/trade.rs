//! Vouchers for the company's trade and its bank account: sales invoiced to customers and the
//! money collected from them, hardware bought on credit and the suppliers paid, cost of goods
//! sold, bank charges, interest and petty cash. Collections and payments settle balances the
//! books actually hold.

use super::accounts::{self as acct};
use super::draft::{self, Desk, Draft, Holder, Item};
use super::parties::{self, Party, US};

/// What the company sells: invoice line, tax rate, revenue account, price range in yuan, most
/// units on one invoice.
struct Offering {
    name: &'static str,
    rate: u32,
    software: bool,
    price: (i64, i64),
    most: i64,
}

static OFFERINGS: [Offering; 4] = [
    Offering {
        name: "*软件*华东示范企业管理软件 V5.0",
        rate: 13,
        software: true,
        price: (48_000, 180_000),
        most: 3,
    },
    Offering {
        name: "*信息技术服务*软件实施服务",
        rate: 6,
        software: false,
        price: (80_000, 420_000),
        most: 1,
    },
    Offering {
        name: "*信息技术服务*系统运维服务（年度）",
        rate: 6,
        software: false,
        price: (36_000, 160_000),
        most: 1,
    },
    Offering {
        name: "*信息技术服务*定制开发服务",
        rate: 6,
        software: false,
        price: (120_000, 600_000),
        most: 1,
    },
];

static HARDWARE: [(&str, i64, i64, i64); 4] = [
    ("*计算机网络设备*千兆交换机 S5735", 3_800, 5_200, 20),
    ("*计算机*机架式服务器 2U", 42_000, 68_000, 4),
    ("*计算机外部设备*企业级固态硬盘 3.84TB", 2_600, 3_600, 24),
    ("*计算机网络设备*无线接入点 AP", 900, 1_500, 40),
];

/// Our bank, as the other side of charges and interest.
fn our_bank() -> Holder {
    Holder {
        name: US.bank.to_owned(),
        account: "内部账户".to_owned(),
        bank: US.bank.to_owned(),
    }
}

pub(super) fn sale(desk: &mut Desk<'_>) -> Draft {
    let customer = *desk.rng.pick(&parties::CUSTOMERS);
    let first = desk.rng.index(OFFERINGS.len());
    let count = if desk.rng.chance(35) { 2 } else { 1 };
    let mut items: Vec<Item> = Vec::new();
    let mut software = Vec::new();
    for k in 0..count {
        let Some(offer) = OFFERINGS.get((first + k) % OFFERINGS.len()) else {
            continue;
        };
        let quantity = u32::try_from(desk.rng.between(1, offer.most)).unwrap_or(1);
        let unit = desk.rng.between(offer.price.0 / 100, offer.price.1 / 100) * 10_000;
        items.push((offer.name.to_owned(), quantity, unit, offer.rate));
        software.push(offer.software);
    }
    let issued = desk.date;
    let mut invoice = desk.invoice(&US, &customer, issued, items, true, None);
    invoice.drawer = parties::PREPARERS[1];
    let (mut software_revenue, mut service_revenue) = (0, 0);
    for (item, is_software) in invoice.data.items.iter().zip(software) {
        let revenue = if is_software {
            &mut software_revenue
        } else {
            &mut service_revenue
        };
        *revenue += item.amount.fen();
    }
    let mut lines = vec![acct::RECEIVABLE.dr_for(customer.name, draft::gross(&invoice))];
    if software_revenue > 0 {
        lines.push(acct::SOFTWARE_REVENUE.cr(software_revenue));
    }
    if service_revenue > 0 {
        lines.push(acct::SERVICE_REVENUE.cr(service_revenue));
    }
    lines.push(acct::VAT_OUTPUT.cr(draft::tax(&invoice)));
    let summary = format!("销售收入确认-{}", customer.name);
    Draft {
        invoices: vec![invoice],
        ..Draft::new(summary, lines)
    }
}

/// A customer pays all or part of what it owes; `None` when no customer owes anything.
pub(super) fn collection(desk: &mut Desk<'_>) -> Option<Draft> {
    let owing: Vec<(String, i64)> = desk
        .books
        .auxiliaries(acct::RECEIVABLE)
        .into_iter()
        .filter(|(_, b)| *b > 0)
        .collect();
    let (name, balance) = owing.get(desk.rng.index(owing.len()))?.clone();
    let customer = parties::CUSTOMERS
        .iter()
        .find(|c| c.name == name)
        .copied()?;
    let amount = if desk.rng.chance(70) || balance < 2_000_000 {
        balance
    } else {
        (balance * desk.rng.between(30, 70) / 100).div_euclid(10_000) * 10_000
    };
    let lines = vec![
        acct::BANK.dr(amount),
        acct::RECEIVABLE.cr_for(customer.name, amount),
    ];
    let receipt = desk.receipt(
        Holder::from(&customer),
        Holder::from(&US),
        amount,
        "货款".to_owned(),
        "收款回单",
    );
    let summary = format!("收到客户货款-{}", customer.name);
    Some(Draft {
        receipts: vec![receipt],
        ..Draft::new(summary, lines)
    })
}

/// Hardware bought for resale, on credit.
pub(super) fn purchase(desk: &mut Desk<'_>) -> Draft {
    let vendor = *desk.rng.pick(&parties::VENDORS);
    let (name, low, high, most) = *desk.rng.pick(&HARDWARE);
    let quantity = u32::try_from(desk.rng.between(1, most)).unwrap_or(1);
    let unit = desk.rng.between(low, high) * 100;
    let issued = desk.invoice_day(0, 3);
    let invoice = desk.invoice(
        &vendor,
        &US,
        issued,
        vec![(name.to_owned(), quantity, unit, 13)],
        true,
        None,
    );
    let lines = vec![
        acct::INVENTORY.dr(draft::net(&invoice)),
        acct::VAT_INPUT.dr(draft::tax(&invoice)),
        acct::PAYABLE.cr_for(vendor.name, draft::gross(&invoice)),
    ];
    let summary = format!("采购库存商品-{}", vendor.name);
    Draft {
        invoices: vec![invoice],
        ..Draft::new(summary, lines)
    }
}

/// Pays a supplier what it is owed, with the bank's charge; `None` when nothing is owed.
pub(super) fn supplier_payment(desk: &mut Desk<'_>) -> Option<Draft> {
    let owed: Vec<(String, i64)> = desk
        .books
        .auxiliaries(acct::PAYABLE)
        .into_iter()
        .filter(|(_, b)| *b < 0)
        .collect();
    let (name, balance) = owed.get(desk.rng.index(owed.len()))?.clone();
    let vendor: Party = parties::VENDORS.iter().find(|v| v.name == name).copied()?;
    let amount = -balance;
    let fee = desk.rng.between(10, 25) * 100;
    let lines = vec![
        acct::PAYABLE.dr_for(vendor.name, amount),
        acct::BANK_FEES.dr(fee),
        acct::BANK.cr(amount + fee),
    ];
    let receipts = vec![
        desk.receipt(
            Holder::from(&US),
            Holder::from(&vendor),
            amount,
            "货款".to_owned(),
            "付款回单",
        ),
        desk.receipt(
            Holder::from(&US),
            our_bank(),
            fee,
            "跨行转账手续费".to_owned(),
            "收费回单",
        ),
    ];
    let summary = format!("支付供应商货款-{}", vendor.name);
    Some(Draft {
        receipts,
        ..Draft::new(summary, lines)
    })
}

/// Cost of the hardware delivered; `None` when there is too little stock to deliver.
pub(super) fn cost_of_sales(desk: &mut Desk<'_>) -> Option<Draft> {
    let stock = desk.books.balance(acct::INVENTORY.code, 12);
    if stock < 1_000_000 {
        return None;
    }
    let amount = stock * desk.rng.between(40, 90) / 100;
    let lines = vec![acct::COST_OF_SALES.dr(amount), acct::INVENTORY.cr(amount)];
    Some(Draft::new("结转已售商品成本".to_owned(), lines))
}

pub(super) fn bank_fee(desk: &mut Desk<'_>) -> Draft {
    static CHARGES: [&str; 3] = ["网上银行转账手续费", "账户管理费", "电子回单服务费"];
    let what = *desk.rng.pick(&CHARGES);
    let fee = desk.rng.between(10, 300) * 100;
    let lines = vec![acct::BANK_FEES.dr(fee), acct::BANK.cr(fee)];
    let receipt = desk.receipt(
        Holder::from(&US),
        our_bank(),
        fee,
        what.to_owned(),
        "收费回单",
    );
    Draft {
        receipts: vec![receipt],
        ..Draft::new(format!("支付银行手续费-{what}"), lines)
    }
}

pub(super) fn interest(desk: &mut Desk<'_>) -> Draft {
    let amount = desk.rng.between(150_000, 1_200_000);
    // Interest received is booked as a credit to finance costs (财务费用-利息收入).
    let lines = vec![acct::BANK.dr(amount), acct::INTEREST.cr(amount)];
    let receipt = desk.receipt(
        our_bank(),
        Holder::from(&US),
        amount,
        "活期存款结息".to_owned(),
        "利息回单",
    );
    Draft {
        receipts: vec![receipt],
        ..Draft::new("收到银行存款利息".to_owned(), lines)
    }
}

pub(super) fn petty_cash(desk: &mut Desk<'_>) -> Draft {
    let amount = desk.rng.between(2, 6) * 100_000;
    let lines = vec![acct::CASH.dr(amount), acct::BANK.cr(amount)];
    let cashier = Holder {
        name: format!("{}（出纳）", parties::CASHIER),
        account: "现金支取".to_owned(),
        bank: US.bank.to_owned(),
    };
    let receipt = desk.receipt(
        Holder::from(&US),
        cashier,
        amount,
        "备用金".to_owned(),
        "现金支取回单",
    );
    Draft {
        receipts: vec![receipt],
        ..Draft::new("提取备用金".to_owned(), lines)
    }
}
