//! The demo archive's content: one fiscal year of a mid-size Shanghai software company, made
//! from a seed and nothing else, so the same seed gives the same records and the same bytes in
//! every file for as long as this code is unchanged.
//!
//! [`generate`] yields the year's 记账凭证 month by month, each with its originals in DA/T 94
//! item order (报销单, 数电票 XML and PDF, 银行电子回单), then the ledgers (总账, 明细账, 银行存款
//! 日记账, 现金日记账), the twelve monthly reports and the annual report. Every voucher is posted
//! to running books as it is yielded, so amounts paid are amounts owed and the ledgers and
//! reports agree with the vouchers. Files are rendered only when their record is yielded.

mod accounts;
mod business;
mod calendar;
mod documents;
mod draft;
mod identifiers;
mod ledgers;
mod opening;
mod parties;
mod payroll;
mod plan;
mod purchases;
mod reports;
mod rng;
#[cfg(test)]
mod tests;
mod trade;
mod words;

use fonds_domain::{
    AccountingPeriod, ArchivalCodePattern, Classification, FileRole, FiscalYear, Fonds, Money,
    RecordDescription, RecordKind, RetentionPeriod, RetentionScheme, RetentionTable, VoucherEntry,
};
use time::{Date, Duration, PrimitiveDateTime};

use self::accounts::Books;
use self::documents::VoucherHead;
use self::draft::{Desk, Serials};
use self::parties::{BOOKKEEPER, PREPARERS, REVIEWER, US};
use self::plan::Planned;
use self::rng::Rng;

/// One file of a demo record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFile {
    /// Its place in the item.
    pub role: FileRole,
    /// The name it is stored under, e.g. `记-0057.pdf`.
    pub file_name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// One demo record, ready to be submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRecord {
    /// What it is, its year, month and retention.
    pub classification: Classification,
    /// Its descriptive metadata; valid for its classification.
    pub description: RecordDescription,
    /// The voucher's entries, balanced; empty for ledgers and reports.
    pub entries: Vec<VoucherEntry>,
    /// Its files: exactly one [`FileRole::Main`], first, then the originals in item order.
    pub files: Vec<DemoFile>,
}

/// What demo to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    /// Everything drawn at random follows from this.
    pub seed: u64,
    /// The year the records belong to.
    pub fiscal_year: FiscalYear,
    /// How many 记账凭证 the year has; ledgers and reports come on top.
    pub vouchers: u32,
}

impl Default for DemoSpec {
    /// Fiscal year 2023, 1000 vouchers, seed 20231231.
    fn default() -> Self {
        Self {
            seed: 20_231_231,
            fiscal_year: FiscalYear::new(2023).unwrap_or_else(|_| unreachable!("2023 is in range")),
            vouchers: 1000,
        }
    }
}

/// The demo's fonds: 华东示范科技有限公司, fonds code Z001, the enterprise retention table and
/// DA/T 94 archival codes.
#[must_use]
pub fn demo_fonds() -> Fonds {
    Fonds {
        code: "Z001"
            .parse()
            .unwrap_or_else(|_| unreachable!("Z001 is a valid fonds code")),
        name: US.name.to_owned(),
        retention_scheme: RetentionScheme::Enterprise,
        code_pattern: ArchivalCodePattern::dat94(),
    }
}

/// The demo records of `spec`, lazily: each record's files are rendered when it is yielded.
/// There are `spec.vouchers` vouchers, then 4 ledgers, 12 monthly reports and 1 annual report.
pub fn generate(spec: &DemoSpec) -> impl Iterator<Item = DemoRecord> + use<> {
    Generator::new(*spec)
}

/// The ledgers, in the binding order of DA/T 94 8.5.
const LEDGERS: [(RecordKind, &str); 4] = [
    (RecordKind::GeneralLedger, "总账"),
    (RecordKind::SubsidiaryLedger, "明细账"),
    (RecordKind::Journal, "银行存款日记账"),
    (RecordKind::Journal, "现金日记账"),
];
/// Records after the vouchers: ledgers, monthly reports, the annual report.
const BOOK_RECORDS: u64 = 4 + 12 + 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Vouchers,
    Ledger(usize),
    Monthly(u8),
    Annual,
    Done,
}

