//! The chart of accounts the demo books against (codes after the 企业会计准则 chart), and the
//! books: a running tally of every voucher posted, from which the ledgers and reports are
//! written and the next voucher's amounts are drawn (a customer pays what it owes, the VAT paid
//! is the VAT due), so the whole demo year adds up.

use std::collections::BTreeMap;

use fonds_domain::{Money, VoucherEntry};
use time::Date;

/// An account of the chart: its code and its full name, levels joined by `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Account {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
}

const fn account(code: &'static str, name: &'static str) -> Account {
    Account { code, name }
}

pub(super) const CASH: Account = account("1001", "库存现金");
pub(super) const BANK: Account = account("1002.01", "银行存款-招商银行张江支行");
pub(super) const RECEIVABLE: Account = account("1122", "应收账款");
pub(super) const INVENTORY: Account = account("1405", "库存商品");
pub(super) const FIXED_ASSETS: Account = account("1601", "固定资产");
pub(super) const DEPRECIATION: Account = account("1602", "累计折旧");
pub(super) const PAYABLE: Account = account("2202", "应付账款");
pub(super) const WAGES: Account = account("2211.01", "应付职工薪酬-工资");
pub(super) const SOCIAL: Account = account("2211.02", "应付职工薪酬-社会保险费及住房公积金");
pub(super) const VAT_INPUT: Account = account("2221.01.01", "应交税费-应交增值税-进项税额");
pub(super) const VAT_OUT_TRANSFER: Account =
    account("2221.01.03", "应交税费-应交增值税-转出未交增值税");
pub(super) const VAT_OUTPUT: Account = account("2221.01.06", "应交税费-应交增值税-销项税额");
pub(super) const VAT_UNPAID: Account = account("2221.02", "应交税费-未交增值税");
pub(super) const CITY_TAX: Account = account("2221.05", "应交税费-应交城市维护建设税");
pub(super) const EDUCATION_LEVY: Account = account("2221.06", "应交税费-应交教育费附加");
pub(super) const LOCAL_EDUCATION_LEVY: Account = account("2221.07", "应交税费-应交地方教育附加");
pub(super) const INCOME_TAX_WITHHELD: Account = account("2221.10", "应交税费-应交个人所得税");
pub(super) const WITHHELD: Account = account("2241.01", "其他应付款-代扣个人社保及公积金");
pub(super) const CAPITAL: Account = account("4001", "实收资本");
pub(super) const SURPLUS: Account = account("4101", "盈余公积");
pub(super) const RETAINED: Account = account("4104.01", "利润分配-未分配利润");
pub(super) const SOFTWARE_REVENUE: Account = account("6001.01", "主营业务收入-软件产品");
pub(super) const SERVICE_REVENUE: Account = account("6001.02", "主营业务收入-技术服务");
pub(super) const COST_OF_SALES: Account = account("6401", "主营业务成本");
pub(super) const SURTAXES: Account = account("6403", "税金及附加");
pub(super) const SELLING_PAY: Account = account("6601.01", "销售费用-职工薪酬");
pub(super) const SELLING_TRAVEL: Account = account("6601.02", "销售费用-差旅费");
pub(super) const SELLING_ENTERTAINMENT: Account = account("6601.03", "销售费用-业务招待费");
pub(super) const ADVERTISING: Account = account("6601.04", "销售费用-广告宣传费");
pub(super) const ADMIN_PAY: Account = account("6602.01", "管理费用-职工薪酬");
pub(super) const ADMIN_TRAVEL: Account = account("6602.02", "管理费用-差旅费");
pub(super) const ADMIN_ENTERTAINMENT: Account = account("6602.03", "管理费用-业务招待费");
pub(super) const OFFICE: Account = account("6602.04", "管理费用-办公费");
pub(super) const RENT: Account = account("6602.05", "管理费用-租赁费");
pub(super) const LOCAL_TRANSPORT: Account = account("6602.06", "管理费用-交通费");
pub(super) const PROPERTY: Account = account("6602.07", "管理费用-物业水电费");
pub(super) const TECH_SERVICES: Account = account("6602.08", "管理费用-技术服务费");
pub(super) const RND: Account = account("6602.09", "管理费用-研发费用");
pub(super) const INTEREST: Account = account("6603.01", "财务费用-利息收入");
pub(super) const BANK_FEES: Account = account("6603.02", "财务费用-手续费");

/// The first-level accounts (一级科目) the general ledger is kept by.
pub(super) static LEVEL_ONE: [Account; 19] = [
    account("1001", "库存现金"),
    account("1002", "银行存款"),
    account("1122", "应收账款"),
    account("1405", "库存商品"),
    account("1601", "固定资产"),
    account("1602", "累计折旧"),
    account("2202", "应付账款"),
    account("2211", "应付职工薪酬"),
    account("2221", "应交税费"),
    account("2241", "其他应付款"),
    account("4001", "实收资本"),
    account("4101", "盈余公积"),
    account("4104", "利润分配"),
    account("6001", "主营业务收入"),
    account("6401", "主营业务成本"),
    account("6403", "税金及附加"),
    account("6601", "销售费用"),
    account("6602", "管理费用"),
    account("6603", "财务费用"),
];

/// One line of a draft voucher, in fen: exactly one side is non-zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) code: &'static str,
    pub(super) name: String,
    pub(super) debit: i64,
    pub(super) credit: i64,
}

impl Account {
    pub(super) fn dr(self, fen: i64) -> Line {
        Line {
            code: self.code,
            name: self.name.to_owned(),
            debit: fen,
            credit: 0,
        }
    }

    pub(super) fn cr(self, fen: i64) -> Line {
        Line {
            code: self.code,
            name: self.name.to_owned(),
            debit: 0,
            credit: fen,
        }
    }

    /// A debit to the account kept for one customer or supplier, e.g. 应收账款-某公司.
    pub(super) fn dr_for(self, auxiliary: &str, fen: i64) -> Line {
        Line {
            code: self.code,
            name: format!("{}-{auxiliary}", self.name),
            debit: fen,
            credit: 0,
        }
    }

    /// A credit to the account kept for one customer or supplier.
    pub(super) fn cr_for(self, auxiliary: &str, fen: i64) -> Line {
        Line {
            code: self.code,
            name: format!("{}-{auxiliary}", self.name),
            debit: 0,
            credit: fen,
        }
    }
}

impl Line {
    /// The voucher entry, under the voucher's summary.
    pub(super) fn entry(&self, summary: &str) -> VoucherEntry {
        VoucherEntry {
            summary: summary.to_owned(),
            account_code: self.code.to_owned(),
            account_name: self.name.clone(),
            debit: Money::from_fen(self.debit),
            credit: Money::from_fen(self.credit),
        }
    }
}

/// A detail account's opening balance and its debits and credits in each month, in fen;
/// balances are debit-positive.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    pub(super) opening: i64,
    pub(super) months: [[i64; 2]; 12],
}

impl Tally {
    /// The balance at the end of `month` (0 = the opening balance).
    pub(super) fn balance(&self, month: u8) -> i64 {
        let through = usize::from(month.min(12));
        self.opening
            + self.months[..through]
                .iter()
                .map(|[d, c]| d - c)
                .sum::<i64>()
    }
}

/// One posting to a cash or bank journal.
#[derive(Debug, Clone)]
pub(super) struct JournalLine {
    pub(super) date: Date,
    pub(super) number: String,
    pub(super) summary: String,
    pub(super) debit: i64,
    pub(super) credit: i64,
}

/// Everything posted so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Books {
    /// Keyed by (code, full name), so auxiliary accounts are kept apart.
    accounts: BTreeMap<(String, String), Tally>,
    pub(super) cash_journal: Vec<JournalLine>,
    pub(super) bank_journal: Vec<JournalLine>,
}

impl Books {
    /// Sets a detail account's opening balance (debit-positive).
    pub(super) fn open(&mut self, code: &str, name: &str, balance: i64) {
        self.tally(code, name).opening += balance;
    }

    fn tally(&mut self, code: &str, name: &str) -> &mut Tally {
        self.accounts
            .entry((code.to_owned(), name.to_owned()))
            .or_default()
    }