#[derive(Debug)]
struct Generator {
    spec: DemoSpec,
    table: RetentionTable,
    counts: [u32; 12],
    /// The month whose plan is being yielded; 0 before the first.
    month: u8,
    plan: std::vec::IntoIter<Planned>,
    /// Vouchers numbered so far in the month.
    numbered: u32,
    books: Books,
    serials: Serials,
    stage: Stage,
    yielded: u64,
}

impl Generator {
    fn new(spec: DemoSpec) -> Self {
        Self {
            spec,
            table: RetentionTable::statutory(RetentionScheme::Enterprise),
            counts: plan::month_counts(spec.vouchers),
            month: 0,
            plan: Vec::new().into_iter(),
            numbered: 0,
            books: opening::books(),
            serials: Serials::new(spec.seed),
            stage: Stage::Vouchers,
            yielded: 0,
        }
    }

    fn year(&self) -> FiscalYear {
        self.spec.fiscal_year
    }

    fn classification(&self, kind: RecordKind, month: Option<u8>) -> Classification {
        let year = self.year();
        let period = month.map(|m| {
            AccountingPeriod::new(year, i64::from(m))
                .unwrap_or_else(|_| unreachable!("the generator only uses months 1 to 12"))
        });
        Classification {
            kind,
            fiscal_year: year,
            period,
            retention: self.retention(kind),
        }
    }

    /// The statutory minimum: what `RetentionTable::assign(kind, None)` returns, read without
    /// its error path, which only a requested period can take.
    fn retention(&self, kind: RecordKind) -> RetentionPeriod {
        self.table.rule(kind).minimum
    }

    /// A moment `days` after the end of the year, when books and reports are printed.
    fn after_year_end(&self, days: i64, seconds: i64) -> PrimitiveDateTime {
        calendar::at(
            self.year()
                .retention_start()
                .saturating_add(Duration::days(days)),
            seconds,
        )
    }

    fn voucher(&mut self, planned: Planned) -> DemoRecord {
        let (year, month) = (self.year(), self.month);
        self.numbered += 1;
        let number = format!("记-{:04}", self.numbered);
        let date = calendar::day(year, month, planned.day);
        let stream = (u64::from(month) << 32) | u64::from(self.numbered);
        let mut desk = Desk {
            rng: Rng::stream(self.spec.seed, stream),
            year,
            month,
            date,
            books: &self.books,
            serials: &mut self.serials,
        };
        let preparer = *desk.rng.pick(&PREPARERS);
        let draft = business::draft(planned.business, &mut desk);
        let created = desk.office_time(date);
        self.books.post(date, &number, &draft.summary, &draft.lines);

        let head = VoucherHead {
            number: &number,
            date,
            preparer,
            created,
        };
        let files = documents::voucher_files(&head, &draft);
        let attachments = files.iter().filter(|f| f.role.is_original()).count();
        let amount = draft.lines.iter().map(|l| l.debit).sum();
        let description = RecordDescription {
            title: draft.summary.clone(),
            date: Some(date),
            number: Some(
                number
                    .parse()
                    .unwrap_or_else(|_| unreachable!("记-NNNN is a valid voucher number")),
            ),
            amount: Some(Money::from_fen(amount)),
            preparer: Some(preparer.to_owned()),
            reviewer: Some(REVIEWER.to_owned()),
            attachment_count: Some(u32::try_from(attachments).unwrap_or(u32::MAX)),
            remarks: None,
        };
        DemoRecord {
            classification: self.classification(RecordKind::AccountingVoucher, Some(month)),
            description,
            entries: draft
                .lines
                .iter()
                .map(|l| l.entry(&draft.summary))
                .collect(),
            files,
        }
    }