    /// Posts a voucher's lines in its month, and to the journals when they touch cash or bank.
    pub(super) fn post(&mut self, date: Date, number: &str, summary: &str, lines: &[Line]) {
        let month = usize::from(u8::from(date.month()))
            .saturating_sub(1)
            .min(11);
        for line in lines {
            let tally = self.tally(line.code, &line.name);
            tally.months[month][0] += line.debit;
            tally.months[month][1] += line.credit;
            let journal = match line.code {
                c if c == CASH.code => &mut self.cash_journal,
                c if c == BANK.code => &mut self.bank_journal,
                _ => continue,
            };
            journal.push(JournalLine {
                date,
                number: number.to_owned(),
                summary: summary.to_owned(),
                debit: line.debit,
                credit: line.credit,
            });
        }
    }

    /// Every detail account, in code order.
    pub(super) fn details(&self) -> impl Iterator<Item = (&str, &str, &Tally)> {
        self.accounts
            .iter()
            .map(|((code, name), tally)| (code.as_str(), name.as_str(), tally))
    }

    /// The detail accounts under a code: the code itself and every sub-account (`2221` covers
    /// `2221.01.01`).
    fn under<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Tally> + 'a {
        self.details()
            .filter(move |(c, _, _)| {
                c.strip_prefix(code)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
            .map(|(_, _, tally)| tally)
    }

    /// The balance under a code at the end of `month` (0 = opening; 12 = year end).
    pub(super) fn balance(&self, code: &str, month: u8) -> i64 {
        self.under(code).map(|t| t.balance(month)).sum()
    }

    /// The debits and credits under a code over months `from..=to`.
    pub(super) fn movement(&self, code: &str, from: u8, to: u8) -> (i64, i64) {
        let range = usize::from(from.clamp(1, 12)) - 1..usize::from(to.min(12));
        self.under(code).fold((0, 0), |(d, c), tally| {
            let months = tally.months.get(range.clone()).unwrap_or(&[]);
            let (md, mc) = months.iter().fold((0, 0), |(a, b), [x, y]| (a + x, b + y));
            (d + md, c + mc)
        })
    }

    /// The current balance of each auxiliary account under `account`, keyed by auxiliary name.
    pub(super) fn auxiliaries(&self, account: Account) -> Vec<(String, i64)> {
        let prefix = format!("{}-", account.name);
        self.details()
            .filter(|(code, _, _)| *code == account.code)
            .filter_map(|(_, name, tally)| {
                let auxiliary = name.strip_prefix(&prefix)?;
                Some((auxiliary.to_owned(), tally.balance(12)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn balances_roll_up_to_first_level_accounts() {
        let mut books = Books::default();
        books.open(VAT_UNPAID.code, VAT_UNPAID.name, -500);
        books.post(
            date!(2023 - 03 - 10),
            "记-0001",
            "采购",
            &[OFFICE.dr(1000), VAT_INPUT.dr(130), BANK.cr(1130)],
        );
        assert_eq!(books.balance("2221", 0), -500);
        assert_eq!(books.balance("2221", 3), -370);
        assert_eq!(books.balance("2221.01", 12), 130);
        assert_eq!(books.balance("222", 12), 0, "a code prefix is not a parent");
        assert_eq!(books.movement("1002", 3, 3), (0, 1130));
        assert_eq!(books.movement("1002", 1, 2), (0, 0));
        assert_eq!(books.bank_journal.len(), 1);
    }

    #[test]
    fn auxiliary_accounts_are_kept_apart() {
        let mut books = Books::default();
        books.post(
            date!(2023 - 01 - 05),
            "记-0001",
            "销售",
            &[RECEIVABLE.dr_for("甲公司", 100), SERVICE_REVENUE.cr(100)],
        );
        books.open(RECEIVABLE.code, "应收账款-乙公司", 50);
        let mut balances = books.auxiliaries(RECEIVABLE);
        balances.sort();
        assert_eq!(
            balances,
            [("乙公司".to_owned(), 50), ("甲公司".to_owned(), 100)]
        );
        assert_eq!(books.balance(RECEIVABLE.code, 12), 150);
    }
}