    /// A ledger, report or other record with one PDF and no entries.
    fn book_record(
        &self,
        kind: RecordKind,
        month: Option<u8>,
        date: Date,
        title: String,
        bytes: Vec<u8>,
        remarks: Option<String>,
    ) -> DemoRecord {
        let file_name = format!("{}.pdf", title.replace(' ', ""));
        DemoRecord {
            classification: self.classification(kind, month),
            description: RecordDescription {
                title,
                date: Some(date),
                number: None,
                amount: None,
                preparer: Some(BOOKKEEPER.to_owned()),
                reviewer: Some(REVIEWER.to_owned()),
                attachment_count: None,
                remarks,
            },
            entries: Vec::new(),
            files: vec![DemoFile {
                role: FileRole::Main,
                file_name,
                bytes,
            }],
        }
    }

    fn ledger(&self, index: usize) -> DemoRecord {
        let year = self.year();
        let (kind, name) = LEDGERS.get(index).copied().unwrap_or(LEDGERS[0]);
        let title = format!("{year}年度 {name}");
        let created = self.after_year_end(14, 10 * 3600);
        let books = &self.books;
        let (bytes, remarks) = match index {
            0 => (ledgers::general_ledger(books, year, created), None),
            1 => (ledgers::subsidiary_ledger(books, year, created), None),
            _ => {
                let (account, postings) = if index == 2 {
                    (accounts::BANK, &books.bank_journal)
                } else {
                    (accounts::CASH, &books.cash_journal)
                };
                let opening = books.balance(account.code, 0);
                let bytes = ledgers::journal(&title, account, opening, postings, year, created);
                (bytes, Some(format!("全年共登记 {} 笔", postings.len())))
            }
        };
        self.book_record(
            kind,
            None,
            calendar::last_day(year, 12),
            title,
            bytes,
            remarks,
        )
    }

    fn monthly_report(&self, month: u8) -> DemoRecord {
        let year = self.year();
        let end = calendar::last_day(year, month);
        let created = calendar::at(end.saturating_add(Duration::days(8)), 15 * 3600);
        let bytes = reports::monthly(&self.books, year, month, created);
        let title = format!("{year}年{month}月 财务报表");
        self.book_record(
            RecordKind::MonthlyReport,
            Some(month),
            end,
            title,
            bytes,
            None,
        )
    }

    fn annual_report(&self) -> DemoRecord {
        let year = self.year();
        let created = self.after_year_end(80, 16 * 3600);
        let bytes = reports::annual(&self.books, year, created);
        let title = format!("{year}年度 财务会计报告");
        let end = calendar::last_day(year, 12);
        self.book_record(RecordKind::AnnualReport, None, end, title, bytes, None)
    }
}

impl Iterator for Generator {
    type Item = DemoRecord;

    fn next(&mut self) -> Option<DemoRecord> {
        let record = loop {
            match self.stage {
                Stage::Vouchers => {
                    if let Some(planned) = self.plan.next() {
                        break self.voucher(planned);
                    }
                    if self.month >= 12 {
                        self.stage = Stage::Ledger(0);
                        continue;
                    }
                    self.month += 1;
                    self.numbered = 0;
                    let count = self.counts[usize::from(self.month - 1)];
                    let (seed, year) = (self.spec.seed, self.year());
                    self.plan = plan::month(seed, year, self.month, count).into_iter();
                }
                Stage::Ledger(index) => {
                    self.stage = if index + 1 < LEDGERS.len() {
                        Stage::Ledger(index + 1)
                    } else {
                        Stage::Monthly(1)
                    };
                    break self.ledger(index);
                }
                Stage::Monthly(month) => {
                    self.stage = if month < 12 {
                        Stage::Monthly(month + 1)
                    } else {
                        Stage::Annual
                    };
                    break self.monthly_report(month);
                }
                Stage::Annual => {
                    self.stage = Stage::Done;
                    break self.annual_report();
                }
                Stage::Done => return None,
            }
        };
        self.yielded += 1;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let total = u64::from(self.spec.vouchers) + BOOK_RECORDS;
        let left = usize::try_from(total.saturating_sub(self.yielded)).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}
